"""X personal archive: data/tweets.js (window.YTD.tweets.part0 = [...]) or the older tweet.js."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.errors import TranscriptError
from forum.transcripts import register
from forum.transcripts.base import Importer, Transcript, decode_text, json_head
from forum.transcripts.formats._social import Record, describe, json_values
from forum.transcripts.formats._twitter import ARCHIVE_OWNER, status_message

# tweets.js since December 2022, tweet.js before; further parts are tweets-part1.js with part1 here.
_ASSIGNMENT = re.compile(r"window\.YTD\.tweets?\.part\d+\s*=", re.ASCII)


@register
class TwitterArchiveImporter(Importer):
    """Read the owner's posts from an archive's tweets.js; it has no user object, so the author is the owner."""

    name = "twitter_archive"
    label = _l("X (Twitter) personal archive tweets.js")
    platform = "x"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise the window.YTD.tweets (or .tweet) assignment that opens the file."""
        return _ASSIGNMENT.match(json_head(head)) is not None

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every post in file order (newest first, as the archive writes them)."""
        entries = _entries(decode_text(data).lstrip())
        messages = [status_message(_tweet(entry, number), number, owner=ARCHIVE_OWNER)
                    for number, entry in enumerate(entries, 1)]
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _entries(text: str) -> list[Any]:
    assignment = _ASSIGNMENT.match(text)
    if assignment is None:
        raise TranscriptError(_("this is not an archive tweets.js: it should start with window.YTD.tweets.part0 ="))
    documents = json_values(text[assignment.end():].rstrip().removesuffix(";"))
    if len(documents) > 1:
        raise TranscriptError(_("window.YTD is assigned more than one JSON value"))
    if not isinstance(documents[0], list):
        raise TranscriptError(_("window.YTD should be assigned a list, found %(found)s", found=describe(documents[0])))
    return documents[0]


def _tweet(entry: Any, number: int) -> Record:
    # Each entry wraps its post as {"tweet": {...}}; early archives listed the posts bare.
    record = Record(entry, _("record %(number)s", number=number))
    return Record(record.fields["tweet"], record.where) if "tweet" in record.fields else record
