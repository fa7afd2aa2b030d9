"""A thread's page, replying and quoting, and editing or deleting a post."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, flash, g, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from forum import cache as page_cache
from forum import fragments_thread, frames, markup, policy
from forum.db import session
from forum.errors import NotFound, PermissionDenied
from forum.forms import ConfirmForm, EditPostForm, ReplyForm, RevealForm
from forum.ids import parse_id
from forum.limits import limiter, posting_limit
from forum.services import anonymity, moderation, notifications, posting, read_state, reading
from forum.services import topics
from forum.services.pages import Page, check_page_number
from forum.urls import forum_url
from forum.addresses import notification_links
from forum.views import bp
from forum.views.reading import remember_read
from forum.views._helpers import (attempt, ensure_submission_key, form_errors, new_submission_key, page_number,
                                  post_once, preview_body, site_name)


def slugify(title: str) -> str:
    """A readable URL fragment for a title: 'Q1: Who decides?' -> 'q1-who-decides'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80] or "thread"


# Where an imported post's original lives, by the names people know the sites by.
_SITE_NAMES = {"x.com": "X", "twitter.com": "X", "mobile.twitter.com": "X", "bsky.app": "Bluesky",
               "www.linkedin.com": "LinkedIn", "www.facebook.com": "Facebook", "discord.com": "Discord",
               "app.slack.com": "Slack", "t.me": "Telegram"}


@bp.app_template_filter("forum_source_site")
def forum_source_site(url: str) -> str:
    """The site an original-post link leads to, as readers know it: 'X', 'Bluesky', else its host name."""
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith(".slack.com"):
        return "Slack"
    return _SITE_NAMES.get(host) or _SITE_NAMES.get(host.removeprefix("www.")) or host.removeprefix("www.") or _("another site")


@bp.app_template_filter("forum_snippet")
def forum_snippet(post) -> str:
    """The start of a post's words, as text: only for a post the policy shows the viewer in full."""
    return markup.snippet(post.body_html)


@bp.app_template_filter("forum_mentions_linked")
def forum_mentions_linked(stored_html: str | None, links: dict[str, str] | None) -> Markup:
    """A post's stored HTML with its @mentions linked, from the page's links (services.mentions.links_for)."""
    return markup.link_mentions(stored_html, links or {})


@bp.app_template_global("thread_url")
def thread_url(thread, page: int = 1, **anchor) -> str:
    """The URL of a thread's page, with its title as a slug."""
    args = {"page": page} if page > 1 else {}
    return forum_url("forum.thread", thread_id=thread.id, slug=slugify(thread.title), **args, **anchor)


@bp.get("/threads/<forum_id:thread_id>")
@bp.get("/threads/<forum_id:thread_id>/<slug>")
@page_cache.page(lambda thread_id, slug=None: [page_cache.thread_scope(thread_id)])
def thread(thread_id: int, slug: str | None = None):
    """Show a page of a thread's posts, with the reply form for those who may reply."""
    db, viewer = session(), current_user._get_current_object()  # the member itself: asked about 100 times a page
    per_page = current_app.config["FORUM_POSTS_PER_PAGE"]
    scopes = [page_cache.SITE, page_cache.thread_scope(thread_id)]  # what a page kept for the reader's class names
    try:
        thread, space, tokens = reading.get_thread_and_tokens(db, viewer, thread_id, scopes, chat=False)
    except NotFound:
        merged_into = moderation.redirect_for(db, viewer, thread_id)
        if merged_into is None:
            raise
        return redirect(url_for("forum.thread", thread_id=merged_into), 301)
    number = check_page_number(page_number(), thread.post_count, per_page)
    can_reply = policy.can_reply(viewer, thread, space)
    marks = read_state.thread_marks(db, viewer, thread, space, per_page)
    # The page kept whole for the reader's class and state (fragments_thread.whole_page), with its posts when
    # they are the reader's too; else the rows and cards kept for their class, or read and made for them alone.
    key = fragments_thread.page_key(viewer, thread, space, number, per_page, marks, tokens)
    shape = fragments_thread.whole_shape(viewer, key, policy.can_moderate_space(viewer, space), can_reply)
    whole = fragments_thread.kept_whole(shape)
    ready = fragments_thread.class_posts(db, whole, viewer, thread, space, can_reply, marks)
    kept = view = None
    if ready is not None:
        rows, posts_html = ready
    else:
        kept = fragments_thread.kept_page(db, viewer, thread, space, number, per_page, can_reply, marks, key)
        rows = kept.rows if kept is not None else reading.page_rows(db, viewer, thread, space, number, per_page)
        view = reading.ThreadView(thread, space, reading.chat_of(db, thread),  # on this path alone (#19)
                                  Page(rows, number, per_page, thread.post_count))
        posts_html = fragments_thread.in_order(viewer, rows, kept.cards if kept is not None else
                                               fragments_thread.post_cards(db, viewer, view, can_reply, marks), marks)
    # The watch, with its every-post switch (#21), and the header's count of unread notifications, read with the marks.
    watching, g.forum_unread_notifications = marks.watch, marks.unread_notifications
    own = {"posts": posts_html,  # the reader's own parts of the page (the rest may be kept for their class)
           "watch": get_template_attribute("forum/macros.html", "watch_forms")("thread", thread.id, watching, viewer),
           "jump": get_template_attribute("forum/macros.html", "unread_jump")(thread, marks, number),
           "reply": reply_fields(space) if can_reply else None}
    page = fragments_thread.whole_page(shape, whole, kept, own, lambda parts: render_template(
        "forum/thread.html", view=view, can_reply=can_reply, errors=[], reply_fields=parts["reply"],
        topics=page_cache.site_data(db, f"topics:{thread.id}", lambda: [
            {"slug": tag.slug, "name": tag.name} for tag in topics.topics_of_thread(db, thread)]),
        posts_html=parts["posts"], watch_forms=parts["watch"], unread_jump=parts["jump"]))
    remember_read(db, thread.id, rows, marks)  # per member; never for visitors
    response = frames.response(page, viewer)  # X-Forum-Whole: the rest of the page
    response.headers["X-Forum-Cards"] = f"{g.forum_cards_stored} of {len(rows)}"  # from the card cache
    if viewer.is_authenticated:  # the rows and cards kept for the reader's class ("hit"), kept now, or read for them
        response.headers["X-Forum-Kept"] = g.get("forum_page_kept", "no")
    return response


_TOKEN, _KEY = "forum-reply-csrf-token", "forum-reply-submission-key"


def reply_fields(space) -> Markup:
    """The reply form's fields as a thread page shows them (empty, no errors), made once per language and
    space setting in this process, with the request's CSRF token and a new one-time key put in (#19)."""
    made_once = current_app.extensions.setdefault("forum_reply_fields", {})  # this app's templates and settings
    shape = (str(get_locale()), bool(space.anonymous_posting))
    html = made_once.get(shape)
    if html is None:
        form = ReplyForm()
        ensure_submission_key(form)
        token, key = form.csrf_token.current_token, form.submission_key.data
        made = render_template("forum/_reply_fields.html", form=form, space=space)
        html = made.replace(token, _TOKEN).replace(key, _KEY)
        if not current_app.jinja_env.auto_reload:  # templates that change while running are made each time
            made_once[shape] = html
    return Markup(html.replace(_TOKEN, generate_csrf()).replace(_KEY, new_submission_key()))  # noqa: S704


@bp.route("/threads/<forum_id:thread_id>/reply", methods=["GET", "POST"])
@login_required
@limiter.limit(posting_limit, methods=["POST"])
def reply(thread_id: int):
    """Write a reply on its own page: quoting a post (?quote=ID), previewing, or after an error."""
    db = session()
    thread, space = reading.get_thread(db, current_user, thread_id)
    if not policy.can_reply(current_user, thread, space):
        raise PermissionDenied(_("This thread is locked: no new replies.") if thread.locked
                               else _("You cannot reply in this space."))
    form = ReplyForm()
    quote_of = _quoted_post(db, request.values.get("quote") or form.quote_of.data, space)
    preview = None
    if request.method == "GET" and quote_of is not None:
        form.body.data = posting.quote_source(db, quote_of, current_user, url_for("forum.post", post_id=quote_of.id))
        form.quote_of.data = str(quote_of.id)
    elif form.validate_on_submit():
        if form.preview.data:
            preview = preview_body(form)
        else:
            def create():
                post = posting.reply(
                    db, thread=thread, space=space, author=current_user, body=form.body.data,
                    quote_of=quote_of, anonymous=bool(form.anonymous.data), submission_key=form.submission_key.data,
                    language=form.language.data,
                )
                notifications.post_created(db, post, thread, space, current_user, notification_links(), site_name())
                return post

            post = post_once(db, form, create)
            if post is not None:
                flash(_("Your reply was posted. It will show to others once a moderator approves it.")
                      if post.awaiting_approval else _("Your reply was posted."), "success")
                return redirect(url_for("forum.post", post_id=post.id))
    ensure_submission_key(form)
    errors = form_errors(form)
    return render_template(
        "forum/reply.html", thread=thread, space=space, form=form, errors=errors, preview=preview,
        quote_of=quote_of,
    ), 400 if errors else 200


def _quoted_post(db, raw: str | None, space):
    """The post being quoted, which must be readable and in the same space; None when there is none."""
    if not raw:
        return None
    post_id = parse_id(str(raw))
    if post_id is None:
        raise NotFound(_("The post you tried to quote does not exist."))
    post, quoted_thread, quoted_space = reading.get_post(db, current_user, post_id)
    if quoted_space.id != space.id or post.is_deleted:
        raise NotFound(_("The post you tried to quote does not exist."))
    if not policy.can_view_post_body(current_user, post, quoted_space):
        raise NotFound(_("The post you tried to quote does not exist."))
    return post


@bp.get("/posts/<forum_id:post_id>")
def post(post_id: int):
    """Go to a post: the page of its thread where it stands, at its anchor."""
    db = session()
    found, thread, space = reading.get_post(db, current_user, post_id)
    per_page = current_app.config["FORUM_POSTS_PER_PAGE"]
    page = posting.thread_post_position(db, current_user, found, space) // per_page + 1
    return redirect(thread_url(thread, page=page, _anchor=f"post-{found.id}"))


@bp.route("/posts/<forum_id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    """Edit one's own post; it is marked as edited."""
    db = session()
    found, thread, space = reading.get_post(db, current_user, post_id)
    if not policy.can_edit_post(current_user, found, space):
        raise PermissionDenied(_("You can only edit your own posts."))
    form = EditPostForm(data={"body": found.body_source, **({"language": found.language} if found.language else {})}
                        if request.method == "GET" else None)
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = preview_body(form)
        else:
            if attempt(db, form, lambda: posting.edit_post(db, post=found, space=space, editor=current_user,
                                                           body=form.body.data, language=form.language.data)):
                flash(_("Your changes were saved."), "success")
                return redirect(url_for("forum.post", post_id=found.id))
    errors = form_errors(form)
    return render_template(
        "forum/edit_post.html", post=found, thread=thread, space=space, form=form, errors=errors, preview=preview,
    ), 400 if errors else 200


@bp.route("/posts/<forum_id:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete_post(post_id: int):
    """Ask, then delete one's own post, leaving a marker so the thread still reads in order."""
    db = session()
    found, thread, space = reading.get_post(db, current_user, post_id)
    if not policy.can_edit_post(current_user, found, space):
        raise PermissionDenied(_("You can only delete your own posts."))
    form = ConfirmForm()
    if form.validate_on_submit():
        posting.delete_post(db, post=found, space=space, member=current_user)
        db.commit()
        flash(_("Your post was deleted."), "success")
        return redirect(url_for("forum.post", post_id=found.id))
    errors = form_errors(form)
    return render_template(
        "forum/delete_post.html", post=found, thread=thread, space=space, form=form, errors=errors,
    ), 400 if errors else 200


@bp.route("/posts/<forum_id:post_id>/reveal", methods=["GET", "POST"])
@login_required
def reveal_author(post_id: int):
    """Let a moderator see who wrote a post without their name, after giving a reason that is logged."""
    db = session()
    found, thread, space = reading.get_post(db, current_user, post_id)
    if not policy.can_moderate_space(current_user, space):
        raise PermissionDenied(_("Only moderators can see who wrote a post without their name."))
    form = RevealForm()
    author = None
    if form.validate_on_submit():
        author = attempt(db, form, lambda: anonymity.reveal_author(db, found, space, current_user,
                                                                   form.reason.data or "")).value
    errors = form_errors(form)
    return render_template("forum/reveal.html", post=found, thread=thread, space=space, form=form,
                           author=author, revealed=form.is_submitted() and not errors,
                           errors=errors), 400 if errors else 200
