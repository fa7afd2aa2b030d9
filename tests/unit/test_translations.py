"""Every word marked for translation has its Welsh, none is fuzzy, and the compiled catalog is current.

This is `pybabel extract` + `msgfmt --statistics` as a test: a new _("...") without its Welsh fails
here, naming the words, until `make translations` and a translator have been through it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from forum import i18n

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The words the code and templates mark today, as `make translations` extracts them."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "--add-comments=Translators:", "--no-location",
                    "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        return read_po(handle)


def _catalog(code: str):
    with (ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("code", [code for code in i18n.LANGUAGES if code != "en"])
def test_every_marked_word_is_translated_and_none_is_fuzzy(template, code):
    catalog = _catalog(code)
    wanted = [message.id for message in template if message.id]
    assert wanted, "pybabel found no marked words at all"
    missing = [m for m in wanted if m not in catalog or not _translated(catalog[m])]
    assert not missing, f"{len(missing)} untranslated in {code} (run `make translations`): {missing[:10]}"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy in {code}: {fuzzy[:10]}"
    assert catalog.num_plurals == 6 if code == "cy" else True


@pytest.mark.parametrize("code", [code for code in i18n.LANGUAGES if code != "en"])
def test_the_compiled_catalog_is_the_current_one(code):
    catalog = _catalog(code)
    with (ROOT / "translations" / code / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert _pairs(compiled) == _pairs(m for m in catalog if not m.fuzzy), (
        "messages.mo is older than messages.po: run `make translations`")


def _pairs(messages) -> dict:
    """id -> string, with plural forms as tuples whichever reader gave them."""
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value
    return {key(m.id): key(m.string) for m in messages if m.id}


def _translated(message) -> bool:
    if isinstance(message.string, tuple):
        return all(message.string)
    return bool(message.string)
