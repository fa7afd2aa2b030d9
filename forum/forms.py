"""The forum's forms (Flask-WTF): every one carries a CSRF token."""

from __future__ import annotations

import functools

from babel import support
from flask import current_app
from flask_babel import get_locale, lazy_gettext as _l  # translated text is printed as markup: write < and & as &lt; and &amp;
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length

from forum.cleantext import clean_line, clean_text
from forum.i18n import HTML_LANG, LANGUAGES, current_language
from forum.models import EMAIL_FREQUENCIES, PLATFORMS, SECTORS, VISIBILITIES
from forum.models.accounts import RECAP_CHOICES


@functools.lru_cache(maxsize=16)
def _wtforms_catalog(locale: str):
    """WTForms' own messages ("Not a valid choice") in a language, read from disk once per process, not on
    every request as Flask-WTF does (half a millisecond of every page with a form, #19)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """Every forum form: what people type arrives without control characters (see forum.cleantext)."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True) or "babel" not in current_app.extensions:
                return super().get_translations(form)
            return _wtforms_catalog(str(get_locale() or "en"))

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


SECTOR_CHOICES = choices(SECTORS, _l("Choose your sector"))


class SignInForm(Form):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address"))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))])
    remember = BooleanField(_l("Keep me signed in on this computer for 14 days"))
    submit = SubmitField(_l("Sign in"))


class _Credentials(Form):
    """The address and password sign-up asks for first: declared before the profile's fields, so that a
    form made of both lists (and its error summary orders) them as the page shows them."""

    email = EmailField(_l("Email address"),
                       description=_l("Your work address: council and NHS addresses are approved at once"))
    password = PasswordField(
        _l("Password"), description=_l("At least 10 characters. A few unrelated words make a good one."),
    )


class ProfileFields(Form):
    """What a member says about themselves, shared by sign-up and the profile page."""

    # No field validators: the membership service checks every field at once, so all problems show together.
    display_name = StringField(_l("Your name"), description=_l("As other members will see it, for example Sam Patel"))
    sector = SelectField(_l("Sector"), choices=SECTOR_CHOICES, validate_choice=False)
    organisation = StringField(
        _l("Organisation (optional)"),
            description=_l("Start typing to pick one members already use, or enter a new one"))
    job_role = StringField(_l("Job role (optional)"), description=_l("For example, digital communications officer"))
    handle_x = StringField(_l("X (Twitter) handle (optional)"),
                           description=_l("Links what you said in imported chats to you"))
    handle_mastodon = StringField(_l("Mastodon handle (optional)"), description=_l("Like @name@social.example"))
    handle_bluesky = StringField(_l("Bluesky handle (optional)"), description=_l("Like name.bsky.social"))
    handle_slack = StringField(_l("Slack display name (optional)"))
    handle_teams = StringField(_l("Teams display name (optional)"),
                               description=_l("Your name as Teams shows it in meeting "
                               "transcripts"))
    handle_zoom = StringField(_l("Zoom display name (optional)"),
                              description=_l("Your name as Zoom shows it in meeting "
                              "chats and transcripts"))
    handle_text = StringField(_l("Name in chat logs (optional)"), description=_l("Your name as plain chat logs show it "
                              "(Name: message), for example Sam Patel"))

    def handles(self) -> dict[str, str]:
        return {platform: (self[f"handle_{platform}"].data or "") for platform in PLATFORMS}


class RegisterForm(_Credentials, ProfileFields):
    submit = SubmitField(_l("Create account"))


class ProfileForm(ProfileFields):
    bio = TextAreaField(_l("About you (optional)"), description=_l("You can use Markdown."))
    submit = SubmitField(_l("Save profile"))


class EmailForm(Form):
    email = EmailField(_l("Email address"))
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"), description=_l("At least 10 characters"))
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"))
    password = PasswordField(_l("New password"), description=_l("At least 10 characters"))
    submit = SubmitField(_l("Change password"))


class ChangeEmailForm(Form):
    email = EmailField(_l("New email address"),
                       description=_l("We send a link there; the change happens when you open it"))
    password = PasswordField(_l("Your password"))
    submit = SubmitField(_l("Change email address"))


class DeleteAccountForm(Form):
    password = PasswordField(_l("Your password"))
    submit = SubmitField(_l("Delete my account"))


class AnswerForm(Form):
    answer = TextAreaField(_l("Your answer"))
    submit = SubmitField(_l("Send answer"))


class ReasonForm(Form):
    """A moderator's decision about a member, with a reason or a question where one is needed."""

    reason = TextAreaField(_l("Reason or question"), description=_l("Sent to the person by email"))
    approve = SubmitField(_l("Approve"))
    reject = SubmitField(_l("Reject"))
    ask = SubmitField(_l("Ask for more information"))
    suspend = SubmitField(_l("Suspend"))
    unsuspend = SubmitField(_l("Lift suspension"))
    champion = SubmitField(_l("Make digital champion"))
    unchampion = SubmitField(_l("Remove digital champion badge"))


class DirectoryForm(Form):
    """The directory's filters (a GET form: no CSRF token needed, nothing changes)."""

    class Meta:
        csrf = False

    sector = SelectField(_l("Sector"), choices=choices(SECTORS, _l("Any sector")))
    organisation = StringField(_l("Organisation"))
    role = StringField(_l("Job role contains"))
    champion = BooleanField(_l("Digital champions only"))


def post_language_field() -> SelectField:
    """The choice of a post's language (#24): English or Cymraeg, each named in itself (and marked so, for
    screen readers), starting on the language the member reads the forum in; the posting service checks it."""
    return SelectField(
        _l("Language of this post"), description=_l("Screen readers read your post in this language."),
        choices=[SelectChoice(code, name, {"lang": HTML_LANG[code]}) for code, name in LANGUAGES.items()],
        default=current_language, validate_choice=False,
    )


class ThreadForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title")), Length(max=200)])
    body = TextAreaField(
        _l("Your post"), description=_l("You can use Markdown: **bold**, *italic*, [a link](https://example.org), "
        "lists with - and quotes with >."),
        validators=[DataRequired(_l("Enter the text of your post"))],
    )
    language = post_language_field()
    anonymous = BooleanField(_l("Post without showing my name"))
    submission_key = HiddenField()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Post thread"))


class ReplyForm(Form):
    body = TextAreaField(
        _l("Your reply"), description=_l("You can use Markdown: **bold**, *italic*, [a link](https://example.org), "
        "lists with - and quotes with >."),
        validators=[DataRequired(_l("Enter the text of your reply"))],
    )
    quote_of = HiddenField()
    language = post_language_field()
    anonymous = BooleanField(_l("Post without showing my name"))
    submission_key = HiddenField()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Post reply"))


class EditPostForm(Form):
    body = TextAreaField(_l("Your post"), validators=[DataRequired(_l("Enter the text of your post"))])
    language = post_language_field()
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save changes"))


class ConfirmForm(Form):
    """A form with only a button (sign out, delete): the CSRF token is what it carries."""

    submit = SubmitField(_l("Confirm"))


class SpaceForm(Form):
    # Checked by the spaces service, so that every problem shows at once.
    name = StringField(_l("Name"))
    slug = StringField(
        _l("Address"),
        description=_l("Lower-case letters, digits and hyphens; the space's page is /spaces/ followed by it"),
    )
    description = TextAreaField(_l("Description"), description=_l("One or two sentences about what the space is for"))
    visibility = SelectField(_l("Who can read it"), choices=choices(VISIBILITIES), validate_choice=False)
    anonymous_posting = BooleanField(_l("Allow members to post without showing their name"))
    email_threads = BooleanField(_l("Let members start threads here by email"),
                                 description=_l("Members who may post here send an email to the space's address; "
                                                "its subject becomes the title"))
    email_local_part = StringField(_l("Email address for new threads: the part before the @"),
                                   description=_l("Letters, digits, dots and hyphens, like comms-chat"))
    submit = SubmitField(_l("Save space"))


class JoinRequestForm(Form):
    message = TextAreaField(_l("Message to the hosts"),
                            description=_l("Optional. Say a little about why you would like to join."))
    submit = SubmitField(_l("Ask to join"))


class InviteForm(Form):
    who = StringField(_l("Email address or name of the member to invite"))
    submit = SubmitField(_l("Invite"))


class DecisionForm(Form):
    """Yes or no on a request or an invitation."""

    accept = SubmitField(_l("Accept"))
    decline = SubmitField(_l("Decline"))


class RevealForm(Form):
    reason = TextAreaField(_l("Why do you need to know who wrote this?"),
                           description=_l("Your reason is kept in the moderation log"))
    submit = SubmitField(_l("Show me who wrote it"))


class ChatForm(Form):
    # Checked by the chats service, so that every problem shows at once.
    title = StringField(_l("Title"), description=_l("For example, #lgovsm: who decides what we post?"))
    space = SelectField(_l("Space for its threads"), validate_choice=False)
    starts_at = StringField(_l("Starts"), description=_l("Day, month, year and time in UK time, like 27/11/2026 13:00"))
    duration_minutes = IntegerField(_l("Length in minutes"), default=60)
    hashtag = StringField(_l("Hashtag"), description=_l("Optional, like #lgovsm"))
    description = TextAreaField(_l("What it is about"), description=_l("Optional"))
    hosts = StringField(_l("Hosts"), description=_l("Names or email addresses of members, separated by commas. "
                        "Leave empty to host it yourself."))
    submit = SubmitField(_l("Save chat"))


class ProposeQuestionForm(Form):
    text = TextAreaField(_l("Propose a question"), description=_l("One question, 10 to 500 characters"))
    submit = SubmitField(_l("Propose question"))


class ConsentForm(DecisionForm):
    """The author's answer to a library entry from a private space, and whether to be named in it."""

    credit = BooleanField(_l("Show my name as its author, beside my organisation"))


class QuestionDecisionForm(Form):
    position = IntegerField(_l("Question number in the chat"))
    choose = SubmitField(_l("Choose"))
    reject = SubmitField(_l("Not this time"))
    undo = SubmitField(_l("Put back"))


class UploadTranscriptForm(Form):
    file = FileField(_l("Transcript file"),
                     description=_l("Exports from X, TAGS, Mastodon, Bluesky, Slack, Teams, Zoom, "
                     "Discord, WhatsApp or a chat log"))
    chat = SelectField(_l("Chat"), validate_choice=False)
    space = SelectField(_l("Space for a new chat's threads"), validate_choice=False)
    format = SelectField(_l("Format"), validate_choice=False)
    start = StringField(_l("When the chat started"),
                        description=_l("Optional, like 27/11/2026 13:00 (UK time). For files "
                        "whose times have no date, or no times at all; the preview asks if it needs it"))
    hosts = StringField(_l("Host's handle"), description=_l("Optional. Whose Q1, Q2... are the questions; found "
                        "automatically when left empty"))
    submit = SubmitField(_l("Upload and preview"))


class ReportForm(Form):
    reason = TextAreaField(_l("What is wrong with this post?"),
                           description=_l("The moderators read this; the author does not"))
    submit = SubmitField(_l("Send report"))


class PostActionForm(Form):
    """A moderator's action on a post, with an optional reason for the log."""

    reason = StringField(_l("Reason (for the log)"))
    hide = SubmitField(_l("Hide post"))
    restore = SubmitField(_l("Restore post"))
    dismiss = SubmitField(_l("Keep post: dismiss reports"))
    approve = SubmitField(_l("Approve"))
    reject = SubmitField(_l("Reject"))


class ThreadToolsForm(Form):
    reason = StringField(_l("Reason"), description=_l("Shown to members when you lock the thread; kept in the log"))
    title = StringField(_l("New title"))
    space = SelectField(_l("Move to space"), validate_choice=False)
    split_title = StringField(_l("Title of the new thread"))
    target = StringField(_l("Merge into thread number"),
                         description=_l("The number at the end of the other thread's address, like 123 in "
                                        "/threads/123"))
    lock = SubmitField(_l("Lock thread"))
    unlock = SubmitField(_l("Unlock thread"))
    pin = SubmitField(_l("Pin thread"))
    unpin = SubmitField(_l("Unpin thread"))
    rename = SubmitField(_l("Rename"))
    move = SubmitField(_l("Move thread"))
    split = SubmitField(_l("Split ticked replies into a new thread"))
    merge = SubmitField(_l("Merge this thread into the other"))


class PromoteForm(Form):
    title = StringField(_l("Title"), description=_l("What worked, in a few words"))
    problem = TextAreaField(_l("The problem"), description=_l("What they were trying to solve. Markdown works."))
    approach = TextAreaField(_l("What they did"))
    outcome = TextAreaField(_l("What happened"))
    organisation = StringField(_l("Organisation"))
    whole_thread = BooleanField(_l("Promote the whole thread, not just this post"))
    submit = SubmitField(_l("Add to the library"))


class LibraryFilterForm(Form):
    class Meta:
        csrf = False

    tag = SelectField(_l("Service area"), validate_choice=False)
    sector = SelectField(_l("Sector"), choices=choices(SECTORS, _l("Any sector")), validate_choice=False)
    organisation = StringField(_l("Organisation"))


class TagForm(Form):
    name = StringField(_l("Service area"))
    submit = SubmitField(_l("Add service area"))


class KeywordForm(Form):
    keyword = StringField(_l("Listen for a word, phrase or #hashtag"),
                          description=_l("We tell you when a new post you can read mentions it"))
    submit = SubmitField(_l("Listen for it"))


class NotificationSettingsForm(Form):
    email_frequency = SelectField(_l("Email me"), choices=choices(EMAIL_FREQUENCIES), validate_choice=False)
    auto_watch = BooleanField(_l("Watch threads I start or reply to"))
    recap_email = SelectField(
        _l("Email me a chat's recap after it is imported"), choices=choices(RECAP_CHOICES), validate_choice=False,
        description=_l("The answers that drew most replies and quotes, the links shared and the questions left open; "
                    "once per chat, and only of chats you can read. Email set to “No email” stops recaps too."))
    submit = SubmitField(_l("Save settings"))


class SavedNoteForm(Form):
    # The length is checked by the saved-posts service, which says how long the note is.
    note = TextAreaField(_l("Your note"), description=_l("Only you can see it. Up to 500 characters."))
    submit = SubmitField(_l("Save note"))


class LinkFilterForm(Form):
    """Filter the links shared across chats (#20): a GET form, so it needs no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField(_l("Service area"), validate_choice=False)
    q = StringField(_l("Words in the link or its question"))
    order = SelectField(_l("Order"), choices=choices({"most": _l("Most shared first")}, _l("Latest shared first")),
                        validate_choice=False)


class TopicsForm(Form):
    """A host sets the service areas of a chat and its question threads; the choices are checkboxes (#20)."""

    submit = SubmitField(_l("Save the topics"))


class WelcomeForm(Form):
    """A first sign-in with an organisation's account: only what the provider does not tell us."""

    display_name = StringField(_l("Your name"),
                               description=_l("As other members will see it; we took it from your work "
                               "account, and you can change it"))
    sector = SelectField(_l("Sector"), choices=SECTOR_CHOICES, validate_choice=False)
    organisation = StringField(_l("Organisation"),
                               description=_l("Optional: the council, charity or other body you work for"))
    job_role = StringField(_l("Job role"), description=_l("For example, digital communications officer"))
    submit = SubmitField(_l("Create my account"))


class LinkSignInForm(Form):
    """Linking an organisation's account: the member's password first."""

    password = PasswordField(_l("Your password"),
                             description=_l("So we know it is you before linking your work account"))
    submit = SubmitField(_l("Continue"))


class LanguageForm(Form):
    """The language a member reads the forum and their email in (#24)."""

    language = SelectField(_l("Language for pages and email"), choices=choices(
        {"": "As my browser asks", "en": "English", "cy": "Cymraeg"}))
    submit = SubmitField(_l("Save language"))
