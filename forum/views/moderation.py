"""Moderation: the overview and the queue of sign-ups waiting for approval."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forum.db import session
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.forms import ReasonForm
from forum.models import Member
from forum.services import membership
from forum.views import bp
from forum.views._helpers import apply_errors, external_url, form_errors, site_name


def _require_moderator() -> None:
    if not current_user.is_moderator:
        raise PermissionDenied("Only moderators can see this page.")


@bp.app_template_global("forum_waiting_count")
def waiting_count() -> int:
    """How many sign-ups wait for a moderator (shown in the header to moderators)."""
    if not current_user.is_authenticated or not current_user.is_moderator:
        return 0
    return membership.count_waiting(session())


@bp.get("/moderation")
@login_required
def moderation():
    """What needs a moderator's attention."""
    _require_moderator()
    return render_template("forum/moderation/index.html", waiting=membership.count_waiting(session()))


@bp.get("/moderation/approvals")
@login_required
def approvals():
    """Sign-ups waiting for approval, each with approve, reject and ask buttons."""
    _require_moderator()
    waiting = membership.waiting_for_approval(session())
    forms = {m.id: ReasonForm(prefix=f"m{m.id}") for m in waiting}
    return render_template("forum/moderation/approvals.html", waiting=waiting, forms=forms, errors=[])


@bp.post("/moderation/approvals/<int:member_id>")
@login_required
def decide_approval(member_id: int):
    """Approve, reject (with a reason) or ask a waiting member for more information."""
    _require_moderator()
    db = session()
    found = db.get(Member, member_id)
    if found is None or found.state != "pending":
        raise NotFound("That person is not waiting for approval.")
    form = ReasonForm(prefix=f"m{member_id}")
    if form.validate_on_submit():
        try:
            if form.approve.data:
                membership.approve(db, found, current_user, site_name(), external_url("forum.home"))
                message = f"{found.display_name} is approved and has been told."
            elif form.reject.data:
                membership.reject(db, found, current_user, form.reason.data or "", site_name())
                message = f"{found.display_name} was turned down and has been told why."
            elif form.ask.data:
                membership.ask_for_information(db, found, current_user, form.reason.data or "", site_name(),
                                               external_url("forum.account"))
                message = f"Your question was sent to {found.display_name}."
            else:
                raise ValidationError("Choose approve, reject or ask.")
            db.commit()
        except ValidationError as exc:
            db.rollback()
            apply_errors(form, exc)
        else:
            flash(message, "success")
            return redirect(url_for("forum.approvals"))
    waiting = membership.waiting_for_approval(db)
    forms = {m.id: (form if m.id == member_id else ReasonForm(prefix=f"m{m.id}")) for m in waiting}
    return render_template("forum/moderation/approvals.html", waiting=waiting, forms=forms,
                           errors=form_errors(form)), 400
