"""Every page of the forum, in every state worth checking, keyed by the endpoint that serves it.

test_accessibility, test_html_valid and test_page_weight visit each entry in a real browser. The
map must name every GET endpoint on the "forum" blueprint (test_page_map checks it against
app.url_map), so a new page cannot go unchecked: add its entries here when you add the route.

Paths are functions of `ids`, the real ids of the demo community and the extra data that
conftest.seed() creates (a 60-post thread, an empty space, a locked thread, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tests.browser.checks import expect_submission

# The pages the screenshots show (names of entries below).
SCREENSHOTS = [
    "home", "space-public", "thread-from-chat", "thread-50-posts", "thread-from-chat-member",
    "new-thread-errors", "new-thread-preview", "reply-quoting", "login", "register-errors", "admin-spaces",
]

MARKDOWN = (
    "We tried **three** things this year:\n\n"
    "1. a weekend rota\n2. a shared inbox\n3. canned replies\n\n"
    "> The rota worked best.\n\n"
    "More in [our write-up](https://example.org/write-up) and `rota.xlsx`."
)


@dataclass(frozen=True)
class Visit:
    """One page in one state: where it is, who looks, what it must answer, how to reach the state."""

    name: str
    path: str | Callable[[object], str]
    who: str = "visitor"          # visitor | member (Sam Patel) | admin (Alex Morgan)
    status: int = 200
    expect: str = ""              # text the page shows in this state (proves it is the state meant)
    act: Callable | None = None   # after loading `path`: reach the state (fill and send a form)
    site: str = "demo"            # demo: the demo community; empty: a forum with no spaces yet
    kind: str = "html"            # html, or json for machine-readable endpoints (no axe or vnu)
    isolated: bool = False        # use a context of its own (the step might end the session)

    def url_path(self, ids) -> str:
        return self.path(ids) if callable(self.path) else self.path


def send(fields: dict[str, str] | None = None, button: str = "Submit"):
    """Fill fields by their labels and press a submit button, as a person would."""
    def act(page, ids):
        for label, value in (fields or {}).items():
            page.get_by_label(label, exact=True).fill(value)
        target = page.locator("main").get_by_role("button", name=button, exact=True)
        return expect_submission(page, target.click, what=f"the “{button}” button")
    return act


def expire_form(button: str, scope: str = "main"):
    """Send a form whose CSRF token has expired (as after a long wait, or a server restart)."""
    def act(page, ids):
        form = page.locator(scope).locator("form", has=page.get_by_role("button", name=button, exact=True))
        form.locator("input[name=csrf_token]").evaluate("input => { input.value = 'expired-token'; }")
        target = form.get_by_role("button", name=button, exact=True)
        return expect_submission(page, target.click, what=f"the “{button}” button")
    return act


PAGES: dict[str, list[Visit]] = {
    "forum.home": [
        Visit("home", "/", expect="Latest threads"),
        Visit("home-member", "/", who="member", expect="Evangelist support"),
        Visit("home-admin", "/", who="admin", expect="Manage spaces"),
        Visit("home-empty-forum", "/", site="empty", expect="There are no spaces yet"),
        Visit("home-empty-forum-admin", "/", site="empty", who="admin", expect="Create the first space"),
    ],
    "forum.health": [
        Visit("health", "/health", kind="json", expect='"status":"ok"'),
    ],
    "forum.space": [
        Visit("space-public", "/spaces/lgovsm-chat", expect="Sign in"),
        Visit("space-public-member", "/spaces/between-chats", who="member", expect="Start a thread"),
        Visit("space-members-only", "/spaces/good-practice", who="member", expect="Good practice"),
        Visit("space-private-anonymous-posting", "/spaces/evangelist-support", who="admin", expect="Evangelist support"),
        Visit("space-empty", "/spaces/introductions", who="member", expect="No threads here yet. Be the first"),
        Visit("space-empty-visitor", "/spaces/introductions", expect="No threads here yet."),
        Visit("space-page-2", "/spaces/older-chats?page=2", expect="Previous"),
        Visit("space-not-found", "/spaces/no-such-space", status=404, expect="Page not found"),
        Visit("space-members-only-to-visitor", "/spaces/good-practice", status=404, expect="Page not found"),
        Visit("space-page-out-of-range", "/spaces/between-chats?page=9", status=404, expect="There is no page 9"),
    ],
    "forum.new_thread": [
        Visit("new-thread", "/spaces/between-chats/new", who="member", expect="Start a thread in Between chats"),
        Visit("new-thread-anonymous-allowed", "/spaces/evangelist-support/new", who="member",
              expect="Post without showing my name"),
        Visit("new-thread-errors", "/spaces/between-chats/new", who="member", status=400, expect="There is a problem",
              act=send({"Your post": "My long careful post"}, "Post thread")),
        Visit("new-thread-preview", "/spaces/between-chats/new", who="member", expect="This is how your post will look",
              act=send({"Title": "Weekend rotas", "Your post": MARKDOWN}, "Preview")),
        Visit("new-thread-signed-out", "/spaces/between-chats/new", expect="Sign in to continue"),
    ],
    "forum.thread": [
        Visit("thread-from-chat", lambda ids: f"/threads/{ids.chat_thread}", expect="Sign in to reply"),
        Visit("thread-from-chat-with-slug", lambda ids: ids.chat_thread_url, expect="This thread came from the chat"),
        Visit("thread-from-chat-member", lambda ids: f"/threads/{ids.chat_thread}", who="member", expect="Your reply"),
        Visit("thread-50-posts", lambda ids: f"/threads/{ids.long_thread}", expect="page 1 of 2"),
        Visit("thread-page-2", lambda ids: f"/threads/{ids.long_thread}?page=2", expect="page 2 of 2"),
        Visit("thread-locked-hidden-deleted", lambda ids: f"/threads/{ids.locked_thread}",
              expect="This post was hidden by a moderator"),
        Visit("thread-locked-moderator", lambda ids: f"/threads/{ids.locked_thread}", who="admin",
              expect="This thread is locked"),
        Visit("thread-markdown", lambda ids: f"/threads/{ids.markdown_thread}", expect="How this forum works"),
        Visit("thread-private-anonymous-post", lambda ids: f"/threads/{ids.private_thread}", who="member",
              expect="You, posting without your name"),
        Visit("thread-private-anonymous-post-admin", lambda ids: f"/threads/{ids.private_thread}", who="admin",
              expect="A member of this space"),
        Visit("thread-not-found", "/threads/999999", status=404, expect="There is no thread at this address"),
        Visit("thread-private-to-visitor", lambda ids: f"/threads/{ids.private_thread}", status=404,
              expect="Page not found"),
        Visit("thread-page-out-of-range", lambda ids: f"/threads/{ids.chat_thread}?page=5", status=404,
              expect="There is no page 5"),
    ],
    "forum.reply": [
        Visit("reply-quoting", lambda ids: f"/threads/{ids.chat_thread}/reply?quote={ids.chat_first_post}",
              who="member", expect="LGovSM wrote:"),
        Visit("reply-anonymous-allowed", lambda ids: f"/threads/{ids.private_thread}/reply", who="member",
              expect="Post without showing my name"),
        Visit("reply-errors", lambda ids: f"/threads/{ids.chat_thread}/reply", who="member", status=400,
              expect="Enter the text of your reply", act=send({"Your reply": ""}, "Post reply")),
        Visit("reply-preview", lambda ids: f"/threads/{ids.chat_thread}/reply", who="member",
              expect="This is how your post will look", act=send({"Your reply": MARKDOWN}, "Preview")),
        Visit("reply-locked", lambda ids: f"/threads/{ids.locked_thread}/reply", who="member", status=403,
              expect="This thread is locked"),
        Visit("reply-quote-not-found", lambda ids: f"/threads/{ids.chat_thread}/reply?quote=999999", who="member",
              status=404, expect="There is no post at this address"),
    ],
    "forum.post": [
        Visit("post-on-page-2", lambda ids: f"/posts/{ids.long_thread_last_post}", expect="page 2 of 2"),
        Visit("post-not-found", "/posts/999999", status=404, expect="There is no post at this address"),
    ],
    "forum.edit_post": [
        Visit("edit-post", lambda ids: f"/posts/{ids.member_post}/edit", who="member", expect="Edit your post"),
        Visit("edit-post-errors", lambda ids: f"/posts/{ids.member_post}/edit", who="member", status=400,
              expect="Enter the text of your post", act=send({"Your post": ""}, "Save changes")),
        Visit("edit-post-preview", lambda ids: f"/posts/{ids.member_post}/edit", who="member",
              expect="This is how your post will look", act=send({"Your post": MARKDOWN}, "Preview")),
        Visit("edit-post-not-yours", lambda ids: f"/posts/{ids.other_post}/edit", who="member", status=403,
              expect="You can only edit your own posts"),
    ],
    "forum.delete_post": [
        Visit("delete-post", lambda ids: f"/posts/{ids.member_post}/delete", who="member", expect="Delete your post?"),
        Visit("delete-post-expired-form", lambda ids: f"/posts/{ids.member_post}/delete", who="member", status=400,
              expect="This form had expired", act=expire_form("Delete post")),
        Visit("delete-post-not-yours", lambda ids: f"/posts/{ids.other_post}/delete", who="member", status=403,
              expect="You can only delete your own posts"),
    ],
    "forum.login": [
        Visit("login", "/login", expect="Sign in"),
        Visit("login-errors", "/login", status=400, expect="Enter your email address", act=send({}, "Sign in")),
        Visit("login-wrong-password", "/login", status=400, expect="The email address or password is not right",
              act=send({"Email address": "sam.patel@staffordshire.example.gov.uk", "Password": "not my password"},
                       "Sign in")),
    ],
    "forum.register": [
        Visit("register", "/register", expect="Create an account"),
        Visit("register-errors", "/register", status=400, expect="Enter your name as other members will see it",
              act=send({}, "Create account")),
        Visit("register-taken", "/register", status=400, expect="already taken",
              act=send({"Your name": "Sam Patel", "Email address": "sam.patel@staffordshire.example.gov.uk",
                        "Password": "short"}, "Create account")),
    ],
    "forum.logout": [  # POST only: what a person can still meet there
        Visit("logout-by-address", "/logout", status=405, expect="That address cannot be used that way"),
        Visit("logout-expired-form", "/", who="member", status=400, isolated=True,
              expect="you are still signed in", act=expire_form("Sign out", scope="header")),
    ],
    "forum.admin_spaces": [
        Visit("admin-spaces", "/admin/spaces", who="admin", expect="Manage spaces"),
        Visit("admin-spaces-empty-forum", "/admin/spaces", site="empty", who="admin", expect="There are no spaces yet"),
        Visit("admin-spaces-not-admin", "/admin/spaces", who="member", status=403,
              expect="Only administrators can manage spaces"),
        Visit("admin-spaces-signed-out", "/admin/spaces", expect="Sign in to continue"),
    ],
    "forum.admin_new_space": [
        Visit("admin-new-space", "/admin/spaces/new", who="admin", expect="Create a space"),
        Visit("admin-new-space-errors", "/admin/spaces/new", who="admin", status=400, expect="Enter the space's name",
              act=send({}, "Save space")),
    ],
    "forum.admin_edit_space": [
        Visit("admin-edit-space", "/admin/spaces/evangelist-support/edit", who="admin", expect="Edit Evangelist support"),
        Visit("admin-edit-space-errors", "/admin/spaces/evangelist-support/edit", who="admin", status=400,
              expect="Enter the space's name", act=send({"Name": "", "Address": ""}, "Save space")),
        Visit("admin-edit-space-not-found", "/admin/spaces/no-such-space/edit", who="admin", status=404,
              expect="There is no space at this address"),
    ],
}

# Endpoints that are not pages, each with the reason.
NOT_PAGES = {
    "forum.static": "static files (the CSS) are measured as part of every page's weight",
}

ALL_VISITS = [visit for visits in PAGES.values() for visit in visits]
HTML_VISITS = [visit for visit in ALL_VISITS if visit.kind == "html"]
