"""A member's own account: status, profile, password, email, their data, and leaving."""

from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forum import tokens
from forum.db import session, writes_on_get
from forum.errors import ValidationError
from forum.forms import (AnswerForm, ChangeEmailForm, ChangePasswordForm, ConfirmForm, DecisionForm,
                         DeleteAccountForm, ProfileForm)
from forum.models import Member
from forum.services import inbound_mail, site_membership, space_membership
from forum.limits import limiter, signin_limit
from forum.views import bp
from forum.views._helpers import attempt, external_url, first_error, form_errors, site_name
from forum.views.auth import organisation_names, profile_from, send_confirmation


def _render(template: str, errors: list, **context):
    return render_template(template, errors=errors, **context), 400 if errors else 200


@bp.get("/account")
@login_required
def account():
    """The member's own page: where their account stands, and what they can change."""
    return render_template("forum/account/index.html", answer_form=AnswerForm(), resend_form=ConfirmForm(),
                           invitations=space_membership.invitations_for(session(), current_user),
                           decision=DecisionForm(),
                           mail_stopped=inbound_mail.stopped_address(session(), current_user.email))


@bp.post("/account/confirm-again")
@login_required
def resend_confirmation():
    """Send the confirmation link again."""
    form = ConfirmForm()
    if form.validate_on_submit() and not current_user.is_confirmed:
        db = session()
        send_confirmation(db, current_user)
        db.commit()
        flash(_("We have sent a new link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("forum.account"))


@bp.post("/account/answer")
@login_required
def answer_moderators():
    """Answer the moderators' question about a waiting account."""
    form = AnswerForm()
    db = session()
    if form.validate_on_submit():
        if attempt(db, form, lambda: site_membership.answer_information_request(db, current_user, form.answer.data or "")):
            flash(_("Thank you: the moderators can see your answer."), "success")
            return redirect(url_for("forum.account"))
    return _render("forum/account/index.html", form_errors(form), answer_form=form, resend_form=ConfirmForm(),
                   invitations=space_membership.invitations_for(db, current_user), decision=DecisionForm())


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    """Edit one's name, sector, organisation, role, bio and handles."""
    member = current_user
    if request.method == "GET":
        handles = {f"handle_{h.platform}": h.handle for h in member.handles}
        form = ProfileForm(data={
            "display_name": member.display_name, "sector": member.sector or "", "job_role": member.job_role,
            "organisation": member.organisation.name if member.organisation else "", "bio": member.bio_source,
            **handles,
        })
    else:
        form = ProfileForm()
    if form.validate_on_submit():
        db = session()
        if attempt(db, form, lambda: site_membership.update_profile(db, member, profile_from(form))):
            flash(_("Your profile was saved."), "success")
            return redirect(url_for("forum.member", member_id=member.id))
    return _render("forum/account/profile.html", form_errors(form), form=form, organisations=organisation_names())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; every other session ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = session()
        if attempt(db, form, lambda: site_membership.change_password(db, current_user, form.current_password.data or "", form.password.data or "",
                                   current_app.config["FORUM_PASSWORD_HASH"])):
            login_user(current_user._get_current_object())  # this session carries on with the new version
            flash(_("Your password was changed. You have been signed out everywhere else."), "success")
            return redirect(url_for("forum.account"))
    return _render("forum/account/password.html", form_errors(form), form=form)


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def change_email():
    """Change one's email address, confirmed by a link sent to the new one."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        db = session()

        def link(new_email: str) -> str:
            # The address it replaces goes in too: once the change is made, the link stops working.
            token = tokens.make(current_app.config["SECRET_KEY"], "change-email",
                                {"id": current_user.id, "email": new_email, "from": current_user.email})
            return external_url("forum.confirm_email_change", token=token)

        done = attempt(db, form, lambda: site_membership.request_email_change(db, current_user, form.email.data or "",
                                                    form.password.data or "", link, site_name()))
        if done:
            new_email = done.value
            flash(_("We have sent a link to %(email)s. Your address changes when you open it.", email=new_email),
                  "success")
            return redirect(url_for("forum.account"))
    return _render("forum/account/email.html", form_errors(form), form=form)


@bp.get("/account/email/<token>")
@writes_on_get
def confirm_email_change(token: str):
    """Follow the link sent to a new address."""
    db = session()
    payload = tokens.read(current_app.config["SECRET_KEY"], "change-email", token)
    member = db.get(Member, payload.get("id"))
    if member is None or member.state == "deleted":
        raise ValidationError(_("This link is not valid any more."))
    site_membership.confirm_email_change(db, member, payload.get("email"), payload.get("from"))
    db.commit()
    flash(_("Your email address is now %(email)s.", email=member.email), "success")
    return redirect(url_for("forum.account") if current_user.is_authenticated else url_for("forum.login"))


@bp.get("/account/data")
@login_required
def download_data():
    """Download everything the forum holds about you, as JSON."""
    data = site_membership.export_data(session(), current_user)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="afterchat-my-data.json"', "Cache-Control": "no-store"},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete one's account; posts stay, shown as written by a former member. A member with no password
    (a work account only) is offered an emailed link instead (#23)."""
    if not current_user.password_hash:
        return render_template("forum/account/delete.html", errors=[], form=None, email_form=ConfirmForm())
    form = DeleteAccountForm()
    if form.validate_on_submit():
        db = session()
        if attempt(db, form, lambda: site_membership.delete_account(db, current_user, form.password.data or "")):
            logout_user()
            flash(_("Your account has been deleted. Your posts remain, shown as written by a former member."),
                  "success")
            return redirect(url_for("forum.home"))
    return _render("forum/account/delete.html", form_errors(form), form=form)


def _deletion_link(member) -> str:
    token = tokens.make(current_app.config["SECRET_KEY"], "delete-account", site_membership.deletion_payload(member))
    return external_url("forum.confirm_delete_account", token=token)


@bp.post("/account/delete/email")
@login_required
@limiter.limit(signin_limit, methods=["POST"])
def email_deletion_link():
    """Email a member with no password a short-lived link that deletes their account (#23)."""
    form = ConfirmForm()
    db = session()
    if not form.validate_on_submit():
        flash(_("That form had expired, so nothing was sent. Try again."), "error")
    elif attempt(db, form, lambda: site_membership.send_deletion_link(db, current_user, _deletion_link(current_user),
                                                                 site_name())):
        flash(_("We have sent a link to %(email)s. Open it within an hour, signed in, to delete your account.",
                email=current_user.email), "success")
        return redirect(url_for("forum.account"))
    else:
        flash(first_error(form), "error")
    return redirect(url_for("forum.delete_account"))


@bp.route("/account/delete/<token>", methods=["GET", "POST"])
@login_required
def confirm_delete_account(token: str):
    """The emailed deletion link: it works only for the member it was sent to, signed in; a button deletes."""
    db = session()
    payload = tokens.read(current_app.config["SECRET_KEY"], "delete-account", token)
    if payload != site_membership.deletion_payload(current_user) or current_user.password_hash:
        raise ValidationError(_("This link is not valid any more. Ask for a new one from the Delete your account "
                                "page."))
    form = ConfirmForm()
    if form.validate_on_submit() and attempt(db, form, lambda: site_membership.delete_account_by_link(
            db, current_user, payload)):
        logout_user()
        flash(_("Your account has been deleted. Your posts remain, shown as written by a former member."),
              "success")
        return redirect(url_for("forum.home"))
    return render_template("forum/account/delete_confirm.html", form=form, token=token, errors=form_errors(form))
