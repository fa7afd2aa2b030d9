"""Keeping one's place: marking threads as read, and posts saved for later with a private note (#22)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import OperationalError

from forum.db import session, write_transactions
from forum.errors import NotFound, ValidationError
from forum.forms import ConfirmForm, SavedNoteForm
from forum.limits import limiter, posting_limit
from forum.services import moderation, read_state, reading, saved
from forum.views import bp
from forum.views._helpers import EXPIRED, attempt, form_errors, page_number, safe_next


def _member_key() -> str:
    """Limit per member, not per address: a council's staff often share one."""
    return f"member:{current_user.get_id()}"


def _checked_form() -> None:
    """A button-only form's CSRF token must be good; an expired one is a 400 that says so and changes nothing."""
    if not ConfirmForm().validate_on_submit():
        raise ValidationError(str(EXPIRED))


def remember_read(db, thread_id: int, posts: list, marks: read_state.ThreadMarks | None = None) -> None:
    """Record that the member has read a thread up to the last post on the page they were just shown.

    Called after the page is rendered: the page's reads end in their own transaction, and the one
    UPSERT then runs in a transaction begun IMMEDIATE on SQLite (the reason `writes_on_get` exists: a
    read transaction that turns into a write fails at once when another writer got in between),
    holding the write lock for that one statement only, and never for a visitor, who writes nothing.
    A database too busy to take it costs the read mark, never the page. A page the member had already
    read to its end (`marks`, their position when the page was made) writes nothing.
    """
    member = read_state.reader(current_user)
    if member is None or not posts:
        return
    member_id, last = member.id, posts[-1]
    post_id, created_at = last.id, last.created_at
    if marks is not None and marks.has_read(post_id, created_at):
        return
    db.commit()
    with write_transactions():
        try:
            read_state.mark_read(db, member_id, thread_id, post_id, created_at)
            db.commit()
        except OperationalError:
            db.rollback()
            current_app.logger.warning("Could not record that member %s read thread %s", member_id, thread_id)


@bp.get("/threads/<forum_id:thread_id>/unread")
def first_unread(thread_id: int):
    """Go to the first post of a thread the member has not read, on its page (the "N new" links lead here);
    a thread they never opened, or anyone else, goes to its first page."""
    db = session()
    try:
        thread, space = reading.get_thread(db, current_user, thread_id)
    except NotFound:
        merged_into = moderation.redirect_for(db, current_user, thread_id)
        if merged_into is None:
            raise
        return redirect(url_for("forum.thread", thread_id=merged_into))
    marks = read_state.thread_marks(db, current_user, thread, space, current_app.config["FORUM_POSTS_PER_PAGE"])
    if marks.first_unread_id is None or not marks.read_before:
        return redirect(url_for("forum.thread", thread_id=thread.id))
    page = {"page": marks.first_unread_page} if marks.first_unread_page > 1 else {}
    return redirect(url_for("forum.thread", thread_id=thread.id, **page, _anchor=f"post-{marks.first_unread_id}"))


@bp.post("/read")
@login_required
@limiter.limit(posting_limit, key_func=_member_key)
def mark_all_read():
    """Mark every thread the member can see as read."""
    _checked_form()
    db = session()
    read_state.mark_all_read(db, current_user)
    db.commit()
    flash(_("Everything is marked as read."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("forum.home")))


@bp.post("/spaces/<slug>/read")
@login_required
@limiter.limit(posting_limit, key_func=_member_key)
def mark_space_read(slug: str):
    """Mark every thread in one space as read."""
    db = session()
    space = reading.get_space(db, current_user, slug)
    _checked_form()
    read_state.mark_all_read(db, current_user, space)
    db.commit()
    flash(_("Every thread in %(name)s is marked as read.", name=space.name), "success")
    return redirect(url_for("forum.space", slug=space.slug))


@bp.post("/posts/<forum_id:post_id>/save")
@login_required
@limiter.limit(posting_limit, key_func=_member_key)
def save_post(post_id: int):
    """Save a post for later; it goes to the top of the member's saved posts."""
    db = session()
    post, _thread, _space = reading.get_shown_post(db, current_user, post_id)
    _checked_form()
    saved.save(db, current_user, post)
    db.commit()
    flash(_("Saved. You will find it under Saved posts."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("forum.post", post_id=post.id)))


@bp.post("/posts/<forum_id:post_id>/unsave")
@login_required
@limiter.limit(posting_limit, key_func=_member_key)
def unsave_post(post_id: int):
    """Take a post off the member's saved posts (also one they can no longer see)."""
    db = session()
    _checked_form()
    if saved.unsave(db, current_user, post_id):
        flash(_("Removed from your saved posts."), "success")
    db.commit()
    return redirect(safe_next(request.form.get("next"), url_for("forum.post", post_id=post_id)))


@bp.get("/saved")
@login_required
def saved_posts():
    """The member's saved posts, newest first, with their notes."""
    db = session()
    items = saved.saved_page(db, current_user, page_number(), current_app.config["FORUM_POSTS_PER_PAGE"])
    return render_template("forum/saved.html", items=items)


@bp.route("/saved/<forum_id:saved_id>/note", methods=["GET", "POST"])
@login_required
def saved_note(saved_id: int):
    """Write or change the private note on a saved post."""
    db = session()
    item = saved.saved_item(db, current_user, saved_id)
    form = SavedNoteForm(data={"note": item.saved.note} if request.method == "GET" else None)
    if form.validate_on_submit() and attempt(db, form, lambda: saved.set_note(item.saved, form.note.data or "")):
        flash(_("Your note was saved."), "success")
        return redirect(url_for("forum.saved_posts", _anchor=f"saved-{item.saved.id}"))
    errors = form_errors(form)
    return render_template("forum/saved_note.html", item=item, form=form, errors=errors), 400 if errors else 200

