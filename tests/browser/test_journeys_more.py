"""More journeys through the real pages, with JavaScript off and on: membership with approval (issue 6),
importing a chat's transcript (issue 7), and moderation and the good-practice library (issue 9).

Each journey has several people, each in a browser context of their own, on a forum of this module's
own (the demo community), so what they change does not reach the other browser tests.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.checks import ROOT, Traffic, traffic_problems
from tests.browser.conftest import MEMBER, VIEWPORT, _serve, _stop, seed_demo
from tests.browser.test_journeys import fill, follow, notice, press
from tests.mailserver import MailServer

pytestmark = pytest.mark.browser

JAVASCRIPT = pytest.mark.parametrize("js", [False, True], ids=["javascript-off", "javascript-on"])
PASSWORD = "afterchat-demo"
MODERATOR = ("jo.williams@leeds.example.gov.uk", PASSWORD)
TRANSCRIPT = ROOT / "tests" / "data" / "import" / "lgovsm_tags.csv"
PLAIN_LOG = ROOT / "tests" / "data" / "import" / "lgovsm_plain.txt"


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    """The demo community in a real server of this module's own; emailed links point at it."""
    live = _serve(tmp_path_factory, sqlite_template, "journeys-more", seed_demo)
    live.app.config["FORUM_BASE_URL"] = live.base_url
    yield live
    _stop(live)


@pytest.fixture
def people(browser, request):
    """Opens a new tab in a context of its own for each person; checks their requests at the end."""
    js = request.node.callspec.params["js"]
    opened = []

    def person():
        context = browser.new_context(java_script_enabled=js, viewport=VIEWPORT)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.traffic = Traffic(page)
        opened.append((context, page))
        return page

    yield person
    problems = []
    for context, page in opened:
        page.traffic.settle()
        problems += traffic_problems(page.traffic, one_page=False)
        context.close()
    assert not problems, "the journey's pages made requests they must not:\n" + "\n".join(problems)


def sign_in(page, site, who: tuple[str, str]) -> None:
    """Sign in through the header's link and the form."""
    page.goto(site.url("/"))
    follow(page, page.locator("header").get_by_role("link", name="Sign in"))
    fill(page, {"Email address": who[0], "Password": who[1]})
    press(page, "Sign in")
    assert "Signed in as" in notice(page)


def send_mail(site, smtp: MailServer, monkeypatch) -> None:
    """Deliver the outbox to the loopback SMTP server, as `flask forum send-mail` does from cron."""
    monkeypatch.setitem(site.app.config, "FORUM_MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(site.app.config, "FORUM_MAIL_PORT", smtp.port)
    result = site.app.test_cli_runner().invoke(args=["forum", "send-mail"])
    assert result.exit_code == 0, result.output


def item(page, heading: str):
    """The queue item (a sign-up, a report) whose heading or text says `heading`."""
    return page.locator("main .queue-item", has_text=heading)


@JAVASCRIPT
def test_newcomer_confirms_waits_for_approval_and_posts(site, people, js, monkeypatch):
    """A sign-up at an untrusted domain waits for a moderator, then can post."""
    newcomer, moderator = people(), people()
    name = "Kit Fairbairn" if js else "Lou Carrow"
    email = name.lower().replace(" ", ".") + "@charity.example.org"

    newcomer.goto(site.url("/register"))
    fill(newcomer, {"Email address": email, "Password": "three unrelated words", "Your name": name,
                    "Organisation (optional)": "York Carers Network", "Job role (optional)": "Volunteer coordinator"})
    newcomer.get_by_label("Sector", exact=True).select_option(label="Voluntary and community sector")
    press(newcomer, "Create account")
    assert newcomer.get_by_role("heading", level=1).inner_text() == "Check your email"

    with MailServer() as smtp:
        send_mail(site, smtp, monkeypatch)
        emails = smtp.to(email)
        assert len(emails) == 1, f"{len(emails)} emails reached {email}"
        newcomer.goto(site.url(smtp.link_in(emails[0])))
    assert "A moderator will look at your account soon" in notice(newcomer)
    sign_in(newcomer, site, (email, "three unrelated words"))

    sign_in(moderator, site, MODERATOR)
    follow(moderator, moderator.locator("header").get_by_role("link", name=re.compile("^Moderation")))
    follow(moderator, moderator.get_by_role("link", name="Sign-ups waiting for approval"))
    waiting = item(moderator, email)
    assert "York Carers Network" in waiting.inner_text()
    expect = f"{name} is approved and has been told."
    follow(moderator, waiting.get_by_role("button", name="Approve", exact=True))
    assert expect in notice(moderator)

    newcomer.goto(site.url("/"))
    follow(newcomer, newcomer.get_by_role("link", name="Between chats", exact=True))
    follow(newcomer, newcomer.get_by_role("link", name="Start a thread"))
    title = f"Hello from {name} at York Carers"
    fill(newcomer, {"Title": title, "Your post": "Glad to be here: we run our charity's accounts with two volunteers."})
    press(newcomer, "Post thread")
    assert newcomer.get_by_role("heading", level=1).inner_text() == title
    assert "two volunteers" in newcomer.locator("article.post").first.inner_text()


@JAVASCRIPT
def test_moderator_creates_a_chat_and_imports_its_transcript(site, people, js):
    """A chat is created, gets a voted question, has its transcript imported, and carries on."""
    moderator, member = people(), people()
    chat_title = f"#lgovsm 14 January 2011 ({'with' if js else 'without'} JavaScript)"
    question = f"How do you keep going when nobody replies? ({'on' if js else 'off'})"
    new_title = f"Supporting evangelists, renamed {'on' if js else 'off'}"
    thread_title = f"Q1: {new_title}"  # the import numbers each question's thread

    sign_in(moderator, site, MODERATOR)
    follow(moderator, moderator.locator("header").get_by_role("link", name="Chats"))
    follow(moderator, moderator.locator("main").get_by_role("button", name="Create a chat"))
    fill(moderator, {"Title": chat_title, "Starts": "14/01/2011 13:00", "Length in minutes": "60"})
    moderator.get_by_label("Space for its threads", exact=True).select_option(label="lgovsm chat")
    press(moderator, "Save chat")
    assert moderator.get_by_role("heading", level=1).inner_text() == chat_title
    chat_url = moderator.url

    sign_in(member, site, MEMBER)
    member.goto(chat_url)
    fill(member, {"Propose a question": question})
    press(member, "Propose question")
    proposed = member.locator(".question-list > li", has_text=question)
    follow(member, proposed.get_by_role("button", name=f"Vote for this question: {question}"))
    proposed = member.locator(".question-list > li", has_text=question)
    assert "1 vote" in proposed.inner_text()
    assert proposed.get_by_role("button", name=f"Take back your vote for: {question}").is_visible()

    moderator.goto(chat_url)
    follow(moderator, moderator.get_by_role("link", name="Import its transcript"))
    assert moderator.get_by_label("Chat", exact=True).locator("option:checked").inner_text() == chat_title
    moderator.get_by_label("Transcript file", exact=True).set_input_files(str(TRANSCRIPT))
    press(moderator, "Upload and preview")
    assert moderator.get_by_role("heading", level=1).inner_text() == "Check what will be imported"
    moderator.get_by_label(re.compile(r"^Title of question 1's thread")).fill(new_title)
    press(moderator, "Confirm and import")
    assert "Imported 9 posts into 3 threads: 2 questions and the welcome and wrap-up." in notice(moderator)
    assert moderator.url == chat_url
    assert moderator.get_by_role("link", name=thread_title, exact=True).is_visible()

    member.goto(chat_url)
    follow(member, member.get_by_role("link", name=thread_title, exact=True))
    assert member.get_by_role("heading", level=1).inner_text() == thread_title
    reply = f"Carrying on after the chat: we pair new evangelists with old hands ({'on' if js else 'off'})."
    fill(member, {"Your reply": reply})
    press(member, "Post reply")
    post_id = re.search(r"#post-(\d+)$", member.url).group(1)
    assert reply in member.locator(f"#post-{post_id}").inner_text()


@JAVASCRIPT
def test_host_checks_and_adjusts_a_plain_log_before_importing_it(site, people, js):
    """A plain log with no times: the preview asks when the chat ran, the host moves a question's start,
    leaves a message out, accepts a suggested member, and confirms; the chat page says what happened."""
    host = people()
    run = "on" if js else "off"
    # Each run's words differ, so the second run's file is a new chat rather than a re-import of the first.
    log = "\n".join(f"{line} ({run})" for line in PLAIN_LOG.read_text().splitlines()).encode()

    sign_in(host, site, MODERATOR)
    host.goto(site.url("/import"))
    host.get_by_label("Transcript file", exact=True).set_input_files(
        {"name": "lgovsm.txt", "mimeType": "text/plain", "buffer": log})
    host.get_by_label("Space for a new chat's threads", exact=True).select_option(label="lgovsm chat")
    press(host, "Upload and preview")
    assert host.get_by_role("heading", level=2, name="When did the chat start?").is_visible()
    assert not host.get_by_role("button", name="Confirm and import").count()
    fill(host, {"When the chat started": "03/12/2026 12:00", "How long it ran, in minutes": "60"})
    press(host, "Continue")
    main = host.locator("main")
    assert "4 threads: 3 questions and the welcome and wrap-up" in main.inner_text()
    assert "about 12:06pm" in main.locator(".import-thread", has_text="Question 1:").inner_text()

    second = host.get_by_label("Question 2 starts at", exact=True)
    moved = second.locator("option", has_text="Priya, how did you get there?").get_attribute("value")
    second.select_option(moved)
    host.get_by_label(re.compile(r"^Leave out message 2 by Ana Farias")).check()
    priya = host.get_by_label(re.compile(r"^Priya Shah, 8 posts: shown as"))
    priya.select_option(label="Priya Shah (suggested: a member with the same name)")
    press(host, "Update the preview")
    assert main.get_by_role("heading", name="Question 2: 2 posts").is_visible()
    assert "Hello from Leeds" in main.locator(".messages", has=host.get_by_label(
        re.compile(r"^Leave out this message by Ana Farias"))).inner_text()

    press(host, "Confirm and import")
    assert "Imported 38 posts into 4 threads: 3 questions and the welcome and wrap-up." in notice(host)
    today = datetime.now(ZoneInfo("Europe/London"))
    assert f"Imported from a plain chat log on {today.day} {today:%B %Y}" in main.inner_text()
    follow(host, host.get_by_role("link", name=re.compile(r"^Q2: Who signs off your posts")))
    first = host.locator("article.post").first
    assert first.locator(".post__body").inner_text().startswith("Priya, how did you get there?")
    # Priya's posts are the member's now; Ana, who has no account, stays an imported speaker.
    member_post = host.locator("article.post", has_text="A year of not getting it wrong")
    assert member_post.get_by_role("heading", name="Priya Shah").is_visible()
    assert "imported from" not in member_post.locator(".post__meta").inner_text()
    assert "imported from a chat log" in first.locator(".post__meta").inner_text()


# Per run: the post the member reports (in "Answering comments out of hours"), and the post the
# moderator adds to the library (in "Scheduling tools that work behind our firewall?").
REPORTED = {False: "We set expectations in the profile", True: "A weekend rota of four people"}
PROMOTED = {False: "We got an exception for one tool", True: "Worth asking whether your CRM"}


@JAVASCRIPT
def test_report_hides_a_post_and_the_library_gains_an_entry(site, people, js):
    """A reported post is hidden for everyone; a promoted post is found in the library by service area."""
    member, moderator, visitor = people(), people(), people()
    reason = f"This gives out a personal phone number ({'on' if js else 'off'})."

    sign_in(member, site, MEMBER)
    follow(member, member.get_by_role("link", name="Between chats", exact=True))
    follow(member, member.get_by_role("link", name="Answering comments out of hours", exact=True))
    thread_url = member.url
    reported = member.locator("article.post", has_text=REPORTED[js])
    reported_id = reported.get_attribute("id")
    reported.locator("summary").click()  # a post's actions are behind one "Actions" disclosure
    follow(member, reported.get_by_role("link", name="Report this post"))
    fill(member, {"What is wrong with this post?": reason})
    press(member, "Send report")
    assert "The moderators will look at the post" in notice(member)

    sign_in(moderator, site, MODERATOR)
    follow(moderator, moderator.locator("header").get_by_role("link", name=re.compile("^Moderation")))
    report = item(moderator, reason)
    assert REPORTED[js] in report.inner_text()
    follow(moderator, report.get_by_role("button", name="Hide post", exact=True))
    assert "The post is hidden." in notice(moderator)

    visitor.goto(thread_url)
    assert visitor.locator("header").get_by_role("link", name="Sign in").is_visible()
    assert visitor.locator(f"#{reported_id} .post__removed").inner_text() == "This post was hidden by a moderator."
    assert REPORTED[js] not in visitor.locator("main").inner_text()

    title = f"Get IT to trust a tool with its security statement ({'on' if js else 'off'})"
    moderator.goto(site.url("/"))
    follow(moderator, moderator.get_by_role("link", name="Between chats", exact=True))
    follow(moderator, moderator.get_by_role("link", name="Scheduling tools that work behind our firewall?", exact=True))
    promoted = moderator.locator("article.post", has_text=PROMOTED[js])
    promoted.locator("summary").click()
    follow(moderator, promoted.get_by_role("link", name=re.compile("^Add to library")))
    fill(moderator, {"Title": title, "The problem": "IT blocked every scheduling site.",
                     "What they did": "Showed IT the tool's security statement.",
                     "What happened": "IT made an exception within a week."})
    moderator.get_by_label("Housing", exact=True).check()
    press(moderator, "Add to the library")
    assert title in moderator.locator("main").inner_text()

    visitor.goto(site.url("/"))
    follow(visitor, visitor.locator("header").get_by_role("link", name="Library"))
    visitor.get_by_label("Service area", exact=True).select_option(label="Housing")
    press(visitor, "Filter the library")
    assert visitor.get_by_role("link", name=title, exact=True).is_visible()
    follow(visitor, visitor.get_by_role("link", name=title, exact=True))
    assert visitor.get_by_role("heading", level=1).inner_text() == title
