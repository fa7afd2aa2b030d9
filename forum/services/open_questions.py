"""Questions left open after a chat: which posts ask one, carrying one into the next chat, telling its asker.

A post in a chat's thread asks a question when its own words (quoted lines, trailing links, hashtags,
@mentions and closing punctuation set aside) end with "?", or, for a reply, when any of its sentences
does. It is open when no post answers it: a reply to it, a quote of it, or (on X) a post that links
to it. The recap (services/recaps.py) lists the open ones; this module decides what "asks" means, carries
a question forward and finds whom to tell when one is answered.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from forum import markup, policy
from forum.db import utcnow
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.models import Chat, Member, Post, ProposedQuestion, Space, Thread

_QUOTED = re.compile(r"^\s*>.*$", re.M)
# Words that may follow a question's "?" and still leave it a question: links, hashtags, @mentions, and the
# "via" of a share; then closing quotes, brackets, "!", emoji and other marks are set aside too.
_TRAILING_WORD = re.compile(r"^(?:(?:https?://|www\.)\S+|[#@][\w.]+|via)$", re.I)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_ASKS = re.compile(r"\?+(?=[\s\"'’”)\]]|\Z)")
MAX_CARRIED = 500  # a proposed question's longest text (services/chats.propose)


def own_words(source: str) -> str:
    """A post's text without the lines it quotes."""
    return _QUOTED.sub("", source or "").strip()


def asks_question(source: str, is_reply: bool = False) -> bool:
    """Does this post ask a question (see the module's docstring)?"""
    text = own_words(source)
    if not text:
        return False
    if _strip_trailing(text).endswith("?"):
        return True
    return is_reply and bool(_ASKS.search(_URL.sub(" ", text)))


def _strip_trailing(text: str) -> str:
    words = text.split()
    while words:
        word = words[-1].rstrip("".join(ch for ch in words[-1] if not (ch.isalnum() or ch in "?_")))
        if not word or _TRAILING_WORD.match(word):
            words.pop()
            continue
        return word
    return ""


def question_text(source: str) -> str:
    """The words of a question to carry into a proposal: plain text, without its links and hashtags at the end."""
    text = markup.render_plain(own_words(source))
    text = re.sub(r"^(?:@[\w.]+\s+)+", "", text)  # the @names a reply starts with
    text = re.sub(r"^[AQ]\d{1,2}\b[.:)]?\s*", "", text)  # a chat's "A2" answer marker
    text = re.sub(r"(?:\s+(?:[#@][\w.]+|(?:https?://|www\.)\S+))+\s*$", "", text).strip()
    return text[:MAX_CARRIED]


def answered_ids(posts, others=()) -> dict[int, list]:
    """For each post, the posts that answer it (replies, quotes, or links to its original), among those given."""
    by_url = {p.source_url.rstrip("/").lower(): p.id for p in posts if p.source_url}
    answers: dict[int, list] = {}
    for post in [*posts, *others]:
        targets = {post.reply_to_id, post.quote_of_id}
        if by_url and post.body_source:
            targets |= {by_url.get(url.rstrip(".,;:!?)\"'").rstrip("/").lower())
                        for url in _URL.findall(post.body_source)}
        for target in targets - {None, post.id}:
            answers.setdefault(target, []).append(post)
    return answers


def is_open_candidate(post: Post, thread: Thread) -> bool:
    """May this post of a chat thread be an open question? Not the host's question that opens a numbered thread."""
    if thread.question_number and thread.first_post_id == post.id:
        return False
    return asks_question(post.body_source, is_reply=post.reply_to_id is not None or post.quote_of_id is not None)


# -- carrying a question into the next chat --------------------------------------------------------------------------

def next_chat(db: Session, chat: Chat) -> Chat | None:
    """The next upcoming chat in the same space, which carried questions go to."""
    return db.scalar(select(Chat).where(Chat.space_id == chat.space_id, Chat.id != chat.id,
                                        Chat.status == "upcoming", Chat.starts_at > utcnow())
                     .order_by(Chat.starts_at, Chat.id).limit(1))


def carried(db: Session, post_ids) -> dict[int, ProposedQuestion]:
    """The proposals made from these posts, by post id."""
    ids = list(post_ids)
    if not ids:
        return {}
    return {q.source_post_id: q for q in db.scalars(select(ProposedQuestion)
                                                    .where(ProposedQuestion.source_post_id.in_(ids)))}


def carry(db: Session, chat: Chat, space: Space, host, post_id: int) -> ProposedQuestion:
    """Carry an open question of `chat` into the next chat's proposed questions, credited to its asker."""
    from forum.services import chats  # chats imports nothing from here; the import is local to keep it so

    if not chats.can_manage(host, chat, space):
        raise PermissionDenied(_("Only the chat's hosts can carry its questions forward."))
    row = db.execute(select(Post, Thread, Space).join(Thread, Post.thread_id == Thread.id)
                     .join(Space, Thread.space_id == Space.id)
                     .where(Post.id == post_id, Thread.chat_id == chat.id)).first()
    if row is None or policy.post_state(host, row.Post, row.Space) != policy.SHOWN \
            or not policy.can_see_thread_exists(host, row.Thread, row.Space) \
            or not is_open_candidate(row.Post, row.Thread):
        raise NotFound(_("There is no such question in this chat."))
    if row.Space.id != space.id:
        # The next chat is in the chat's own space: a question from a thread moved elsewhere stays there.
        raise ValidationError(_("This question's thread has moved to another space, so it cannot be carried "
                                "into this space's next chat."))
    existing = carried(db, [post_id]).get(post_id)
    if existing is not None:
        raise ValidationError(_("This question has already been carried into a chat."))
    target = next_chat(db, chat)
    if target is None:
        raise ValidationError(_("There is no upcoming chat in this space yet. Create the next chat first, "
                                "then carry the question into it."))
    text = question_text(row.Post.body_source)
    if len(text) < 3:
        raise ValidationError(_("This question has too few words to carry forward."))
    post = row.Post
    question = ProposedQuestion(chat_id=target.id, text=text, source_post_id=post.id,
                                member_id=None if post.anonymous else post.author_id)
    db.add(question)
    db.flush()
    return question


def credits(db: Session, viewer, proposals) -> dict[int, str]:
    """Who asked each carried question, as the viewer may see them named (by proposal id)."""
    sources = {q.id: q.source_post_id for q in proposals if q.source_post_id}
    if not sources:
        return {}
    rows = db.execute(select(Post, Thread, Space).join(Thread, Post.thread_id == Thread.id)
                      .join(Space, Thread.space_id == Space.id).where(Post.id.in_(set(sources.values())))
                      .options(joinedload(Post.author).joinedload(Member.organisation), joinedload(Post.speaker))).all()
    named = {row.Post.id: policy.byline(viewer, row.Post).name for row in rows
             if policy.post_state(viewer, row.Post, row.Space) == policy.SHOWN
             and policy.can_see_thread_exists(viewer, row.Thread, row.Space)}
    return {question_id: named[post_id] for question_id, post_id in sources.items() if post_id in named}


# -- telling the asker -----------------------------------------------------------------------------------------------

def asker_to_tell(db: Session, post: Post) -> int | None:
    """The member to tell that `post` answers their open question: the asker of the chat question it replies to or
    quotes, when nothing answered that question before it; else None."""
    target_id = post.quote_of_id or post.reply_to_id
    if target_id is None:
        return None
    row = db.execute(select(Post, Thread).join(Thread, Post.thread_id == Thread.id)
                     .where(Post.id == target_id)).first()
    if row is None:
        return None
    asked, thread = row.Post, row.Thread
    if thread.chat_id is None or asked.author_id is None or asked.author_id == post.author_id:
        return None
    if not is_open_candidate(asked, thread):
        return None
    earlier = db.scalar(select(Post.id).where(
        Post.id != post.id, or_(Post.reply_to_id == asked.id, Post.quote_of_id == asked.id),
        and_(policy.published_post_filter(), Post.deleted_at.is_(None))).limit(1))
    return None if earlier is not None else asked.author_id
