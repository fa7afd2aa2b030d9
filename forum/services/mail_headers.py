"""What a received message's headers say, before anything is looked up: who sent it and to whom, whether a
machine wrote it (auto-reply, bulk, loop), whether it is a delivery report and for which addresses, and
whether the receiving server found that the sender's domain failed DMARC, SPF or DKIM.

Pure functions over an `email.message.EmailMessage`; services/inbound_mail.py decides what to do.
"""

from __future__ import annotations

import hashlib
import re
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import getaddresses

from forum import emails, mail_tokens
from forum.cleantext import clean_line

_BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|answer)|auto:|out of (the )?office|away from (the )?office"
    r"|on (annual )?leave|on holiday|absence notice|autosvar|automatische antwort|r[ée]ponse automatique)",
    re.IGNORECASE)
_DAEMON = re.compile(r"^(mailer[-_]?daemon|postmaster|no[-_]?reply|do[-_]?not[-_]?reply)@", re.IGNORECASE)


class UnreadableMail(Exception):
    """The input is not an email message at all (the command line exits 65, EX_DATAERR)."""


# -- reading the message ---------------------------------------------------------------------------

def header(message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):  # a header the parser can't make sense of
        return ""
    return clean_line(str(value)) if value is not None else ""


def headers(message, name: str) -> list[str]:
    try:
        return [clean_line(str(v)) for v in (message.get_all(name) or [])]
    except (ValueError, TypeError, IndexError):
        return []


def addresses(message, *names: str) -> list[str]:
    found = []
    for _name, address in getaddresses([v for n in names for v in headers(message, n)]):
        if address:
            found.append(address)
    return found


def from_address(message) -> str | None:
    """The one address in From, normalised; None when there is none, or more than one."""
    found = addresses(message, "From")
    if len(found) != 1:
        return None
    return emails.normalise(found[0]) or found[0].strip().lower()


def envelope_sender(message, given: str | None) -> str | None:
    """The envelope sender: given by the mail server, else its Return-Path; "" for the null sender <>."""
    raw = given if given is not None else (headers(message, "Return-Path") or [None])[0]
    if raw is None:
        return None
    address = raw.strip().strip("<>").strip()
    return (emails.normalise(address) or address.lower()) if address else ""


def parse(raw: bytes) -> EmailMessage:
    """The message, or UnreadableMail when the bytes are not an email message."""
    if not raw or not raw.strip():
        raise UnreadableMail("The input is empty")
    message = message_from_bytes(raw, policy=default_policy)
    if not message.keys() or (not header(message, "From") and not header(message, "Message-ID")):
        raise UnreadableMail("The input has no email headers (From, Message-ID)")
    return message  # type: ignore[return-value]


def message_key(message, raw: bytes) -> str:
    """What makes a message the same one when it is delivered again: its Message-ID, else a hash of it."""
    message_id = header(message, "Message-ID").strip()
    if message_id:
        return message_id[:300]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# -- dropped, bounced, refused before anything is looked up ----------------------------------------------

def automatic(message, config, envelope: str | None) -> str | None:
    """Why this message was written by a machine and must get no post and no answer; None if a person wrote it."""
    auto = header(message, "Auto-Submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return f"automatic (Auto-Submitted: {auto[:40]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if header(message, name):
            return f"automatic ({name})"
    if header(message, "Precedence").strip().lower() in _BULK_PRECEDENCE:
        return f"bulk (Precedence: {header(message, 'Precedence').strip().lower()})"
    suppress = header(message, "X-Auto-Response-Suppress").lower()
    if any(word in suppress for word in ("oof", "autoreply", "all")):
        return "automatic (X-Auto-Response-Suppress)"
    if header(message, "List-Id") or header(message, "List-Unsubscribe"):
        return "bulk (mailing list)"
    if _AUTO_SUBJECT.match(header(message, "Subject")):
        return "automatic (out-of-office subject)"
    sender = from_address(message) or ""
    if envelope == "":
        return "null sender"
    if _DAEMON.match(sender):
        return "automatic (sent by a mail system)"
    ours = {emails.normalise(config.get("FORUM_MAIL_SENDER")), emails.normalise(config.get("FORUM_MAIL_RETURN_PATH"))}
    domain = mail_tokens.incoming_domain(config)
    if sender in ours or (domain and sender.endswith("@" + domain)):
        return "loop (mail from the forum itself)"
    return None


def delivery_reports(message) -> list[tuple[str, str, str]] | None:
    """(address, status, diagnostic) for each failed recipient of a DSN; None when it is not a DSN."""
    if message.get_content_type() != "multipart/report":
        return None
    if message.get_param("report-type", "").lower() != "delivery-status":
        return None
    failed = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # The body is groups of fields: one for the message, then one per recipient.
        groups = part.get_payload() if part.is_multipart() else []
        if not groups:
            text = part.get_payload(decode=True) or b""
            groups = [message_from_bytes(block.encode() if isinstance(block, str) else block, policy=default_policy)
                      for block in re.split(rb"\r?\n\r?\n", text)]
        for group in groups:
            action = header(group, "Action").strip().lower()
            recipient = header(group, "Final-Recipient") or header(group, "Original-Recipient")
            if action != "failed" or not recipient:
                continue
            address = recipient.partition(";")[2].strip() or recipient.strip()
            failed.append((emails.normalise(address) or address.lower(), header(group, "Status").strip(),
                           header(group, "Diagnostic-Code").strip()[:300]))
    return failed


def authentication_failure(message, config) -> str | None:
    """Why the receiving server's Authentication-Results say the sender is not who From says; None if not.

    Only our own server's results count: those naming FORUM_INCOMING_AUTHSERV_ID when it is set,
    else the topmost one (the last server to add it, ours). A DMARC fail is refused; so is an SPF or
    DKIM fail when neither passed.
    """
    results = headers(message, "Authentication-Results")
    wanted = (config.get("FORUM_INCOMING_AUTHSERV_ID") or "").strip().lower()
    if wanted:
        results = [r for r in results if r.split(";", 1)[0].strip().split()[0:1] == [wanted]]
    else:
        results = results[:1]
    for result in results:
        verdicts: dict[str, set[str]] = {}
        for method, verdict in re.findall(r"\b(dmarc|spf|dkim)\s*=\s*([a-z]+)", result.lower()):
            verdicts.setdefault(method, set()).add(verdict)
        if "fail" in verdicts.get("dmarc", set()):
            return "the sender's domain failed DMARC"
        passed = "pass" in verdicts.get("spf", set()) | verdicts.get("dkim", set())
        failed = [m for m in ("spf", "dkim") if "fail" in verdicts.get(m, set())]
        if failed and not passed:
            return f"the sender failed {' and '.join(m.upper() for m in failed)}"
    return None


def targets(message, recipient: str | None) -> list[str]:
    """The addresses this message was delivered to: the mail server's recipient first, then the headers."""
    found = [recipient] if recipient else []
    found += addresses(message, "Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
    return found
