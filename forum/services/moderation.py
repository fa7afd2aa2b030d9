"""Moderation: reports, hiding and restoring posts, thread tools, pre-moderation, and the log.

Site moderators act everywhere; a space's hosts act only in their space. Every action is logged.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from forum import mail, policy
from forum.db import utcnow
from forum.errors import PermissionDenied, ValidationError
from forum.i18n import in_language
from forum.models import (Member, ModerationLogEntry, Post, Report, Space, SpaceMembership, Thread,
                          ThreadRedirect)
from forum.services import moderation_log
from forum.services.pages import Page, check_page_number
from forum.services.posting import check_title
from forum.services.threads import recount_space, recount_thread

LOG_PER_PAGE = 50


def _require(viewer, space: Space) -> None:
    if not policy.can_moderate_space(viewer, space):
        raise PermissionDenied(_("Only this space's hosts and the site's moderators can do that."))


def moderated_space_ids(db: Session, viewer) -> list[int] | None:
    """The spaces the viewer moderates: None meaning all of them (site moderators)."""
    if viewer.is_moderator:
        return None
    return list(db.scalars(select(SpaceMembership.space_id).where(
        SpaceMembership.member_id == viewer.id, SpaceMembership.role == "host")))


# -- reports ------------------------------------------------------------------------------------------------------

def report(db: Session, post: Post, space: Space, reporter: Member, reason: str) -> Report:
    """A member reports a post they can read, saying why."""
    if not reporter.is_approved:
        raise PermissionDenied(_("Only approved members can report posts."))
    reason = " ".join((reason or "").split())
    if len(reason) < 5 or len(reason) > 1000:
        raise ValidationError(_("Say what is wrong"),
                              {"reason": _("Enter what is wrong with the post, 5 to 1,000 characters")})
    existing = db.scalar(select(Report).where(Report.post_id == post.id, Report.reporter_id == reporter.id,
                                              Report.status == "open"))
    if existing is not None:
        raise ValidationError(_("You have already reported this post; the moderators will look at it."))
    entry = Report(post_id=post.id, reporter_id=reporter.id, reason=reason)
    db.add(entry)
    db.flush()
    return entry


def open_reports(db: Session, viewer) -> list[Report]:
    """Open reports in the spaces the viewer moderates, oldest first."""
    query = (select(Report).join(Post, Report.post_id == Post.id).join(Thread, Post.thread_id == Thread.id)
             .where(Report.status == "open", Post.removed_at.is_(None))
             .options(joinedload(Report.post).joinedload(Post.thread))
             .order_by(Report.created_at))
    spaces = moderated_space_ids(db, viewer)
    if spaces is not None:
        query = query.where(Thread.space_id.in_(spaces))
    return list(db.scalars(query).unique())


def _tell_reporters(db: Session, post: Post, hidden: bool, site_name: str, link: str) -> None:
    """Email each open report's reporter, in their own language, whether the post was hidden or stays."""
    reports = db.scalars(select(Report).where(Report.post_id == post.id, Report.status == "open")).all()
    for entry in reports:
        if entry.reporter is not None and entry.reporter.email:
            with in_language(entry.reporter.language):
                outcome = (_("A moderator has hidden the post.") if hidden
                           else _("A moderator has looked at the post and decided it can stay."))
                mail.queue(db, entry.reporter.email, _("About the post you reported on %(site)s", site=site_name),
                           _("Hello %(name)s,\n\nThank you for your report. %(outcome)s",
                             name=entry.reporter.display_name, outcome=outcome) + f"\n\n{link}\n")


def _resolve(db: Session, post: Post, moderator: Member, status: str) -> None:
    db.execute(update(Report).where(Report.post_id == post.id, Report.status == "open").values(
        status=status, resolved_by_id=moderator.id, resolved_at=utcnow()))


def hide_post(db: Session, post: Post, space: Space, moderator: Member, reason: str, site_name: str,
              link: str) -> None:
    """Hide a post: members see "hidden by a moderator", moderators still see it; reporters are told."""
    _require(moderator, space)
    if post.hidden_at is not None:
        raise ValidationError(_("That post is already hidden."))
    post.hidden_at = utcnow()
    _tell_reporters(db, post, True, site_name, link)
    _resolve(db, post, moderator, "hidden")
    moderation_log.record(db, moderator, "hide_post", "post", post.id, reason)


def restore_post(db: Session, post: Post, space: Space, moderator: Member, reason: str) -> None:
    """Show a hidden post again."""
    _require(moderator, space)
    if post.hidden_at is None:
        raise ValidationError(_("That post is not hidden."))
    post.hidden_at = None
    moderation_log.record(db, moderator, "restore_post", "post", post.id, reason)


def dismiss_reports(db: Session, post: Post, space: Space, moderator: Member, reason: str, site_name: str,
                    link: str) -> None:
    """Decide a post may stay; reporters are told."""
    _require(moderator, space)
    _tell_reporters(db, post, False, site_name, link)
    _resolve(db, post, moderator, "dismissed")
    moderation_log.record(db, moderator, "dismiss_report", "post", post.id, reason)


# -- thread tools -------------------------------------------------------------------------------------------------

def lock(db: Session, thread: Thread, space: Space, moderator: Member, locked: bool, reason: str = "") -> None:
    """Lock a thread (no replies; the notice says why) or unlock it."""
    _require(moderator, space)
    if locked and not (reason or "").strip():
        raise ValidationError(_("Say why"), {"reason": _("Enter why the thread is locked; members will see it")})
    thread.locked, thread.lock_reason = locked, (reason or "").strip() or None if locked else None
    moderation_log.record(db, moderator, "lock_thread" if locked else "unlock_thread", "thread", thread.id, reason)


def pin(db: Session, thread: Thread, space: Space, moderator: Member, pinned: bool) -> None:
    """Pin a thread to the top of its space, or unpin it."""
    _require(moderator, space)
    thread.pinned = pinned
    moderation_log.record(db, moderator, "pin_thread" if pinned else "unpin_thread", "thread", thread.id)


def rename(db: Session, thread: Thread, space: Space, moderator: Member, title: str) -> None:
    """Give a thread a better title."""
    _require(moderator, space)
    old, thread.title = thread.title, check_title(title)
    moderation_log.record(db, moderator, "rename_thread", "thread", thread.id, None, old=old, new=thread.title)


def split(db: Session, thread: Thread, space: Space, moderator: Member, post_ids: list[int], title: str) -> Thread:
    """Move some replies into a new thread in the same space."""
    _require(moderator, space)
    title = check_title(title)
    posts = db.scalars(select(Post).where(Post.thread_id == thread.id, Post.id.in_(post_ids))
                       .order_by(Post.created_at, Post.id)).all()
    if not posts:
        raise ValidationError(_("Choose the replies to move"), {"posts": _("Tick at least one reply")})
    if any(p.id == thread.first_post_id for p in posts):
        raise ValidationError(_("Leave the first post"), {"posts": _("The thread's first post stays; choose replies")})
    new = Thread(space_id=space.id, title=title, author_id=policy.thread_author_id(posts[0].author_id, posts[0].anonymous),
                 created_at=posts[0].created_at, last_post_at=posts[-1].created_at, chat_id=thread.chat_id)
    db.add(new)
    db.flush()
    for post in posts:
        post.thread_id = new.id
        if post.reply_to_id and post.reply_to_id not in {p.id for p in posts}:
            post.reply_to_id = None  # its parent stayed behind
    db.flush()
    recount_thread(db, thread)
    recount_thread(db, new)
    recount_space(db, space)
    moderation_log.record(db, moderator, "split_thread", "thread", thread.id, None, new_thread=new.id,
                          posts=[p.id for p in posts])
    return new


def merge(db: Session, source: Thread, source_space: Space, target: Thread, target_space: Space,
          moderator: Member) -> None:
    """Merge one thread into another: its posts join the target in time order; old links lead there."""
    _require(moderator, source_space)
    _require(moderator, target_space)
    if source.id == target.id:
        raise ValidationError(_("Choose another thread"), {"target": _("A thread cannot be merged into itself")})
    db.execute(update(Post).where(Post.thread_id == source.id).values(thread_id=target.id))
    db.execute(update(ThreadRedirect).where(ThreadRedirect.thread_id == source.id).values(thread_id=target.id))
    db.add(ThreadRedirect(old_id=source.id, thread_id=target.id))
    source_id = source.id
    db.execute(update(Thread).where(Thread.id == source_id).values(first_post_id=None, last_post_id=None))
    db.flush()
    db.delete(source)
    db.flush()
    recount_thread(db, target)
    recount_space(db, source_space)
    if target_space.id != source_space.id:
        recount_space(db, target_space)
    moderation_log.record(db, moderator, "merge_thread", "thread", target.id, None, merged=source_id)


def redirect_for(db: Session, viewer, thread_id: int) -> int | None:
    """The thread a merged thread now lives in, if the viewer may read it; else None, as for no such thread.

    The old id tells nobody anything: a viewer who cannot read the thread it was merged into gets the
    same answer as for an id that never existed.
    """
    row = db.execute(select(Thread, Space).join(ThreadRedirect, ThreadRedirect.thread_id == Thread.id)
                     .join(Space, Thread.space_id == Space.id).where(ThreadRedirect.old_id == thread_id)).first()
    if row is None or not policy.can_see_thread_exists(viewer, row.Thread, row.Space):
        return None
    return row.Thread.id


# -- pre-moderation -------------------------------------------------------------------------------------------------

def awaiting(db: Session, viewer) -> list[Post]:
    """Posts waiting for approval in the spaces the viewer moderates."""
    query = (select(Post).join(Thread, Post.thread_id == Thread.id)
             .where(Post.awaiting_approval.is_(True), Post.removed_at.is_(None))
             .options(joinedload(Post.thread), joinedload(Post.author).joinedload(Member.organisation),
                      joinedload(Post.speaker))
             .order_by(Post.created_at))
    spaces = moderated_space_ids(db, viewer)
    if spaces is not None:
        query = query.where(Thread.space_id.in_(spaces))
    return list(db.scalars(query).unique())


def approve_post(db: Session, post: Post, thread: Thread, space: Space, moderator: Member, approve: bool) -> None:
    """Let a waiting post appear, counted from now on, or reject it (only its author and moderators see it)."""
    _require(moderator, space)
    if not post.awaiting_approval:
        raise ValidationError(_("That post is not waiting for approval."))
    post.awaiting_approval = False
    if approve:
        post.hidden_at = None
        if thread.first_post_id == post.id:
            thread.awaiting_approval = False
    else:
        post.rejected_at = utcnow()
    db.flush()
    recount_thread(db, thread)
    db.flush()
    recount_space(db, space)
    moderation_log.record(db, moderator, "approve_post" if approve else "reject_post", "post", post.id)


# -- the log ----------------------------------------------------------------------------------------------------------

def log_page(db: Session, number: int, action: str | None = None, actor: str | None = None) -> Page:
    """A page of the moderation log, newest first, filtered by action and by who acted."""
    query = select(ModerationLogEntry).options(joinedload(ModerationLogEntry.actor))
    if action:
        query = query.where(ModerationLogEntry.action == action)
    if actor:
        query = query.join(Member, ModerationLogEntry.actor_id == Member.id).where(
            func.lower(Member.display_name).contains(actor.strip().lower(), autoescape=True))
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    number = check_page_number(number, total, LOG_PER_PAGE)
    entries = db.scalars(query.order_by(ModerationLogEntry.created_at.desc(), ModerationLogEntry.id.desc())
                         .offset((number - 1) * LOG_PER_PAGE).limit(LOG_PER_PAGE)).all()
    return Page(list(entries), number, LOG_PER_PAGE, total)


def log_actions(db: Session) -> list[str]:
    return list(db.scalars(select(ModerationLogEntry.action).distinct().order_by(ModerationLogEntry.action)))
