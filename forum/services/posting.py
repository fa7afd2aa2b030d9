"""Starting threads, replying, quoting, editing and deleting posts, with counts kept in step."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from forum import i18n, markup, policy
from forum.db import utcnow
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.i18n import LANGUAGES
from forum.models import Member, Post, PostRevision, Space, Thread

MAX_TITLE = 200


def check_title(title: str) -> str:
    """Return the cleaned title, or raise ValidationError saying what is wrong."""
    title = " ".join(title.split())
    if len(title) < 3:
        raise ValidationError(_("Check the title"), {"title": _("Enter a title of at least 3 characters")})
    if len(title) > MAX_TITLE:
        raise ValidationError(_("Check the title"),
                              {"title": _("Enter a title of at most %(count)s characters", count=MAX_TITLE)})
    return title


def check_body(body: str) -> str:
    """Return the body, or raise ValidationError when it is empty or too long."""
    if not body or not body.strip():
        raise ValidationError(_("Check your post"), {"body": _("Enter the text of your post")})
    if len(body) > markup.MAX_SOURCE_CHARS:
        most = i18n.format_number(markup.MAX_SOURCE_CHARS)
        raise ValidationError(_("Check your post"), {"body": _("Enter at most %(count)s characters", count=most)})
    return body.replace("\r\n", "\n")


def check_language(code: str | None) -> str | None:
    """Return the language a post is written in (a code of forum.i18n.LANGUAGES, or None: not said), or raise."""
    if not code:
        return None
    if code not in LANGUAGES:
        raise ValidationError(_("Check your post"), {"language": _("Choose English or Cymraeg as the post's language")})
    return code


def _check_anonymous(space: Space, anonymous: bool) -> None:
    if anonymous and not space.anonymous_posting:
        raise ValidationError(
            _("Check your post"), {"anonymous": _("This space does not allow posting without your name")}
        )


def needs_approval(db: Session, space: Space, author: Member) -> bool:
    """Does this member's next post in this space wait for a moderator (pre-moderation)?"""
    if space.premoderate_first <= 0 or policy.can_moderate_space(author, space):
        return False
    approved = db.scalar(select(func.count()).select_from(Post).join(Thread, Post.thread_id == Thread.id).where(
        Thread.space_id == space.id, Post.author_id == author.id, Post.awaiting_approval.is_(False)))
    return approved < space.premoderate_first


def add_post(db: Session, thread: Thread, space: Space, post: Post) -> Post:
    """Add a post to a thread and bump the thread's and the space's counts in the same transaction.

    A post that waits for approval is not counted, nor made the thread's latest, until it is approved
    (see moderation.approve_post), so no count or "latest post by" line tells others it exists.
    """
    post.thread_id = thread.id
    db.add(post)
    db.flush()
    if not policy.is_published(post):
        return post
    # SQL-side increments: two writers at once must not lose a count.
    thread.post_count = Thread.post_count + 1
    space.post_count = Space.post_count + 1
    db.flush()
    # "Latest" is set only if this post is later than the stored one, decided by the database: under
    # READ COMMITTED the UPDATE re-checks its WHERE against the row another writer just committed.
    later_than_thread = or_(Thread.last_post_id.is_(None), Thread.last_post_at < post.created_at,
                            and_(Thread.last_post_at == post.created_at, Thread.last_post_id < post.id))
    db.execute(update(Thread).where(Thread.id == thread.id, later_than_thread)
               .values(last_post_at=post.created_at, last_post_id=post.id)
               .execution_options(synchronize_session=False))
    db.execute(update(Space).where(Space.id == space.id, or_(Space.last_post_at.is_(None),
                                                             Space.last_post_at <= post.created_at))
               .values(last_post_at=post.created_at, last_thread_id=thread.id)
               .execution_options(synchronize_session=False))
    db.expire(thread, ["last_post_at", "last_post_id"])
    db.expire(space, ["last_post_at", "last_thread_id"])
    return post


def new_thread(db: Session, space: Space, title: str, created_at: datetime, author: Member | None = None,
               chat_id: int | None = None, question_number: int | None = None, waiting: bool = False) -> Thread:
    """Create an empty thread in a space (its posts are added with add_post); one that waits is not counted."""
    thread = Thread(
        space_id=space.id, title=title, author_id=author.id if author else None, created_at=created_at,
        last_post_at=created_at, chat_id=chat_id, question_number=question_number, awaiting_approval=waiting,
    )
    db.add(thread)
    if not waiting:
        space.thread_count = Space.thread_count + 1
    db.flush()
    return thread


def already_posted(db: Session, author: Member, submission_key: str | None) -> Post | None:
    """The post this form already made, when the same form is submitted again."""
    if not submission_key:
        return None
    return db.scalar(select(Post).where(Post.author_id == author.id, Post.submission_key == submission_key))


def start_thread(
    db: Session, *, space: Space, author: Member, title: str, body: str, anonymous: bool = False,
    submission_key: str | None = None, language: str | None = None,
) -> Thread:
    """Start a thread with its first post (a form submitted twice starts it once)."""
    earlier = already_posted(db, author, submission_key)
    if earlier is not None:
        return db.get(Thread, earlier.thread_id)
    if not policy.can_post_in_space(author, space):
        raise PermissionDenied(_("You cannot start threads in this space"))
    errors: dict[str, str] = {}
    for check, value in ((check_title, title), (check_body, body), (check_language, language)):
        try:
            check(value)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(_("Check your thread"), errors)
    _check_anonymous(space, anonymous)
    now = utcnow()
    waiting = needs_approval(db, space, author)
    thread = new_thread(db, space, check_title(title), now, author, waiting=waiting)
    post = add_post(db, thread, space, Post(
        author_id=author.id, **Post.body_columns(check_body(body)),
        created_at=now, anonymous=anonymous, awaiting_approval=waiting, hidden_at=now if waiting else None,
        submission_key=submission_key or None, language=check_language(language),
    ))
    thread.first_post_id = post.id
    db.flush()
    return thread


def reply(
    db: Session, *, thread: Thread, space: Space, author: Member, body: str,
    quote_of: Post | None = None, anonymous: bool = False, submission_key: str | None = None,
    language: str | None = None,
) -> Post:
    """Reply to a thread, optionally quoting a post from the same space (a form submitted twice posts once)."""
    earlier = already_posted(db, author, submission_key)
    if earlier is not None:
        return earlier
    if not policy.can_reply(author, thread, space):
        if thread.locked and policy.can_post_in_space(author, space):
            raise PermissionDenied(_("This thread is locked: no new replies"))
        raise PermissionDenied(_("You cannot reply in this space"))
    body = check_body(body)
    language = check_language(language)
    _check_anonymous(space, anonymous)
    if quote_of is not None:
        quoted_thread = db.get(Thread, quote_of.thread_id)
        # A quote must never carry words out of a space into another.
        if quoted_thread is None or quoted_thread.space_id != space.id:
            raise NotFound(_("The post you tried to quote does not exist"))
    now = utcnow()
    waiting = needs_approval(db, space, author)
    post = Post(
        author_id=author.id, **Post.body_columns(body), created_at=now,
        quote_of_id=quote_of.id if quote_of else None, anonymous=anonymous,
        awaiting_approval=waiting, hidden_at=now if waiting else None, submission_key=submission_key or None,
        language=language,
    )
    return add_post(db, thread, space, post)


def edit_post(db: Session, *, post: Post, space: Space, editor: Member, body: str,
              language: str | None = None) -> Post:
    """Change a post's text and mark it as edited; `language`, when given, is the one it is now said to be in."""
    if not policy.can_edit_post(editor, post, space):
        raise PermissionDenied(_("You can only edit your own posts"))
    body = check_body(body)
    if language is not None:
        post.language = check_language(language)  # a label, not the words: not an edit, no earlier version
    if body != post.body_source:
        # Keep the version being replaced, for moderators.
        db.add(PostRevision(post_id=post.id, body_source=post.body_source, editor_id=editor.id,
                            written_at=post.edited_at or post.created_at))
        post.set_body(body)
        post.edited_at = utcnow()
    db.flush()
    return post


def delete_post(db: Session, *, post: Post, space: Space, member: Member) -> Post:
    """Delete a post's words but keep its place, so replies and counts stay coherent."""
    if not policy.can_edit_post(member, post, space):
        raise PermissionDenied(_("You can only delete your own posts"))
    post.deleted_at = utcnow()
    post.set_body("")
    # "Your words will be removed": the earlier versions too, or moderators would still read them.
    db.execute(delete(PostRevision).where(PostRevision.post_id == post.id))
    db.flush()
    return post


def quote_source(db: Session, post: Post, viewer, post_url: str | None = None) -> str:
    """The markdown that starts a reply quoting `post`, naming its author as the policy lets the viewer see it
    (the name links to the post at `post_url`)."""
    loaded = db.scalar(select(Post).where(Post.id == post.id).execution_options(populate_existing=True)
                       .options(joinedload(Post.author).joinedload(Member.organisation), joinedload(Post.speaker)))
    return markup.quote(policy.byline(viewer, loaded).name, post.body_source, post_url)


def thread_post_position(db: Session, viewer, post: Post, space: Space) -> int:
    """How many posts the viewer sees before this one in its thread (for finding its page)."""
    return db.scalar(
        select(func.count()).select_from(Post).where(
            Post.thread_id == post.thread_id, policy.listed_posts_in(viewer, space),
            or_(Post.created_at < post.created_at, and_(Post.created_at == post.created_at, Post.id < post.id)),
        )
    ) or 0
