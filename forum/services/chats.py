"""Chat sessions: creating them, questions proposed and voted on before, and how they went after."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from forum import emails, policy
from forum.db import utcnow
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.models import (Chat, ChatHost, ChatImport, Member, Post, ProposedQuestion, QuestionVote, Space,
                          SpaceMembership, Thread)
from forum.models.accounts import normalise_name
from forum.services import read_state

HASHTAG_RE = re.compile(r"^#?\w{1,59}$")
BUCKET = timedelta(minutes=5)


def chats_for(db: Session, viewer, *, upcoming: bool, limit: int = 50) -> list[Chat]:
    """The chats in spaces the viewer may read: upcoming soonest first, past ones latest first."""
    now = utcnow()
    query = (select(Chat).join(Space, Chat.space_id == Space.id).where(policy.readable_space_filter(viewer))
             .options(selectinload(Chat.hosts)))
    if upcoming:
        query = query.where(Chat.starts_at >= now - timedelta(hours=1)).order_by(Chat.starts_at)
    else:
        query = query.where((Chat.starts_at < now - timedelta(hours=1)) | Chat.starts_at.is_(None)) \
            .order_by(Chat.starts_at.desc())
    return list(db.scalars(query.limit(limit)))


def get_chat(db: Session, viewer, chat_id: int) -> tuple[Chat, Space]:
    """A chat (with its hosts) and its space if the viewer may read the space; otherwise NotFound."""
    row = db.execute(select(Chat, Space).join(Space, Chat.space_id == Space.id).where(Chat.id == chat_id)
                     .options(joinedload(Chat.hosts), joinedload(Chat.topics))).unique().first()
    if row is None or not policy.can_view_space(viewer, row.Space):
        raise NotFound(_("There is no chat at this address, or you do not have access to it."))
    return row.Chat, row.Space


def spaces_for_hosting(db: Session, viewer) -> list[Space]:
    """The spaces in which the viewer may create chats: every space for moderators, their own for hosts."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_approved:
        return []
    query = select(Space).order_by(Space.position, Space.name)
    if not viewer.is_moderator:
        query = query.join(SpaceMembership, SpaceMembership.space_id == Space.id).where(
            SpaceMembership.member_id == viewer.id, SpaceMembership.role == "host")
    return list(db.scalars(query))


@dataclass
class ChatDetails:
    """What a host says about a chat."""

    title: str
    space: Space | None
    starts_at: datetime | None
    duration_minutes: int | None
    hashtag: str = ""
    description: str = ""
    hosts: str = ""  # display names or emails, separated by commas


def _check(db: Session, actor: Member, details: ChatDetails) -> tuple[dict[str, str], list[Member]]:
    errors: dict[str, str] = {}
    if not details.title or not details.title.strip() or len(details.title) > 200:
        errors["title"] = _("Enter the chat's title, at most 200 characters")
    if details.space is None:
        errors["space"] = _("Choose the space the chat's threads go in")
    elif not policy.can_moderate_space(actor, details.space):
        errors["space"] = _("You can create chats only in spaces you host")
    if details.starts_at is None:
        errors["starts_at"] = _("Enter the date and time the chat starts, like 14/01/2011 13:00")
    if not details.duration_minutes or not 10 <= details.duration_minutes <= 600:
        errors["duration_minutes"] = _("Enter a length between 10 and 600 minutes")
    if details.hashtag and not HASHTAG_RE.match(details.hashtag.strip()):
        errors["hashtag"] = _("Enter a hashtag of letters, digits and underscores, like #lgovsm")
    hosts: list[Member] = []
    for name in filter(None, (part.strip() for part in (details.hosts or "").split(","))):
        address = emails.normalise(name)
        named = Member.name_key == normalise_name(name)
        host = db.scalar(select(Member).where(
            (named | (Member.email == address)) if address else named, Member.state == "approved"))
        if host is None:
            errors["hosts"] = _("No approved member is called %(name)s", name=name)
            break
        hosts.append(host)
    return errors, hosts


def save_chat(db: Session, actor: Member, details: ChatDetails, chat: Chat | None = None) -> Chat:
    """Create a chat, or change one the actor hosts."""
    if chat is not None and not can_manage(actor, chat, db.get(Space, chat.space_id)):
        raise PermissionDenied(_("Only the chat's hosts and moderators can change it."))
    errors, hosts = _check(db, actor, details)
    if errors:
        raise ValidationError(_("There is a problem with the chat's details"), errors)
    if chat is None:
        chat = Chat(status="upcoming")
        db.add(chat)
    chat.title, chat.space_id, chat.starts_at = details.title.strip(), details.space.id, details.starts_at
    chat.duration_minutes, chat.description = details.duration_minutes, (details.description or "").strip()
    tag = (details.hashtag or "").strip()
    chat.hashtag = ("#" + tag.lstrip("#")) if tag else None
    db.flush()
    db.execute(delete(ChatHost).where(ChatHost.chat_id == chat.id))
    for host in hosts or [actor]:
        db.add(ChatHost(chat_id=chat.id, member_id=host.id))
    db.flush()
    return chat


def can_manage(viewer, chat: Chat, space: Space) -> bool:
    """May the viewer change this chat, choose its questions and import its transcript?"""
    if policy.can_moderate_space(viewer, space):
        return True
    return bool(getattr(viewer, "is_approved", False)) and any(h.id == viewer.id for h in chat.hosts)


# -- questions before the chat ----------------------------------------------------------------------------------

def questions(db: Session, chat: Chat, voter=None) -> tuple[list[ProposedQuestion], set[int]]:
    """The chat's proposed questions (chosen ones in their order, then the rest by votes), and the ids of
    those the voter has voted for, in one query."""
    voter_id = voter.id if getattr(voter, "is_authenticated", False) else None
    vote = aliased(QuestionVote)
    rows = db.execute(
        select(ProposedQuestion, vote.question_id)
        .outerjoin(vote, and_(vote.question_id == ProposedQuestion.id, vote.member_id == voter_id))
        .where(ProposedQuestion.chat_id == chat.id)
        .options(joinedload(ProposedQuestion.member))
        .order_by((ProposedQuestion.status == "chosen").desc(), ProposedQuestion.position,
                  ProposedQuestion.vote_count.desc(), ProposedQuestion.id)
    ).all()
    return [question for question, _ in rows], {voted for _, voted in rows if voted is not None}


def propose(db: Session, chat: Chat, space: Space, member: Member, text: str) -> ProposedQuestion:
    """Propose a question for a chat that has not happened yet."""
    if not policy.can_post_in_space(member, space):
        raise PermissionDenied(_("You cannot propose questions for this chat."))
    if chat.status != "upcoming":
        raise ValidationError(_("This chat has already happened; propose a question for the next one."))
    text = " ".join((text or "").split())
    if len(text) < 10 or len(text) > 500:
        raise ValidationError(_("Check your question"), {"text": _("Enter a question of 10 to 500 characters")})
    question = ProposedQuestion(chat_id=chat.id, member_id=member.id, text=text)
    db.add(question)
    db.flush()
    return question


def vote(db: Session, question: ProposedQuestion, space: Space, member: Member, on: bool) -> None:
    """Vote for a question once, or take the vote back."""
    if not policy.can_post_in_space(member, space):
        raise PermissionDenied(_("You cannot vote on this chat's questions."))
    existing = db.get(QuestionVote, (question.id, member.id))
    if on and existing is None:
        db.add(QuestionVote(question_id=question.id, member_id=member.id))
        question.vote_count = ProposedQuestion.vote_count + 1
    elif not on and existing is not None:
        db.delete(existing)
        question.vote_count = ProposedQuestion.vote_count - 1
    db.flush()


def decide_question(db: Session, question: ProposedQuestion, chat: Chat, space: Space, host: Member,
                    status: str, position: int | None = None) -> None:
    """A host chooses a question (at a position: Q1, Q2...), or marks it not chosen, or puts it back."""
    if not can_manage(host, chat, space):
        raise PermissionDenied(_("Only the chat's hosts choose its questions."))
    if status not in ("chosen", "not_chosen", "proposed"):
        raise ValidationError(_("Choose what to do with the question."))
    if status == "chosen" and (position is None or not 1 <= position <= 20):
        raise ValidationError(_("Check the order"), {"position": _("Enter the question's number in the chat, 1 to 20")})
    question.status = status
    question.position = position if status == "chosen" else None
    db.flush()


# -- the chat at a glance -----------------------------------------------------------------------------------------

@dataclass
class Glance:
    """How a chat went, for its page."""

    threads: list[Thread]
    last_import: ChatImport | None
    participants: int
    chat_posts: int
    timeline: list[tuple[datetime, int]]   # (start of each five minutes, messages in it)
    question_marks: list[tuple[int, datetime]]  # (question number, when it was asked)
    carried_on: list[tuple[datetime, int]]  # (week starting, replies since the chat)
    new_posts: dict[int, int] = field(default_factory=dict)  # thread id -> posts new to the viewer (#22)


def glance(db: Session, chat: Chat, viewer) -> Glance:
    """Threads, counts, a five-minute timeline and the replies since, in a fixed number of queries.

    Only what the viewer may see counts: a chat thread moved into a space they cannot read, or a post
    that waits for approval or was removed, is neither listed nor counted.
    """
    listed = db.execute(read_state.with_new_posts(
        select(Thread).join(Space, Thread.space_id == Space.id)
        .where(Thread.chat_id == chat.id, policy.listed_thread_filter(viewer))
        .order_by(Thread.question_number.is_(None), Thread.question_number), viewer)).all()
    threads = [thread for thread, _new in listed]
    last_import = db.scalar(select(ChatImport).where(ChatImport.chat_id == chat.id).order_by(ChatImport.id.desc()))
    # One query for both the chat's imported posts and the members' replies in its threads since.
    was_imported = Post.import_id.is_not(None)
    during = and_(Post.chat_id == chat.id, was_imported)
    after = and_(Post.thread_id.in_([t.id for t in threads]), Post.import_id.is_(None), Post.deleted_at.is_(None))
    rows = db.execute(
        select(Post.created_at, Post.speaker_id, was_imported)
        .join(Thread, Post.thread_id == Thread.id).join(Space, Thread.space_id == Space.id)
        .where(or_(during, after) if threads else during, policy.listed_post_filter(viewer),
               policy.listed_thread_filter(viewer))
    ).all()
    imported = [(when, speaker) for when, speaker, is_imported in rows if is_imported]
    participants = len({speaker for _, speaker in imported})
    timeline: list[tuple[datetime, int]] = []
    if imported:
        start = min(t for t, _ in imported)
        end = max(t for t, _ in imported)
        slots = int((end - start) / BUCKET) + 1
        counts = [0] * min(slots, 288)  # a day at most
        for when, _speaker in imported:
            index = int((when - start) / BUCKET)
            if index < len(counts):
                counts[index] += 1
        timeline = [(start + i * BUCKET, n) for i, n in enumerate(counts)]
    marks = []
    for thread in threads:
        if thread.question_number and thread.question_number > 0:
            marks.append((thread.question_number, thread.created_at))
    since = chat.ends_at or (max(t for t, _ in imported) if imported else None)
    carried: list[tuple[datetime, int]] = []
    if since is not None and threads:
        weeks: dict[datetime, int] = {}
        for when in (when for when, _, is_imported in rows if not is_imported and when > since):
            week = (when - timedelta(days=when.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
            weeks[week] = weeks.get(week, 0) + 1
        carried = sorted(weeks.items())
    return Glance(threads, last_import, participants, len(imported), timeline, sorted(marks), carried,
                  {thread.id: new for thread, new in listed if new})


def count_chats(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Chat)) or 0


# -- the calendar (#20) -------------------------------------------------------------------------------------------

RECENT_IN_CALENDAR = timedelta(weeks=8)


def calendar_chats(db: Session, viewer) -> list[Chat]:
    """The chats a calendar subscription carries: the upcoming ones, and those imported in the last eight
    weeks (their events, re-issued, lead into the discussion), soonest first."""
    now = utcnow()
    query = (select(Chat).join(Space, Chat.space_id == Space.id)
             .where(policy.readable_space_filter(viewer), Chat.starts_at.is_not(None),
                    or_(Chat.starts_at >= now - timedelta(hours=1),
                        and_(Chat.status == "imported", Chat.starts_at >= now - RECENT_IN_CALENDAR)))
             .order_by(Chat.starts_at).limit(100))
    return list(db.scalars(query))


def question_threads(db: Session, viewer, chat_ids: list[int]) -> dict[int, list[Thread]]:
    """The threads of these chats that the viewer may know of, by chat, in question order (one query)."""
    if not chat_ids:
        return {}
    found: dict[int, list[Thread]] = {}
    for thread in db.scalars(select(Thread).join(Space, Thread.space_id == Space.id)
                             .where(Thread.chat_id.in_(chat_ids), policy.listed_thread_filter(viewer))
                             .order_by(Thread.chat_id, Thread.question_number.is_(None), Thread.question_number)):
        found.setdefault(thread.chat_id, []).append(thread)
    return found
