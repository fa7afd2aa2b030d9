"""Topics across chats: a topic's page, and a host setting the topics of a chat and its threads (#20)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.db import session
from forum.errors import PermissionDenied
from forum.forms import TopicsForm
from forum.ids import parse_id
from forum.services import chats, library, topics
from forum.views import bp
from forum.views._helpers import attempt, form_errors, page_number


@bp.get("/topics/<slug>")
def topic(slug: str):
    """Every question thread and library entry on a topic (a service area), newest first."""
    tag, page = topics.topic_page(session(), current_user, slug, page_number())
    return render_template("forum/topics/topic.html", tag=tag, page=page)


def _chosen(values: list[str]) -> set[int]:
    return {tag_id for value in values if (tag_id := parse_id(value))}


@bp.route("/chats/<forum_id:chat_id>/topics", methods=["GET", "POST"])
@login_required
def chat_topics(chat_id: int):
    """A host sets the service areas of a chat and of each of its question threads (suggested from the library)."""
    db = session()
    found, space = chats.get_chat(db, current_user, chat_id)
    manage = chats.can_manage(current_user, found, space)
    if not manage:
        raise PermissionDenied(_("Only the chat's hosts and moderators set its topics."))
    threads = chats.question_threads(db, current_user, [found.id]).get(found.id, [])
    form = TopicsForm()
    if request.method == "POST":
        chosen_chat = _chosen(request.form.getlist("chat_tags"))
        chosen_threads = {t.id: _chosen(request.form.getlist(f"thread-{t.id}")) for t in threads}
    else:
        chosen_chat = {t.id for t in topics.chat_topics(db, found)}
        chosen_threads = {i: {t.id for t in tags} for i, tags in topics.thread_topics(db, [t.id for t in threads]).items()}
    if form.validate_on_submit() and attempt(db, form, lambda: topics.set_topics(
            db, current_user, found, space, chosen_chat, chosen_threads, manage)):
        flash(_("The topics were saved."), "success")
        return redirect(url_for("forum.chat", chat_id=found.id, _anchor="topics"))
    errors = form_errors(form)
    return render_template("forum/topics/chat_form.html", chat=found, space=space, form=form, threads=threads,
                           tags=library.tags(db), chosen_chat=chosen_chat, chosen_threads=chosen_threads,
                           suggested=topics.suggested(db, [t.id for t in threads]), errors=errors), \
        400 if errors else 200
