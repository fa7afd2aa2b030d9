"""Tests that each social-platform format is detected from its own files and claims no one else's."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum.transcripts import detect, get
from tests.unit.transcripts._social import (
    DATA,
    EXPECTED,
    GOLDEN,
    SOCIAL_FORMATS,
    golden_input,
    read_input,
    zip_folder,
    zip_members,
)

# A corpus folder named after a social format holds that format's files. slack_export/ holds the
# pieces of a Slack export, read only as a whole export (test_slack_importer/, zipped).
SLACK_EXPORT = "slack_export"


def corpus_formats(corpus: Path) -> list[str]:
    """The corpus folders named after a social format."""
    return sorted(path.name for path in corpus.iterdir() if path.is_dir() and path.name in SOCIAL_FORMATS)


def corpus_files(corpus: Path) -> list[tuple[str, bytes]]:
    """Return (format, bytes) for every corpus file of a social format, with the Slack export zipped."""
    files = [(name, path.read_bytes()) for name in corpus_formats(corpus)
             for path in sorted((corpus / name).rglob("*")) if path.is_file()]
    return [*files, ("slack", zip_folder(corpus / SLACK_EXPORT / "test_slack_importer"))]


def foreign_inputs(corpus: Path) -> list[tuple[str, bytes]]:
    """Return (folder, bytes) for every test input and corpus file that belongs to no social format
    (the text formats' folders, and folders named after no format)."""
    tests = [(path.parent.name, path.read_bytes()) for path in sorted(DATA.glob("*/*"))
             if path.is_file() and path.parent.name not in SOCIAL_FORMATS and not path.name.endswith(EXPECTED)]
    ours = {*corpus_formats(corpus), SLACK_EXPORT}
    others = [(path.relative_to(corpus).parts[0], path.read_bytes()) for path in sorted(corpus.rglob("*"))
              if path.is_file() and path.relative_to(corpus).parts[0] not in ours]
    xss = [("xss", path.read_bytes()) for path in sorted((corpus.parent / "xss").rglob("*")) if path.is_file()]
    return tests + others + xss


@pytest.mark.parametrize("expected", GOLDEN, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_golden_inputs_are_detected_as_their_own_format(expected: Path) -> None:
    path = golden_input(expected)
    assert detect(read_input(path), path.name).name == expected.parent.name


def test_corpus_files_are_detected_as_their_own_format(corpus: Path) -> None:
    assert set(corpus_formats(corpus)) >= {"twitter_v1", "twitter_v2", "tags_csv", "mastodon", "discord_json", "telegram"}
    for name, data in corpus_files(corpus):
        assert detect(data).name == name


@pytest.mark.parametrize("name", SOCIAL_FORMATS)
def test_no_importer_claims_another_social_format(name: str, corpus: Path) -> None:
    importer = get(name)
    golden = [(path.parent.name, read_input(golden_input(path))) for path in GOLDEN]
    for owner, data in golden + corpus_files(corpus):
        assert importer.sniff(data[:65536]) == (owner == name), f"{name} sniffed a {owner} file"


@pytest.mark.parametrize("name", SOCIAL_FORMATS)
def test_no_importer_claims_text_formats_or_junk(name: str, corpus: Path) -> None:
    importer = get(name)
    for owner, data in foreign_inputs(corpus):
        assert not importer.sniff(data[:65536]), f"{name} sniffed a {owner} file"


@pytest.mark.parametrize(
    "members",
    [
        {"data/tweets.js": b"window.YTD.tweets.part0 = []", "data/account.js": b"window.YTD.account.part0 = []"},
        {"_chat.txt": b"[08/05/2024, 20:02:00] Ann: A1 yes"},
    ],
    ids=["x-archive-zip", "whatsapp-zip"],
)
def test_slack_claims_only_zips_shaped_like_an_export(members: dict[str, bytes]) -> None:
    assert not get("slack").sniff(zip_members(members)[:65536])


def test_x_archive_files_other_than_tweets_are_not_claimed() -> None:
    assert not get("twitter_archive").sniff(b"window.YTD.like.part0 = [ ]")
