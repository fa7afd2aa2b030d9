"""The forum's languages: which one a request is answered in, and the catalogs that say it.

English (the words in the code) and Welsh (`translations/cy`). A request is answered in the
language its reader last chose with the "Cymraeg" / "English" link (a cookie, so it holds for
visitors too), else the signed-in member's saved setting, else the browser's Accept-Language,
else FORUM_DEFAULT_LANGUAGE. Mail goes out in the recipient's saved language (`in_language`).
Dates and numbers are formatted for the language with Babel, in UK time (Europe/London).

Adding a language is one catalog: `make translations NEW_LANGUAGE=xx` after adding it to LANGUAGES.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from babel import lists as babel_lists, numbers as babel_numbers
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations, gettext as _
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from forum.resources import resource_dir

# The languages the interface is written in, each named in itself (as the switch link shows it).
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
# What <html lang> says for each: British English, and Welsh.
HTML_LANG: dict[str, str] = {"en": "en-GB", "cy": "cy"}
COOKIE = "forum_language"
_A_OR_AC = re.compile(r",? a\(c\) (\S)")
COOKIE_SECONDS = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Answer in the reader's language; a host app's own Babel keeps its choice, and gains the forum's catalogs."""
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    directory = str(resource_dir("translations"))
    if "babel" in app.extensions:
        configured = app.extensions["babel"]
        if directory not in configured.translation_directories:
            configured.translation_directories.append(directory)
        return
    Babel(app, locale_selector=select_language, default_locale=site_language(app.config),
          default_translation_directories=directory)
    # Templates say some 300 words a thread page; Flask-Babel finds the catalog again for each (the language,
    # then the catalog by name). Find it once per request and language instead.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _page_catalog().ugettext(s),
        ngettext=lambda s, p, n: _page_catalog().ungettext(s, p, n),
        pgettext=lambda c, s: _page_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _page_catalog():
    """The catalog of the language being spoken now, kept on the request while that language holds (in_language
    inside a request changes the language, and so the catalog)."""
    if not has_app_context():
        return get_translations()
    here = g._get_current_object()  # once, not through the proxy three times: this runs ~30 times a page
    kept = here.__dict__.get("_forum_catalog")
    # Flask-Babel keeps the request's locale on g; a forced one (in_language) replaces it there.
    babel = here.__dict__.get("_flask_babel")
    if kept is None or babel is None or kept[0] is not getattr(babel, "babel_locale", None):
        kept = here._forum_catalog = (get_locale(), get_translations())
    return kept[1]


def site_language(config) -> str:
    """FORUM_DEFAULT_LANGUAGE when it is one the forum speaks, else English."""
    code = str(config.get("FORUM_DEFAULT_LANGUAGE") or "en").strip().lower()
    return code if code in LANGUAGES else "en"


def select_language() -> str:
    """The language this request is answered in (see the module docstring for the order)."""
    if not has_request_context():
        return site_language(current_app.config)
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    from flask_login import current_user  # late: the login manager is set up after Babel
    try:
        saved = getattr(current_user, "language", None) if current_user and current_user.is_authenticated else None
    except SQLAlchemyError:  # the error page for a failed database must still draw, in some language
        saved = None
    if saved in LANGUAGES:
        return saved
    return request.accept_languages.best_match(LANGUAGES, default=site_language(current_app.config))


def current_language() -> str:
    """The code of the language being spoken now: "en" or "cy"."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


def chosen_language() -> str | None:
    """The language this request is answered in, when it is not the site's default (a new account keeps it);
    None when it is the default, so the account follows its reader's browser."""
    code = current_language()
    return None if code == site_language(current_app.config) else code


def format_list(items) -> str:
    """Names as a list in the current language: "Jo, Sam and Priya"; "Jo, Sam a Priya"."""
    items = [str(item) for item in items]
    if not items:
        return ""
    said = babel_lists.format_list(items, locale=HTML_LANG[current_language()].replace("-", "_"))  # en_GB: no Oxford comma
    # CLDR's Welsh writes "a(c)" for the choice between "a" and "ac" (before a vowel), after a comma: choose.
    return _A_OR_AC.sub(lambda m: (" ac " if m.group(1)[:1].lower() in "aeiouwyâêîôûŵŷ" else " a ") + m.group(1), said)


def format_number(number: int) -> str:
    """A whole number as the current language writes it: 50,000."""
    return babel_numbers.format_decimal(number, locale=HTML_LANG[current_language()].replace("-", "_"))


def html_lang() -> str:
    """What <html lang> should say for the current language."""
    return HTML_LANG[current_language()]


def lang_attribute(code: str | None) -> Markup:
    """` lang="cy"` for an element holding words written in `code` (a post's language) when the page is in
    another language, so screen readers switch voice; nothing when it is the page's or not known."""
    if code not in LANGUAGES or code == current_language():
        return Markup("")
    return Markup(' lang="%s"') % HTML_LANG[code]


@contextmanager
def in_language(code: str | None):
    """Say what is inside in `code` (a recipient's saved language), e.g. while writing their email."""
    if not has_app_context():  # nothing to translate with: the words stay as written
        yield
        return
    with force_locale(code if code in LANGUAGES else site_language(current_app.config)):
        yield


def save_language(member, code: str | None) -> None:
    """Set the language `member` reads pages and email in: a code of LANGUAGES, or None to follow their browser."""
    if code and code not in LANGUAGES:
        from forum.errors import ValidationError
        raise ValidationError(_("Choose a language"), {"language": _("Choose English, Cymraeg, or as your browser asks")})
    member.language = code or None
