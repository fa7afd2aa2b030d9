"""Mail in: one RFC 5322 message becomes a reply, a new thread, a recorded bounce, or is dropped or refused.

The order of the checks is the order of trust. A message seen before (by Message-ID) is not handled
again. A delivery report (DSN) is a bounce: a hard one counts against the address, and after
FORUM_MAIL_BOUNCE_LIMIT of them no more mail goes there. Auto-replies, bulk and list mail, mail with
a null sender and mail from the forum itself are dropped: no post, no answer. Then the receiving
server's Authentication-Results must not say the sender's domain failed DMARC (or SPF or DKIM with
no pass), the address must be a reply address the forum signed or a space's address, and the sender
(From, and the envelope sender when known) must be the confirmed address of the member the reply
address belongs to, or of a member allowed to start threads in the space. The words then go through
posting.reply / posting.start_thread, so the web's policy, pre-moderation, locks and suspension
apply, and notifications.post_created tells whoever the web would tell.

A refusal the sender should hear about (a locked thread, a suspension, a space they left, an address
that is unknown or expired, a message too large or with no words) is answered once a day per address
at most, through the outbox, marked Auto-Submitted so no machine answers back; nothing is ever sent
to an auto-reply, a bounce or a null sender. Everything is one transaction: the log row, the post,
its notifications and any answer commit together, or none of them does and the message can be
given again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import bounces, emails, mail, mail_tokens, policy
from forum.db import utcnow
from forum.errors import PermissionDenied, ValidationError
from forum.i18n import in_language
from forum.models import MailAddress, Member, OutboxMessage, Post, ReceivedMail, Space, Thread
from forum.services import mail_headers, mail_text, notifications, posting
from forum.services.pages import Page, check_page_number
from forum.services.mail_headers import UnreadableMail  # noqa: F401  (the command line catches it from here)

REPLY_EVERY = timedelta(days=1)
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|wg)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass
class Outcome:
    """What became of one message."""

    kind: str  # posted, started, unsubscribed, dropped, bounce, refused, or duplicate (seen before: nothing done)
    reason: str = ""
    post_id: int | None = None
    thread_id: int | None = None
    answered: bool = False  # an explanatory reply went to the outbox

    def describe(self) -> str:
        where = f" (post {self.post_id})" if self.post_id else ""
        return f"{self.kind}{where}" + (f": {self.reason}" if self.reason else "")


@dataclass
class Context:
    """What the service needs from the app, given explicitly so the command line and tests call the same code."""

    config: dict
    links: notifications.Links
    site_name: str
    may_post: Callable[[Member], bool] = lambda member: True  # the posting rate limit, per member


def N_(message: str) -> str:
    """Mark `message` for the catalog, to be translated where it is used (gettext_noop)."""
    return message


class _Refused(Exception):
    """A message not posted: `reason` (in English, for the log; marked N_ so the answer can say it in the
    sender's language), `detail` after it, and the key of the answer the sender gets (None: no answer)."""

    def __init__(self, reason: str, answer: str | None = None, member: Member | None = None, detail: str = ""):
        self.said, self.detail = reason, detail
        reason = f"{reason}: {detail}"[:300] if detail else reason
        super().__init__(reason)
        self.reason, self.answer, self.member = reason, answer, member


# -- the refusal answer ----------------------------------------------------------------------------------

def _address_row(db: Session, address: str) -> MailAddress:
    row = db.scalar(select(MailAddress).where(MailAddress.address == address))
    if row is None:
        row = MailAddress(address=address, hard_bounces=0)
        db.add(row)
        db.flush()
    return row


def _answer(db: Session, ctx: Context, message, to: str | None, refusal: _Refused, now: datetime) -> bool:
    """Tell the sender why their message was not posted, in their language, once a day per address at most;
    True if queued."""
    address = emails.normalise(to) if to else None
    # Only members hear back: an answer to a stranger's (perhaps forged) address would be backscatter.
    member = _member_for(db, address) if address is not None else None
    if member is None:
        return False
    row = _address_row(db, address)
    if row.stopped_at is not None:
        return False
    if row.last_refusal_reply_at is not None and row.last_refusal_reply_at > now - REPLY_EVERY:
        return False
    row.last_refusal_reply_at = now
    message_id = mail_headers.header(message, "Message-ID").strip()
    threading = {"In-Reply-To": message_id, "References": message_id} if message_id else {}
    with in_language(member.language):
        subject = mail_headers.header(message, "Subject")[:200] or _("your email")
        reason = _(refusal.said) + (f": {refusal.detail}" if refusal.detail else "")
        body = "\n\n".join((
            _("Your email to %(site)s was not posted: %(reason)s.", site=ctx.site_name, reason=reason),
            str(_ANSWERS[refusal.answer]),
            _("This is an automatic answer; you will get at most one a day. Replies to it are not read."))) + "\n"
        mail.queue(db, address, _("Not posted: %(subject)s", subject=subject)[:300], body,
                   headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All", **threading})
    return True


# -- bounces ---------------------------------------------------------------------------------------------

def _record_bounces(db: Session, ctx: Context, failed: list[tuple[str, str, str]], outbox_id: int | None,
                    now: datetime) -> str:
    """Count a hard bounce against the address it is about; stop mailing it after FORUM_MAIL_BOUNCE_LIMIT.

    With FORUM_MAIL_RETURN_PATH set, only a report sent to a message's signed return path counts (the
    address is the one that message went to), so forged reports count for nothing. Without it, reports
    reach the forum only if an operator routes FORUM_MAIL_SENDER's mail in; then the report's own
    Final-Recipient is taken, for addresses the forum has sent mail to.
    """
    hard = [(address, status, diagnostic) for address, status, diagnostic in failed if status.startswith("5")]
    if not hard:
        return "delivery report with no hard bounce (a soft one is retried by the outbox)"
    if ctx.config.get("FORUM_MAIL_RETURN_PATH"):
        sent = db.get(OutboxMessage, outbox_id) if outbox_id is not None else None
        if sent is None:
            return "delivery report not sent to a signed return path: not counted"
        _address, status, diagnostic = hard[0]
        hard = [(sent.to.lower(), status, diagnostic)]
    limit = int(ctx.config.get("FORUM_MAIL_BOUNCE_LIMIT") or 3)
    counted = []
    for address, status, diagnostic in hard:
        sent_to = db.scalar(select(OutboxMessage.id).where(OutboxMessage.to == address,
                                                           OutboxMessage.sent_at.is_not(None)).limit(1))
        if sent_to is None:
            continue  # a report about an address the forum never mailed changes nothing
        row = _address_row(db, address)
        row.hard_bounces += 1
        row.last_bounce_at = now
        row.last_bounce_reason = f"{status} {diagnostic}".strip()[:1000]
        if row.hard_bounces >= limit and row.stopped_at is None:
            row.stopped_at = now
        counted.append(address)
    if not counted:
        return "delivery report about an address the forum does not mail: not counted"
    return "hard bounce: " + ", ".join(counted)


# -- the work --------------------------------------------------------------------------------------------

_ANSWERS = {
    "unknown": _l("The address you wrote to is not one the forum gave out, or it has expired. Reply to a newer "
                  "email from the forum, or post on the website."),
    "too large": _l("The message was larger than the forum takes. Send the text alone, without attachments."),
    "empty": _l("No new words were found in your message once the quoted email and signature were taken out. "
                "Write your reply above the quoted text."),
    "locked": _l("The thread is locked: it takes no new replies."),
    "suspended": _l("Your account is suspended, so you cannot post."),
    "no access": _l("You are no longer able to post in this space (you may have left it or been removed)."),
    "no title": _l("Give your email a subject: it becomes the title of the new thread."),
    "too often": _l("You have posted a lot in a short time. Wait a while, then send your message again."),
    "invalid": _l("The forum could not take your post as it was."),
}


def _member_for(db: Session, address: str | None) -> Member | None:
    if not address:
        return None
    return db.scalar(select(Member).where(Member.email == address))


def _check_sender(member: Member | None, sender: str | None, envelope: str | None) -> None:
    if member is None or sender is None or member.email != sender or member.email_confirmed_at is None:
        raise _Refused("the sender is not the member this address belongs to")
    if envelope and envelope != sender:
        raise _Refused("the envelope sender is not the From address")


def _stays_anonymous(db: Session, member: Member, thread: Thread, space: Space) -> bool:
    """Post without the member's name when the space allows it and their latest post in the thread had none.

    An email can't tick "post without my name"; someone who wrote in this thread without their name
    must not be named by replying from their inbox.
    """
    if not space.anonymous_posting:
        return False
    latest = db.scalar(select(Post.anonymous).where(Post.thread_id == thread.id, Post.author_id == member.id)
                       .order_by(Post.created_at.desc(), Post.id.desc()).limit(1))
    return bool(latest)


def _post(db: Session, ctx: Context, message, target_address: str, sender: str | None,
          envelope: str | None, key: str) -> Outcome:
    reply_to = mail_tokens.read_reply_address(ctx.config, target_address)
    if reply_to is not None:
        member = db.get(Member, reply_to.member_id)
        _check_sender(member, sender, envelope)
        thread = db.get(Thread, reply_to.thread_id)
        space = db.get(Space, thread.space_id) if thread is not None else None
        if thread is None or space is None or not policy.can_see_thread_exists(member, thread, space):
            raise _Refused(N_("the member can no longer see this thread"), "no access", member)
    else:
        local = mail_tokens.read_space_address(ctx.config, target_address)
        space = db.scalar(select(Space).where(Space.email_local_part == local, Space.email_threads.is_(True))) \
            if local else None
        if space is None:
            raise _Refused(N_("unknown or expired address"), "unknown")
        member = _member_for(db, sender)
        _check_sender(member, sender, envelope)
        if not policy.can_view_space(member, space):
            raise _Refused("the sender may not post in this space")  # says nothing about a space they can't see
        thread = None
    if member.state == "suspended":
        raise _Refused(N_("the member is suspended"), "suspended", member)
    with in_language(member.language):  # names the attachments left out in the member's language
        words = mail_text.extract(message)
    if not words.text:
        raise _Refused(N_("no new words after removing quoted history and signature"), "empty", member)
    if not ctx.may_post(member):
        raise _Refused(N_("posting too often"), "too often", member)
    submission = "mail:" + hashlib.sha256(key.encode()).hexdigest()[:40]
    try:
        # The note of attachments left out, and any objection to the post, in the member's language.
        with in_language(member.language):
            if thread is not None:
                post = posting.reply(db, thread=thread, space=space, author=member, body=words.with_note(),
                                     anonymous=_stays_anonymous(db, member, thread, space), submission_key=submission)
                kind = "posted"
            else:
                title = _REPLY_PREFIX.sub("", mail_headers.header(message, "Subject")).strip()
                try:
                    title = posting.check_title(title)
                except ValidationError:
                    raise _Refused(N_("no usable subject for the thread's title"), "no title", member) from None
                thread = posting.start_thread(db, space=space, author=member, title=title, body=words.with_note(),
                                              submission_key=submission)
                post = db.get(Post, thread.first_post_id)
                kind = "started"
    except PermissionDenied:
        if thread is not None and thread.locked and policy.can_post_in_space(member, space):
            raise _Refused(N_("the thread is locked"), "locked", member) from None
        raise _Refused(N_("the member may not post in this space"), "no access", member) from None
    except ValidationError as exc:
        detail = "; ".join(str(error) for error in exc.errors.values()) or str(exc)
        raise _Refused(N_("the post was not valid"), "invalid", member, detail) from None
    notifications.post_created(db, post, thread, space, member, ctx.links, ctx.site_name)
    return Outcome(kind, "waiting for a moderator" if post.awaiting_approval else "", post.id, thread.id)


def handle(db: Session, ctx: Context, raw: bytes, *, recipient: str | None = None,
           envelope_sender: str | None = None, now: datetime | None = None) -> Outcome:
    """Take one message in, inside the caller's transaction (see `receive`, which commits). UnreadableMail if it isn't one."""
    now = now or utcnow()
    max_bytes = int(ctx.config.get("FORUM_INCOMING_MAX_BYTES") or 10 * 1024 * 1024)
    too_large = len(raw) > max_bytes
    if too_large:
        message = BytesHeaderParser(policy=default_policy).parsebytes(raw[:256 * 1024])
        if not message.keys():
            raise mail_headers.UnreadableMail("The input has no email headers")
    else:
        message = mail_headers.parse(raw)
    key = mail_headers.message_key(message, raw)
    if db.scalar(select(ReceivedMail.id).where(ReceivedMail.message_key == key)) is not None:
        return Outcome("duplicate", "this message was handled before")
    sender = mail_headers.from_address(message)
    envelope = mail_headers.envelope_sender(message, envelope_sender)
    targets = mail_headers.targets(message, recipient)
    log = ReceivedMail(message_key=key, message_id=mail_headers.header(message, "Message-ID")[:300],
                       from_address=(sender or mail_headers.header(message, "From"))[:254],
                       to_address=(targets[0] if targets else "")[:254],
                       subject=mail_headers.header(message, "Subject")[:300], received_at=now)
    outcome = _decide(db, ctx, message, raw, log, sender, envelope, targets, key, too_large, now)
    log.outcome, log.reason, log.post_id = outcome.kind, outcome.reason[:300], outcome.post_id
    db.add(log)
    db.flush()
    return outcome


def _decide(db, ctx, message, raw, log, sender, envelope, targets, key, too_large, now) -> Outcome:
    failed = mail_headers.delivery_reports(message)
    signed = [found for found in (bounces.read_return_path(ctx.config, t) for t in targets) if found is not None]
    if failed is not None:
        return Outcome("bounce", _record_bounces(db, ctx, failed, signed[0] if signed else None, now))
    if signed:  # an auto-reply or a bounce in no standard form, sent to a message's return path
        return Outcome("dropped", "mail to a return path that is not a delivery report")
    automatic = mail_headers.automatic(message, ctx.config, envelope)
    if automatic:
        return Outcome("dropped", automatic)
    forged = mail_headers.authentication_failure(message, ctx.config)
    if forged:
        return Outcome("refused", forged)
    stops = [found for found in (mail_tokens.read_stop_address(ctx.config, t) for t in targets) if found]
    if stops:  # the mailto: of an every-post email's List-Unsubscribe (#21): the signed address is enough
        log.member_id = stops[0].member_id if db.get(Member, stops[0].member_id) else None
        stopped = notifications.stop_every_post(db, stops[0].member_id, stops[0].watch_id)
        return Outcome("unsubscribed", "every post by email turned off" if stopped else "that watch had gone")
    ours = [t for t in targets if mail_tokens.read_reply_address(ctx.config, t) is not None
            or mail_tokens.read_space_address(ctx.config, t) is not None]
    if ours:
        log.to_address = ours[0][:254]
    try:
        if too_large:
            raise _Refused(N_("the message is too large"), "too large", _member_for(db, sender))
        if not ours:
            raise _Refused(N_("not addressed to a reply or space address of this forum"), "unknown")
        outcome = _post(db, ctx, message, ours[0], sender, envelope, key)
    except _Refused as refusal:
        if refusal.member is not None:
            log.member_id = refusal.member.id
        answered = refusal.answer is not None and _answer(db, ctx, message, sender, refusal, now)
        return Outcome("refused", refusal.reason, answered=answered)
    log.member_id = db.scalar(select(Post.author_id).where(Post.id == outcome.post_id))
    return outcome


def receive(db: Session, ctx: Context, raw: bytes, *, recipient: str | None = None,
            envelope_sender: str | None = None) -> Outcome:
    """Take one message in and commit; all or nothing. A message delivered twice at once is handled once.

    Database errors other than that one propagate (the caller tells the mail server to try again later).
    """
    try:
        outcome = handle(db, ctx, raw, recipient=recipient, envelope_sender=envelope_sender)
        db.commit()
    except IntegrityError:
        db.rollback()
        message = BytesHeaderParser(policy=default_policy).parsebytes(raw[:256 * 1024])
        if db.scalar(select(ReceivedMail.id).where(ReceivedMail.message_key == mail_headers.message_key(message, raw))) is None:
            raise
        return Outcome("duplicate", "this message was handled at the same time by another receiver")
    except BaseException:
        db.rollback()
        raise
    return outcome


def stopped_address(db: Session, address: str | None) -> MailAddress | None:
    """The bounce record of an address the forum no longer mails, or None when mail goes to it."""
    if not address:
        return None
    return db.scalar(select(MailAddress).where(MailAddress.address == address.lower(),
                                               MailAddress.stopped_at.is_not(None)))


def resume_sending(db: Session, member: Member) -> None:
    """Mail the member's address again (they have fixed their mailbox): its bounce count starts afresh."""
    row = stopped_address(db, member.email)
    if row is not None:
        row.stopped_at = None
        row.hard_bounces = 0
        db.flush()


# What can become of a message received (ReceivedMail.outcome), in the order the mail log's filter lists them.
OUTCOMES = {
    # Translators: what became of an email the forum received (the mail log's filter): it was posted
    "posted": _l("Posted"), "started": _l("Thread started"), "unsubscribed": _l("Unsubscribed"),
    # Translators: what became of an email the forum received (the mail log's filter): it was ignored
    "dropped": _l("Dropped"), "bounce": _l("Bounce recorded"), "refused": _l("Refused"),
    # Translators: what became of an email the forum received: the same email had come in before
    "duplicate": _l("Duplicate"),
}


def mail_log(db: Session, viewer, page: int = 1, per_page: int = 50, outcome: str | None = None) -> Page[ReceivedMail]:
    """One page of the messages received, newest first, with one outcome or all (None), for a site moderator;
    PermissionDenied for anyone else, NotFound for a page past the last. Two queries, whatever the page."""
    if not policy.can_read_mail_log(viewer):
        raise PermissionDenied(_("Only site moderators can see the mail log"))
    where = [ReceivedMail.outcome == outcome] if outcome else []
    total = db.scalar(select(func.count()).select_from(ReceivedMail).where(*where)) or 0
    number = check_page_number(page, total, per_page)
    items = list(db.scalars(select(ReceivedMail).where(*where)
                            .order_by(ReceivedMail.received_at.desc(), ReceivedMail.id.desc())
                            .limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, per_page=per_page, total=total)

