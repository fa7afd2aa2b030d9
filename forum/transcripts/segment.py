"""Turn a parsed transcript into the chat's shape: introductions, one group per question, the wrap-up.

Pure: no app, no database. The same rules hold for every format:
- times are resolved to UTC (zone-less times read in the chat's timezone, elapsed and date-less
  times counted from its start);
- a question is a host's message that starts with Q<n> or "Question <n>" after leading mentions,
  markup and a short spoken lead-in; teasers ("Q1 coming up in 2 mins") and repeats are not;
- an answer goes to question n when marked A<n>, else to the question of the message it replies to
  (down a chain), else to the latest question asked before it;
- reposts, system lines, duplicates and messages far outside the chat are skipped and counted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


@dataclass
class Question:
    """One question and every message that belongs to it, the question first."""

    number: int | None
    text: str
    posts: list[ChatMessage] = field(default_factory=list)


@dataclass
class Segmentation:
    """The chat's shape: what came before, each question's thread, the host's wrap-up, what was skipped."""

    questions: list[Question]
    intro: list[ChatMessage]
    closing: list[ChatMessage]
    skipped: dict[str, int]
    messages_total: int
    hosts: set[str]

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
        raise TranscriptError(f"unknown timezone {name!r}; use a name such as Europe/London") from None


def resolve_times(messages: list[ChatMessage], start: datetime | None, tz: ZoneInfo) -> list[ChatMessage]:
    """Give every message an aware UTC stamp, or refuse when the file needs --start and has none."""
    start_utc = _to_utc(start, tz) if start is not None else None
    resolved: list[ChatMessage] = []
    previous: datetime | None = None
    day: date | None = start.astimezone(tz).date() if start is not None and start.tzinfo else (start.date() if start else None)
    last_clock: time | None = None
    for message in messages:
        stamp = message.stamp
        if isinstance(stamp, datetime):
            when = _to_utc(stamp, tz)
        elif isinstance(stamp, timedelta):
            when = _need_start(start_utc, message, "its times are counted from the start of a recording") + stamp
        elif isinstance(stamp, time):
            _need_start(start_utc, message, "its times have no date")
            if last_clock is not None and _seconds(stamp) < _seconds(last_clock) - 12 * 3600:
                day = day + timedelta(days=1)  # the log ran past midnight
            last_clock = stamp
            when = _to_utc(datetime.combine(day, stamp), tz)
        else:
            if previous is None:
                base = _need_start(start_utc, message, "it has no times at all")
                when = base
            else:
                when = previous + timedelta(seconds=1)  # keep file order, a second apart
        previous = when
        resolved.append(replace(message, stamp=when))
    return resolved


def _need_start(start_utc: datetime | None, message: ChatMessage, why: str) -> datetime:
    if start_utc is None:
        where = f" (line {message.line})" if message.line else ""
        raise TranscriptError(f"this transcript needs --start, the date and time the chat began: {why}{where}")
    return start_utc


def _to_utc(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(timezone.utc)


def _seconds(clock: time) -> int:
    return clock.hour * 3600 + clock.minute * 60 + clock.second


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
            timezone_name: str = "Europe/London") -> Segmentation:
    """Split a transcript into introductions, questions with their answers, and the wrap-up."""
    tz = zone(timezone_name)
    skipped = Counter({"reposts": 0, "system": 0, "duplicates": 0, "outside": 0})
    seen_ids: set[str] = set()
    candidates: list[ChatMessage] = []
    for message in transcript.messages:
        if message.kind == "repost":
            skipped["reposts"] += 1
        elif message.kind != "message":
            skipped["system"] += 1
        elif message.id is not None and message.id in seen_ids:
            skipped["duplicates"] += 1
        else:
            if message.id is not None:
                seen_ids.add(message.id)
            candidates.append(message)
    timed = resolve_times(candidates, start, tz) if candidates else []
    # Stable: messages with the same time keep their file order.
    order = {id(m): i for i, m in enumerate(timed)}
    timed.sort(key=lambda m: (m.stamp, order[id(m)]))

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
    question_ids = {id(m): n for n, (m, _) in asked.items()}

    if asked:
        first_at = min(m.stamp for m, _ in asked.values())
        last_at = max(m.stamp for m, _ in asked.values())
        window = [m for m in timed if first_at - BEFORE_FIRST_QUESTION <= m.stamp <= last_at + AFTER_LAST_QUESTION]
        skipped["outside"] += len(timed) - len(window)
        timed = window
    else:
        title = transcript.title or "Chat transcript"
        return Segmentation([Question(None, title, timed)] if timed else [], [], [], dict(skipped),
                            len(transcript.messages), host_keys)

    questions = {n: Question(n, text) for n, (_, text) in sorted(asked.items(), key=lambda item: item[1][0].stamp)}
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

    closing = _wrap_up(timed, questions, asked, marked, is_host)
    return Segmentation(list(questions.values()), intro, closing, dict(skipped), len(transcript.messages), host_keys)


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


def _wrap_up(timed, questions, asked, marked, is_host) -> list[ChatMessage]:
    """Move the host's closing words (after the last question, not replies, not answers, after
    everyone else's last message) out of the last question into the wrap-up."""
    last_question = max(asked.values(), key=lambda pair: pair[0].stamp)[0]
    others = [m.stamp for m in timed if not is_host(m)]
    everyone_done = max(others) if others else last_question.stamp
    closing = [
        m for m in timed
        if is_host(m) and m is not last_question and m.stamp > last_question.stamp and m.stamp > everyone_done
        and m.reply_to is None and id(m) not in marked and m not in (q for q, _ in asked.values())
    ]
    closing_ids = {id(m) for m in closing}
    for question in questions.values():
        question.posts = [m for m in question.posts if id(m) not in closing_ids]
    return closing
