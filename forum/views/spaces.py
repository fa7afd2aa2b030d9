"""A space's page, and starting a thread in it."""

from __future__ import annotations

from flask import current_app, flash, g, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import cache as page_cache
from forum import fragments_lists, frames, mail_tokens, policy
from forum.db import session
from forum.errors import NotFound, PermissionDenied
from forum.forms import ConfirmForm, DecisionForm, InviteForm, JoinRequestForm, ThreadForm
from forum.models import Member, Post, SpaceRequest
from forum.limits import limiter, posting_limit
from forum.services import notifications, posting, reading, space_membership
from forum.addresses import notification_links
from forum.views import bp
from forum.views._helpers import (attempt, ensure_submission_key, external_url, form_errors, page_number, post_once,
                                  preview_body, site_name)


@bp.get("/spaces/<slug>")
@page_cache.page(lambda slug: [page_cache.LATEST])
def space(slug: str):
    """List a space's threads; to an approved outsider, a private space shows only how to ask to join."""
    db = session()
    # The space, the lists' tokens, and a member's watch (with its every-post switch, #21) and the header's count
    # of unread notifications: one statement.
    space, found, (watching, unread) = reading.get_listed_space_and_parts(db, current_user, slug,
                                                                          fragments_lists.SCOPES)
    g.forum_unread_notifications = unread
    if not policy.can_view_space(current_user, space):
        return render_template("forum/spaces/join.html", space=space, form=JoinRequestForm(), errors=[],
                               pending=space_membership.pending(db, space, current_user, "request"))
    listing = fragments_lists.space_listing(db, current_user, space, page_number(),
                                            current_app.config["FORUM_THREADS_PER_PAGE"], found)
    viewer = current_user._get_current_object()
    can_post, can_manage = policy.can_post_in_space(viewer, space), policy.can_moderate_space(viewer, space)
    shown = {  # what the page shows besides the reader's own parts: what it is kept under (forum/frames.py)
        "can_post": can_post, "is_member": space.id in policy.space_roles(viewer), "can_manage": can_manage,
        "requests_waiting": space_membership.count_requests(db, space) if space.is_closed and can_manage else None,
        # Only to members who may post here: the address takes new threads (#21).
        "email_address": mail_tokens.space_address(current_app.config, space) if can_post else None,
    }
    own = {"listing": listing.table, "watch": get_template_attribute("forum/macros.html", "watch_forms")(
        "space", space.id, watching, viewer)}
    shape = frames.shape("space", viewer, frames.row_values(space), listing.number, listing.has_threads,
                         *shown.items())
    page = frames.page(shape, frames.kept(shape), own, lambda parts: render_template(
        "forum/space.html", space=space, watch_html=parts["watch"],
        listing=fragments_lists.SpaceListing(parts["listing"], listing.has_threads, listing.number), **shown))
    return frames.response(page, viewer)


@bp.post("/spaces/<slug>/join")
@login_required
def join_space(slug: str):
    """Ask to join a private space, with a message to its hosts."""
    db = session()
    space = reading.get_listed_space(db, current_user, slug)
    form = JoinRequestForm()
    if form.validate_on_submit():
        if attempt(db, form, lambda: space_membership.ask_to_join(
                db, space, current_user, form.message.data or "",
                external_url("forum.space_members_page", slug=space.slug), site_name())):
            flash(_("Your request to join %(space)s was sent to its hosts.", space=space.name), "success")
            return redirect(url_for("forum.space", slug=space.slug))
    return render_template("forum/spaces/join.html", space=space, form=form, errors=form_errors(form),
                           pending=None), 400


@bp.post("/spaces/<slug>/leave")
@login_required
def leave_space(slug: str):
    """Leave a space."""
    db = session()
    space = reading.get_listed_space(db, current_user, slug)
    if ConfirmForm().validate_on_submit():
        space_membership.leave(db, space, current_user)
        db.commit()
        flash(_("You have left %(space)s.", space=space.name), "success")
    return redirect(url_for("forum.home"))


@bp.route("/spaces/<slug>/members", methods=["GET", "POST"])
@login_required
def space_members_page(slug: str):
    """A closed space's members; its hosts also see requests to join and can invite and remove people."""
    db = session()
    space = reading.get_space(db, current_user, slug)
    if not space.is_closed:
        raise NotFound(_("Only private and secret spaces have a list of members."))
    can_manage = policy.can_moderate_space(current_user, space)
    form = InviteForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the space's hosts can invite people."))
        if form.validate_on_submit():
            done = attempt(db, form, lambda: space_membership.invite(db, space, current_user, form.who.data,
                                                                  external_url("forum.account"), site_name()))
            if done:
                invitation = done.value
                if invitation.invited_email:  # the same answer whoever the address belongs to
                    flash(str(space_membership.INVITED_BY_ADDRESS), "success")
                else:
                    flash(_("%(name)s has been invited.", name=invitation.member.display_name), "success")
                return redirect(url_for("forum.space_members_page", slug=space.slug))
    errors = form_errors(form)
    return render_template(
        "forum/spaces/members.html", space=space, memberships=space_membership.members_of(db, space),
        requests=space_membership.requests_for(db, space) if can_manage else [], can_manage=can_manage,
        invitations=space_membership.invitations_sent(db, space) if can_manage else [],
        form=form, decision=DecisionForm(), confirm=ConfirmForm(), errors=errors,
    ), 400 if errors else 200


@bp.post("/spaces/<slug>/requests/<forum_id:request_id>")
@login_required
def decide_join_request(slug: str, request_id: int):
    """A host accepts or declines a request to join."""
    db = session()
    space = reading.get_space(db, current_user, slug)
    join_request = db.get(SpaceRequest, request_id)
    if join_request is None or join_request.space_id != space.id:
        raise NotFound(_("There is no such request."))
    form = DecisionForm()
    if form.validate_on_submit():
        space_membership.decide(db, join_request, current_user, bool(form.accept.data),
                             external_url("forum.space", slug=space.slug), site_name())
        db.commit()
        name = join_request.member.display_name
        flash(_("%(name)s was welcomed in.", name=name) if form.accept.data else _("%(name)s was declined.", name=name),
              "success")
    return redirect(url_for("forum.space_members_page", slug=space.slug))


@bp.post("/spaces/<slug>/members/<forum_id:member_id>/remove")
@login_required
def remove_space_member(slug: str, member_id: int):
    """A host removes someone from the space."""
    db = session()
    space = reading.get_space(db, current_user, slug)
    member = db.get(Member, member_id)
    if member is None:
        raise NotFound(_("There is no such member."))
    if ConfirmForm().validate_on_submit():
        space_membership.remove(db, space, current_user, member)
        db.commit()
        flash(_("%(name)s was removed from %(space)s.", name=member.display_name, space=space.name), "success")
    return redirect(url_for("forum.space_members_page", slug=space.slug))


@bp.post("/spaces/<slug>/invitations/<forum_id:invitation_id>/withdraw")
@login_required
def withdraw_invitation(slug: str, invitation_id: int):
    """A host withdraws an invitation that has not been answered yet."""
    db = session()
    space = reading.get_space(db, current_user, slug)
    if not policy.can_moderate_space(current_user, space):
        raise PermissionDenied(_("Only the space's hosts can withdraw invitations."))
    invitation = db.get(SpaceRequest, invitation_id)
    if invitation is None or invitation.space_id != space.id or invitation.kind != "invitation":
        raise NotFound(_("There is no such invitation."))
    if ConfirmForm().validate_on_submit():
        who = invitation.invited_email or (invitation.member.display_name if invitation.member else _("someone"))
        space_membership.withdraw_invitation(db, invitation, current_user)
        db.commit()
        flash(_("The invitation to %(who)s was withdrawn.", who=who), "success")
    return redirect(url_for("forum.space_members_page", slug=space.slug))


@bp.post("/invitations/<forum_id:invitation_id>")
@login_required
def answer_invitation(invitation_id: int):
    """Accept or decline an invitation to a space."""
    db = session()
    invitation = db.get(SpaceRequest, invitation_id)
    if invitation is None:
        raise NotFound(_("There is no such invitation."))
    form = DecisionForm()
    if form.validate_on_submit():
        space_membership.answer_invitation(db, invitation, current_user, bool(form.accept.data))
        db.commit()
        if form.accept.data:
            flash(_("Welcome to %(space)s.", space=invitation.space.name), "success")
            return redirect(url_for("forum.space", slug=invitation.space.slug))
        flash(_("You declined the invitation."), "success")
    return redirect(url_for("forum.account"))


@bp.route("/spaces/<slug>/new", methods=["GET", "POST"])
@login_required
@limiter.limit(posting_limit, methods=["POST"])
def new_thread(slug: str):
    """Start a thread: write, preview, post."""
    db = session()
    space = reading.get_space(db, current_user, slug)
    if not policy.can_post_in_space(current_user, space):
        raise PermissionDenied(_("You cannot start threads in this space"))
    form = ThreadForm()
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = preview_body(form)
        else:
            def create():
                thread = posting.start_thread(
                    db, space=space, author=current_user, title=form.title.data, body=form.body.data,
                    anonymous=bool(form.anonymous.data), submission_key=form.submission_key.data,
                    language=form.language.data,
                )
                first = db.get(Post, thread.first_post_id)
                notifications.post_created(db, first, thread, space, current_user, notification_links(), site_name())
                return first

            first = post_once(db, form, create)
            if first is not None:
                flash(_("Your thread was posted. It will show to others once a moderator approves it.")
                      if first.awaiting_approval else _("Your thread was posted."), "success")
                return redirect(url_for("forum.thread", thread_id=first.thread_id))
    ensure_submission_key(form)
    errors = form_errors(form)
    status = 400 if errors else 200
    return render_template(
        "forum/new_thread.html", space=space, form=form, errors=errors, preview=preview,
    ), status
