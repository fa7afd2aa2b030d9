"""A signed return path per message (VERP), so a bounce says which message, and so which address, it is about.

With FORUM_MAIL_RETURN_PATH set to, say, ``bounces@in.community.example.gov.uk``, the outbox sends each
message with the envelope sender ``bounces+<outbox id>-<tag>@in.community.example.gov.uk``, where the
tag is an HMAC-SHA256 of the id under a key derived from SECRET_KEY for this purpose alone (16
lower-case base32 characters, 80 bits). A delivery report comes back to that address; receive-mail
reads the id, checks the tag, and counts the bounce against the address that message went to. A
report that does not come to a signed return path is not counted, so nobody can stop the forum
mailing a member by forging reports about their address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from email.utils import parseaddr

_PURPOSE = b"afterchat-bounce-return-path"
_TAG = re.compile(r"^(?P<id>[1-9][0-9]{0,17})-(?P<tag>[a-z2-7]{16})$")


def _tag(config, outbox_id: int) -> str:
    secret = config.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("SECRET_KEY is not set, so return paths can't be signed")
    key = hmac.new(secret if isinstance(secret, bytes) else str(secret).encode(), _PURPOSE, hashlib.sha256).digest()
    digest = hmac.new(key, str(int(outbox_id)).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()


def _split(config) -> tuple[str, str] | None:
    path = str(config.get("FORUM_MAIL_RETURN_PATH") or "").strip()
    local, at, domain = path.rpartition("@")
    if not at or not local or not domain:
        return None
    return local.lower(), domain.lower()


def return_path(config, outbox_id: int) -> str | None:
    """The envelope sender for outbox message `outbox_id`; None when FORUM_MAIL_RETURN_PATH is not set."""
    parts = _split(config)
    if parts is None:
        return None
    local, domain = parts
    return f"{local}+{int(outbox_id)}-{_tag(config, outbox_id)}@{domain}"


def read_return_path(config, address: str) -> int | None:
    """The outbox message id a signed return path names; None for any other address or a bad tag."""
    parts = _split(config)
    if parts is None or not isinstance(address, str):
        return None
    local, domain = parts
    _name, bare = parseaddr(address.strip())
    got_local, at, got_domain = bare.lower().rpartition("@")
    if not at or got_domain.rstrip(".") != domain or not got_local.startswith(local + "+"):
        return None
    found = _TAG.match(got_local[len(local) + 1:])
    if found is None:
        return None
    outbox_id = int(found["id"])
    return outbox_id if hmac.compare_digest(found["tag"], _tag(config, outbox_id)) else None
