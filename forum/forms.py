"""The forum's forms (Flask-WTF): every one carries a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.models import VISIBILITIES


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])
    remember = BooleanField("Keep me signed in on this computer for 14 days")
    submit = SubmitField("Sign in")


class RegisterForm(FlaskForm):
    # No field validators: the accounts service checks every field at once, so all problems show together.
    display_name = StringField("Your name", description="As other members will see it, for example Sam Patel")
    email = EmailField("Email address", description="Your work address if you have one")
    password = PasswordField(
        "Password", description="At least 10 characters. A few unrelated words make a good one.",
    )
    submit = SubmitField("Create account")


class ThreadForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    body = TextAreaField(
        "Your post", description="You can use Markdown: **bold**, *italic*, [a link](https://example.org), "
        "lists with - and quotes with >.",
        validators=[DataRequired("Enter the text of your post")],
    )
    anonymous = BooleanField("Post without showing my name")
    preview = SubmitField("Preview")
    submit = SubmitField("Post thread")


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply", description="You can use Markdown: **bold**, *italic*, [a link](https://example.org), "
        "lists with - and quotes with >.",
        validators=[DataRequired("Enter the text of your reply")],
    )
    quote_of = HiddenField()
    anonymous = BooleanField("Post without showing my name")
    preview = SubmitField("Preview")
    submit = SubmitField("Post reply")


class EditPostForm(FlaskForm):
    body = TextAreaField("Your post", validators=[DataRequired("Enter the text of your post")])
    preview = SubmitField("Preview")
    submit = SubmitField("Save changes")


class ConfirmForm(FlaskForm):
    """A form with only a button (sign out, delete): the CSRF token is what it carries."""

    submit = SubmitField("Confirm")


class SpaceForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter the space's name")])
    slug = StringField(
        "Address", description="Lower-case letters, digits and hyphens; the space's page is /spaces/<address>",
        validators=[DataRequired("Enter the space's address")],
    )
    description = TextAreaField("Description", description="One or two sentences about what the space is for")
    visibility = SelectField("Who can read it", choices=list(VISIBILITIES.items()))
    anonymous_posting = BooleanField("Allow members to post without showing their name")
    submit = SubmitField("Save space")
