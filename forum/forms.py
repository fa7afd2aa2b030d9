"""The forum's forms (Flask-WTF): every one carries a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from forum.cleantext import clean_line, clean_text
from forum.models import EMAIL_FREQUENCIES, PLATFORMS, SECTORS, VISIBILITIES
from forum.models.accounts import RECAP_CHOICES


class Form(FlaskForm):
    """Every forum form: what people type arrives without control characters (see forum.cleantext)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, PasswordField):  # a password is checked as typed, never changed
                return unbound_field.bind(form=form, **options)
            clean = clean_text if issubclass(field_class, TextAreaField) else clean_line
            filters = [*unbound_field.kwargs.get("filters", ()), _text_only(clean)]
            return unbound_field.bind(form=form, **{**options, "filters": filters})


def _text_only(clean):
    """A WTForms filter: `clean` a field's data when it is text; leave files, numbers and yes/no alone."""
    def text_filter(value):
        return clean(value) if isinstance(value, str) else value
    return text_filter


def choices(options: dict[str, str], blank: str | None = None) -> list[SelectChoice]:
    """Select options from a value -> label mapping, with an optional blank first option."""
    found = [SelectChoice(value, label) for value, label in options.items()]
    return [SelectChoice("", blank), *found] if blank else found


SECTOR_CHOICES = choices(SECTORS, "Choose your sector")


class SignInForm(Form):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])
    remember = BooleanField("Keep me signed in on this computer for 14 days")
    submit = SubmitField("Sign in")


class _Credentials(Form):
    """The address and password sign-up asks for first: declared before the profile's fields, so that a
    form made of both lists (and its error summary orders) them as the page shows them."""

    email = EmailField("Email address", description="Your work address: council and NHS addresses are approved at once")
    password = PasswordField(
        "Password", description="At least 10 characters. A few unrelated words make a good one.",
    )


class ProfileFields(Form):
    """What a member says about themselves, shared by sign-up and the profile page."""

    # No field validators: the membership service checks every field at once, so all problems show together.
    display_name = StringField("Your name", description="As other members will see it, for example Sam Patel")
    sector = SelectField("Sector", choices=SECTOR_CHOICES, validate_choice=False)
    organisation = StringField(
        "Organisation (optional)", description="Start typing to pick one members already use, or enter a new one")
    job_role = StringField("Job role (optional)", description="For example, digital communications officer")
    handle_x = StringField("X (Twitter) handle (optional)", description="Links what you said in imported chats to you")
    handle_mastodon = StringField("Mastodon handle (optional)", description="Like @name@social.example")
    handle_bluesky = StringField("Bluesky handle (optional)", description="Like name.bsky.social")
    handle_slack = StringField("Slack display name (optional)")
    handle_teams = StringField("Teams display name (optional)", description="Your name as Teams shows it in meeting "
                               "transcripts")
    handle_zoom = StringField("Zoom display name (optional)", description="Your name as Zoom shows it in meeting "
                              "chats and transcripts")
    handle_text = StringField("Name in chat logs (optional)", description="Your name as plain chat logs show it "
                              "(Name: message), for example Sam Patel")

    def handles(self) -> dict[str, str]:
        return {platform: (self[f"handle_{platform}"].data or "") for platform in PLATFORMS}


class RegisterForm(_Credentials, ProfileFields):
    submit = SubmitField("Create account")


class ProfileForm(ProfileFields):
    bio = TextAreaField("About you (optional)", description="You can use Markdown.")
    submit = SubmitField("Save profile")


class EmailForm(Form):
    email = EmailField("Email address")
    submit = SubmitField("Send me a link")


class NewPasswordForm(Form):
    password = PasswordField("New password", description="At least 10 characters")
    submit = SubmitField("Set password")


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password")
    password = PasswordField("New password", description="At least 10 characters")
    submit = SubmitField("Change password")


class ChangeEmailForm(Form):
    email = EmailField("New email address", description="We send a link there; the change happens when you open it")
    password = PasswordField("Your password")
    submit = SubmitField("Change email address")


class DeleteAccountForm(Form):
    password = PasswordField("Your password")
    submit = SubmitField("Delete my account")


class AnswerForm(Form):
    answer = TextAreaField("Your answer")
    submit = SubmitField("Send answer")


class ReasonForm(Form):
    """A moderator's decision about a member, with a reason or a question where one is needed."""

    reason = TextAreaField("Reason or question", description="Sent to the person by email")
    approve = SubmitField("Approve")
    reject = SubmitField("Reject")
    ask = SubmitField("Ask for more information")
    suspend = SubmitField("Suspend")
    unsuspend = SubmitField("Lift suspension")
    champion = SubmitField("Make digital champion")
    unchampion = SubmitField("Remove digital champion badge")


class DirectoryForm(Form):
    """The directory's filters (a GET form: no CSRF token needed, nothing changes)."""

    class Meta:
        csrf = False

    sector = SelectField("Sector", choices=choices(SECTORS, "Any sector"))
    organisation = StringField("Organisation")
    role = StringField("Job role contains")
    champion = BooleanField("Digital champions only")


class ThreadForm(Form):
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    body = TextAreaField(
        "Your post", description="You can use Markdown: **bold**, *italic*, [a link](https://example.org), "
        "lists with - and quotes with >.",
        validators=[DataRequired("Enter the text of your post")],
    )
    anonymous = BooleanField("Post without showing my name")
    submission_key = HiddenField()
    preview = SubmitField("Preview")
    submit = SubmitField("Post thread")


class ReplyForm(Form):
    body = TextAreaField(
        "Your reply", description="You can use Markdown: **bold**, *italic*, [a link](https://example.org), "
        "lists with - and quotes with >.",
        validators=[DataRequired("Enter the text of your reply")],
    )
    quote_of = HiddenField()
    anonymous = BooleanField("Post without showing my name")
    submission_key = HiddenField()
    preview = SubmitField("Preview")
    submit = SubmitField("Post reply")


class EditPostForm(Form):
    body = TextAreaField("Your post", validators=[DataRequired("Enter the text of your post")])
    preview = SubmitField("Preview")
    submit = SubmitField("Save changes")


class ConfirmForm(Form):
    """A form with only a button (sign out, delete): the CSRF token is what it carries."""

    submit = SubmitField("Confirm")


class SpaceForm(Form):
    # Checked by the spaces service, so that every problem shows at once.
    name = StringField("Name")
    slug = StringField(
        "Address", description="Lower-case letters, digits and hyphens; the space's page is /spaces/<address>",
    )
    description = TextAreaField("Description", description="One or two sentences about what the space is for")
    visibility = SelectField("Who can read it", choices=choices(VISIBILITIES), validate_choice=False)
    anonymous_posting = BooleanField("Allow members to post without showing their name")
    email_threads = BooleanField("Let members start threads here by email",
                                 description="Members who may post here send an email to the space's address; its subject becomes the title")
    email_local_part = StringField("Email address for new threads: the part before the @",
                                   description="Letters, digits, dots and hyphens, like comms-chat")
    submit = SubmitField("Save space")


class JoinRequestForm(Form):
    message = TextAreaField("Message to the hosts", description="Optional. Say a little about why you would like to join.")
    submit = SubmitField("Ask to join")


class InviteForm(Form):
    who = StringField("Email address or name of the member to invite")
    submit = SubmitField("Invite")


class DecisionForm(Form):
    """Yes or no on a request or an invitation."""

    accept = SubmitField("Accept")
    decline = SubmitField("Decline")


class RevealForm(Form):
    reason = TextAreaField("Why do you need to know who wrote this?", description="Your reason is kept in the moderation log")
    submit = SubmitField("Show me who wrote it")


class ChatForm(Form):
    # Checked by the chats service, so that every problem shows at once.
    title = StringField("Title", description="For example, #lgovsm: who decides what we post?")
    space = SelectField("Space for its threads", validate_choice=False)
    starts_at = StringField("Starts", description="Day, month, year and time in UK time, like 27/11/2026 13:00")
    duration_minutes = IntegerField("Length in minutes", default=60)
    hashtag = StringField("Hashtag", description="Optional, like #lgovsm")
    description = TextAreaField("What it is about", description="Optional")
    hosts = StringField("Hosts", description="Names or email addresses of members, separated by commas. "
                        "Leave empty to host it yourself.")
    submit = SubmitField("Save chat")


class ProposeQuestionForm(Form):
    text = TextAreaField("Propose a question", description="One question, 10 to 500 characters")
    submit = SubmitField("Propose question")


class ConsentForm(DecisionForm):
    """The author's answer to a library entry from a private space, and whether to be named in it."""

    credit = BooleanField("Show my name as its author, beside my organisation")


class QuestionDecisionForm(Form):
    position = IntegerField("Question number in the chat")
    choose = SubmitField("Choose")
    reject = SubmitField("Not this time")
    undo = SubmitField("Put back")


class UploadTranscriptForm(Form):
    file = FileField("Transcript file", description="Exports from X, TAGS, Mastodon, Bluesky, Slack, Teams, Zoom, "
                     "Discord, WhatsApp or a chat log")
    chat = SelectField("Chat", validate_choice=False)
    space = SelectField("Space for a new chat's threads", validate_choice=False)
    format = SelectField("Format", validate_choice=False)
    start = StringField("When the chat started", description="Optional, like 27/11/2026 13:00 (UK time). For files "
                        "whose times have no date, or no times at all; the preview asks if it needs it")
    hosts = StringField("Host's handle", description="Optional. Whose Q1, Q2... are the questions; found "
                        "automatically when left empty")
    submit = SubmitField("Upload and preview")


class ReportForm(Form):
    reason = TextAreaField("What is wrong with this post?", description="The moderators read this; the author does not")
    submit = SubmitField("Send report")


class PostActionForm(Form):
    """A moderator's action on a post, with an optional reason for the log."""

    reason = StringField("Reason (for the log)")
    hide = SubmitField("Hide post")
    restore = SubmitField("Restore post")
    dismiss = SubmitField("Keep post: dismiss reports")
    approve = SubmitField("Approve")
    reject = SubmitField("Reject")


class ThreadToolsForm(Form):
    reason = StringField("Reason", description="Shown to members when you lock the thread; kept in the log")
    title = StringField("New title")
    space = SelectField("Move to space", validate_choice=False)
    split_title = StringField("Title of the new thread")
    target = StringField("Merge into thread number", description="The number in the other thread's address, /threads/<number>")
    lock = SubmitField("Lock thread")
    unlock = SubmitField("Unlock thread")
    pin = SubmitField("Pin thread")
    unpin = SubmitField("Unpin thread")
    rename = SubmitField("Rename")
    move = SubmitField("Move thread")
    split = SubmitField("Split ticked replies into a new thread")
    merge = SubmitField("Merge this thread into the other")


class PromoteForm(Form):
    title = StringField("Title", description="What worked, in a few words")
    problem = TextAreaField("The problem", description="What they were trying to solve. Markdown works.")
    approach = TextAreaField("What they did")
    outcome = TextAreaField("What happened")
    organisation = StringField("Organisation")
    whole_thread = BooleanField("Promote the whole thread, not just this post")
    submit = SubmitField("Add to the library")


class LibraryFilterForm(Form):
    class Meta:
        csrf = False

    tag = SelectField("Service area", validate_choice=False)
    sector = SelectField("Sector", choices=choices(SECTORS, "Any sector"), validate_choice=False)
    organisation = StringField("Organisation")


class TagForm(Form):
    name = StringField("Service area")
    submit = SubmitField("Add service area")


class KeywordForm(Form):
    keyword = StringField("Listen for a word, phrase or #hashtag", description="We tell you when a new post you can read mentions it")
    submit = SubmitField("Listen for it")


class NotificationSettingsForm(Form):
    email_frequency = SelectField("Email me", choices=choices(EMAIL_FREQUENCIES), validate_choice=False)
    auto_watch = BooleanField("Watch threads I start or reply to")
    recap_email = SelectField(
        "Email me a chat's recap after it is imported", choices=choices(RECAP_CHOICES), validate_choice=False,
        description="The answers that drew most replies and quotes, the links shared and the questions left open; "
                    "once per chat, and only of chats you can read. Email set to “No email” stops recaps too.")
    submit = SubmitField("Save settings")


class SavedNoteForm(Form):
    # The length is checked by the saved-posts service, which says how long the note is.
    note = TextAreaField("Your note", description="Only you can see it. Up to 500 characters.")
    submit = SubmitField("Save note")


class LinkFilterForm(Form):
    """Filter the links shared across chats (#20): a GET form, so it needs no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField("Service area", validate_choice=False)
    q = StringField("Words in the link or its question")
    order = SelectField("Order", choices=[("", "Latest shared first"), ("most", "Most shared first")],
                        validate_choice=False)


class TopicsForm(Form):
    """A host sets the service areas of a chat and its question threads; the choices are checkboxes (#20)."""

    submit = SubmitField("Save the topics")


class WelcomeForm(Form):
    """A first sign-in with an organisation's account: only what the provider does not tell us."""

    display_name = StringField("Your name", description="As other members will see it; we took it from your work "
                               "account, and you can change it")
    sector = SelectField("Sector", choices=SECTOR_CHOICES, validate_choice=False)
    organisation = StringField("Organisation", description="Optional: the council, charity or other body you work for")
    job_role = StringField("Job role", description="For example, digital communications officer")
    submit = SubmitField("Create my account")


class LinkSignInForm(Form):
    """Linking an organisation's account: the member's password first."""

    password = PasswordField("Your password", description="So we know it is you before linking your work account")
    submit = SubmitField("Continue")


class LanguageForm(Form):
    """The language a member reads the forum and their email in (#24)."""

    language = SelectField("Language for pages and email", choices=choices(
        {"": "As my browser asks", "en": "English", "cy": "Cymraeg"}))
    submit = SubmitField("Save language")
