"""Moderation: the overview and the queue of sign-ups waiting for approval."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from forum import emails, oidc
from forum.db import session
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.forms import DecisionForm, ReasonForm
from forum.models import Handle, Member, Speaker
from forum.services import site_membership, speakers
from forum.views import bp
from forum.views._helpers import attempt, external_url, first_error, form_errors, site_name


def _require_moderator() -> None:
    if not current_user.is_moderator:
        raise PermissionDenied(_("Only moderators can see this page."))


@bp.app_template_global("forum_waiting_count")
def waiting_count() -> int:
    """How many sign-ups wait for a moderator (shown in the header to moderators)."""
    if not current_user.is_authenticated or not current_user.is_moderator:
        return 0
    return site_membership.count_waiting(session())


@bp.get("/moderation/approvals")
@login_required
def approvals():
    """Sign-ups waiting for approval, each with approve, reject and ask buttons."""
    _require_moderator()
    db = session()
    waiting = site_membership.waiting_for_approval(db)
    forms = {m.id: ReasonForm(prefix=f"m{m.id}") for m in waiting}
    return render_template("forum/moderation/approvals.html", waiting=waiting, forms=forms, errors=[],
                           work_accounts=_work_accounts(db, waiting))


_ENTRA_TENANT = re.compile(r"/([0-9A-Za-z._-]+)/v2\.0/?$")  # Entra ID's issuer names the tenant: .../<tid>/v2.0


@dataclass(frozen=True)
class WorkAccount:
    """How a waiting member came in through a work account, for the moderator deciding (#23)."""

    label: str            # the provider as the sign-in page names it ("Microsoft")
    domain: str | None    # the verified address's domain
    tenant: str | None    # the Entra ID tenant, when the issuer names one
    issuer: str


def _work_accounts(db, waiting) -> dict[int, list[WorkAccount]]:
    """Each waiting member's linked work accounts (one query for them all)."""
    found = site_membership.sign_ins_of(db, [m.id for m in waiting])
    accounts: dict[int, list[WorkAccount]] = {}
    for member_id, identities in found.items():
        for identity in identities:
            provider = oidc.provider(identity.provider)
            label = provider.label if provider else (_("The host site") if identity.provider == "host"
                                                     else identity.provider)
            tenant = _ENTRA_TENANT.search(identity.issuer)
            accounts.setdefault(member_id, []).append(WorkAccount(
                label=label, domain=emails.domain(identity.email), tenant=tenant.group(1) if tenant else None,
                issuer=identity.issuer))
    return accounts


@bp.post("/moderation/approvals/<forum_id:member_id>")
@login_required
def decide_approval(member_id: int):
    """Approve, reject (with a reason) or ask a waiting member for more information."""
    _require_moderator()
    db = session()
    found = db.get(Member, member_id)
    if found is None or found.state != "pending":
        raise NotFound(_("That person is not waiting for approval."))
    form = ReasonForm(prefix=f"m{member_id}")
    def decide() -> str:
        if form.approve.data:
            site_membership.approve(db, found, current_user, site_name(), external_url("forum.home"))
            return _("%(name)s is approved and has been told.", name=found.display_name)
        if form.reject.data:
            site_membership.reject(db, found, current_user, form.reason.data or "", site_name())
            return _("%(name)s was turned down and has been told why.", name=found.display_name)
        if form.ask.data:
            site_membership.ask_for_information(db, found, current_user, form.reason.data or "", site_name(),
                                           external_url("forum.account"))
            return _("Your question was sent to %(name)s.", name=found.display_name)
        raise ValidationError(_("Choose approve, reject or ask."))

    if form.validate_on_submit() and (done := attempt(db, form, decide)):
        flash(done.value, "success")
        return redirect(url_for("forum.approvals"))
    waiting = site_membership.waiting_for_approval(db)
    forms = {m.id: (form if m.id == member_id else ReasonForm(prefix=f"m{m.id}")) for m in waiting}
    return render_template("forum/moderation/approvals.html", waiting=waiting, forms=forms,
                           errors=form_errors(form), work_accounts=_work_accounts(db, waiting)), 400


@bp.get("/moderation/handles")
@login_required
def handle_claims():
    """Handles members have claimed, for moderators to confirm."""
    _require_moderator()
    return render_template("forum/moderation/handles.html", claims=speakers.unconfirmed_claims(session()),
                           decision=DecisionForm())


@bp.post("/moderation/handles/<forum_id:handle_id>")
@login_required
def decide_handle(handle_id: int):
    """Confirm a claim (attributing that speaker's imported posts to the member) or turn it down."""
    _require_moderator()
    db = session()
    handle = db.get(Handle, handle_id)
    if handle is None:
        raise NotFound(_("There is no such claim."))
    form = DecisionForm()
    def decide() -> str:
        if form.accept.data:
            count = speakers.confirm_claim(db, handle, current_user)
            return ngettext("Confirmed: %(num)s imported post is now shown as %(name)s's.",
                            "Confirmed: %(num)s imported posts are now shown as %(name)s's.", count,
                            name=handle.member.display_name)
        speakers.reject_claim(db, handle, current_user)
        return _("The claim was turned down.")

    if form.validate_on_submit():
        done = attempt(db, form, decide)
        flash(done.value if done else first_error(form), "success" if done else "error")
    return redirect(url_for("forum.handle_claims"))


@bp.route("/speakers/<forum_id:speaker_id>/hide", methods=["GET", "POST"])
@login_required
def hide_speaker(speaker_id: int):
    """Hide everything one imported speaker said, at their request."""
    _require_moderator()
    db = session()
    speaker = db.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFound(_("There is no such speaker."))
    form = ReasonForm()
    if form.validate_on_submit():
        done = attempt(db, form, lambda: speakers.hide_speaker(db, speaker, current_user, form.reason.data or ""))
        if done:
            count = done.value
            flash(ngettext("Hid %(num)s post by %(name)s.", "Hid %(num)s posts by %(name)s.", count,
                           name=speaker.display_name), "success")
            return redirect(url_for("forum.moderation"))
    errors = form_errors(form)
    return render_template("forum/moderation/hide_speaker.html", speaker=speaker, form=form,
                           errors=errors), 400 if errors else 200
