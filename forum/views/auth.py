"""Signing in, registering and signing out."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from forum import emails, i18n, oidc, tokens
from forum.db import session, writes_on_get
from forum.errors import ValidationError
from forum.forms import ConfirmForm, EmailForm, NewPasswordForm, RegisterForm, SignInForm
from forum.limits import account_key, limiter, signin_limit
from forum.models import Member, Organisation
from forum.services import accounts, site_membership
from forum.settings import trusted_domains
from forum.views import bp
from forum.views._helpers import attempt, external_url, form_errors, safe_next, site_name


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
@limiter.limit(signin_limit, methods=["POST"], key_func=account_key)
def login():
    """Sign in with email and password; the same message for an unknown email and a wrong password."""
    next_url = safe_next(request.values.get("next"), url_for("forum.home"))
    if current_app.extensions["forum"].member_loader is not None:
        return _host_sign_in(next_url)
    form = SignInForm()
    if form.validate_on_submit():
        db = session()
        member = accounts.authenticate(
            db, form.email.data, form.password.data, current_app.config["FORUM_PASSWORD_HASH"]
        )
        refusal = accounts.sign_in_refusal(member) if member else None
        if member is None:
            form.email.errors = [_("The email address or password is not right")]
        elif refusal:
            form.form_errors.append(refusal)
        else:
            _start_session(member, remember=form.remember.data)
            flash(_("Signed in as %(name)s.", name=member.display_name), "success")
            return redirect(next_url)
    status = 400 if form.is_submitted() else 200
    return render_template("forum/auth/login.html", form=form, errors=form_errors(form), next=next_url,
                           sign_in_providers=list(oidc.providers().values())), status


def _host_sign_in(next_url: str):
    """In a host app that signs people in itself (member_loader): its own sign-in page, never the forum's."""
    view = getattr(getattr(current_app, "login_manager", None), "login_view", None)
    if view and view != "forum.login":
        return redirect(url_for(view, next=next_url))
    return render_template("forum/errors/error.html", code=403, message=(
        _("This forum is part of a larger site: sign in to that site, then come back."))), 403


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
@limiter.limit(signin_limit, methods=["POST"], key_func=account_key)
def register():
    """Sign up as a peer: name, email, password, sector, organisation, role and optional handles.

    The answer is the same whether or not the address already has an account; the email says which.
    """
    form = RegisterForm()
    if form.validate_on_submit():
        db = session()
        done = attempt(db, form, lambda: site_membership.sign_up(
            db, email=form.email.data or "", password=form.password.data or "",
            profile=profile_from(form), password_method=current_app.config["FORUM_PASSWORD_HASH"],
            outgoing=site_membership.SignUpMail(confirm_link=confirmation_link, reset_link=reset_link,
                                           site_name=site_name()),
            language=i18n.chosen_language(),
        ))
        if done:
            address = done.value
            return render_template("forum/auth/register_sent.html", email=address)
    status = 400 if form.is_submitted() else 200
    return render_template("forum/auth/register.html", form=form, errors=form_errors(form),
                           organisations=organisation_names()), status


def profile_from(form) -> site_membership.Profile:
    """The profile fields of a sign-up or profile form."""
    return site_membership.Profile(
        display_name=form.display_name.data or "", sector=form.sector.data or None,
        organisation=form.organisation.data, job_role=form.job_role.data,
        bio=getattr(form, "bio", None) and (form.bio.data or "") or "", handles=form.handles(),
    )


def organisation_names() -> list[str]:
    """Every organisation's name, for the sign-up form's suggestions."""
    return list(session().scalars(select(Organisation.name).order_by(Organisation.name)))


def confirmation_link(member) -> str:
    """The emailed link that confirms a member's address (for three days)."""
    token = tokens.make(current_app.config["SECRET_KEY"], "confirm-email", {"id": member.id, "email": member.email})
    return external_url("forum.confirm_email", token=token)


def reset_link(member) -> str:
    """The emailed link that lets a member choose a new password (once, for an hour)."""
    token = tokens.make(current_app.config["SECRET_KEY"], "reset-password",
                        {"id": member.id, "v": member.session_version})
    return external_url("forum.reset_password", token=token)


def send_confirmation(db, member) -> None:
    site_membership.send_confirmation(db, member, confirmation_link(member), site_name())


@bp.get("/confirm/<token>")
@writes_on_get
def confirm_email(token: str):
    """Follow the emailed link: confirm the address, and approve at once at a trusted domain."""
    db = session()
    payload = tokens.read(current_app.config["SECRET_KEY"], "confirm-email", token)
    member = db.get(Member, payload.get("id"))
    if member is None:
        raise ValidationError(_("This link is not valid any more. Ask for a new one."))
    outcome = site_membership.confirm_email(
        db, member, payload.get("email"), trusted_domains(current_app.config["FORUM_TRUSTED_EMAIL_DOMAINS"]),
        site_name(),
    )
    db.commit()
    if outcome == "approved":
        flash(_("Your email address is confirmed and your account is ready: welcome."), "success")
    elif outcome == "waiting":
        flash(_("Your email address is confirmed. A moderator will look at your account soon; "
              "we will email you when it is approved."), "success")
    else:
        flash(_("Your email address is confirmed."), "success")
    return redirect(url_for("forum.account") if current_user.is_authenticated else url_for("forum.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
@limiter.limit(signin_limit, methods=["POST"], key_func=account_key)
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the email is known."""
    form = EmailForm()
    if form.validate_on_submit():
        db = session()
        if attempt(db, form, lambda: site_membership.request_password_reset(db, form.email.data or "", reset_link, site_name())):
            return render_template("forum/auth/reset_sent.html", email=emails.normalise(form.email.data))
    errors = form_errors(form)
    return render_template("forum/auth/forgot.html", form=form, errors=errors), 400 if errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link (works once, for an hour)."""
    db = session()
    payload = tokens.read(current_app.config["SECRET_KEY"], "reset-password", token)
    member = db.get(Member, payload.get("id"))
    if member is None or member.session_version != payload.get("v") or member.state in ("deleted", "rejected"):
        raise ValidationError(_("This link has already been used or is no longer valid. Ask for a new one."))
    form = NewPasswordForm()
    if form.validate_on_submit():
        if attempt(db, form, lambda: site_membership.set_password(db, member, form.password.data or "", current_app.config["FORUM_PASSWORD_HASH"])):
            logout_user()
            flash(_("Your password has been changed. Sign in with your new password."), "success")
            return redirect(url_for("forum.login"))
    errors = form_errors(form)
    return render_template("forum/auth/reset.html", form=form, errors=errors, token=token), 400 if errors else 200


@bp.post("/logout")
def logout():
    """Sign out (POST only, with a CSRF token, so a link on another site cannot sign anyone out)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("forum/errors/error.html", code=400, message=(
            _("Your sign-out form had expired, so you are still signed in. Use the Sign out button again.")
        )), 400
    from forum.security import end_sessions
    end_sessions()  # bumps session_version: copies of this cookie (and other devices) are signed out too
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("forum.home"))


def _start_session(member, remember: bool) -> None:
    # A fresh session at sign-in, so an id planted before it is worth nothing afterwards.
    from flask import session as cookie_session
    cookie_session.clear()
    login_user(member, remember=remember)
