"""Moderation tools: the report queue, post actions, edit history, thread tools and the log."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from forum import policy
from forum.db import session
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.forms import PostActionForm, ReportForm, ThreadToolsForm, choices
from forum.ids import parse_id
from forum.models import Post, PostRevision, Space, Thread
from forum.services import site_membership, moderation, notifications, reading, speakers
from forum.services.threads import move_thread
from forum.addresses import notification_links
from forum.views import bp
from forum.views._helpers import attempt, external_url, first_error, form_errors, page_number, site_name

# Translators: who can read a space, shown after its name when choosing where to move a thread
VISIBILITY_NAMES = {"public": _l("public"), "members": _l("members"), "private": _l("private"), "secret": _l("secret")}

# The moderation log's actions (as moderation_log.record names them) and what they acted on, in the reader's words.
LOG_ACTIONS = {
    # Translators: moderation log actions, each what a moderator or host did (the verb, then what to)
    "approve_join": _l("approve join"), "approve_member": _l("approve member"), "approve_post": _l("approve post"),
    "ask_member": _l("ask member"), "confirm_handle": _l("confirm handle"), "decline_join": _l("decline join"),
    "dismiss_report": _l("dismiss report"), "hide_post": _l("hide post"), "hide_speaker": _l("hide speaker"),
    "lock_thread": _l("lock thread"), "merge_thread": _l("merge thread"), "move_thread": _l("move thread"),
    "pin_thread": _l("pin thread"), "reject_handle": _l("reject handle"), "reject_member": _l("reject member"),
    "reject_post": _l("reject post"), "remove_from_space": _l("remove from space"),
    "rename_thread": _l("rename thread"), "restore_post": _l("restore post"), "reveal_author": _l("reveal author"),
    "split_thread": _l("split thread"), "suspend_member": _l("suspend member"),
    "unlock_thread": _l("unlock thread"), "unpin_thread": _l("unpin thread"),
    "unsuspend_member": _l("unsuspend member"), "withdraw_invitation": _l("withdraw invitation"),
    # Translators: moderation log action: gave a member the digital champion badge
    "champion": _l("champion"),
    # Translators: moderation log action: took the digital champion badge away
    "unchampion": _l("unchampion"),
    # Translators: moderation log action: added a post to the library of good practice
    "promote": _l("promote"),
}
LOG_TARGETS = {
    # Translators: what a moderation log action acted on (a noun): a post, a thread, a member...
    "post": _l("post"), "thread": _l("thread"), "member": _l("member"), "speaker": _l("speaker"),
    "space": _l("space"), "library": _l("library"),
}


def _require_some_moderation() -> None:
    if not policy.moderates_anything(current_user):
        raise PermissionDenied(_("Only moderators and space hosts can see this page."))


@bp.get("/moderation", endpoint="moderation")
@login_required
def moderation_queue():
    """What needs a moderator's attention: reports, posts waiting for approval, sign-ups, handle claims."""
    _require_some_moderation()
    db = session()
    reports = moderation.open_reports(db, current_user)
    waiting = moderation.awaiting(db, current_user)
    return render_template(
        "forum/moderation/index.html", reports=reports, waiting=waiting,
        sign_ups=site_membership.count_waiting(db) if current_user.is_moderator else 0,
        claims=len(speakers.unconfirmed_claims(db)) if current_user.is_moderator else 0,
        forms={post_id: PostActionForm(prefix=f"p{post_id}") for post_id in
               {r.post_id for r in reports} | {p.id for p in waiting}},
    )


@bp.post("/posts/<forum_id:post_id>/moderate")
@login_required
def moderate_post(post_id: int):
    """Hide, restore, keep (dismissing reports), approve or reject a post."""
    db = session()
    post, thread, space = reading.get_post(db, current_user, post_id)
    if not policy.can_moderate_space(current_user, space):
        raise PermissionDenied(_("Only this space's hosts and the site's moderators can do that."))
    form = PostActionForm(prefix=f"p{post_id}")
    if form.validate_on_submit():
        reason = form.reason.data or ""
        link = external_url("forum.post", post_id=post.id)

        def act() -> str:
            if form.hide.data:
                moderation.hide_post(db, post, space, current_user, reason, site_name(), link)
                return _("The post is hidden.")
            if form.restore.data:
                moderation.restore_post(db, post, space, current_user, reason)
                return _("The post is shown again.")
            if form.dismiss.data:
                moderation.dismiss_reports(db, post, space, current_user, reason, site_name(), link)
                return _("The reports were dismissed; the post stays.")
            if form.approve.data or form.reject.data:
                moderation.approve_post(db, post, thread, space, current_user, bool(form.approve.data))
                if form.approve.data:
                    notifications.post_approved(db, post, thread, space, notification_links(), site_name())
                return _("The post was approved.") if form.approve.data else _("The post was rejected.")
            raise ValidationError(_("Choose what to do."))

        done = attempt(db, form, act)
        flash(done.value if done else first_error(form), "success" if done else "error")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/moderation")
                    else url_for("forum.post", post_id=post.id))


@bp.get("/posts/<forum_id:post_id>/history")
@login_required
def post_history(post_id: int):
    """Earlier versions of an edited post, for moderators (none of a deleted one: its words are gone)."""
    db = session()
    post, thread, space = reading.get_shown_post(db, current_user, post_id)
    if not policy.can_moderate_space(current_user, space):
        raise PermissionDenied(_("Only moderators can see earlier versions of a post."))
    revisions = db.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                           .order_by(PostRevision.replaced_at.desc())).all()
    editors = {r.id: policy.editor_name(current_user, post, r.editor) for r in revisions}
    return render_template("forum/moderation/history.html", post=post, thread=thread, revisions=revisions,
                           editors=editors)


@bp.route("/posts/<forum_id:post_id>/report", methods=["GET", "POST"])
@login_required
def report_post(post_id: int):
    """Report a post to the moderators, saying why (only a post whose words the reporter can read)."""
    db = session()
    post, thread, space = reading.get_shown_post(db, current_user, post_id)
    form = ReportForm()
    if form.validate_on_submit():
        if attempt(db, form, lambda: moderation.report(db, post, space, current_user, form.reason.data or "")):
            flash(_("Thank you. The moderators will look at the post, and we will tell you what they decide."),
                  "success")
            return redirect(url_for("forum.post", post_id=post.id))
    errors = form_errors(form)
    return render_template("forum/moderation/report.html", post=post, thread=thread, form=form,
                           errors=errors), 400 if errors else 200


@bp.route("/threads/<forum_id:thread_id>/tools", methods=["GET", "POST"])
@login_required
def thread_tools(thread_id: int):
    """Lock, pin, rename, move, split and merge a thread."""
    db = session()
    thread, space = reading.get_thread(db, current_user, thread_id)
    if not policy.can_moderate_space(current_user, space):
        raise PermissionDenied(_("Only this space's hosts and the site's moderators can do that."))
    form = ThreadToolsForm()
    targets = [s for s in db.scalars(select(Space).order_by(Space.position, Space.name))
               if policy.can_moderate_space(current_user, s) and s.id != space.id]
    form.space.choices = choices({str(s.id): f"{s.name} ({VISIBILITY_NAMES[s.visibility]})" for s in targets},
                                 _("Choose a space"))
    replies = db.scalars(select(Post).where(Post.thread_id == thread.id, Post.id != thread.first_post_id,
                                            policy.listed_posts_in(current_user, space))
                         .order_by(Post.created_at.desc(), Post.id.desc()).limit(200)).all()
    if form.validate_on_submit():
        done = attempt(db, form, lambda: _apply_tool(db, form, thread, space))
        if done:
            destination = done.value
            flash(_("Done."), "success")
            return redirect(destination)
    errors = form_errors(form)
    return render_template("forum/moderation/thread_tools.html", thread=thread, space=space, form=form,
                           replies=replies, errors=errors), 400 if errors else 200


def _apply_tool(db, form: ThreadToolsForm, thread: Thread, space: Space) -> str:
    """Carry out the tool whose button was pressed; return where to go next."""
    here = url_for("forum.thread", thread_id=thread.id)
    if form.lock.data or form.unlock.data:
        moderation.lock(db, thread, space, current_user, bool(form.lock.data), form.reason.data or "")
    elif form.pin.data or form.unpin.data:
        moderation.pin(db, thread, space, current_user, bool(form.pin.data))
    elif form.rename.data:
        moderation.rename(db, thread, space, current_user, form.title.data or "")
    elif form.move.data:
        target = db.get(Space, space_id) if (space_id := parse_id(form.space.data)) else None
        if target is None:
            raise ValidationError(_("Choose a space"), {"space": _("Choose the space to move the thread to")})
        move_thread(db, thread, space, target, current_user, form.reason.data or "")
    elif form.split.data:
        ids = [post_id for v in request.form.getlist("posts") if (post_id := parse_id(v))]
        new = moderation.split(db, thread, space, current_user, ids, form.split_title.data or "")
        return url_for("forum.thread", thread_id=new.id)
    elif form.merge.data:
        raw = (form.target.data or "").strip().lstrip("#")
        thread_id = parse_id(raw)
        if thread_id is None:
            raise ValidationError(_("Check the thread"), {"target": _("Enter the other thread's number")})
        try:
            target, target_space = reading.get_thread(db, current_user, thread_id)
        except NotFound:
            raise ValidationError(_("Check the thread"), {"target": _("There is no thread with that number")}) from None
        moderation.merge(db, thread, space, target, target_space, current_user)
        return url_for("forum.thread", thread_id=target.id)
    else:
        raise ValidationError(_("Choose a tool."))
    return here


@bp.get("/moderation/log")
@login_required
def moderation_log_page():
    """Every moderator action: who, when, what and why; filterable."""
    if not current_user.is_moderator:
        raise PermissionDenied(_("Only moderators can read the moderation log."))
    db = session()
    action = request.args.get("action") or None
    actor = request.args.get("actor") or None
    page = moderation.log_page(db, page_number(), action, actor)
    return render_template("forum/moderation/log.html", page=page, actions=moderation.log_actions(db),
                           action=action, actor=actor or "", action_names=LOG_ACTIONS, target_names=LOG_TARGETS)
