"""The good-practice library: browsing, an entry, its feed; promoting into it, consent, service areas."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum import feeds, policy
from forum.db import session, utcnow
from forum.errors import NotFound, PermissionDenied
from forum.forms import ConsentForm, DecisionForm, LibraryFilterForm, PromoteForm, TagForm, choices
from forum.ids import parse_id
from forum.models import LibraryTag, Space, Thread
from forum.services import library, reading
from forum.views import bp
from forum.views._helpers import attempt, external_url, form_errors, page_number, site_name


def _filter_form(db) -> LibraryFilterForm:
    form = LibraryFilterForm(request.args)
    form.tag.choices = choices({t.slug: t.name for t in library.tags(db)}, _("Any service area"))
    return form


@bp.get("/library")
def library_index():
    """Browse good practice by service area, sector and organisation."""
    db = session()
    form = _filter_form(db)
    page = library.browse(db, page_number(), form.tag.data or None, form.sector.data or None,
                          form.organisation.data or None)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("forum/library/index.html", form=form, page=page, filters=filters)


@bp.get("/library/<forum_id:entry_id>")
def library_entry(entry_id: int):
    """One entry, with links to its source post, thread and chat (which keep their own access rules)."""
    db = session()
    entry = library.get_entry(db, entry_id, current_user)
    thread = db.get(Thread, entry.thread_id) if entry.thread_id else None
    space = db.get(Space, thread.space_id) if thread else None
    return render_template("forum/library/entry.html", entry=entry, thread=thread,
                           credited=library.credited_name(db, entry),
                           source_readable=library.readable_source(current_user, thread, space),
                           decision=DecisionForm())


@bp.get("/library/feed.atom")
def library_feed():
    """The library's newest entries as an Atom feed."""
    db = session()
    page = library.browse(db, 1)
    entries = [feeds.Entry(id=external_url("forum.library_entry", entry_id=e.id), title=e.title,
                           url=external_url("forum.library_entry", entry_id=e.id), updated=e.created_at,
                           author=e.organisation.name if e.organisation else site_name(),
                           summary_html=e.summary_html) for e in page.items]
    updated = page.items[0].created_at if page.items else utcnow()
    body = feeds.atom(external_url("forum.library_feed"), _("%(site)s: good practice", site=site_name()),
                      external_url("forum.library_index"), external_url("forum.library_feed"), entries, updated)
    return Response(body, mimetype="application/atom+xml")


@bp.route("/posts/<forum_id:post_id>/promote", methods=["GET", "POST"])
@login_required
def promote_post(post_id: int):
    """A moderator promotes a post, or its thread, into the library."""
    if not current_user.is_moderator:
        raise PermissionDenied(_("Only moderators curate the library."))
    db = session()
    post, thread, space = reading.get_shown_post(db, current_user, post_id)
    form = PromoteForm()
    if request.method == "GET":
        # Only what the byline shows: a post without its author's name gives away no organisation.
        form.organisation.data = policy.byline(current_user, post).organisation
        form.title.data = thread.title
    tags = library.tags(db)
    if form.validate_on_submit():
        chosen = [tag_id for v in request.form.getlist("tags") if (tag_id := parse_id(v))]
        summary = library.Summary(form.title.data or "", form.problem.data or "", form.approach.data or "",
                                  form.outcome.data or "", form.organisation.data or "", chosen)
        done = attempt(db, form, lambda: library.promote(
            db, current_user, post, thread, space, summary, bool(form.whole_thread.data),
            lambda e: external_url("forum.library_consent", entry_id=e.id), site_name()))
        if done:
            entry = done.value
            if entry.status == "published":
                flash(_("Added to the library."), "success")
            else:
                flash(_("The author has been asked for consent; the entry is published when they agree."), "success")
            return redirect(url_for("forum.library_entry", entry_id=entry.id))
    errors = form_errors(form)
    return render_template("forum/library/promote.html", post=post, thread=thread, space=space, form=form,
                           tags=tags, chosen={tag_id for v in request.form.getlist("tags") if (tag_id := parse_id(v))},
                           errors=errors), 400 if errors else 200


@bp.route("/library/<forum_id:entry_id>/consent", methods=["GET", "POST"])
@login_required
def library_consent(entry_id: int):
    """The author of a post from a private space agrees to its publication, or declines."""
    db = session()
    entry = library.get_entry(db, entry_id, current_user)
    form = ConsentForm()
    if form.validate_on_submit():
        library.consent(db, entry, current_user, bool(form.accept.data), credit=bool(form.credit.data))
        db.commit()
        if form.accept.data:
            flash(_("Thank you: it is in the library now."), "success")
            return redirect(url_for("forum.library_entry", entry_id=entry_id))
        flash(_("It will not be published."), "success")
        return redirect(url_for("forum.library_index"))
    return render_template("forum/library/consent.html", entry=entry, form=form)


@bp.route("/library/tags", methods=["GET", "POST"])
@login_required
def library_tags():
    """Moderators add and rename service areas."""
    if not current_user.is_moderator:
        raise PermissionDenied(_("Only moderators edit the service areas."))
    db = session()
    form = TagForm()

    def save():
        renaming = request.form.get("tag_id", "")
        if not renaming:
            return library.add_tag(db, current_user, form.name.data or "")
        tag = db.get(LibraryTag, tag_id) if (tag_id := parse_id(renaming)) else None
        if tag is None:
            raise NotFound(_("There is no such service area: it may have been removed."))
        return library.rename_tag(db, current_user, tag, form.name.data or "")

    if form.validate_on_submit() and attempt(db, form, save):
        flash(_("Saved."), "success")
        return redirect(url_for("forum.library_tags"))
    errors = form_errors(form)
    return render_template("forum/library/tags.html", form=form, tags=library.tags(db),
                           errors=errors), 400 if errors else 200

