"""The search form: a GET form (no CSRF token: nothing changes), and reading its filters."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SearchField, SelectField, StringField

from forum.errors import ValidationError
from forum.forms import Form, choices
from forum.models import Space
from forum.search.service import Filters

MAX_AUTHOR = 200
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


class SearchForm(Form):
    """Words to find, and the filters that narrow the results."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search for"), description=_l('Words, "an exact phrase" in quotes, or -words to leave out'))
    space = SelectField(_l("Space"), choices=[], validate_choice=False)
    author = StringField(_l("Author"), description=_l("A member's name, or a chat handle such as @lgovsm"))
    # Plain text, not type=date: it works in every browser and can show back whatever was typed.
    # Translators: the first date of a range (the search's "From" and "To" dates)
    since = StringField(_l("From"), description=_l("A date, for example 31/3/2024"))
    # Translators: the last date of a range (the search's "From" and "To" dates)
    until = StringField(_l("To"), description=_l("A date, for example 30/6/2024"))
    good_practice = BooleanField(_l("Good practice only"))
    chats = BooleanField(_l("Chat transcripts only"))

    def set_spaces(self, spaces: list[Space]) -> None:
        """Offer the spaces the viewer may search."""
        self.space.choices = choices({space.slug: space.name for space in spaces}, _("Any space"))

    def filters(self, spaces: list[Space]) -> Filters:
        """The filters as chosen, or ValidationError saying what is wrong with each."""
        errors: dict[str, str] = {}
        space = None
        if self.space.data:
            space = next((s for s in spaces if s.slug == self.space.data), None)
            if space is None:
                errors["space"] = _("Choose a space from the list")
        author = " ".join((self.author.data or "").split())
        if len(author) > MAX_AUTHOR:
            errors["author"] = _("Enter an author's name of at most %(num)s characters", num=MAX_AUTHOR)
        since, until = _date(self.since.data, "since", errors), _date(self.until.data, "until", errors)
        if since and until and since > until:
            errors["until"] = _("The ‘To’ date must be the same as or after the ‘From’ date")
        if errors:
            raise ValidationError(_("Check the search filters"), errors)
        return Filters(space=space, author=author, since=since, until=until,
                       good_practice=bool(self.good_practice.data), chats_only=bool(self.chats.data))

    @property
    def narrowed(self) -> bool:
        """Has any filter been set?"""
        return any((self.space.data, self.author.data, self.since.data, self.until.data,
                    self.good_practice.data, self.chats.data))


def _date(raw: str | None, name: str, errors: dict[str, str]) -> date | None:
    """A date typed as 2024-03-31 (what date pickers send) or 31/3/2024; None when blank."""
    raw = (raw or "").strip()
    if not raw:
        return None
    iso, uk = _ISO.fullmatch(raw), _UK.fullmatch(raw)
    parts = (iso[1], iso[2], iso[3]) if iso else (uk[3], uk[2], uk[1]) if uk else None
    try:
        if parts and 1900 <= int(parts[0]) <= 2999:
            return date(*map(int, parts))
    except ValueError:  # 31/2/2024 and the like
        pass
    errors[name] = (_("Enter a real date for ‘From’, for example 31/3/2024") if name == "since"
                    else _("Enter a real date for ‘To’, for example 31/3/2024"))
    return None
