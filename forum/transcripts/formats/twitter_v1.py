"""X API v1.1 statuses: a search/tweets response, a plain array of statuses, or a stream dump of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.errors import TranscriptError
from forum.transcripts import register
from forum.transcripts.base import Importer, Transcript
from forum.transcripts.formats._social import Record, describe, json_documents, json_keys_present
from forum.transcripts.formats._twitter import status_message

# Stream dumps interleave these notices with statuses; they are not posts.
_STREAM_NOTICES = ("delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "warning")


@register
class TwitterV1Importer(Importer):
    """Read v1.1 status objects, using id_str and full_text and dropping auto-inserted reply mentions."""

    name = "twitter_v1"
    label = _l("X (Twitter) API v1.1 statuses JSON")
    platform = "x"

    def sniff(self, head: bytes, filename: str | None = None) -> bool:
        """Recognise a statuses key, or status objects with id_str, created_at and a user screen_name."""
        return json_keys_present(head, "statuses") or json_keys_present(head, "id_str", "created_at", "screen_name")

    def parse(self, data: bytes, *, channel: str | None = None) -> Transcript:
        """Read every status in file order."""
        messages = [status_message(Record(status, _("record %(number)s", number=number)), number)
                    for number, status in enumerate(_statuses(json_documents(data)), 1)]
        return Transcript(format=self.name, platform=self.platform, messages=messages)


def _statuses(documents: list[Any]) -> Iterator[Any]:
    # A search response wraps the statuses; arrays and stream dumps (one status per line) hold them bare.
    for document in documents:
        if isinstance(document, list):
            yield from document
        elif not isinstance(document, dict):
            yield document
        elif "statuses" in document:
            statuses = document["statuses"]
            if not isinstance(statuses, list):
                raise TranscriptError(_("%(key)s should be a list, found %(found)s", key="statuses", found=describe(statuses)))
            yield from statuses
        elif not any(notice in document for notice in _STREAM_NOTICES):
            yield document
