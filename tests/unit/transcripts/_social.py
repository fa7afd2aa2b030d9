"""Support shared by the social-format importer tests: golden files, zipped Slack folders and serialising."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from functools import cache
from pathlib import Path

from forum.transcripts import get
from forum.transcripts.base import ChatMessage, Transcript

DATA = Path(__file__).resolve().parents[2] / "data" / "transcripts"
SOCIAL_FORMATS = ["slack", "twitter_archive", "twitter_v2", "twitter_v1", "mastodon", "bluesky", "discord_json",
                  "telegram", "tags_csv", "twarc_csv", "discord_csv"]
JSON_FORMATS = ["twitter_archive", "twitter_v2", "twitter_v1", "mastodon", "bluesky", "discord_json", "telegram"]
CSV_FORMATS = ["tags_csv", "twarc_csv", "discord_csv"]
EXPECTED = ".expected.json"
GOLDEN = sorted(path for name in SOCIAL_FORMATS for path in (DATA / name).glob(f"*{EXPECTED}"))
# A Slack export holding several channels, or a Telegram account's of several chats, needs one chosen.
GOLDEN_CHANNELS = {"multi_channel": "random", "account_2025": "123123123"}


def golden_input(expected: Path) -> Path:
    """Return the input an expected-output file describes: same folder, same stem, a file or (Slack) a folder."""
    variant = expected.name.removesuffix(EXPECTED)
    (found,) = [path for path in expected.parent.glob(f"{variant}*")
                if path.name == variant or (path.name.startswith(f"{variant}.") and path != expected
                                            and not path.name.endswith(".summary.json"))]
    return found


def read_input(path: Path) -> bytes:
    """Return the bytes a parser is given for an input: the file, or a Slack folder zipped in memory."""
    return zip_folder(path) if path.is_dir() else path.read_bytes()


@cache
def zip_folder(folder: Path, root: str = "") -> bytes:
    """Zip a folder in memory the way Slack packs an export, optionally under a root folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, root + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def zip_members(members: dict[str, bytes]) -> bytes:
    """Zip the given members in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def golden_inputs(name: str) -> list[bytes]:
    """Return the bytes of every golden input of one format."""
    return [read_input(golden_input(path)) for path in GOLDEN if path.parent.name == name]


def parse_golden(expected: Path) -> Transcript:
    """Parse the input an expected-output file describes, choosing its Slack channel when it needs one."""
    variant = expected.name.removesuffix(EXPECTED)
    return get(expected.parent.name).parse(read_input(golden_input(expected)), channel=GOLDEN_CHANNELS.get(variant))


def serialise(message: ChatMessage) -> dict[str, object]:
    """Return a message as the JSON-ready dict the expected files hold."""
    # Aware, or naive where the export writes local wall-clock time (old DiscordChatExporter dates).
    assert isinstance(message.stamp, datetime)
    return {
        "id": message.id,
        "author_name": message.author_name,
        "author_handle": message.author_handle,
        "author_id": message.author_id,
        "text": message.text,
        "stamp": message.stamp.isoformat(),
        "reply_to": message.reply_to,
        "url": message.url,
        "kind": message.kind,
    }
