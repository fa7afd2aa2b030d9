"""What people do on the forum, in a real browser, first with JavaScript off and then with it on:
every step through the real forms (CSRF on), and once more with the keyboard alone."""

from __future__ import annotations

import re

import pytest

from tests.browser.checks import Keyboard, Traffic, expect_submission, traffic_problems
from tests.browser.conftest import MEMBER, VIEWPORT
from tests.browser.pages import MARKDOWN

pytestmark = pytest.mark.browser

JAVASCRIPT = pytest.mark.parametrize("js", [False, True], ids=["javascript-off", "javascript-on"])
PASSWORD = "three unrelated words"


@pytest.fixture
def tab(browser, request):
    """A fresh context and tab; JavaScript on or off as the test's `js` parameter says."""
    js = request.node.callspec.params["js"]
    context = browser.new_context(java_script_enabled=js, viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.traffic = Traffic(page)
    yield page
    page.traffic.settle()
    problems = traffic_problems(page.traffic, one_page=False)
    context.close()
    assert not problems, "the journey's pages made requests they must not:\n" + "\n".join(problems)


def follow(page, locator, what: str | None = None):
    """Click a link or a button and wait for the page it leads to."""
    return expect_submission(page, locator.click, what=what or f"clicking {locator}")


def press(page, name: str, within: str = "main"):
    """Press a button by its name (in the main content, or the header's Sign out)."""
    button = page.locator(within).get_by_role("button", name=name, exact=True)
    return expect_submission(page, button.click, what=f"the “{name}” button")


def fill(page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def notice(page) -> str:
    """The flashed notices, or what the page says instead (an error summary, an error page)."""
    found = " ".join(page.locator(".notice").all_inner_texts())
    if not found:
        found = "(no notice) " + " ".join(page.locator("main").inner_text().split())[:400]
    return found


def emailed_link(site, email: str) -> str:
    """The link in the latest email to `email` (the outbox stands in for the member's inbox)."""
    from sqlalchemy import select

    from forum.models import OutboxMessage

    with site.app.app_context():
        db = site.app.extensions["forum"].db.session
        body = db.scalars(select(OutboxMessage.body).where(OutboxMessage.to == email)
                          .order_by(OutboxMessage.id.desc())).first()
    assert body, f"no email was sent to {email}"
    # Links in mail are built from FORUM_BASE_URL, not this test site's address: keep the path only.
    path = re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+", body).group(0))
    return site.url(path)


def account(kind: str, js: bool) -> tuple[str, str]:
    names = {("mouse", False): "Casey Rowe", ("mouse", True): "Jordan Ellis",
             ("keyboard", False): "Robin Ashworth", ("keyboard", True): "Morgan Reid"}
    name = names[(kind, js)]
    return name, name.lower().replace(" ", ".") + "@example.gov.uk"


@JAVASCRIPT
def test_member_registers_posts_quotes_edits_and_signs_out(site, tab, js):
    page = tab
    name, email = account("mouse", js)
    page.goto(site.url("/"))

    # Register, and confirm the address from the emailed link (a council address is approved at once).
    follow(page, page.locator("header").get_by_role("link", name="Create an account"))
    fill(page, {"Email address": email, "Password": PASSWORD, "Your name": name,
                "Organisation (optional)": "Kirklees Council", "Job role (optional)": "Web editor"})
    page.get_by_label("Sector", exact=True).select_option(label="Local government")
    press(page, "Create account")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    page.goto(emailed_link(site, email))
    assert "Your email address is confirmed and your account is ready" in notice(page)

    # Sign in on the page the link led to; sign out, and in again through the header's link.
    fill(page, {"Email address": email, "Password": PASSWORD})
    press(page, "Sign in")
    assert f"Signed in as {name}." in notice(page)
    press(page, "Sign out", within="header")
    assert "You have signed out." in notice(page)
    follow(page, page.locator("header").get_by_role("link", name="Sign in"))
    fill(page, {"Email address": email, "Password": PASSWORD})
    press(page, "Sign in")
    assert f"Signed in as {name}." in notice(page)
    assert page.locator("header").get_by_text(name).is_visible()

    # Open a space and start a thread in Markdown: preview it, then post it.
    follow(page, page.get_by_role("link", name="Between chats", exact=True))
    assert page.get_by_role("heading", level=1).inner_text() == "Between chats"
    follow(page, page.get_by_role("link", name="Start a thread"))
    title = f"Weekend cover: what works? ({name})"
    fill(page, {"Title": title, "Your post": MARKDOWN})
    press(page, "Preview")
    preview = page.locator("section.preview")
    assert preview.locator("strong").inner_text() == "three"
    assert preview.locator("ol > li").count() == 3 and preview.locator("blockquote").count() == 1
    assert page.get_by_label("Title", exact=True).input_value() == title
    assert page.get_by_label("Your post", exact=True).input_value() == MARKDOWN
    press(page, "Post thread")
    assert page.get_by_role("heading", level=1).inner_text() == title
    first_post = page.locator("article.post").first
    assert first_post.locator("strong").inner_text() == "three"
    assert first_post.locator("blockquote").inner_text().strip() == "The rota worked best."

    # Reply to another thread, quoting a post.
    follow(page, page.locator("nav.breadcrumbs").get_by_role("link", name="Between chats"))
    follow(page, page.get_by_role("link", name="Scheduling tools that work behind our firewall?"))
    dans = page.locator("article.post", has=page.get_by_role("heading", name="Dan Hughes"))
    dans.locator("summary").click()  # a post's actions are behind one "Actions" disclosure
    follow(page, dans.get_by_role("link", name="Quote this post"))
    body = page.get_by_label("Your reply", exact=True)
    assert re.match(r"\[\*\*Dan Hughes wrote:\*\*\]\(/posts/\d+\)\n> Worth asking whether your CRM", body.input_value())
    body.press("Control+End")
    body.press_sequentially("Ours does, and IT already trusts it.")
    press(page, "Post reply")
    post_id = re.search(r"#post-(\d+)$", page.url).group(1)
    reply = page.locator(f"#post-{post_id}")
    assert reply.locator("blockquote").inner_text().startswith("Worth asking whether your CRM")
    assert "Ours does, and IT already trusts it." in reply.inner_text()

    # Edit the reply.
    reply.locator("summary").click()
    follow(page, reply.get_by_role("link", name="Edit your post"))
    fill(page, {"Your post": "**Dan Hughes wrote:**\n> Worth asking\n\nOurs does: IT already trusts our CRM."})
    press(page, "Save changes")
    assert "Your changes were saved." in notice(page)
    reply = page.locator(f"#post-{post_id}")
    assert "Ours does: IT already trusts our CRM." in reply.inner_text()
    assert "edited" in reply.locator(".post__time").inner_text()

    # Sign out.
    press(page, "Sign out", within="header")
    assert "You have signed out." in notice(page)
    assert page.locator("header").get_by_role("link", name="Sign in").is_visible()


@JAVASCRIPT
def test_visitor_reads_a_public_thread_and_is_asked_to_sign_in_to_reply(site, tab, js):
    page = tab
    page.goto(site.url("/"))
    follow(page, page.get_by_role("link", name="lgovsm chat", exact=True))
    follow(page, page.get_by_role("link", name=re.compile("^Q1: How do you support")))
    thread_path = page.url.removeprefix(site.base_url)
    assert page.locator("article.post").count() >= 13
    assert "This thread came from the chat" in page.locator("main").inner_text()
    assert page.locator("textarea").count() == 0 and page.get_by_role("link", name="Quote this post").count() == 0

    follow(page, page.get_by_role("link", name="Sign in to reply"))
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    fill(page, {"Email address": MEMBER[0], "Password": MEMBER[1]})
    press(page, "Sign in")
    assert page.url.removeprefix(site.base_url) == thread_path, "signing in did not return to the thread"
    assert page.get_by_role("heading", name="Reply", exact=True).is_visible()
    assert page.get_by_label("Your reply", exact=True).is_editable()


@JAVASCRIPT
def test_form_errors_show_a_focused_summary_and_keep_what_was_typed(site, tab, js):
    page = tab
    page.goto(site.url("/register"))
    name, email = "Pat Doe", "pat.doe@example.gov.uk"
    fill(page, {"Email address": email, "Password": "short", "Your name": name})
    response = press(page, "Create account")
    assert response.status == 400
    assert page.title().startswith("Error: ")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    assert page.locator(".error-summary:focus").count() == 1, "the error summary does not have focus"
    Keyboard(page).check_focus_here()  # and shows that it has
    link = summary.get_by_role("link", name="Enter a password of at least 10 characters")
    assert link.get_attribute("href") == "#password"
    assert page.get_by_label("Your name", exact=True).input_value() == name
    assert page.get_by_label("Email address", exact=True).input_value() == email
    error = page.locator("#password-error")
    assert error.is_visible() and "Enter a password of at least 10 characters" in error.inner_text()
    assert "password-error" in page.get_by_label("Password", exact=True).get_attribute("aria-describedby")

    # A long post is not lost when the title is wrong.
    page.goto(site.url("/login"))
    fill(page, {"Email address": MEMBER[0], "Password": MEMBER[1]})
    press(page, "Sign in")
    page.goto(site.url("/spaces/between-chats/new"))
    careful = "My long careful post,\n\nwritten over **twenty minutes**."
    fill(page, {"Title": "Hi", "Your post": careful})
    response = press(page, "Post thread")
    assert response.status == 400
    assert page.locator(".error-summary:focus").count() == 1, "the error summary does not have focus"
    assert page.locator(".error-summary").get_by_role("link").first.get_attribute("href") == "#title"
    assert page.get_by_label("Title", exact=True).input_value() == "Hi"
    assert page.get_by_label("Your post", exact=True).input_value() == careful


@JAVASCRIPT
def test_main_journey_with_the_keyboard_alone(site, tab, js):
    """Tab, Shift+Tab, Enter and Space only; focus must be visible on everything it lands on."""
    page = tab
    name, email = account("keyboard", js)
    kb = Keyboard(page)
    page.goto(site.url("/"))

    kb.activate(kb.tab_to_name("Create an account", role="link"))
    kb.tab_to_name("Email address")
    kb.type(email)
    kb.tab_to_name("Password")
    kb.type(PASSWORD)
    kb.tab_to_name("Your name")
    kb.type(name)
    kb.tab_to_name("Sector")
    kb.type("Local")  # a closed select picks the option its name starts with
    assert page.get_by_label("Sector", exact=True).input_value() == "local_government"
    kb.activate(kb.tab_to_name("Create account"))
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    page.goto(emailed_link(site, email))  # as if from the email
    assert "your account is ready" in notice(page)

    kb.tab_to_name("Email address")  # the link leads to the sign-in form
    kb.type(email)
    kb.tab_to_name("Password")
    kb.type(PASSWORD)
    kb.activate(kb.tab_to_name("Keep me signed in on this computer for 14 days"), navigates=False)
    assert page.get_by_label("Keep me signed in on this computer for 14 days").is_checked()
    kb.activate(kb.tab_to_name("Sign in", role="button"))
    assert f"Signed in as {name}." in notice(page)

    kb.activate(kb.tab_to_name("Between chats", role="link"))
    kb.activate(kb.tab_to_name("Start a thread"))
    kb.tab_to_name("Title")
    kb.type("Keyboard-only tips")
    kb.tab_to_name("Your post")
    kb.type("Tab moves **forward**.\n\n- Shift+Tab goes back\n- Space presses buttons")
    kb.tab_to_name("Title", backwards=True)
    page.keyboard.press("End")
    kb.type(f" from {name}")
    kb.activate(kb.tab_to_name("Preview"))
    assert page.locator("section.preview strong").inner_text() == "forward"
    post_button = kb.tab_to_name("Post thread")
    kb.activate(post_button, key="Enter")
    title = f"Keyboard-only tips from {name}"
    assert page.get_by_role("heading", level=1).inner_text() == title

    kb.activate(kb.tab_to_name("Actions for your post"), navigates=False)
    kb.activate(kb.tab_to_name("Quote this post"))
    kb.tab_to_name("Your reply")
    page.keyboard.press("Control+End")
    kb.type("Enter follows links too.")
    kb.activate(kb.tab_to_name("Post reply"))
    post_id = re.search(r"#post-(\d+)$", page.url).group(1)
    assert "Enter follows links too." in page.locator(f"#post-{post_id}").inner_text()

    kb.activate(kb.tab_to(lambda i: f'id="post-{post_id}-actions"' in i["html"], what="the reply's Actions"),
                navigates=False)
    kb.activate(kb.tab_to(lambda i: i["href"].endswith(f"/posts/{post_id}/edit"), what="the reply's Edit link"))
    kb.tab_to_name("Your post")
    page.keyboard.press("Control+End")
    kb.type(" And Space ticks boxes.")
    kb.activate(kb.tab_to_name("Save changes"))
    assert "Your changes were saved." in notice(page)
    assert "And Space ticks boxes." in page.locator(f"#post-{post_id}").inner_text()

    kb.activate(kb.tab_to_name("Sign out", backwards=True))
    assert "You have signed out." in notice(page)
    assert kb.stops > 20
