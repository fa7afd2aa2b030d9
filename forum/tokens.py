"""Signed, expiring tokens for links sent by email (confirm an address, reset a password)."""

from __future__ import annotations

from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from forum.errors import ValidationError

# How long each kind of link works, in seconds.
LIFETIMES = {"confirm-email": 3 * 24 * 3600, "change-email": 24 * 3600, "reset-password": 3600, "unsubscribe": None,
             "stop-every-post": None, "delete-account": 3600}


def make(secret_key: str, purpose: str, payload: dict) -> str:
    """Sign `payload` for one purpose; a token for one purpose never works for another."""
    return URLSafeTimedSerializer(secret_key, salt=f"forum-{purpose}").dumps(payload)


def read(secret_key: str, purpose: str, token: str) -> dict:
    """Return the payload of a valid token, or raise ValidationError saying why the link does not work."""
    serializer = URLSafeTimedSerializer(secret_key, salt=f"forum-{purpose}")
    try:
        return serializer.loads(token, max_age=LIFETIMES[purpose])
    except SignatureExpired:
        raise ValidationError(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise ValidationError(_("This link is not valid. Check you copied all of it, or ask for a new one.")) from None
