"""The search form: a GET form (no CSRF token: nothing changes), and reading its filters."""

from __future__ import annotations

import re
from datetime import date

from wtforms import BooleanField, SearchField, SelectField, StringField

from forum.errors import ValidationError
from forum.forms import Form
from forum.models import Space
from forum.search.service import Filters

MAX_AUTHOR = 200
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


class SearchForm(Form):
    """Words to find, and the filters that narrow the results."""

    class Meta:
        csrf = False

    q = SearchField("Search for", description='Words, "an exact phrase" in quotes, or -words to leave out')
    space = SelectField("Space", choices=[], validate_choice=False)
    author = StringField("Author", description="A member's name, or a chat handle such as @lgovsm")
    # Plain text, not type=date: it works in every browser and can show back whatever was typed.
    since = StringField("From", description="A date, for example 31/3/2024")
    until = StringField("To", description="A date, for example 30/6/2024")
    good_practice = BooleanField("Good practice only")
    chats = BooleanField("Chat transcripts only")

    def set_spaces(self, spaces: list[Space]) -> None:
        """Offer the spaces the viewer may search."""
        self.space.choices = [("", "Any space"), *((space.slug, space.name) for space in spaces)]

    def filters(self, spaces: list[Space]) -> Filters:
        """The filters as chosen, or ValidationError saying what is wrong with each."""
        errors: dict[str, str] = {}
        space = None
        if self.space.data:
            space = next((s for s in spaces if s.slug == self.space.data), None)
            if space is None:
                errors["space"] = "Choose a space from the list"
        author = " ".join((self.author.data or "").split())
        if len(author) > MAX_AUTHOR:
            errors["author"] = f"Enter an author's name of at most {MAX_AUTHOR} characters"
        since, until = _date(self.since.data, "since", errors), _date(self.until.data, "until", errors)
        if since and until and since > until:
            errors["until"] = "The ‘To’ date must be the same as or after the ‘From’ date"
        if errors:
            raise ValidationError("Check the search filters", errors)
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
    label = "From" if name == "since" else "To"
    errors[name] = f"Enter a real date for ‘{label}’, for example 31/3/2024"
    return None
