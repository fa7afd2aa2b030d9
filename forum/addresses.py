"""The forum's own absolute addresses, for mail, feeds and the command line.

Every address starts from FORUM_BASE_URL (`security.base_url`), never from a request's Host header,
so a forged Host or X-Forwarded-Host changes nothing, and `flask forum send-digests` writes the same
links as the web. The views, the feeds and the CLI all take their links from here.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app

from forum import mail_tokens, security, tokens
from forum.services import notifications, recaps


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for mail and feeds, on the forum's configured address (security.base_url).

    Built without the request, so neither a forged Host nor X-Forwarded-Host header can change it,
    and the command line makes the same links as the web.
    """
    base = urlsplit(security.base_url(current_app.config))
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{quote(anchor)}" if anchor else url


def site_name() -> str:
    """The forum's name, as mail and feeds sign it."""
    return current_app.config["FORUM_SITE_NAME"]


def notification_links() -> notifications.Links:
    """Absolute links for notifications and digests (from FORUM_BASE_URL when it is set)."""
    config = current_app.config
    secret = config["SECRET_KEY"]
    return notifications.Links(
        post=lambda post_id: external_url("forum.post", post_id=post_id),
        unsubscribe=lambda member: external_url(
            "forum.unsubscribe", token=tokens.make(secret, "unsubscribe", {"id": member.id})),
        settings=external_url("forum.notification_settings"),
        library=lambda entry_id: external_url("forum.library_entry", entry_id=entry_id),
        reply_to=lambda member_id, thread_id: mail_tokens.reply_address(config, member_id, thread_id),
        stop_every_post=lambda watch: external_url("forum.stop_every_post", token=tokens.make(
            secret, "stop-every-post", {"id": watch.member_id, "watch": watch.id})),
        stop_every_post_address=lambda watch: mail_tokens.stop_address(config, watch.member_id, watch.id),
        mail_domain=mail_tokens.incoming_domain(config) or urlsplit(security.base_url(config)).hostname or "localhost",
    )


def recap_links() -> recaps.Links:
    """Absolute links for recap emails, from FORUM_BASE_URL, on the web and the command line alike."""
    secret = current_app.config["SECRET_KEY"]
    return recaps.Links(
        recap=lambda chat_id: external_url("forum.chat_recap", chat_id=chat_id),
        thread=lambda thread_id: external_url("forum.thread", thread_id=thread_id),
        post=notification_links().post,
        settings=external_url("forum.notification_settings"),
        unsubscribe=lambda member: external_url(
            "forum.unsubscribe", token=tokens.make(secret, "unsubscribe", {"id": member.id, "what": "recaps"})),
        reply_to=notification_links().reply_to,  # reply by email (#21)
    )
