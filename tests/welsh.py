"""What the Welsh page tests share (#24): the catalog's English phrases, a page's main words, a Welsh reader.

A phrase "left in English" is a message of the catalog, without placeholders, whose Welsh differs from
it, found whole in a page read in Welsh. Words in curly quotes are left out: they name another
program's buttons ("Add calendar" in Outlook), which readers see in that program's language.
"""

from __future__ import annotations

import functools
import re
from html import unescape
from pathlib import Path

from babel.messages.pofile import read_po

from tests.factories import login

CATALOG = Path(__file__).resolve().parents[1] / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
MAIN = re.compile(r"<main\b.*?</main>", re.S)
TAG = re.compile(r"<[^>]+>")
QUOTED = re.compile(r"“[^”]*”")


@functools.lru_cache(maxsize=1)
def _catalog_phrases() -> tuple[tuple[str, str], ...]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    return tuple((m.id, m.string) for m in catalog
                 if isinstance(m.id, str) and m.id and "%(" not in m.id and m.string and m.string != m.id)


def phrases() -> dict[str, str]:
    """English -> Welsh for the catalog's phrases without placeholders that Welsh says differently."""
    return dict(_catalog_phrases())


def main_text(response) -> str:
    """The words of a page's <main>, as one line of text."""
    html = MAIN.search(response.get_data(as_text=True)).group(0)
    return " ".join(unescape(TAG.sub(" ", html)).split())


def english_left(text: str, found_in: dict[str, str] | None = None) -> list[str]:
    """The catalog's English phrases found whole in `text` (quoted names of other programs' buttons aside)."""
    text = QUOTED.sub(" ", text)
    return [english for english in (found_in or phrases())
            if english in text and re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text)]


def welsh_client(app, member=None):
    """A test client that reads the forum in Welsh, signed in as `member` if given."""
    client = app.test_client()
    client.set_cookie("forum_language", "cy")
    if member is not None:
        login(client, member)
    return client
