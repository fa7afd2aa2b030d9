"""Signing in with an organisation's account (OpenID Connect), the first sign-in's welcome, linking and unlinking."""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, request, session as cookie_session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from forum import oidc
from forum.db import session, writes_on_get
from forum.errors import ValidationError
from forum.forms import ConfirmForm, LinkSignInForm, WelcomeForm
from forum.limits import limiter, signin_limit
from forum.services import accounts, sign_in_providers
from forum.settings import trusted_domains
from forum.views import bp
from forum.views._helpers import attempt, external_url, form_errors, safe_next

_LINK_KEY = "forum_oidc_link"
LINK_SECONDS = 300  # from giving one's password to leaving for the provider


@bp.errorhandler(oidc.SignInFailure)
def _sign_in_failed(error: oidc.SignInFailure):
    return render_template("forum/auth/sign_in_failed.html", title=error.title, message=error.message), error.status


def _provider(name: str) -> oidc.Provider:
    found = oidc.provider(name)
    if found is None:
        abort(404)
    return found


def _callback_url(provider: oidc.Provider) -> str:
    # The address registered with the provider: from FORUM_BASE_URL, never from the request's Host.
    return external_url("forum.oidc_callback", name=provider.name)


@bp.get("/login/with/<name>")
@limiter.limit(signin_limit)
def oidc_start(name: str):
    """Send the browser to the provider to sign in (a plain link from the sign-in page: no JavaScript)."""
    provider = _provider(name)
    if request.args.get("link"):
        return redirect(oidc.authorization_url(provider, _callback_url(provider), _link_purpose(provider)))
    next_url = safe_next(request.args.get("next"), url_for("forum.home"))
    return redirect(oidc.authorization_url(provider, _callback_url(provider), {"next": next_url}))


def _link_purpose(provider: oidc.Provider) -> dict:
    """The member who gave their password to link `provider` a moment ago, or a page saying to start again."""
    ticket = cookie_session.pop(_LINK_KEY, None) or {}
    fresh = ticket.get("exp", 0) > time.time() and ticket.get("provider") == provider.name
    if not (fresh and current_user.is_authenticated and ticket.get("member") == current_user.id
            and ticket.get("version") == current_user.session_version):
        raise oidc.SignInFailure(_("Your sign-in had expired"),
                                 _("Linking a work account starts with your password on your account page, and must "
                                 "go on within five minutes. Start again from your account page."))
    return {"link": current_user.id, "version": current_user.session_version}


@bp.get("/login/with/<name>/callback")
@limiter.limit(signin_limit)
@writes_on_get
def oidc_callback(name: str):
    """The provider's answer: sign in a linked member, link for one who asked, or welcome someone new."""
    provider = _provider(name)
    trusted = trusted_domains(current_app.config["FORUM_TRUSTED_EMAIL_DOMAINS"])
    identity, purpose = oidc.finish(provider, trusted)
    db = session()
    if "link" in purpose:
        return _finish_linking(db, provider, identity, purpose)
    member = sign_in_providers.find_member(db, identity.issuer, identity.subject)
    next_url = safe_next(purpose.get("next"), url_for("forum.home"))
    if member is not None:
        refusal = accounts.sign_in_refusal(member)
        if refusal:
            raise oidc.SignInFailure(_("You cannot sign in"), refusal, 403)
        sign_in_providers.signed_in(db, member, identity.issuer, identity.subject, identity.email)
        db.commit()
        _start_session(member)
        flash(_("Signed in as %(name)s.", name=member.display_name), "success")
        return redirect(next_url)
    if sign_in_providers.address_taken(db, identity.email):
        raise oidc.SignInFailure(
            _("You already have an account"),
            _("An account here already uses %(email)s. Sign in with its email address and password, then link your "
              "%(provider)s account from your account page; after that you can sign in either way.",
              email=identity.email, provider=provider.label),
            409)
    oidc.keep_identity(identity, next_url)
    return redirect(url_for("forum.oidc_welcome"))


def _finish_linking(db, provider: oidc.Provider, identity: oidc.Identity, purpose: dict):
    member_id, version = purpose.get("link"), purpose.get("version")
    if not current_user.is_authenticated or current_user.id != member_id or current_user.session_version != version:
        raise oidc.SignInFailure(_("Your sign-in had expired"),
                                 _("You were signed out while linking your account, so nothing was linked. Sign in "
                                 "and start again from your account page."))
    try:
        sign_in_providers.link(db, current_user, provider=provider.name, issuer=identity.issuer,
                               subject=identity.subject, email=identity.email)
    except ValidationError as exc:
        db.rollback()
        raise oidc.SignInFailure(_("We could not link that account"), exc.message, 409) from None
    db.commit()
    flash(_("Your %(provider)s account is linked: you can sign in with it from now on.", provider=provider.label),
          "success")
    return redirect(url_for("forum.sign_in_methods"))


@bp.route("/login/welcome", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def oidc_welcome():
    """A first sign-in: ask what the provider does not tell (sector, job role), then create the account."""
    kept = oidc.kept_identity()
    if kept is None:
        raise oidc.SignInFailure(_("Your sign-in had expired"),
                                 _("We keep what your work account told us for 15 minutes only, and nothing has been "
                                 "saved. Sign in again to create your account."))
    identity, next_url = kept
    provider = oidc.provider(identity.provider)
    if request.method == "GET":
        form = WelcomeForm(data={"display_name": identity.name, "organisation": identity.organisation or ""})
    else:
        form = WelcomeForm()
    if form.validate_on_submit():
        db = session()
        done = attempt(db, form, lambda: sign_in_providers.create_member(db, sign_in_providers.NewMember(
            provider=identity.provider, issuer=identity.issuer, subject=identity.subject, email=identity.email,
            display_name=form.display_name.data or "", sector=form.sector.data or None,
            job_role=form.job_role.data, trusted=identity.trusted,
            organisation=identity.organisation or form.organisation.data,
        )))
        if done:
            member = done.value
            oidc.drop_identity()
            _start_session(member)
            if member.is_approved:
                flash(_("Welcome, %(name)s: your account is ready.", name=member.display_name), "success")
                return redirect(next_url)
            flash(_("Your account is made. A moderator will look at it soon; we will email you when it is approved."),
                  "success")
            return redirect(url_for("forum.account"))
    status = 400 if form.errors else 200
    return render_template("forum/auth/oidc_welcome.html", form=form, errors=form_errors(form), identity=identity,
                           provider=provider), status


@bp.get("/account/sign-in")
@login_required
def sign_in_methods():
    """The member's ways of signing in: their password, and each organisation account linked or not."""
    linked = sign_in_providers.identities(session(), current_user)
    return render_template("forum/account/sign_in.html", linked=linked, providers=oidc.providers(),
                           unlink_form=ConfirmForm())


@bp.route("/account/sign-in/<name>/link", methods=["GET", "POST"])
@login_required
@limiter.limit(signin_limit, methods=["POST"])
def link_sign_in(name: str):
    """Link an organisation account: the member's password, then the provider's sign-in."""
    provider = _provider(name)
    form = LinkSignInForm()
    ready = False
    if form.validate_on_submit() and attempt(session(), form, lambda: sign_in_providers.confirm_password(
            current_user, form.password.data or "")):
        # A link on to the provider, not a redirect: the pages' CSP (form-action 'self') stops a form's
        # answer from leading to another site, and a plain link needs no JavaScript.
        cookie_session[_LINK_KEY] = {"member": current_user.id, "version": current_user.session_version,
                                     "provider": provider.name, "exp": time.time() + LINK_SECONDS}
        ready = True
    status = 400 if form.errors else 200
    return render_template("forum/auth/oidc_link.html", form=form, errors=form_errors(form), provider=provider,
                           has_password=bool(current_user.password_hash), ready=ready), status


@bp.post("/account/sign-in/<forum_id:identity_id>/unlink")
@login_required
def unlink_sign_in(identity_id: int):
    """Unlink an organisation account, as long as the member can still sign in another way."""
    form = ConfirmForm()
    db = session()
    if not form.validate_on_submit():
        flash(_("That form had expired, so nothing changed. Try again."), "error")
    else:
        try:
            name = sign_in_providers.unlink(db, current_user, identity_id)
        except ValidationError as exc:
            db.rollback()
            flash(exc.message, "error")
        else:
            db.commit()
            found = oidc.provider(name)
            flash(_("Your %(provider)s account is no longer linked.", provider=found.label if found else name),
                  "success")
    return redirect(url_for("forum.sign_in_methods"))


def _start_session(member) -> None:
    # A fresh session at sign-in, so an id planted before it is worth nothing afterwards.
    cookie_session.clear()
    login_user(member)
