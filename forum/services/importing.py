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
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from forum import markup, transcripts
from forum.cleantext import clean_line, clean_text
from forum.errors import TranscriptError
from forum.models import Chat, ChatImport, Handle, Member, Post, Space, Speaker, Thread
from forum.models.accounts import handle_key
from forum.services.posting import MAX_TITLE
from forum.services.threads import recount_space, recount_thread
from forum.transcripts.base import ChatMessage, Transcript
from forum.transcripts.segment import Segmentation, segment

WELCOME_TITLE = "Welcome and wrap-up"
WELCOME_NUMBER = 0  # Thread.question_number of the welcome and wrap-up thread
INSERT_BATCH = 1000  # posts per INSERT statement


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
        raise TranscriptError(f"cannot read {path}: {exc.strerror}") from None
    if size > max_bytes:
        raise TranscriptError(f"{path.name} is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    return path.read_bytes(), path.name


def _zip_folder(folder: Path, max_bytes: int) -> bytes:
    buffer, total = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                total += file.stat().st_size
                if total > max_bytes:
                    raise TranscriptError(f"the folder {folder.name} holds more than {max_bytes / 1e6:.0f} MB")
                archive.write(file, file.relative_to(folder).as_posix())
    return buffer.getvalue()


def parse(data: bytes, filename: str | None, options: ImportOptions) -> tuple[Transcript, Segmentation]:
    """Detect or take the format, parse the file, and segment it into questions."""
    importer = transcripts.get(options.format) if options.format else transcripts.detect(data, filename)
    transcript = importer.parse(data, channel=options.channel)
    _clean(transcript)
    if not any(m.kind == "message" for m in transcript.messages):
        raise TranscriptError(f"no chat messages were found in this {importer.label} file")
    shape = segment(transcript, hosts=options.hosts, start=options.start, timezone_name=options.timezone)
    return transcript, shape


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
    digest = hashlib.sha256(data).hexdigest()
    transcript, shape = parse(data, filename, options)
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
    speakers = _speakers(db, platform, kept)
    summary = {
        "format": transcript.format,
        "title": options.title or (chat.title if chat else None) or _default_title(transcript, shape),
        "chat_id": None,
        "questions": [],
        "intro_posts": len(shape.intro),
        "closing_posts": len(shape.closing),
        "messages_total": shape.messages_total,
        "posts_imported": 0,
        "skipped": {**shape.skipped, "duplicates": shape.skipped["duplicates"] + len(kept) - len(new_messages)},
        "speakers": len(speakers),
        "speakers_matched": sum(1 for s in speakers.values() if s.member_id is not None),
        "first_post_at": first_at,
        "last_post_at": last_at,
    }
    if options.dry_run:
        summary["questions"] = [{"number": q.number, "text": q.text, "thread_id": None, "posts": len(q.posts)}
                                for q in shape.questions]
        db.rollback()
        return summary

    if chat is None:
        chat = Chat(title=summary["title"][:200], hashtag=_hashtag(kept), space_id=options.space.id,
                    starts_at=_chat_start(shape), status="imported")
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
        groups.insert(0, (WELCOME_NUMBER, WELCOME_TITLE, [*shape.intro, *shape.closing]))
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
    imported = _insert_posts(db, fresh_by_thread, speakers, keys, chat.id, record.id)
    _link_replies(db, new_messages, {**existing, **imported}, platform)
    _recount(db, options.space, threads.values())
    summary["chat_id"] = chat.id
    summary["posts_imported"] = len(imported)
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


def _speaker_key(message: ChatMessage) -> str:
    if message.author_id:
        return f"id:{message.author_id}"
    if message.author_handle:
        return f"handle:{handle_key(message.author_handle)}"
    return f"name:{handle_key(message.author_name)}"


def _speakers(db: Session, platform: str, messages: list[ChatMessage]) -> dict[str, Speaker]:
    """Find or create a Speaker for everyone who spoke, matched to members by confirmed handles."""
    wanted: dict[str, ChatMessage] = {}
    for message in messages:
        wanted.setdefault(_speaker_key(message), message)
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


def _insert_posts(db: Session, fresh_by_thread: list[tuple[Thread, list[ChatMessage]]], speakers: dict[str, Speaker],
                  keys: dict[int, str], chat_id: int, import_id: int) -> dict[str, int]:
    """Insert the new posts in one statement per batch (not one ORM object each); their ids by source key.

    The ORM's bulk INSERT still passes the session's events, so the search index takes the posts in the
    same transaction.
    """
    rows = []
    for thread, messages in fresh_by_thread:
        for message in messages:
            speaker = speakers[_speaker_key(message)]
            rows.append({
                "thread_id": thread.id, "speaker_id": speaker.id, "author_id": speaker.member_id,
                "body_source": message.text, "body_html": markup.render(message.text),
                "created_at": message.stamp, "chat_id": chat_id, "import_id": import_id,
                "source_key": keys[id(message)], "source_url": message.url or None,
                # A speaker removed at their request stays removed in every later import.
                "removed_at": speaker.hidden_at,
            })
    # render_nulls: every row names the same columns (None as NULL), so each batch is one statement; the
    # ORM would otherwise leave out a row's None columns and split the batch wherever the columns change.
    statement = insert(Post).returning(Post.source_key, Post.id).execution_options(render_nulls=True)
    ids: dict[str, int] = {}
    for start in range(0, len(rows), INSERT_BATCH):
        ids.update(db.execute(statement, rows[start:start + INSERT_BATCH]).tuples().all())
    return ids


def _link_replies(db: Session, messages: list[ChatMessage], ids: dict[str, int], platform: str) -> None:
    """Keep reply-to links where both posts are in this chat (the parent new, or imported before)."""
    pairs = ((_id_key(platform, m.id), _id_key(platform, m.reply_to)) for m in messages if m.id and m.reply_to)
    links = [{"id": ids[child], "reply_to_id": ids[parent]} for child, parent in pairs
             if child in ids and parent in ids]
    if links:
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


def _thread_title(number: int | None, text: str) -> str:
    title = f"Q{number}: {text}" if number is not None else text
    title = " ".join(title.split()) or f"Question {number}"
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def _default_title(transcript: Transcript, shape: Segmentation) -> str:
    kept = shape.kept
    when = kept[0].stamp.strftime("%-d %B %Y") if kept else ""
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


@dataclass
class Preview:
    """What an import would do, for the host to check before confirming."""

    summary: dict
    label: str                      # the format, for people
    speakers: list[dict]            # name, handle, member (matched member's name or None), posts
    welcome_posts: int


def preview(db: Session, data: bytes, filename: str | None, options: ImportOptions) -> Preview:
    """Work out what importing the file would create, and write nothing."""
    transcript, shape = parse(data, filename, options)
    try:
        speakers = _speakers(db, transcript.platform, shape.kept)
        counts = Counter(_speaker_key(m) for m in shape.kept)
        members = {s.member_id for s in speakers.values() if s.member_id}
        names = dict(db.execute(select(Member.id, Member.display_name).where(Member.id.in_(members))).all()) \
            if members else {}
        listing = sorted(
            ({"name": s.display_name, "handle": s.handle, "member": names.get(s.member_id), "posts": counts[key]}
             for key, s in speakers.items()),
            key=lambda row: (-row["posts"], row["name"].casefold()),
        )
    finally:
        db.rollback()
    summary = import_transcript(db, data, filename, ImportOptions(**{**options.__dict__, "dry_run": True}))
    return Preview(summary, transcripts.get(transcript.format).label, listing,
                   len(shape.intro) + len(shape.closing))
