"""Keeping up between chats: watching, notifications, email settings, unsubscribing, and Atom feeds."""

from __future__ import annotations

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from forum import feeds, mail_tokens, policy, tokens
from forum.db import session, utcnow
from forum.errors import NotFound
from forum.forms import ConfirmForm, KeywordForm, NotificationSettingsForm
from forum.ids import parse_id
from forum.models import Member, Post, Space, Thread
from forum.services import notifications, reading, recaps, space_membership
from forum.views import bp
from forum.limits import limiter, posting_limit
from forum.views._helpers import attempt, external_url, form_errors, safe_next, site_name


@bp.app_template_global("forum_unread_count")
def unread_count() -> int:
    if not current_user.is_authenticated:
        return 0
    # A host's requests to join wait in the notifications list too (#22): counted for hosts only.
    hosting = current_user.is_approved and "host" in policy.space_roles(current_user).values()
    unread = g.get("forum_unread_notifications")  # a page that read it with its own parts
    return (notifications.unread_count(session(), current_user) if unread is None else unread) + (
        space_membership.count_requests_to_host(session(), current_user) if hosting else 0)


@bp.post("/watch")
@login_required
def toggle_watch():
    """Watch or stop watching a thread or a space (a button on its page)."""
    db = session()
    kind = request.form.get("kind")
    target = parse_id(request.form.get("target", ""))
    back = safe_next(request.form.get("next"), url_for("forum.home"))
    if kind not in ("thread", "space") or target is None or not ConfirmForm().validate_on_submit():
        raise NotFound(_("There is nothing to watch at this address."))
    if kind == "thread":
        reading.get_thread(db, current_user, target)  # the same 404 as anywhere for what one can't read
    else:
        space = db.get(Space, target)
        if space is None or not policy.can_view_space(current_user, space):
            raise NotFound(_("There is no space at this address, or you do not have access to it."))
    if request.form.get("watch") == "off":
        notifications.unwatch(db, current_user, kind, target)
        flash(_("You have stopped watching it."), "success")
    else:
        notifications.watch(db, current_user, kind, target)
        flash(_("You are watching it now: you will hear about new posts."), "success")
    db.commit()
    return redirect(back)


@bp.route("/watching", methods=["GET", "POST"])
@login_required
def watching():
    """What I watch and the words I listen for; add a word, or stop watching something."""
    db = session()
    form = KeywordForm()
    if form.validate_on_submit():
        if attempt(db, form, lambda: notifications.watch(db, current_user, "keyword", keyword=form.keyword.data or "")):
            flash(_("You will hear when a new post mentions it."), "success")
            return redirect(url_for("forum.watching"))
    errors = form_errors(form)
    return render_template("forum/keeping_up/watching.html", form=form, watches=notifications.watches(db, current_user),
                           reply_by_email=mail_tokens.incoming_domain(current_app.config) is not None,
                           errors=errors), 400 if errors else 200


@bp.post("/watching/<forum_id:watch_id>/remove")
@login_required
def remove_watch(watch_id: int):
    db = session()
    if ConfirmForm().validate_on_submit():
        notifications.unwatch(db, current_user, "", watch_id=watch_id)
        db.commit()
        # Translators: after stopping watching a thread, a space or a word
        flash(_("Stopped."), "success")
    return redirect(url_for("forum.watching"))


@bp.post("/watching/<forum_id:watch_id>/every-post")
@login_required
def set_every_post(watch_id: int):
    """Turn mailing-list mode (every post by email) on or off for one thread or space I watch (from /watching,
    or from the thread's or space's own page, which it goes back to)."""
    db = session()
    back = safe_next(request.form.get("next"), url_for("forum.watching"))
    if ConfirmForm().validate_on_submit():
        on = request.form.get("every_post") == "on"
        notifications.set_every_post(db, current_user, watch_id, on)
        db.commit()
        flash(_("You will get every new post by email.") if on else _("You will no longer get every post by email."),
              "success")
    return redirect(back)


@bp.route("/every-post/stop/<token>", methods=["GET", "POST"])
@limiter.limit(posting_limit, methods=["POST"])
def stop_every_post(token: str):
    """Stop one watch's every-post emails with one click, no sign-in (RFC 8058: mail programs POST here)."""
    db = session()
    payload = tokens.read(current_app.config["SECRET_KEY"], "stop-every-post", token)
    member = db.get(Member, payload.get("id"))
    if member is None or member.state == "deleted":
        raise NotFound(_("This link is not valid any more."))
    if request.method == "POST":
        notifications.stop_every_post(db, member.id, int(payload.get("watch") or 0))
        db.commit()
        return render_template("forum/keeping_up/every_post_stopped.html")
    return render_template("forum/keeping_up/every_post_stop.html", token=token)


@bp.get("/notifications")
@login_required
def notification_list():
    """My notifications, newest first."""
    db = session()
    return render_template("forum/keeping_up/notifications.html", items=notifications.recent(db, current_user),
                           join_requests=space_membership.requests_to_host(db, current_user), form=ConfirmForm())


@bp.post("/notifications/read")
@login_required
def mark_notifications_read():
    db = session()
    if ConfirmForm().validate_on_submit():
        raw = request.form.get("id", "")
        if not raw or parse_id(raw) is not None:  # no id: all of them; an id no notification can have: none
            notifications.mark_read(db, current_user, parse_id(raw))
        db.commit()
    opening = parse_id(request.form.get("open", ""))
    if opening is not None:
        return redirect(url_for("forum.post", post_id=opening))
    return redirect(url_for("forum.notification_list"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    """How email reaches me, auto-watching, and my private feed's secret address."""
    db = session()
    member = current_user
    if request.method == "GET":
        form = NotificationSettingsForm(data={"email_frequency": member.email_frequency,
                                              "auto_watch": member.auto_watch, "recap_email": member.recap_email})
    else:
        form = NotificationSettingsForm()
    if form.validate_on_submit():
        if "new_feed" in request.form:
            notifications.new_feed_token(db, member)
            db.commit()
            flash(_("Your private feed has a new address; the old one no longer works."), "success")
            return redirect(url_for("forum.notification_settings"))
        def save():
            notifications.set_preferences(db, member, form.email_frequency.data, bool(form.auto_watch.data))
            recaps.set_choice(db, member, form.recap_email.data)

        if attempt(db, form, save):
            flash(_("Your settings were saved."), "success")
            return redirect(url_for("forum.notification_settings"))
    feed_url = external_url("forum.member_feed", token=member.feed_token) if member.feed_token else None
    errors = form_errors(form)
    return render_template("forum/keeping_up/settings.html", form=form, feed_url=feed_url,
                           errors=errors), 400 if errors else 200


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Stop all email with one click, no sign-in (RFC 8058: mail programs POST here without a form token)."""
    db = session()
    payload = tokens.read(current_app.config["SECRET_KEY"], "unsubscribe", token)
    member = db.get(Member, payload.get("id"))
    if member is None or member.state == "deleted":
        raise NotFound(_("This link is not valid any more."))
    what = "recaps" if payload.get("what") == "recaps" else "all"  # a recap's link stops recaps only (#20)
    if request.method == "POST":
        if what == "recaps":
            recaps.unsubscribe(db, member)
        else:
            notifications.unsubscribe(db, member.id)
        db.commit()
        return render_template("forum/keeping_up/unsubscribed.html", what=what)
    return render_template("forum/keeping_up/unsubscribe.html", token=token, what=what)


# -- feeds --------------------------------------------------------------------------------------------------------------

def _thread_feed(viewer, threads: list[Thread], feed_id: str, title: str, url: str, self_url: str) -> Response:
    """A feed of threads, each with its latest post as the policy lets `viewer` (None: anyone) see it."""
    entries = []
    for thread in threads:
        last = thread.last_post
        state = policy.post_state(viewer, last, thread.space) if last is not None else None
        entries.append(feeds.Entry(
            id=external_url("forum.thread", thread_id=thread.id) + f"#{thread.last_post_id or 0}",
            title=thread.title, url=external_url("forum.post", post_id=last.id)
            if state else external_url("forum.thread", thread_id=thread.id),
            updated=thread.last_post_at, author=policy.byline(viewer, last).name if state else "",
            summary_html=last.body_html if state == policy.SHOWN else "",
            language=last.language if state == policy.SHOWN else None))
    updated = threads[0].last_post_at if threads else utcnow()
    return Response(feeds.atom(feed_id, title, url, self_url, entries, updated), mimetype="application/atom+xml")


def _latest(db, viewer, where=None, limit: int = 30) -> list[Thread]:
    """The viewer's most recently active threads (within `where`), with their latest posts' authors."""
    query = (select(Thread).join(Space, Thread.space_id == Space.id)
             .where(policy.listed_thread_filter(viewer), Thread.awaiting_approval.is_(False))
             .options(contains_eager(Thread.space),
                      joinedload(Thread.last_post).options(joinedload(Post.author).joinedload(Member.organisation),
                                                           joinedload(Post.speaker)))
             .order_by(Thread.last_post_at.desc()).limit(limit))
    if where is not None:
        query = query.where(where)
    return list(db.scalars(query).unique())


@bp.get("/feeds/recent.atom")
def recent_feed():
    """Recently active threads in public spaces."""
    db = session()
    threads = _latest(db, None)
    return _thread_feed(None, threads, external_url("forum.recent_feed"), _("%(site)s: recent threads", site=site_name()),
                        external_url("forum.home"), external_url("forum.recent_feed"))


@bp.get("/spaces/<slug>/feed.atom")
def space_feed(slug: str):
    """A public space's recently active threads (closed spaces have no public feed)."""
    db = session()
    space = db.scalar(select(Space).where(Space.slug == slug))
    if space is None or not policy.can_view_space(None, space):
        raise NotFound(_("There is no public feed at this address."))
    threads = _latest(db, None, Space.id == space.id)
    return _thread_feed(None, threads, external_url("forum.space_feed", slug=slug), f"{site_name()}: {space.name}",
                        external_url("forum.space", slug=slug), external_url("forum.space_feed", slug=slug))


@bp.get("/feeds/member/<token>.atom")
def member_feed(token: str):
    """A member's private feed at a secret, revocable address: what that member may read."""
    db = session()
    member = notifications.member_for_feed(db, token)
    threads = _latest(db, member)
    title = _("%(site)s: for %(name)s", site=site_name(), name=member.display_name)
    response = _thread_feed(member, threads, f"urn:afterchat:member-feed:{member.id}", title,
                            external_url("forum.home"), external_url("forum.member_feed", token=token))
    response.headers["Cache-Control"] = "private, no-store"
    return response
