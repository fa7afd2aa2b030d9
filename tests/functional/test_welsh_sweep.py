"""Every page in app.url_map, read in Welsh, says nothing in English (#24).

The world of the leak suites (tests/post_states.py: closed spaces, an imported chat, every post state,
notifications, the library) is built once; then a visitor, a member waiting for approval, a member, a
host, a moderator and an administrator read every GET route with the `forum_language=cy` cookie set by
the switch link. On each answer (pages, error pages, feeds and calendars alike):

- `<html lang="cy">` on every page;
- no English phrase of the catalog is left (a phrase the catalog has, printed without its Welsh: a
  template that forgot to mark it, or words made outside a request's language);
- no English sentence at all: common English words that are not Welsh ("the", "your", "will"...) must
  not appear outside what members wrote. This catches words never marked for translation.

What members wrote (titles, posts, names, organisations, space descriptions, chat titles...) is taken
out of the page first, by the values stored in the database, so English content is not mistaken for
the interface. Addresses and e-mail addresses are taken out too.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import String, Text, select

from forum.db import Base
from tests.conftest import _postgres_database, make_test_app
from tests.factories import login, make_member
from tests.leaks import get_endpoints
from tests.post_states import all_routes, build, own_urls
from tests.welsh import CATALOG, QUOTED

ROLES = ["visitor", "pending", "member", "host", "moderator", "admin"]
# English words that are not Welsh words: a page in Welsh that shows one outside members' writing
# shows English. ("a", "i", "am", "can", "dim", "is", "we" (the web) and such are Welsh words too, so not listed.)
ENGLISH_ONLY = frozenset("""
    the and your you this that with from have has will are not been there what which when their they
    here was were should would could about into only than then them these those our
    please cannot can't don't isn't won't
""".split())
# Tables the forum writes itself in the interface's words (mail it sent, in the recipient's language): not what
# members wrote.
INTERFACE_TABLES = frozenset({"forum_outbox", "forum_page_version", "alembic_version"})
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
INLINE = re.compile(r"</?(?:a|strong|em|b|i|span|abbr|code|time|mark)\b[^>]*>")
ATTRIBUTE_WORDS = re.compile(r'\b(?:aria-label|title|placeholder|alt|content)="([^"]*)"')
ADDRESS = re.compile(r"\b(?:https?|webcal|mailto):[^\s<>\"']+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+|/[\w./?=&%-]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


@pytest.fixture(scope="module")
def welsh_app(postgres_url, sqlite_template, tmp_path_factory):
    """One app and database for the module: the world is built once and only read."""
    if postgres_url is None:
        path = tmp_path_factory.mktemp("welsh") / "forum.sqlite3"
        shutil.copyfile(sqlite_template, path)
        urls = iter([f"sqlite:///{path}"])
    else:
        urls = _postgres_database()
    app = make_test_app(next(urls), tmp_path_factory.mktemp("instance"), RATELIMIT_ENABLED=False)
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()
    next(urls, None)


@pytest.fixture(scope="module")
def world(welsh_app, tmp_path_factory):
    w, x = build(welsh_app, tmp_path_factory.mktemp("transcripts"))
    x.people["admin"] = make_member(welsh_app, "Gwen Admin", role="admin")
    return w, x


@pytest.fixture(scope="module")
def phrases() -> dict[str, str]:
    """English -> Welsh for the catalog's messages that Welsh says differently, placeholders split out:
    the English text around a placeholder must not show either."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    found = {}
    for message in catalog:
        if not message.id or not message.string:
            continue
        english = message.id[0] if isinstance(message.id, tuple) else message.id
        welsh = message.string[0] if isinstance(message.string, tuple) else message.string
        if english == welsh:
            continue
        parts = re.split(r"%\(\w+\)[sd]|<[^>]+>|\{\{.*?\}\}", unescape(english))
        for part in parts:
            part = part.strip(" .,:;()!?“”\"'")
            # A part of two words or more; one word only when it is the whole message (a name in a link is no
            # interface word).
            if len(part.split()) >= 2 or (len(parts) == 1 and len(part) >= 4 and part[:1].isupper()):
                found[part] = welsh
    return found


@pytest.fixture(scope="module")
def written(welsh_app, world) -> tuple[list[str], set[str]]:
    """What people and imports wrote, as stored: every text column of every forum table (longest first), and
    their words."""
    values: set[str] = set()
    with welsh_app.app_context():
        db = welsh_app.extensions["forum"].db.session
        for table in Base.metadata.sorted_tables:
            if table.name in INTERFACE_TABLES:
                continue
            columns = [c for c in table.columns if _written(c)]
            if not columns:
                continue
            for row in db.execute(select(*columns)):
                for value in row:
                    if isinstance(value, str) and len(value) >= 3:
                        values.add(value)
                        values.update(line for line in value.splitlines() if len(line) >= 3)
    strings = sorted(values, key=len, reverse=True)
    words = {w.lower() for value in values for w in WORD.findall(unescape(TAG.sub(" ", value)))}
    return strings, words


def _written(column) -> bool:
    """A column people write in: text, or a string long enough for words (not a code such as a role or state)."""
    return isinstance(column.type, Text) or (isinstance(column.type, String) and (column.type.length or 999) >= 60)


def _interface_text(body: str, strings: list[str]) -> str:
    """The words a page says itself: members' writing, addresses and markup taken out."""
    attributes = " ".join(ATTRIBUTE_WORDS.findall(body))
    # Elements are kept apart ("¦"), so that one option's end and the next one's start make no phrase; inline
    # elements inside a sentence split it too, as the catalog's phrases are split at tags.
    text = unescape(INLINE.sub("", SCRIPT_OR_STYLE.sub(" ", body)))
    text = TAG.sub(" ¦ ", text) + " ¦ " + unescape(attributes)
    text = " ".join(text.split())
    for value in strings:
        if value in text:
            text = text.replace(value, " ")
        flat = " ".join(value.split())
        if flat != value and flat in text:
            text = text.replace(flat, " ")
    return " ".join(ADDRESS.sub(" ", text).split())


def _read_in_welsh(app, world, role):
    w, x = world
    table = all_routes(w, x)
    client = app.test_client()
    client.set_cookie("forum_language", "cy")
    if x.people.get(role) is not None:
        login(client, x.people[role])
        client.set_cookie("forum_language", "cy")
    urls = [url for endpoint in sorted(get_endpoints(app)) for url in table.get(endpoint, [])] + own_urls(role)
    for url in urls:
        if url.startswith("/language/"):
            continue  # the switch itself changes the language
        response = client.get(url)
        yield url, response


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_in_welsh(welsh_app, world, phrases, written, role):
    strings, content_words = written
    english_phrases: dict[str, list[str]] = defaultdict(list)
    english_words: dict[str, list[str]] = defaultdict(list)
    wrong_lang = []
    for url, response in _read_in_welsh(welsh_app, world, role):
        assert response.status_code < 500, (url, response.status_code)
        kind = response.mimetype
        if not (kind.startswith("text/") or kind.endswith("xml")) or response.status_code in (301, 302, 303, 304):
            continue
        body = response.get_data(as_text=True)
        if kind == "text/html" and '<html lang="cy"' not in body:
            wrong_lang.append(url)
        text = QUOTED.sub(" ", _without_query(_interface_text(body, strings), url))
        for english in phrases:
            if english.lower() in content_words and " " not in english:
                continue
            if english in text and re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", text):
                english_phrases[english].append(url)
        # A search result shows a piece of a post (PostgreSQL's ts_headline cuts it), which no stored value
        # matches whole: there, a word that members wrote is theirs.
        snippets = url.startswith("/search")
        for word in WORD.findall(text):
            if word.lower() in ENGLISH_ONLY and not (snippets and word.lower() in content_words):
                english_words[_context(text, word)].append(url)
    assert not (wrong_lang or english_phrases or english_words), (
        f"pages not marked lang=cy for the {role}: {wrong_lang[:10]}\n"
        f"catalog phrases left in English for the {role}:\n{_report(english_phrases)}\n"
        f"English words not marked for translation, for the {role}:\n{_report(english_words)}")


def _without_query(text: str, url: str) -> str:
    """The page's text without the words the reader searched for (a results page repeats them)."""
    query = parse_qs(urlsplit(url).query).get("q", [""])[0]
    return text.replace(query, " ") if query else text


def _context(text: str, word: str) -> str:
    at = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text)
    return text[max(0, at.start() - 40):at.end() + 40]


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"  {what!r}  on {urls[0]}{f' and {len(urls) - 1} more' if len(urls) > 1 else ''}"
                     for what, urls in sorted(found.items(), key=lambda item: -len(item[1]))[:60])
