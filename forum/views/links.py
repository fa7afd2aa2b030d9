"""Links shared in chats: one chat's, all of them (filtered and searchable), and a feed of new ones (#20)."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from forum import feeds
from forum.db import session, utcnow
from forum.forms import LinkFilterForm, choices
from forum.services import chats, library, links
from forum.views import bp
from forum.views._helpers import external_url, page_number, site_name


@bp.get("/chats/<forum_id:chat_id>/links")
def chat_links(chat_id: int):
    """Every link shared in a chat's threads that the viewer may read, with who shared it, where and when."""
    db = session()
    found, space = chats.get_chat(db, current_user, chat_id)
    return render_template("forum/links/chat.html", chat=found, space=space,
                           links=links.chat_links(db, current_user, found))


@bp.get("/links")
def links_index():
    """Links shared across chats, one entry per page linked, filtered by service area and searchable."""
    db = session()
    form = LinkFilterForm(request.args)
    form.area.choices = choices({t.slug: t.name for t in library.tags(db)}, _("Any service area"))
    page = links.all_links(db, current_user, service_area=form.area.data or None, query=form.q.data or None,
                           page=page_number(), most_shared=form.order.data == "most")
    filters = {k: v for k, v in request.args.items() if k in ("area", "q", "order") and v}
    return render_template("forum/links/index.html", form=form, page=page, filters=filters)


@bp.get("/links/feed.atom")
def links_feed():
    """Links newly shared in what anyone may read, as an Atom feed (the policy decides, as for visitors)."""
    db = session()
    found = links.new_links(db, None)
    entries = [feeds.Entry(
        id=f"{external_url('forum.links_index')}#{links.link_entry_id(item)}",
        title=f"{item.domain}: {item.shown_url}", url=external_url("forum.post", post_id=item.post_id),
        updated=item.added_at or item.shared_at, author=item.shared_by.name,
        summary_html=render_template("forum/links/_feed_entry.html", item=item,
                                     post_url=external_url("forum.post", post_id=item.post_id)),
    ) for item in found]
    updated = max((e.updated for e in entries), default=utcnow())
    body = feeds.atom(external_url("forum.links_feed"), _("%(site)s: links shared", site=site_name()),
                      external_url("forum.links_index"), external_url("forum.links_feed"), entries, updated)
    return Response(body, mimetype="application/atom+xml")
