"""Turn a parsed transcript into the chat's shape: introductions, one group per question, the wrap-up.

Pure: no app, no database. The same rules hold for every format:
- times are resolved to UTC (zone-less times read in the chat's timezone, elapsed and date-less
  times counted from its start);
- a question is a host's message that starts with Q<n> or "Question <n>" after leading mentions,
  markup and a short spoken lead-in; teasers ("Q1 coming up in 2 mins") and repeats are not;
- an answer goes to question n when marked A<n>, else to the question of the message it replies to
  (down a chain), else to the latest question asked before it;
- the wrap-up starts at the host's first closing words after the last question ("that's time",
  "thanks all", "that's all for" ...), else at the host's last messages after everyone else's; from
  there on everything is the wrap-up but answers marked for a question and replies into one;
- reposts, system lines, duplicates and messages far outside the chat are skipped and counted;
- a host may move those boundaries (`Adjustments`): the message that starts each question, where the
  wrap-up starts, and messages to leave out, named by `message_ref`;
- a file with no real times can have its messages spread evenly, in file order, over the chat.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _

from forum.errors import TranscriptError
from forum.transcripts.base import ChatMessage, Transcript

BEFORE_FIRST_QUESTION = timedelta(hours=1)
AFTER_LAST_QUESTION = timedelta(hours=2)

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}
_NUMBER = r"(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
_LEADING_NOISE = re.compile(r"^(?:\s|[*_~>#`|]|@[\w.\-@]+[:,]?|\.@[\w.\-]+)+")
# Spoken and chatty lead-ins: up to two short sentences ("Thanks both. Q2: ...", "Hello and welcome. Question one, ...").
_LEAD_SENTENCES = re.compile(
    r"^(?:(?!q\s?\d|question\b)[^.!?\n]{1,60}[.!?]+\s+){1,2}(?=(?:q\s?\d|question\b))", re.IGNORECASE)
_LEAD_IN = re.compile(
    r"^(?:(?:ok|okay|right|so|and|now|next|then|alright|all right|here's|here is|here comes|time for|on to|"
    r"moving on(?: to)?|let's move on to|the)[\s,.:;!-]+){0,4}", re.IGNORECASE,
)
_QUESTION = re.compile(r"^(?:q\s?" + _NUMBER + r"|question\s+(?:number\s+)?" + _NUMBER + r")(?![\w])", re.IGNORECASE)
_ANSWER = re.compile(r"^(?:a\s?(\d{1,2})[a-z]?(?![\w])|re:?\s+q\s?(\d{1,2})(?![\w]))", re.IGNORECASE)
_TEASER = re.compile(
    r"^[\s:.,)\-–]*(?:is\s+|will be\s+)?(?:coming(?: up)?|up next|next|soon|shortly|in\s+\d+\s*(?:min|sec)|"
    r"at\s+\d|starts?\b|will\b|in a (?:min|moment|sec))",
    re.IGNORECASE,
)
_TRAILING_TAGS = re.compile(r"(?:\s+#\w+)+\s*$")
# A host's closing words: "That's time!", "Thanks all", "Thank you everyone", "That's all for this week".
_CLOSING = re.compile(
    r"\b(?:that'?s\s+(?:all\s+)?(?:our\s+|the\s+)?time\b|that'?s\s+all\s+(?:for|from)\b|that'?s\s+a\s+wrap\b|"
    r"thanks?(?:\s+you)?(?:\s+so\s+much)?,?\s+(?:to\s+)?(?:all|everyone|everybody|folks)\b|"
    r"(?:see|speak\s+to|talk\s+to)\s+you\s+(?:all\s+)?next\s+(?:week|time|month)\b|until\s+next\s+(?:week|time)\b|"
    r"wrap(?:ping)?\s+(?:it\s+|things\s+)?up\b)",
    re.IGNORECASE,
)
_HASHTAG = re.compile(r"(?<!\w)#\w+")
NO_WRAP_UP = "none"  # Adjustments.wrap_up: the host says there is none
FLAT = timedelta(minutes=1)  # a file whose messages all fall within this has no real times
FLAT_AT_LEAST = 5            # ...when it has at least this many messages


@dataclass
class Question:
    """One question and every message that belongs to it, the question first."""

    number: int | None
    text: str
    posts: list[ChatMessage] = field(default_factory=list)
    opener: ChatMessage | None = None   # the message that asks it (None for a chat without questions)


@dataclass(frozen=True)
class Adjustments:
    """A host's corrections to the automatic shape, naming messages by `message_ref`."""

    starts: Mapping[int, str] = field(default_factory=dict)  # question number -> the message that starts it
    wrap_up: str | None = None          # the message the wrap-up starts at; NO_WRAP_UP; None: found automatically
    leave_out: frozenset[str] = frozenset()


class ChoiceError(TranscriptError):
    """A host's adjustment names a message that is not there, or puts the boundaries out of order."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass
class Segmentation:
    """The chat's shape: what came before, each question's thread, the host's wrap-up, what was skipped."""

    questions: list[Question]
    intro: list[ChatMessage]
    closing: list[ChatMessage]
    skipped: dict[str, int]
    messages_total: int
    hosts: set[str]
    # Every message not kept, with why: repost, system, private, duplicate, outside, left_out.
    dropped: list[tuple[ChatMessage, str]] = field(default_factory=list)
    file_stamps: dict[str, object] = field(default_factory=dict)  # message_ref -> the stamp as the file gave it
    timeline: list[ChatMessage] = field(default_factory=list)      # kept messages, in time order
    spread: bool = False                # the times were spread over the chat, not read from the file

    @property
    def left_out(self) -> int:
        """How many messages the host left out."""
        return sum(1 for _, why in self.dropped if why == "left_out")

    @property
    def kept(self) -> list[ChatMessage]:
        """Every message that becomes a post, in time order."""
        found = [*self.intro, *(m for q in self.questions for m in q.posts), *self.closing]
        return sorted(found, key=lambda m: m.stamp)


# -- times ----------------------------------------------------------------------------------------------

def zone(name: str) -> ZoneInfo:
    """The named timezone, or a TranscriptError saying it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TranscriptError(_("unknown timezone %(name)s; use a name such as Europe/London", name=repr(name))) from None


def message_ref(message: ChatMessage) -> str:
    """A short, stable name for a message, for a host's choices: from its id, else where and what it is."""
    basis = message.id if message.id is not None else f"{message.line}\x1f{message.author_name}\x1f{message.text}"
    return hashlib.sha1(basis.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Timing:
    """What a file says about when its messages were sent."""

    kind: str                   # real, clock (times of day, no date), elapsed (from a recording's start), none, flat
    first: datetime | None = None   # flat: the one time every message has

    @property
    def needs_start(self) -> bool:
        """Whether the messages can only be placed in time once the host says when the chat began."""
        return self.kind in ("clock", "elapsed", "none")

    @property
    def needs_spreading(self) -> bool:
        """Whether the file's times say nothing about when each message was sent."""
        return self.kind in ("none", "flat")


def timing(transcript: Transcript, timezone_name: str = "Europe/London") -> Timing:
    """Say whether a transcript's times are real: dated, only times of day, elapsed, absent, or all in one minute."""
    stamps = [m.stamp for m in transcript.messages if m.kind == "message" and m.stamp is not None]
    if not stamps:
        return Timing("none")
    if any(isinstance(stamp, timedelta) for stamp in stamps):
        kind, points = "elapsed", [_seconds_of(stamp) for stamp in stamps]
    elif any(isinstance(stamp, time) for stamp in stamps):
        kind, points = "clock", [_seconds_of(stamp) for stamp in stamps]
    else:
        tz = zone(timezone_name)
        moments = [_to_utc(stamp, tz) for stamp in stamps]
        kind, points = "real", [m.timestamp() for m in moments]
    count = sum(1 for m in transcript.messages if m.kind == "message")
    if count >= FLAT_AT_LEAST and max(points) - min(points) < FLAT.total_seconds():
        first = min(moments) if kind == "real" else None
        return Timing("flat", first)
    return Timing(kind)


def _seconds_of(stamp) -> float:
    return stamp.total_seconds() if isinstance(stamp, timedelta) else float(_seconds(stamp))


def resolve_times(messages: list[ChatMessage], start: datetime | None, tz: ZoneInfo,
                  spread: timedelta | None = None) -> list[ChatMessage]:
    """Give every message an aware UTC stamp, or refuse when the file needs --start and has none.

    With `spread`, the file's times are set aside: the messages are placed evenly, in file order,
    from the start over that length.
    """
    start_utc = _to_utc(start, tz) if start is not None else None
    if spread is not None and messages:
        base = _need_start(start_utc, messages[0], _("its messages are spread over the chat from its start"))
        step = spread / len(messages)
        return [replace(message, stamp=base + step * index) for index, message in enumerate(messages)]
    resolved: list[ChatMessage] = []
    previous: datetime | None = None
    day: date | None = start.astimezone(tz).date() if start is not None and start.tzinfo else (start.date() if start else None)
    last_clock: time | None = None
    for message in messages:
        stamp = message.stamp
        if isinstance(stamp, datetime):
            when = _to_utc(stamp, tz)
        elif isinstance(stamp, timedelta):
            when = _need_start(start_utc, message, _("its times are counted from the start of a recording")) + stamp
        elif isinstance(stamp, time):
            _need_start(start_utc, message, _("its times have no date"))
            if last_clock is not None and _seconds(stamp) < _seconds(last_clock) - 12 * 3600:
                day = day + timedelta(days=1)  # the log ran past midnight
            last_clock = stamp
            when = _to_utc(datetime.combine(day, stamp), tz)
        else:
            if previous is None:
                base = _need_start(start_utc, message, _("it has no times at all"))
                when = base
            else:
                when = previous + timedelta(seconds=1)  # keep file order, a second apart
        previous = when
        resolved.append(replace(message, stamp=when))
    return resolved


def _need_start(start_utc: datetime | None, message: ChatMessage, why: str) -> datetime:
    if start_utc is None:
        if message.line:
            raise TranscriptError(_("this transcript needs --start, the date and time the chat began: %(why)s "
                                    "(line %(line)s)", why=why, line=message.line))
        raise TranscriptError(_("this transcript needs --start, the date and time the chat began: %(why)s", why=why))
    return start_utc


def _to_utc(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(timezone.utc)


def _seconds(clock: time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


# -- a file of many chats ---------------------------------------------------------------------------------------

ONE_CHAT_SPAN = timedelta(days=1)   # a file whose messages span more than this holds more than one chat...
ONE_CHAT_MESSAGES = 1500            # ...and so does one with more messages than this


@dataclass(frozen=True)
class Survey:
    """How much a file holds, for telling one chat from a whole archive."""

    messages: int
    first: datetime | None
    last: datetime | None
    busiest_hours: list[tuple[datetime, int]]   # (the hour's start, messages in it), busiest first
    hashtags: list[tuple[str, int]]             # (hashtag, messages carrying it), most used first

    @property
    def holds_many_chats(self) -> bool:
        """Whether the file holds far more than one chat."""
        spans_days = self.first is not None and self.last - self.first > ONE_CHAT_SPAN
        return spans_days or self.messages > ONE_CHAT_MESSAGES


def survey(transcript: Transcript, *, start: datetime | None = None, timezone_name: str = "Europe/London",
           top: int = 8) -> Survey:
    """Count a file's messages, when they span, its busiest hours and its commonest hashtags."""
    tz = zone(timezone_name)
    said = [m for m in transcript.messages if m.kind == "message"]
    timed = resolve_times(said, start, tz) if said else []
    hours = Counter(m.stamp.astimezone(tz).replace(minute=0, second=0, microsecond=0) for m in timed)
    tags = Counter(tag.casefold() for m in said for tag in {t.casefold() for t in _HASHTAG.findall(m.text)})
    stamps = [m.stamp for m in timed]
    return Survey(len(said), min(stamps, default=None), max(stamps, default=None),
                  sorted(hours.items(), key=lambda item: (-item[1], item[0]))[:top], tags.most_common(top))


# -- questions and answers --------------------------------------------------------------------------------

def strip_lead(text: str) -> str:
    """Drop leading @mentions, markup and spaces: '@LGovSM *Q1:* ...' -> 'Q1:* ...'."""
    return _LEADING_NOISE.sub("", text)


def question_number(text: str) -> tuple[int, str] | None:
    """The question number and the question's own words, when `text` asks a question; else None."""
    head = strip_lead(text).replace("*", "")
    head = _LEAD_IN.sub("", _LEAD_SENTENCES.sub("", head)).lstrip("_ ")
    match = _QUESTION.match(head)
    if not match:
        return None
    rest = head[match.end():]
    # "Q1 coming up in 2 mins" announces a question; "Q1 coming up: how do you...?" asks it.
    if _TEASER.match(rest) and "?" not in rest:
        return None
    raw = (match.group(1) or match.group(2)).lower()
    number = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    rest = re.sub(r"^[\s:.,)\-–—]*(?:(?:is\s+)?coming up|up next|next)\s*[:,.\-–—]\s*", "", rest, flags=re.IGNORECASE)
    words = _TRAILING_TAGS.sub("", rest.lstrip(" :.,)-–—*")).strip()
    return number, " ".join(words.split())


def answer_number(text: str) -> int | None:
    """The question an answer is marked for (A1, A 1, A1:, A1), A1a, RE Q1), or None."""
    match = _ANSWER.match(strip_lead(text).lstrip("*_ "))
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def _speaker_keys(message: ChatMessage) -> set[str]:
    keys = {message.author_name.strip().lstrip("@").casefold()}
    if message.author_handle:
        keys.add(message.author_handle.strip().lstrip("@").casefold())
    if message.author_id:
        keys.add(message.author_id.casefold())
    keys.discard("")
    return keys


def segment(transcript: Transcript, *, hosts: tuple[str, ...] = (), start: datetime | None = None,
            timezone_name: str = "Europe/London", spread: timedelta | None = None,
            window: tuple[datetime, datetime] | None = None, hashtag: str | None = None,
            adjust: Adjustments | None = None) -> Segmentation:
    """Split a transcript into introductions, questions with their answers, and the wrap-up.

    `spread` places the messages evenly over that length from `start` (for files with no real
    times); `window` and `hashtag` keep only the messages of one chat from a file that holds many;
    `adjust` applies a host's corrections.
    """
    tz = zone(timezone_name)
    adjust = adjust or Adjustments()
    skipped = Counter({"reposts": 0, "system": 0, "duplicates": 0, "outside": 0})
    dropped: list[tuple[ChatMessage, str]] = []
    seen_ids: set[str] = set()
    candidates: list[ChatMessage] = []
    for message in transcript.messages:
        if message.kind == "repost":
            skipped["reposts"] += 1
            dropped.append((message, "repost"))
        elif message.kind != "message":
            skipped["system"] += 1
            dropped.append((message, "private" if message.kind == "private" else "system"))
        elif message.id is not None and message.id in seen_ids:
            skipped["duplicates"] += 1
            dropped.append((message, "duplicate"))
        else:
            if message.id is not None:
                seen_ids.add(message.id)
            candidates.append(message)
    file_stamps = {message_ref(m): m.stamp for m in candidates}
    timed = resolve_times(candidates, start, tz, spread) if candidates else []
    # Stable: messages with the same time keep their file order.
    order = {id(m): i for i, m in enumerate(timed)}
    timed.sort(key=lambda m: (m.stamp, order[id(m)]))
    if window is not None or hashtag:
        inside = [m for m in timed if _in_window(m, window) and _has_tag(m, hashtag)]
        skipped["outside"] += len(timed) - len(inside)
        dropped.extend((m, "outside") for m in timed if not (_in_window(m, window) and _has_tag(m, hashtag)))
        timed = inside
    if adjust.leave_out:
        for number, ref in adjust.starts.items():
            if ref in adjust.leave_out:
                raise ChoiceError(f"start_{number}", _("Question %(number)s starts at a message you chose to leave "
                                                       "out; keep it, or choose another message to start the "
                                                       "question", number=number))
        if adjust.wrap_up in adjust.leave_out:
            raise ChoiceError("wrap_up", _("The wrap-up starts at a message you chose to leave out; keep it, or "
                                           "choose another message to start the wrap-up"))
        refs = {message_ref(m) for m in timed}
        if not adjust.leave_out <= refs:
            raise ChoiceError("leave_out", _("A message you chose to leave out is not in this transcript; "
                                             "check the messages again"))
        dropped.extend((m, "left_out") for m in timed if message_ref(m) in adjust.leave_out)
        timed = [m for m in timed if message_ref(m) not in adjust.leave_out]

    def shape(questions, intro, closing) -> Segmentation:
        kept = {id(m) for m in [*intro, *closing, *(m for q in questions for m in q.posts)]}
        return Segmentation(questions, intro, closing, dict(skipped), len(transcript.messages), host_keys,
                            dropped, file_stamps, [m for m in timed if id(m) in kept], spread is not None)

    host_keys = {h.strip().lstrip("@").casefold() for h in hosts if h.strip()}
    if not host_keys:
        first = next((m for m in timed if (q := question_number(m.text)) and q[0] == 1), None)
        host_keys = _speaker_keys(first) if first else set()

    def is_host(message: ChatMessage) -> bool:
        return bool(_speaker_keys(message) & host_keys)

    asked: dict[int, tuple[ChatMessage, str]] = {}
    for message in timed:
        found = question_number(message.text) if is_host(message) else None
        if found and found[0] not in asked:
            asked[found[0]] = (message, found[1])
    _move_starts(asked, adjust.starts, timed)
    question_ids = {id(m): n for n, (m, _) in asked.items()}

    if asked:
        first_at = min(m.stamp for m, _ in asked.values())
        last_at = max(m.stamp for m, _ in asked.values())
        window_kept = [m for m in timed if first_at - BEFORE_FIRST_QUESTION <= m.stamp <= last_at + AFTER_LAST_QUESTION]
        skipped["outside"] += len(timed) - len(window_kept)
        kept_ids = {id(m) for m in window_kept}
        dropped.extend((m, "outside") for m in timed if id(m) not in kept_ids)
        timed = window_kept
    else:
        title = transcript.title or "Chat transcript"
        return shape([Question(None, title, timed)] if timed else [], [], [])

    questions = {n: Question(n, text, opener=m)
                 for n, (m, text) in sorted(asked.items(), key=lambda item: order_of(item[1][0], timed))}
    by_id: dict[str, int | None] = {}  # message id -> question number (None: introductions)
    intro: list[ChatMessage] = []
    current: int | None = None
    marked: set[int] = set()
    open_questions: dict[int, Question] = {}  # asked so far: a mark for a question not yet asked means nothing
    for message in timed:
        number = question_ids.get(id(message))
        if number is not None:
            current = number
            open_questions[number] = questions[number]
        else:
            number = _assign(message, open_questions, by_id, current, is_host(message))
            if answer_number(message.text) in open_questions:
                marked.add(id(message))
        if message.id is not None:
            by_id[message.id] = number
        (questions[number].posts if number is not None else intro).append(message)

    closing = _wrap_up(timed, questions, asked, marked, by_id, is_host, adjust.wrap_up)
    return shape(list(questions.values()), intro, closing)


def order_of(message: ChatMessage, timed: list[ChatMessage]) -> int:
    """Where a message stands in the chat's time order."""
    return next(i for i, m in enumerate(timed) if m is message)


def _in_window(message: ChatMessage, window: tuple[datetime, datetime] | None) -> bool:
    return window is None or window[0] <= message.stamp < window[1]


def _has_tag(message: ChatMessage, hashtag: str | None) -> bool:
    if not hashtag:
        return True
    wanted = "#" + hashtag.lstrip("#").casefold()
    return any(tag.casefold() == wanted for tag in _HASHTAG.findall(message.text))


def _move_starts(asked: dict[int, tuple[ChatMessage, str]], starts: Mapping[int, str],
                 timed: list[ChatMessage]) -> None:
    """Put each question's start where the host chose, then check the questions still come in order."""
    if not starts:
        return
    by_ref = {message_ref(m): m for m in timed}
    for number, ref in starts.items():
        if number not in asked:
            raise ChoiceError(f"start_{number}", _("There is no question %(number)s in this transcript to move",
                                                   number=number))
        message = by_ref.get(ref)
        if message is None:
            raise ChoiceError(f"start_{number}", _("The message chosen to start question %(number)s is not in "
                                                   "this transcript; choose one from the list", number=number))
        found = question_number(message.text)
        # Moved to a message that is not itself the question, the thread keeps the question's words.
        asked[number] = (message, found[1] if found and found[0] == number else asked[number][1])
    position = {id(m): i for i, m in enumerate(timed)}
    previous: tuple[int, int] | None = None
    for number in sorted(asked):
        at = position[id(asked[number][0])]
        if previous is not None and at <= previous[1]:
            raise ChoiceError(f"start_{number}", _("Question %(number)s must start after question %(previous)s "
                                                   "starts; choose a later message",
                                                   number=number, previous=previous[0]))
        previous = (number, at)


def _assign(message: ChatMessage, questions: dict[int, Question], by_id: dict[str, int | None],
            current: int | None, host: bool) -> int | None:
    """Which question a message belongs to: its A<n> mark, else what it replies to, else the time."""
    marked = answer_number(message.text)
    if marked in questions:
        return marked
    if not host:
        # Members sometimes answer as "Q2 ..." too.
        found = question_number(message.text)
        if found and found[0] in questions:
            return found[0]
    if message.reply_to is not None and message.reply_to in by_id:
        return by_id[message.reply_to] if by_id[message.reply_to] is not None else current
    return current


def is_closing(text: str) -> bool:
    """Whether a message sounds like a host's closing words ("that's time", "thanks all", "that's all for")."""
    return bool(_CLOSING.search(text))


def _wrap_up(timed, questions, asked, marked, by_id, is_host, chosen: str | None) -> list[ChatMessage]:
    """Move the wrap-up out of the last question: from where it starts, everything but answers marked
    for a question and replies into one.

    It starts where the host chose, else at the host's first closing words after the last question,
    else at the host's last messages after everyone else's.
    """
    openers = {id(m) for m, _ in asked.values()}
    last = max(order_of(m, timed) for m, _ in asked.values())
    if chosen == NO_WRAP_UP:
        return []
    if chosen is not None:
        begin = next((i for i, m in enumerate(timed) if message_ref(m) == chosen), None)
        if begin is None:
            raise ChoiceError("wrap_up", _("The message chosen to start the wrap-up is not in this transcript; "
                                           "choose one from the list"))
        if begin <= last:
            number = next(n for n, (m, _) in asked.items() if order_of(m, timed) == last)
            raise ChoiceError("wrap_up", _("The wrap-up must start after the last question (question %(number)s) "
                                           "starts; choose a later message", number=number))
    else:
        begin = _closing_start(timed, last, marked, openers, is_host)
        if begin is None:
            return []
    closing = []
    for message in timed[begin:]:
        if id(message) in marked or id(message) in openers:
            continue
        parent = by_id.get(message.reply_to) if message.reply_to is not None else None
        if parent is not None and all(message.reply_to != m.id for m in closing):
            continue  # a reply into a question's discussion stays there
        closing.append(message)
    closing_ids = {id(m) for m in closing}
    for question in questions.values():
        question.posts = [m for m in question.posts if id(m) not in closing_ids]
    return closing


def _closing_start(timed, last: int, marked, openers, is_host) -> int | None:
    """Where the wrap-up starts when the host has not said: their closing words, else their last messages."""
    after = [(i, m) for i, m in enumerate(timed) if i > last and is_host(m) and id(m) not in marked
             and id(m) not in openers]
    for i, message in after:
        if is_closing(message.text):
            return i
    others = [i for i, m in enumerate(timed) if not is_host(m)]
    everyone_done = max([*others, last])
    trailing = [i for i, m in after if i > everyone_done and m.reply_to is None]
    return trailing[0] if trailing else None
