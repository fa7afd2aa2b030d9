"""A space's page, and starting a thread in it."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from forum import markup, policy
from forum.db import session
from forum.errors import PermissionDenied, ValidationError
from forum.forms import ThreadForm
from forum.limits import limiter, posting_limit
from forum.services import posting, reading
from forum.views import bp
from forum.views._helpers import apply_errors, form_errors, page_number


@bp.get("/spaces/<slug>")
def space(slug: str):
    """List a space's threads, pinned first, then by latest activity."""
    db = session()
    space = reading.get_space(db, current_user, slug)
    threads = reading.space_threads(db, space, page_number(), current_app.config["FORUM_THREADS_PER_PAGE"])
    return render_template(
        "forum/space.html", space=space, threads=threads,
        can_post=policy.can_post_in_space(current_user, space),
    )


@bp.route("/spaces/<slug>/new", methods=["GET", "POST"])
@login_required
@limiter.limit(posting_limit, methods=["POST"])
def new_thread(slug: str):
    """Start a thread: write, preview, post."""
    db = session()
    space = reading.get_space(db, current_user, slug)
    if not policy.can_post_in_space(current_user, space):
        raise PermissionDenied("You cannot start threads in this space")
    form = ThreadForm()
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = markup.render(form.body.data)
        else:
            try:
                thread = posting.start_thread(
                    db, space=space, author=current_user, title=form.title.data, body=form.body.data,
                    anonymous=bool(form.anonymous.data),
                )
                db.commit()
            except ValidationError as exc:
                db.rollback()
                apply_errors(form, exc)
            else:
                return redirect(url_for("forum.thread", thread_id=thread.id))
    errors = form_errors(form)
    status = 400 if errors else 200
    return render_template(
        "forum/new_thread.html", space=space, form=form, errors=errors, preview=preview,
    ), status
