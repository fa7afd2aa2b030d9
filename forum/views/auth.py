"""Signing in, registering and signing out."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from forum.db import session
from forum.errors import ValidationError
from forum.forms import ConfirmForm, RegisterForm, SignInForm
from forum.limits import limiter, signin_limit
from forum.services import accounts
from forum.views import bp
from forum.views._helpers import apply_errors, form_errors, safe_next

BAD_CREDENTIALS = "The email address or password is not right"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def login():
    """Sign in with email and password; the same message for an unknown email and a wrong password."""
    form = SignInForm()
    next_url = safe_next(request.values.get("next"), url_for("forum.home"))
    if form.validate_on_submit():
        db = session()
        member = accounts.authenticate(
            db, form.email.data, form.password.data, current_app.config["FORUM_PASSWORD_HASH"]
        )
        refusal = accounts.sign_in_refusal(member) if member else None
        if member is None:
            form.email.errors = [BAD_CREDENTIALS]
        elif refusal:
            form.form_errors.append(refusal)
        else:
            _start_session(member, remember=form.remember.data)
            flash(f"Signed in as {member.display_name}.", "success")
            return redirect(next_url)
    status = 400 if form.is_submitted() else 200
    return render_template("forum/auth/login.html", form=form, errors=form_errors(form), next=next_url), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def register():
    """Create an account."""
    form = RegisterForm()
    if form.validate_on_submit():
        db = session()
        try:
            member = accounts.register(
                db, display_name=form.display_name.data or "", email=form.email.data or "",
                password=form.password.data or "",
                password_method=current_app.config["FORUM_PASSWORD_HASH"],
            )
            db.commit()
        except ValidationError as exc:
            db.rollback()
            apply_errors(form, exc)
        else:
            _start_session(member, remember=False)
            flash(f"Welcome, {member.display_name}. Your account is ready.", "success")
            return redirect(url_for("forum.home"))
    status = 400 if form.is_submitted() else 200
    return render_template("forum/auth/register.html", form=form, errors=form_errors(form)), status


@bp.post("/logout")
def logout():
    """Sign out (POST only, with a CSRF token, so a link on another site cannot sign anyone out)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("forum/errors/error.html", code=400, message=(
            "Your sign-out form had expired, so you are still signed in. Use the Sign out button again."
        )), 400
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("forum.home"))


def _start_session(member, remember: bool) -> None:
    # A fresh session at sign-in, so an id planted before it is worth nothing afterwards.
    from flask import session as cookie_session
    cookie_session.clear()
    login_user(member, remember=remember)

