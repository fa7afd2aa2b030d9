"""What importing an upload would make, for its host to check and adjust before confirming; writes nothing.

Before any thread is shown, the preview asks what it must know: which channel of an export that holds
several, when the chat began (for a file whose times have no date, or that has no real times), and
which chat of a file that holds far more than one. Then it shows each thread with its messages, what
is skipped and why, and who each speaker is: matched to a member by a confirmed handle, or suggested
by the same name (applied only when the host accepts it).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.errors import ValidationError
from forum.models import Handle, Member
from forum.models.accounts import handle_key, normalise_name
from forum.services import importing
from forum.services.importing import ImportOptions
from forum.transcripts.base import ChatMessage, Importer, Stamp
from forum.transcripts.segment import (NO_WRAP_UP, ONE_CHAT_MESSAGES, ONE_CHAT_SPAN, ChoiceError, Segmentation,
                                       Survey, Timing, message_ref, survey, timing, zone)

# Why a message is skipped, as the preview says it.
REASONS = {
    "repost": _l("Reposts and retweets: they repeat what someone said already"),
    "system": _l("System lines: joins, leaves, pins, bots and deleted messages"),
    "private": _l("Private and direct messages: not part of the chat, so not shown here either"),
    "duplicate": _l("The same message more than once in the file"),
    "outside": _l("Outside the chat: long before its first question, long after its last, or not the chat you chose"),
    "left_out": _l("Left out by you"),
}


@dataclass
class Line:
    """One message as the preview shows it."""

    ref: str                        # segment.message_ref: how the host's choices name it
    number: int | None              # its place in the chat, from 1 (None when skipped)
    speaker: str
    when: datetime | None           # when it will say it was posted (UTC)
    file_time: str | None           # what the file says, when that is not `when` (times spread over the chat)
    text: str
    hidden: bool = False            # its speaker asked to be removed: their words are not shown

    @property
    def label(self) -> str:
        """How a list of choices names the message: its number, speaker and first words."""
        words = " ".join(self.text.split()) if not self.hidden else _("(removed at their request)")
        words = words if len(words) <= 60 else words[:59].rstrip() + "…"
        return f"{self.number}. {self.speaker}: {words}"


@dataclass
class ThreadPlan:
    """One thread the import makes, with its messages."""

    number: int | None              # the question's number; 0 the welcome and wrap-up; None a chat without questions
    title: str                      # the question's words (the host may edit the thread's title)
    lines: list[Line]
    opener: str | None = None       # the ref of the message that starts the question
    start_choices: list[Line] = field(default_factory=list)  # the messages that could start it instead
    intro: int = 0                  # the welcome and wrap-up: how many of its posts come before the first question
    closing: int = 0                # ...and how many after


@dataclass
class SpeakerPlan:
    """Someone who spoke, and which member their posts will show as."""

    ref: str                        # importing.speaker_ref
    key: str                        # importing.speaker_key
    name: str
    handle: str | None
    posts: int
    matched: tuple[int, str] | None             # the member whose confirmed handle this is
    suggestions: list[tuple[int, str, str]]     # (member id, name, why): applied only when the host chooses them
    chosen: int | None                          # the member the posts go to (None: shown as the speaker)
    hidden: bool = False                        # removed at their request: stays removed

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The select's options: (value, label), the member matched by handle first."""
        found = [(str(self.matched[0]), _("%(name)s (their confirmed handle)", name=self.matched[1]))] \
            if self.matched else []
        found += [(str(member_id), _("%(name)s (suggested: %(why)s)", name=name, why=why))
                  for member_id, name, why in self.suggestions]
        return [*found, ("none", _("Not a member: shown as %(name)s", name=self.name))]

    @property
    def allowed(self) -> set[int]:
        """The members the host may choose for this speaker."""
        return ({self.matched[0]} if self.matched else set()) | {member_id for member_id, _, _ in self.suggestions}


@dataclass
class Ask:
    """What the host must say before anything is built."""

    kind: str                       # channel, start or window
    channels: list[str] = field(default_factory=list)
    timing: Timing | None = None
    survey: Survey | None = None
    again: bool = False             # window: the chat chosen still holds more than one chat


@dataclass
class Preview:
    """What an import would do, for the host to check before confirming."""

    format: str                     # the importer's name
    label: str                      # the format, for people ("WhatsApp chat export (.txt)")
    source: str                     # where it came from, in a sentence ("WhatsApp", "a plain chat log")
    ask: Ask | None = None
    timing: Timing | None = None
    spread: bool = False            # the times shown are spread over the chat, not the file's
    summary: dict | None = None
    threads: list[ThreadPlan] = field(default_factory=list)
    skipped: list[tuple[str, str, list[Line]]] = field(default_factory=list)   # (reason, why in words, the messages)
    speakers: list[SpeakerPlan] = field(default_factory=list)
    wrap_up: str = NO_WRAP_UP       # the ref of the message the wrap-up starts at
    wrap_up_choices: list[Line] = field(default_factory=list)
    channel: str | None = None
    channels: list[str] = field(default_factory=list)
    first: datetime | None = None   # when the first and last posts will say they were posted
    last: datetime | None = None
    new_posts: int = 0              # posts the import adds
    imported_before: int = 0        # messages already in the chat from an earlier import

    @property
    def threads_in_words(self) -> str:
        return importing.describe_threads(self.summary) if self.summary else ""


def build(db: Session, data: bytes, filename: str | None, options: ImportOptions) -> Preview:
    """Work out what importing the file with these options would create, or what must be asked first.

    A host's choice that names a message or member the preview does not offer is a ValidationError
    naming the form field (start_<n>, wrap_up, leave_out, speaker_<ref>).
    """
    importer = importing.importer_for(data, filename, options)
    preview = Preview(importer.name, importer.label, importing.source_name(importer.name))
    preview.channels = _channels(importer, data)
    if len(preview.channels) > 1 and options.channel is None:
        preview.ask = Ask("channel", channels=preview.channels)
        return preview
    preview.channel = options.channel
    transcript = importing.read(data, filename, options)
    preview.timing = found = timing(transcript, options.timezone)
    start = options.start or (found.first if found.needs_spreading else None)
    if (found.needs_start or found.needs_spreading) and start is None:
        preview.ask = Ask("start", timing=found)
        return preview
    if options.window is None and not options.hashtag:
        surveyed = survey(transcript, start=start, timezone_name=options.timezone)
        if surveyed.holds_many_chats:
            preview.ask = Ask("window", timing=found, survey=surveyed)
            return preview
    try:
        shape = importing.shape_of(transcript, options)
    except ChoiceError as exc:
        raise ValidationError(exc.message, {exc.field: exc.message}) from None
    if not shape.timeline:
        if options.window or options.hashtag:
            raise ValidationError(_("Choose another chat"), {
                "window_hour": _("No messages in the file fall in the chat you chose: choose another hour or hashtag")})
        raise ValidationError(_("Keep some messages"), {"leave_out": _("You left out every message: keep at least one")})
    if (options.window or options.hashtag) and _many(shape):
        surveyed = survey(transcript, start=start, timezone_name=options.timezone)
        preview.ask = Ask("window", timing=found, survey=surveyed, again=True)
        return preview
    preview.spread = shape.spread
    try:
        preview.speakers = _speakers(db, transcript.platform, shape, options.speaker_choices)
    finally:
        db.rollback()  # finding speakers makes rows for new ones; the import makes them for real
    hidden = {s.key for s in preview.speakers if s.hidden}
    lines = _lines(shape, hidden, options.timezone)
    preview.threads, preview.wrap_up, preview.wrap_up_choices = _threads(shape, lines)
    preview.skipped = _skipped(shape, hidden, options.timezone)
    preview.summary = summary = importing.build(db, data, transcript, shape,
                                                ImportOptions(**{**options.__dict__, "dry_run": True}))
    preview.imported_before = summary["skipped"]["duplicates"] - shape.skipped["duplicates"]
    preview.new_posts = len(shape.timeline) - preview.imported_before
    if shape.timeline:
        preview.first, preview.last = shape.timeline[0].stamp, shape.timeline[-1].stamp
    return preview


def _channels(importer: Importer, data: bytes) -> list[str]:
    # A format whose files hold several channels says which (formats.slack.channels).
    listing = getattr(sys.modules[type(importer).__module__], "channels", None)
    return listing(data) if listing else []


def _many(shape: Segmentation) -> bool:
    stamps = [m.stamp for m in shape.timeline]
    return len(stamps) > ONE_CHAT_MESSAGES or (bool(stamps) and max(stamps) - min(stamps) > ONE_CHAT_SPAN)


def _lines(shape: Segmentation, hidden: set[str], timezone_name: str) -> dict[int, Line]:
    """Every kept message as a Line, numbered in time order, by the id() of the message."""
    tz = zone(timezone_name)
    return {id(m): _line(m, number, shape, hidden, tz) for number, m in enumerate(shape.timeline, start=1)}


def _line(message: ChatMessage, number: int | None, shape: Segmentation, hidden: set[str], tz) -> Line:
    ref = message_ref(message)
    stamp = message.stamp if isinstance(message.stamp, datetime) and message.stamp.tzinfo else None
    file_time = _file_time(shape.file_stamps.get(ref, message.stamp), tz) if shape.spread else None
    return Line(ref, number, message.author_name, stamp, file_time, message.text,
                importing.speaker_key(message) in hidden)


def _file_time(stamp: Stamp, tz) -> str:
    """What the file itself says about when a message was sent."""
    if stamp is None:
        return _("no time in the file")
    if isinstance(stamp, timedelta):
        seconds = int(stamp.total_seconds())
        return _("%(elapsed)s into the recording",
                 elapsed="{}:{:02d}:{:02d}".format(seconds // 3600, seconds // 60 % 60, seconds % 60))
    if isinstance(stamp, time):
        return _("%(time)s in the file", time=stamp.strftime("%H:%M:%S"))
    local = stamp.astimezone(tz) if stamp.tzinfo else stamp
    return _("%(time)s in the file", time=local.strftime("%d/%m/%Y %H:%M:%S"))


def _threads(shape: Segmentation, lines: dict[int, Line]) -> tuple[list[ThreadPlan], str, list[Line]]:
    """The threads in the order the chat page lists them, each question with the messages that could start it."""
    timeline = [lines[id(m)] for m in shape.timeline]
    position = {line.ref: index for index, line in enumerate(timeline)}
    plans: list[ThreadPlan] = []
    if shape.intro or shape.closing:
        plans.append(ThreadPlan(importing.WELCOME_NUMBER, importing.WELCOME_TITLE,
                                [lines[id(m)] for m in sorted([*shape.intro, *shape.closing], key=_when)],
                                intro=len(shape.intro), closing=len(shape.closing)))
    asked = [q for q in shape.questions if q.opener is not None]
    openers = [position[message_ref(q.opener)] for q in asked]
    wrap_up = lines[id(shape.closing[0])].ref if shape.closing else NO_WRAP_UP
    wrap_at = position[wrap_up] if shape.closing else len(timeline)
    for index, question in enumerate(shape.questions):
        plan = ThreadPlan(question.number, question.text, [lines[id(m)] for m in question.posts])
        if question.opener is not None:
            plan.opener = message_ref(question.opener)
            low = openers[index - 1] + 1 if index else 0
            high = openers[index + 1] if index + 1 < len(openers) else wrap_at
            plan.start_choices = timeline[low:high]
        plans.append(plan)
    wrap_choices = timeline[openers[-1] + 1:] if openers else []
    return plans, wrap_up, wrap_choices


def _when(message: ChatMessage):
    return message.stamp


def _skipped(shape: Segmentation, hidden: set[str], timezone_name: str) -> list[tuple[str, str, list[Line]]]:
    """What is skipped, grouped by why, in the order of REASONS: (the reason, in words, the messages)."""
    tz = zone(timezone_name)
    groups: dict[str, list[Line]] = {}
    for message, why in shape.dropped:
        line = _line(message, None, shape, hidden, tz)
        if why == "private":
            line.text, line.hidden = "", True
        groups.setdefault(why, []).append(line)
    return [(why, str(REASONS[why]), groups[why]) for why in REASONS if why in groups]


def _speakers(db: Session, platform: str, shape: Segmentation,
              choices: dict[str, int | None]) -> list[SpeakerPlan]:
    """Who spoke, matched by confirmed handle, with members of the same name (or an unconfirmed claim) suggested."""
    kept = shape.kept
    speakers = importing.find_speakers(db, platform, kept)
    counts = Counter(importing.speaker_key(m) for m in kept)
    first = {}
    for message in kept:
        first.setdefault(importing.speaker_key(message), message)
    names = {normalise_name(s.display_name) for s in speakers.values()}
    same_name: dict[str, list[tuple[int, str]]] = {}
    for member_id, name, key in db.execute(select(Member.id, Member.display_name, Member.name_key)
                                           .where(Member.name_key.in_(names), Member.state == "approved")):
        same_name.setdefault(key, []).append((member_id, name))
    wanted = {handle_key(m.author_handle or m.author_name) for m in first.values()}
    claims: dict[str, list[tuple[int, str]]] = {}
    for key, member_id, name in db.execute(
            select(Handle.handle_key, Member.id, Member.display_name).join(Member, Handle.member_id == Member.id)
            .where(Handle.platform == platform, Handle.confirmed.is_(False), Handle.handle_key.in_(wanted),
                   Member.state == "approved")):
        claims.setdefault(key, []).append((member_id, name))
    matched_ids = {s.member_id for s in speakers.values() if s.member_id}
    matched_names = dict(db.execute(select(Member.id, Member.display_name).where(Member.id.in_(matched_ids))).all()) \
        if matched_ids else {}

    plans: list[SpeakerPlan] = []
    for key, speaker in speakers.items():
        message = first[key]
        matched = (speaker.member_id, matched_names.get(speaker.member_id, _("a former member"))) \
            if speaker.member_id else None
        offered: dict[int, tuple[int, str, str]] = {}
        for member_id, name in claims.get(handle_key(message.author_handle or message.author_name), []):
            offered[member_id] = (member_id, name, _("has claimed this name, not yet confirmed"))
        for member_id, name in same_name.get(normalise_name(speaker.display_name), []):
            offered.setdefault(member_id, (member_id, name, _("a member with the same name")))
        offered.pop(matched[0] if matched else None, None)
        ref = importing.speaker_ref(key)
        chosen = choices[ref] if ref in choices else speaker.member_id
        plans.append(SpeakerPlan(ref, key, speaker.display_name, speaker.handle, counts[key], matched,
                                 list(offered.values()), chosen, hidden=speaker.hidden_at is not None))
    _check_choices(plans, choices)
    return sorted(plans, key=lambda plan: (-plan.posts, plan.name.casefold()))


def _check_choices(plans: list[SpeakerPlan], choices: dict[str, int | None]) -> None:
    by_ref = {plan.ref: plan for plan in plans}
    for ref, member_id in choices.items():
        plan = by_ref.get(ref)
        if plan is None:
            raise ValidationError(_("Check the speakers"), {
                "speakers": _("One of the speakers chosen is not in this transcript; choose again")})
        if member_id is not None and member_id not in plan.allowed:
            raise ValidationError(_("Check the speakers"), {
                f"speaker_{ref}": _("Choose one of the members offered for %(name)s, or “Not a member”", name=plan.name)})

