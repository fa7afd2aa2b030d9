"""Addresses that mail comes back to: a signed reply address per member and thread, and a space's address.

A reply address is ``reply+<token>@<FORUM_INCOMING_DOMAIN>``. The token is lower-case base32 (some
mail servers lower-case local parts; base32 survives that) of

    key version (1 byte) | member id (8 bytes) | thread id (8 bytes) | HMAC-SHA256 tag, first 16 bytes

where the tag covers the first 17 bytes, under a key derived from SECRET_KEY for the one purpose
"reply-by-email" (so no other token the forum signs can stand in for it). That makes the local part
6 + 53 = 59 characters, within the 64 that RFC 5321 allows; 128 bits of tag can't be guessed, and
a token for one member or thread can't be altered into another's.

Revoking: every reply address stops working when SECRET_KEY changes (or when the key version here
is raised). They are not tied to a member's sessions: signing out everywhere or changing a
password leaves the "reply to this email" in mail already sent working, because a reply is accepted
only from the member's own confirmed address anyway (the receiving side checks the sender, and
the sending server's DMARC/SPF/DKIM where the receiving server recorded them).

A stop address, ``stop+<token>@<FORUM_INCOMING_DOMAIN>``, is the same kind of token over a member's
id and one of their watches, under a key for "stop-every-post-by-email": the `mailto:` in an
every-post email's List-Unsubscribe, which turns that watch's every-post mode off.

A space's address is ``<local part>@<FORUM_INCOMING_DOMAIN>``, the local part set per space by an
administrator (letters, digits, dots and hyphens); it can never look like a reply address, which
always holds a "+".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from email.utils import parseaddr

REPLY_PREFIX = "reply+"
STOP_PREFIX = "stop+"
KEY_VERSION = 1
_PURPOSE = b"reply-by-email"
_STOP_PURPOSE = b"stop-every-post-by-email"
_HEADER = struct.Struct(">BQQ")  # key version, member id, thread id
_TAG_BYTES = 16
_TOKEN_BYTES = _HEADER.size + _TAG_BYTES  # 33 bytes: 53 base32 characters
_MAX_ID = 2 ** 63 - 1

# A space's local part: dot-separated words of letters, digits and hyphens, at most 64 characters.
LOCAL_PART = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
LOCAL_PART_MAX = 64


@dataclass(frozen=True)
class ReplyTarget:
    """Whose reply address this is, and for which thread."""

    member_id: int
    thread_id: int


@dataclass(frozen=True)
class StopTarget:
    """Whose stop address this is, and which of their watches it stops emailing every post."""

    member_id: int
    watch_id: int


def incoming_domain(config) -> str | None:
    """The domain that mail to the forum is sent to (FORUM_INCOMING_DOMAIN), lower-case; None when unset."""
    domain = str(config.get("FORUM_INCOMING_DOMAIN") or "").strip().lstrip("@").strip().lower()
    return domain or None


def _key(config, purpose: bytes = _PURPOSE) -> bytes:
    secret = config.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("SECRET_KEY is not set, so reply addresses can't be signed")
    secret_bytes = secret if isinstance(secret, bytes) else str(secret).encode()
    # A key for this purpose alone, derived from the app's secret.
    return hmac.new(secret_bytes, b"afterchat-mail-token:" + purpose, hashlib.sha256).digest()


def _tag(config, header: bytes, purpose: bytes = _PURPOSE) -> bytes:
    return hmac.new(_key(config, purpose), header, hashlib.sha256).digest()[:_TAG_BYTES]


def _sign(config, purpose: bytes, first: int, second: int) -> str:
    if not (0 < int(first) <= _MAX_ID and 0 < int(second) <= _MAX_ID):
        raise ValueError("ids must be positive")
    header = _HEADER.pack(KEY_VERSION, int(first), int(second))
    raw = header + _tag(config, header, purpose)
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def reply_token(config, member_id: int, thread_id: int) -> str:
    """The signed token naming this member and thread (lower-case base32, no padding)."""
    return _sign(config, _PURPOSE, member_id, thread_id)


def reply_address(config, member_id: int, thread_id: int) -> str | None:
    """The address this member replies to this thread at; None when FORUM_INCOMING_DOMAIN is not set."""
    domain = incoming_domain(config)
    if domain is None:
        return None
    return f"{REPLY_PREFIX}{reply_token(config, member_id, thread_id)}@{domain}"


def _split(config, address: str) -> str | None:
    """The local part of `address`, lower-case, if it is at our incoming domain; else None."""
    domain = incoming_domain(config)
    if domain is None or not isinstance(address, str):
        return None
    _name, bare = parseaddr(address.strip())
    local, at, host = bare.rpartition("@")
    if not at or not local or host.strip().lower().rstrip(".") != domain:
        return None
    return local.lower()


def read_reply_address(config, address: str) -> ReplyTarget | None:
    """Whose reply address this is; None for anything not ours, malformed, or not signed by us."""
    ids = _read(config, address, REPLY_PREFIX, _PURPOSE)
    return ReplyTarget(member_id=ids[0], thread_id=ids[1]) if ids else None


def stop_address(config, member_id: int, watch_id: int) -> str | None:
    """The address that turns off this watch's every-post emails; None when FORUM_INCOMING_DOMAIN is not set."""
    domain = incoming_domain(config)
    if domain is None:
        return None
    return f"{STOP_PREFIX}{_sign(config, _STOP_PURPOSE, member_id, watch_id)}@{domain}"


def read_stop_address(config, address: str) -> StopTarget | None:
    """Whose stop address this is, for which watch; None for anything not ours, malformed, or not signed by us."""
    ids = _read(config, address, STOP_PREFIX, _STOP_PURPOSE)
    return StopTarget(member_id=ids[0], watch_id=ids[1]) if ids else None


def _read(config, address: str, prefix: str, purpose: bytes) -> tuple[int, int] | None:
    local = _split(config, address)
    if local is None or not local.startswith(prefix):
        return None
    token = local[len(prefix):]
    if not token or len(token) > 64 or not re.fullmatch(r"[a-z2-7]+", token):
        return None
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    except (ValueError, TypeError):
        return None
    if len(raw) != _TOKEN_BYTES or base64.b32encode(raw).decode("ascii").rstrip("=").lower() != token:
        return None  # the wrong length, or spare bits set: only the one spelling we sent is ours
    header, tag = raw[:_HEADER.size], raw[_HEADER.size:]
    version, first, second = _HEADER.unpack(header)
    if not hmac.compare_digest(tag, _tag(config, header, purpose)):
        return None
    if version != KEY_VERSION or first <= 0 or second <= 0:
        return None
    return first, second


def clean_local_part(text: str) -> str:
    """A space's local part as stored (lower-case); ValueError saying what is wrong with it."""
    value = (text or "").strip().lower()
    if len(value) > LOCAL_PART_MAX:
        raise ValueError(f"The address before the @ can be at most {LOCAL_PART_MAX} characters.")
    if not LOCAL_PART.fullmatch(value):
        raise ValueError("Use only letters, digits, dots and hyphens before the @, "
                         "starting and ending with a letter or digit, for example 'comms-chat'.")
    return value


def space_address(config, space) -> str | None:
    """The address that starts a thread in this space; None unless the space takes threads by email."""
    domain = incoming_domain(config)
    local = getattr(space, "email_local_part", None)
    if domain is None or not local or not getattr(space, "email_threads", False):
        return None
    return f"{local}@{domain}"


def read_space_address(config, address: str) -> str | None:
    """The space local part `address` names at our domain (lower-case); None if it can't be a space's."""
    local = _split(config, address)
    if local is None or len(local) > LOCAL_PART_MAX or not LOCAL_PART.fullmatch(local):
        return None
    return local
