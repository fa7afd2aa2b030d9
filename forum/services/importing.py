"""Import a chat transcript: parse, segment, and build one thread per question, all or nothing.

The only writer of imported threads. Re-importing a file, or an export that overlaps an earlier
one, adds only the messages that are not there yet (matched by platform id, or a content hash).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Integer, insert, select, update
from sqlalchemy.orm import Session

from forum import calendar, transcripts
from forum.cleantext import clean_line, clean_text
from forum.db import unnested
from forum.errors import TranscriptError
from forum.models import Chat, ChatImport, Handle, Member, Post, Space, Speaker, Thread
from forum.models.accounts import handle_key
from forum.services import links
from forum.services.posting import MAX_TITLE
from forum.services.threads import recount_space, recount_thread
from forum.transcripts.base import ChatMessage, Importer, Transcript
from forum.transcripts.segment import Adjustments, Segmentation, segment, timing, zone

WELCOME_TITLE = "Welcome and wrap-up"
WELCOME_NUMBER = 0  # Thread.question_number of the welcome and wrap-up thread
INSERT_BATCH = 1000  # posts per INSERT statement

# What people call where a transcript came from: "Imported from WhatsApp on 3 December 2026".
# Translators: each is said after "from": "Imported from a plain chat log on 3 December 2026".
SOURCE_NAMES = {
    "plain": _l("a plain chat log"), "irc": _l("an IRC log"), "whatsapp": "WhatsApp", "signal": "Signal",
    "telegram": "Telegram", "zoom_chat": _l("Zoom chat"), "zoom_vtt": _l("a Zoom transcript"),
    "teams_vtt": _l("a Teams transcript"), "teams_docx": _l("a Teams transcript"), "google_meet": "Google Meet",
    "slack": "Slack", "discord_json": "Discord", "discord_csv": "Discord", "mastodon": "Mastodon",
    "bluesky": "Bluesky", "tags_csv": _l("a TAGS sheet"), "twitter_v1": "X (Twitter)", "twitter_v2": "X (Twitter)",
    "twarc2": "X (Twitter)", "twarc_csv": "X (Twitter)", "twitter_archive": _l("an X (Twitter) archive"),
}


@dataclass
class ImportOptions:
    """What the host says about the file: where it goes and how to read it."""

    space: Space
    format: str | None = None
    title: str | None = None
    hosts: tuple[str, ...] = ()
    start: datetime | None = None
    timezone: str = "Europe/London"
    channel: str | None = None
    dry_run: bool = False
    imported_by: Member | None = None
    chat: Chat | None = None                      # import into this chat (else found by content, or new)
    question_titles: dict[int, str] = field(default_factory=dict)  # a host's edits to the threads' titles
    # When the file has no real times (none, or all in one minute): spread its messages over this, from `start`.
    spread: timedelta | None = None
    # Only one chat from a file that holds many: the messages in this window, and with this hashtag.
    window: tuple[datetime, datetime] | None = None
    hashtag: str | None = None
    adjust: Adjustments = field(default_factory=Adjustments)  # the host's moved boundaries, left-out messages
    # The host's say on who each speaker is (speaker_ref -> member id, or None for nobody); others by handle.
    speaker_choices: dict[str, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Titles come from a form, a file or the command line: clean them here, once, for all three.
        self.title = clean_line(self.title) if self.title else self.title
        self.hosts = tuple(clean_line(host) for host in self.hosts)
        self.question_titles = {number: clean_line(text) for number, text in self.question_titles.items()}


def read_source(path: Path, max_bytes: int) -> tuple[bytes, str]:
    """Read a transcript file (or a Slack export folder, packed as a zip) within the size limit."""
    if path.is_dir():
        return _zip_folder(path, max_bytes), path.name + ".zip"
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TranscriptError(_("cannot read %(path)s: %(problem)s", path=str(path), problem=exc.strerror)) from None
    if size > max_bytes:
        raise TranscriptError(_("%(name)s is %(size)s MB; the limit is %(limit)s MB", name=path.name,
                                size=format(size / 1e6, ".1f"), limit=format(max_bytes / 1e6, ".0f")))
    return path.read_bytes(), path.name


def _zip_folder(folder: Path, max_bytes: int) -> bytes:
    buffer, total = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                total += file.stat().st_size
                if total > max_bytes:
                    raise TranscriptError(_("the folder %(name)s holds more than %(limit)s MB", name=folder.name,
                                            limit=format(max_bytes / 1e6, ".0f")))
                archive.write(file, file.relative_to(folder).as_posix())
    return buffer.getvalue()


def importer_for(data: bytes, filename: str | None, options: ImportOptions) -> Importer:
    """The importer the host named, else the one that recognises the file."""
    return transcripts.get(options.format) if options.format else transcripts.detect(data, filename)


def read(data: bytes, filename: str | None, options: ImportOptions) -> Transcript:
    """Detect or take the format and parse the file into messages, cleaned."""
    importer = importer_for(data, filename, options)
    transcript = importer.parse(data, channel=options.channel)
    _clean(transcript)
    if not any(m.kind == "message" for m in transcript.messages):
        raise TranscriptError(_("no chat messages were found in this %(format)s file", format=importer.label))
    return transcript


def shape_of(transcript: Transcript, options: ImportOptions) -> Segmentation:
    """Segment a parsed transcript as the options say (spreading its times when the file has no real ones)."""
    spread, start = None, options.start
    if options.spread is not None:
        found = timing(transcript, options.timezone)
        if found.needs_spreading:
            spread, start = options.spread, options.start or found.first
    return segment(transcript, hosts=options.hosts, start=start, timezone_name=options.timezone, spread=spread,
                   window=options.window, hashtag=options.hashtag, adjust=options.adjust)


def parse(data: bytes, filename: str | None, options: ImportOptions) -> tuple[Transcript, Segmentation]:
    """Detect or take the format, parse the file, and segment it into questions."""
    transcript = read(data, filename, options)
    return transcript, shape_of(transcript, options)


def source_name(format_name: str) -> str:
    """Where a transcript came from, for people: "WhatsApp", "a plain chat log", "Zoom chat"."""
    if format_name in SOURCE_NAMES:
        return str(SOURCE_NAMES[format_name])
    try:
        return str(transcripts.get(format_name).label)
    except TranscriptError:
        return format_name


def speaker_ref(key: str) -> str:
    """A short, stable name for a speaker (by their speaker key), for a host's choice of who they are."""
    return hashlib.sha1(key.encode()).hexdigest()[:10]


def describe_threads(summary: dict) -> str:
    """The threads an import makes, in words: "4 threads: 3 questions and the welcome and wrap-up"."""
    numbered = sum(1 for q in summary["questions"] if q["number"] is not None)
    welcome = bool(summary["intro_posts"] or summary["closing_posts"])
    total = len(summary["questions"]) + welcome
    if not numbered:
        return _("1 thread: no questions were found") if total == 1 else \
            ngettext("%(num)s thread", "%(num)s threads", total)
    if not welcome:
        return ngettext("%(num)s thread, one per question", "%(num)s threads, one per question", total)
    return ngettext("%(num)s thread: %(questions)s and the welcome and wrap-up",
                    "%(num)s threads: %(questions)s and the welcome and wrap-up", total,
                    questions=ngettext("%(num)s question", "%(num)s questions", numbered))


def _clean(transcript: Transcript) -> None:
    """Drop control characters from what the file says, as forms do for what people type (forum.cleantext)."""
    transcript.title = clean_line(transcript.title) if transcript.title else transcript.title
    for message in transcript.messages:
        message.text = clean_text(message.text)
        message.author_name = clean_line(message.author_name)
        if message.author_handle:
            message.author_handle = clean_line(message.author_handle)


def source_key(platform: str, message: ChatMessage) -> str:
    """The key that recognises a message again in a later import: its platform id, else a content hash."""
    if message.id:
        return _id_key(platform, message.id)
    digest = hashlib.sha1(f"{message.author_name}\x00{message.stamp}\x00{message.text}".encode()).hexdigest()
    return f"{platform}:sha1:{digest}"


def _id_key(platform: str, message_id: str) -> str:
    """The key of a message known by its platform id (as a reply names its parent)."""
    return f"{platform}:{message_id}"[:300]


def import_transcript(db: Session, data: bytes, filename: str | None, options: ImportOptions) -> dict:
    """Import a transcript into a space and return the summary; nothing is written on a dry run or error."""
    transcript, shape = parse(data, filename, options)
    return build(db, data, transcript, shape, options)


def build(db: Session, data: bytes, transcript: Transcript, shape: Segmentation, options: ImportOptions) -> dict:
    """Build the threads of a parsed, segmented transcript (or, on a dry run, only say what they would be)."""
    digest = hashlib.sha256(data).hexdigest()
    platform = transcript.platform
    kept = shape.kept
    keys = {id(m): source_key(platform, m) for m in kept}

    chat = options.chat or _existing_chat(db, options.space, digest, list(keys.values()))
    existing: dict[str, int] = {}
    if chat is not None:
        existing = dict(db.execute(
            select(Post.source_key, Post.id).where(Post.chat_id == chat.id, Post.source_key.is_not(None))
        ).all())
    new_messages = [m for m in kept if keys[id(m)] not in existing]
    first_at = kept[0].stamp.isoformat().replace("+00:00", "Z") if kept else None
    last_at = kept[-1].stamp.isoformat().replace("+00:00", "Z") if kept else None
    speakers = find_speakers(db, platform, kept)
    authors = _authors(speakers, options.speaker_choices)
    summary = {
        "format": transcript.format,
        "title": options.title or (chat.title if chat else None) or _default_title(transcript, shape, options.timezone),
        "chat_id": None,
        "questions": [],
        "intro_posts": len(shape.intro),
        "closing_posts": len(shape.closing),
        "messages_total": shape.messages_total,
        "posts_imported": 0,
        "skipped": {**shape.skipped, "duplicates": shape.skipped["duplicates"] + len(kept) - len(new_messages)},
        "speakers": len(speakers),
        "speakers_matched": sum(1 for member_id in authors.values() if member_id is not None),
        "first_post_at": first_at,
        "last_post_at": last_at,
    }
    # Only what the host did in the browser: the command line's summary keeps to the contract's keys.
    if shape.spread:
        summary["times"] = "spread"
    if shape.left_out:
        summary["left_out"] = shape.left_out
    if options.dry_run:
        summary["questions"] = [{"number": q.number, "text": q.text, "thread_id": None, "posts": len(q.posts)}
                                for q in shape.questions]
        db.rollback()
        return summary

    if chat is None:
        chat = Chat(title=summary["title"][:200], hashtag=_hashtag(kept), space_id=options.space.id,
                    starts_at=_chat_start(shape), status="imported")
        if shape.spread:
            chat.duration_minutes = max(1, int(options.spread.total_seconds() // 60))
        db.add(chat)
        db.flush()
    chat.status = "imported"
    record = ChatImport(chat_id=chat.id, format=transcript.format, file_sha256=digest,
                        imported_by_id=options.imported_by.id if options.imported_by else None)
    db.add(record)
    db.flush()

    groups = [(q.number, _thread_title(q.number, options.question_titles.get(q.number) or q.text), q.posts)
              for q in shape.questions]
    if shape.intro or shape.closing:
        groups.insert(0, (WELCOME_NUMBER, welcome_title(chat), [*shape.intro, *shape.closing]))
    threads = {t.question_number: t for t in db.scalars(select(Thread).where(Thread.chat_id == chat.id))}
    new_keys = {keys[id(m)] for m in new_messages}
    fresh_by_thread: list[tuple[Thread, list[ChatMessage]]] = []
    for number, title, messages in groups:
        fresh = [m for m in messages if keys[id(m)] in new_keys]
        if not fresh:
            continue
        thread = threads.get(number)
        if thread is None:
            thread = Thread(space_id=options.space.id, title=title, created_at=messages[0].stamp,
                            last_post_at=messages[0].stamp, chat_id=chat.id, question_number=number)
            db.add(thread)
            threads[number] = thread
        fresh_by_thread.append((thread, fresh))
    db.flush()  # ids for the new threads and speakers, which the posts' rows name
    imported = _insert_posts(db, fresh_by_thread, speakers, authors, keys, chat.id, record.id)
    _link_replies(db, new_messages, {**existing, **imported}, platform)
    _recount(db, options.space, threads.values())
    summary["chat_id"] = chat.id
    summary["posts_imported"] = len(imported)
    if imported:
        calendar.reissue(chat)  # the .ics event now leads to the threads and the recap (#20)
    summary["questions"] = [
        {"number": q.number, "text": q.text,
         "thread_id": threads[q.number].id if q.number in threads else None, "posts": len(q.posts)}
        for q in shape.questions
    ]
    record.summary = summary
    return summary


def _existing_chat(db: Session, space: Space, digest: str, keys: list[str]) -> Chat | None:
    """The chat this file was imported into before, by its hash or by messages it shares."""
    chat = db.scalar(
        select(Chat).join(ChatImport, ChatImport.chat_id == Chat.id)
        .where(ChatImport.file_sha256 == digest, Chat.space_id == space.id).limit(1)
    )
    if chat is not None:
        return chat
    # Through the space's chats, so the lookup uses the (chat_id, source_key) index of imported posts.
    chats_here = select(Chat.id).where(Chat.space_id == space.id)
    for start in range(0, len(keys), 500):
        chat_id = db.scalar(
            select(Post.chat_id).where(Post.chat_id.in_(chats_here), Post.source_key.in_(keys[start:start + 500]))
            .limit(1)
        )
        if chat_id is not None:
            return db.get(Chat, chat_id)
    return None


def speaker_key(message: ChatMessage) -> str:
    """Who said a message, as one key: the platform's user id, else the folded handle, else the folded name."""
    if message.author_id:
        return f"id:{message.author_id}"
    if message.author_handle:
        return f"handle:{handle_key(message.author_handle)}"
    return f"name:{handle_key(message.author_name)}"


def find_speakers(db: Session, platform: str, messages: list[ChatMessage]) -> dict[str, Speaker]:
    """Find or create a Speaker for everyone who spoke, matched to members by confirmed handles."""
    wanted: dict[str, ChatMessage] = {}
    for message in messages:
        wanted.setdefault(speaker_key(message), message)
    found: dict[str, Speaker] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        for speaker in db.scalars(select(Speaker).where(Speaker.platform == platform,
                                                        Speaker.speaker_key.in_(keys[start:start + 500]))):
            found[speaker.speaker_key] = speaker
    handles = {handle_key(m.author_handle or m.author_name) for m in wanted.values()}
    claimed = dict(db.execute(
        select(Handle.handle_key, Handle.member_id)
        .where(Handle.platform == platform, Handle.confirmed.is_(True), Handle.handle_key.in_(handles))
    ).all()) if handles else {}
    for key, message in wanted.items():
        speaker = found.get(key)
        if speaker is None:
            speaker = Speaker(platform=platform, speaker_key=key[:300], display_name=message.author_name[:200] or "Unknown",
                              handle=(message.author_handle or None), platform_user_id=message.author_id)
            db.add(speaker)
            found[key] = speaker
        if speaker.member_id is None:
            speaker.member_id = claimed.get(handle_key(message.author_handle or message.author_name))
    return found


def _authors(speakers: dict[str, Speaker], choices: dict[str, int | None]) -> dict[str, int | None]:
    """The member each speaker's posts go to: the host's choice where they made one, else the confirmed handle's."""
    return {key: choices[ref] if (ref := speaker_ref(key)) in choices else speaker.member_id
            for key, speaker in speakers.items()}


def _insert_posts(db: Session, fresh_by_thread: list[tuple[Thread, list[ChatMessage]]], speakers: dict[str, Speaker],
                  authors: dict[str, int | None], keys: dict[int, str], chat_id: int, import_id: int) -> dict[str, int]:
    """Insert the new posts in one statement per batch (not one ORM object each); their ids by source key.

    The ORM's bulk INSERT still passes the session's events, so the search index takes the posts in the
    same transaction.
    """
    rows = []
    for thread, messages in fresh_by_thread:
        for message in messages:
            key = speaker_key(message)
            speaker = speakers[key]
            rows.append({
                "thread_id": thread.id, "speaker_id": speaker.id, "author_id": authors[key],
                **Post.body_columns(message.text),
                "created_at": message.stamp, "chat_id": chat_id, "import_id": import_id,
                "source_key": keys[id(message)], "source_url": message.url or None,
                # A speaker removed at their request stays removed in every later import.
                "removed_at": speaker.hidden_at,
            })
    ids: dict[str, int] = {}
    own = links.own_messages(row["source_url"] for row in rows)  # quoting each other is not sharing a link
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start:start + INSERT_BATCH]
        inserted = dict(db.execute(*_insert_statement(db, batch)).tuples().all())
        # The links the batch shares, in one more INSERT (#20).
        links.add_links(db, ((inserted[row["source_key"]], row["body_html"]) for row in batch), own)
        ids.update(inserted)
    return ids


def _insert_statement(db: Session, rows: list[dict]) -> tuple:
    """An INSERT of these post rows returning (source_key, id), and its parameters, for this database.

    PostgreSQL: INSERT ... SELECT from the rows as one array per column (`forum.db.unnested`), a
    short statement that psycopg need not rewrite for every batch. Elsewhere a multi-row INSERT, with
    render_nulls so every row names the same columns (None as NULL) and each batch is one statement:
    the ORM would otherwise leave out a row's None columns and split the batch wherever they change.
    """
    returning = (Post.source_key, Post.id)
    if db.connection().dialect.name == "postgresql":
        columns = Post.__table__.c
        source = unnested(rows, {name: columns[name].type for name in rows[0]})
        return (insert(Post).from_select(list(rows[0]), select(*source.c)).returning(*returning),)
    return insert(Post).returning(*returning).execution_options(render_nulls=True), rows


def _link_replies(db: Session, messages: list[ChatMessage], ids: dict[str, int], platform: str) -> None:
    """Keep reply-to links where both posts are in this chat (the parent new, or imported before)."""
    pairs = ((_id_key(platform, m.id), _id_key(platform, m.reply_to)) for m in messages if m.id and m.reply_to)
    links = [{"id": ids[child], "reply_to_id": ids[parent]} for child, parent in pairs
             if child in ids and parent in ids]
    if not links:
        return
    if db.connection().dialect.name == "postgresql":
        # One UPDATE ... FROM the pairs as arrays. On the connection, past the search index's listener,
        # which has nothing to do: a reply link is not part of any post's document.
        posts, pairs_ = Post.__table__, unnested(links, {"id": Integer(), "reply_to_id": Integer()})
        db.connection().execute(update(posts).where(posts.c.id == pairs_.c.id).values(reply_to_id=pairs_.c.reply_to_id))
    else:
        db.execute(update(Post), links)


def _recount(db: Session, space: Space, threads) -> None:
    """Set each touched thread's and the space's denormalised counts, as posting and moderation do."""
    for thread in threads:
        if thread.id is None:
            continue
        recount_thread(db, thread)
        first_at = db.scalar(select(Post.created_at).where(Post.id == thread.first_post_id))
        if first_at is not None:
            thread.created_at = min(thread.created_at, first_at)
    db.flush()
    recount_space(db, space)
    db.flush()


def welcome_title(chat: Chat | None) -> str:
    """The welcome and wrap-up thread's title, named after its chat: '#lgovsm 3 December 2026: welcome and
    wrap-up' (the hashtag and the chat's UK date), else the chat's own title (#22)."""
    if chat is None:
        return WELCOME_TITLE
    if chat.hashtag and chat.starts_at:
        local = chat.starts_at.astimezone(zone("Europe/London"))
        name = f"{chat.hashtag} {local.day} {local:%B %Y}"
    else:
        name = chat.title.rstrip(" :.?!")
    title = f"{name}: welcome and wrap-up"
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def _thread_title(number: int | None, text: str) -> str:
    title = f"Q{number}: {text}" if number is not None else text
    title = " ".join(title.split()) or f"Question {number}"
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def _default_title(transcript: Transcript, shape: Segmentation, timezone_name: str) -> str:
    kept = shape.kept
    when = kept[0].stamp.astimezone(zone(timezone_name)).strftime("%-d %B %Y") if kept else ""
    tag = _hashtag(kept)
    name = tag or transcript.title or "Chat"
    return f"{name} {when}".strip()


def _hashtag(messages: list[ChatMessage]) -> str | None:
    """The chat's hashtag: the one most messages carry."""
    counts = Counter(tag.lower() for m in messages for tag in set(re.findall(r"(?<!\w)#\w+", m.text)))
    if not counts:
        return None
    tag, uses = counts.most_common(1)[0]
    return tag if uses >= max(2, len(messages) // 5) else None


def _chat_start(shape: Segmentation) -> datetime | None:
    kept = shape.kept
    return kept[0].stamp if kept else None
