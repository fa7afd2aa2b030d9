"""Administration: creating and editing spaces."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from forum import mail_tokens, policy
from forum.db import session
from forum.errors import NotFound, PermissionDenied
from forum.forms import SpaceForm
from forum.models import Space
from forum.services import spaces as space_service
from forum.views import bp
from forum.views._helpers import attempt, form_errors


def _require_admin() -> None:
    if not policy.can_administer(current_user):
        raise PermissionDenied(_("Only administrators can manage spaces."))


@bp.get("/admin/spaces")
@login_required
def admin_spaces():
    """List every space with its visibility and counts."""
    _require_admin()
    spaces = session().scalars(select(Space).order_by(Space.position, Space.name)).all()
    return render_template("forum/admin/spaces.html", spaces=spaces)


@bp.route("/admin/spaces/new", methods=["GET", "POST"])
@login_required
def admin_new_space():
    """Create a space."""
    _require_admin()
    form = SpaceForm()
    if form.validate_on_submit():
        db = session()
        done = attempt(db, form, lambda: space_service.create_space(
            db, slug=form.slug.data or "", name=form.name.data or "", visibility=form.visibility.data,
            description=form.description.data or "", anonymous_posting=form.anonymous_posting.data,
            email_threads=bool(form.email_threads.data), email_local_part=form.email_local_part.data or "",
        ))
        if done:
            space = done.value
            flash(_("The space “%(name)s” was created.", name=space.name), "success")
            return redirect(url_for("forum.admin_spaces"))
    errors = form_errors(form)
    return render_template("forum/admin/space_form.html", form=form, errors=errors, space=None,
                           incoming_domain=mail_tokens.incoming_domain(current_app.config)), 400 if errors else 200


@bp.route("/admin/spaces/<slug>/edit", methods=["GET", "POST"])
@login_required
def admin_edit_space(slug: str):
    """Edit a space's name, address, description and visibility."""
    _require_admin()
    db = session()
    space = db.scalar(select(Space).where(Space.slug == slug))
    if space is None:
        raise NotFound(_("There is no space at this address."))
    form = SpaceForm(obj=space)
    if form.validate_on_submit():
        if attempt(db, form, lambda: space_service.update_space(
            db, space, slug=form.slug.data or "", name=form.name.data or "", visibility=form.visibility.data,
            description=form.description.data or "", anonymous_posting=form.anonymous_posting.data,
            email_threads=bool(form.email_threads.data), email_local_part=form.email_local_part.data or "",
        )):
            flash(_("The space “%(name)s” was saved.", name=space.name), "success")
            return redirect(url_for("forum.admin_spaces"))
    errors = form_errors(form)
    return render_template("forum/admin/space_form.html", form=form, errors=errors, space=space,
                           incoming_domain=mail_tokens.incoming_domain(current_app.config)), 400 if errors else 200
