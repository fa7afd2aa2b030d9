"""The member directory and members' profiles."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import policy
from forum.db import session
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.forms import DirectoryForm, ReasonForm
from forum.models import Member
from forum.services import site_membership, reading
from forum.views import bp
from forum.views._helpers import attempt, form_errors, page_number

PER_PAGE = 30


def _require_member() -> None:
    if not policy.can_browse_members(current_user):
        raise PermissionDenied(_("The member directory is for approved members. "
                                 "It opens to you once a moderator approves your account."))


@bp.get("/members")
@login_required
def members():
    """List approved members, filtered by sector, organisation, role and champion badge."""
    _require_member()
    form = DirectoryForm(request.args)
    found = reading.member_directory(session(), reading.DirectoryFilters(
        sector=form.sector.data or None, organisation=form.organisation.data or "", role=form.role.data or "",
        champions_only=bool(form.champion.data)), page_number(), PER_PAGE)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("forum/members/index.html", form=form, page=found, filters=filters)


@bp.get("/members/<forum_id:member_id>")
@login_required
def member(member_id: int):
    """A member's profile, and their recent posts in the spaces the viewer may read."""
    _require_member()
    db = session()
    found = db.get(Member, member_id)
    if found is None or not policy.can_view_profile(current_user, found):
        raise NotFound(_("There is no member at this address."))
    recent = reading.member_activity(db, current_user, found)
    form = ReasonForm() if current_user.is_moderator and found.id != current_user.id else None
    return render_template("forum/members/profile.html", member=found, recent=recent, form=form, errors=[])


@bp.post("/members/<forum_id:member_id>/moderate")
@login_required
def moderate_member(member_id: int):
    """Suspend or reinstate a member, or give or take the digital champion badge."""
    if not current_user.is_moderator:
        raise PermissionDenied(_("Only moderators can do that."))
    db = session()
    found = db.get(Member, member_id)
    if found is None or found.state == "deleted":
        raise NotFound(_("There is no member at this address."))
    form = ReasonForm()

    def moderate() -> str:
        if form.suspend.data:
            site_membership.suspend(db, found, current_user, form.reason.data or "")
            return _("%(name)s is suspended and has been signed out.", name=found.display_name)
        if form.unsuspend.data:
            site_membership.unsuspend(db, found, current_user)
            return _("%(name)s can sign in again.", name=found.display_name)
        if form.champion.data or form.unchampion.data:
            site_membership.set_champion(db, found, current_user, bool(form.champion.data))
            return _("Badge updated for %(name)s.", name=found.display_name)
        raise ValidationError(_("Choose what to do."))

    if form.validate_on_submit() and (done := attempt(db, form, moderate)):
        flash(done.value, "success")
        return redirect(url_for("forum.member", member_id=found.id))
    return render_template("forum/members/profile.html", member=found, recent=[], form=form,
                           errors=form_errors(form)), 400
