"""After a chat, in a real browser with JavaScript off (#20): a host imports the transcript, works through the
after-chat checklist and sends the recap; a member who watches the chat's space reads it from the email."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.models import OutboxMessage
from tests.browser.test_journeys import fill, follow, notice, press
from tests.browser.test_journeys_more import MEMBER, MODERATOR, people, sign_in, site  # noqa: F401  (fixtures)
from tests.functional.test_recaps import CHAT, tags_csv

pytestmark = pytest.mark.browser


def _recap_link(site, email: str) -> str:
    """The recap's address in the latest email to `email` (the outbox stands in for the inbox)."""
    with site.app.app_context():
        body = site.app.extensions["forum"].db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to == email, OutboxMessage.subject.startswith("Recap:"))
            .order_by(OutboxMessage.id.desc())).first()
    assert body, f"no recap was emailed to {email}"
    return site.url(re.search(r"The recap on the web: https?://[^/\s]+(\S+)", body).group(1))


@pytest.mark.parametrize("js", [False], ids=["javascript-off"])
def test_host_imports_checks_and_sends_the_recap_and_a_member_reads_it(site, people, js, tmp_path):  # noqa: F811
    host, member = people(), people()
    chat_title = "#lgovsm 8 May 2024: budgets online"

    # The member watches the chat's space, so the recap comes to them by default.
    sign_in(member, site, MEMBER)
    member.goto(site.url("/spaces/lgovsm-chat"))
    press(member, "Watch this space for new threads")
    assert "You are watching it now" in notice(member)

    # The host creates the chat and imports its transcript through the preview.
    sign_in(host, site, MODERATOR)
    follow(host, host.locator("header").get_by_role("link", name="Chats"))
    follow(host, host.locator("main").get_by_role("button", name="Create a chat"))
    fill(host, {"Title": chat_title, "Starts": "08/05/2024 20:00", "Length in minutes": "60"})
    host.get_by_label("Space for its threads", exact=True).select_option(label="lgovsm chat")
    press(host, "Save chat")
    chat_url = host.url
    follow(host, host.get_by_role("link", name="Import its transcript"))
    transcript = tmp_path / "lgovsm-budgets.csv"
    transcript.write_text(tags_csv(CHAT), encoding="utf-8")
    host.get_by_label("Transcript file", exact=True).set_input_files(str(transcript))
    press(host, "Upload and preview")
    assert host.get_by_role("heading", level=1).inner_text() == "Check what will be imported"
    press(host, "Confirm and import")
    assert host.url == chat_url

    # The checklist: imported, titles checked, the recap not sent yet; a question left open to carry.
    checklist = host.locator("main .checklist")
    assert "Transcript imported from a TAGS sheet" in checklist.inner_text()
    assert "Recap not sent yet" in checklist.inner_text()
    assert "Is there a good course for this?" in host.locator("main").inner_text()
    press(host, "Mark the titles as checked")
    assert "The titles are marked as checked." in notice(host)
    press(host, "Send the recap")
    assert re.search(r"The recap was sent to \d+ members?\.", notice(host))
    assert "Recap sent on" in host.locator("main .checklist").inner_text()
    assert not host.locator("main").get_by_role("button", name="Send the recap").count()

    # The member follows the emailed link and reads the recap.
    member.goto(_recap_link(site, MEMBER[0]))
    assert member.get_by_role("heading", level=1).inner_text() == f"Recap: {chat_title}"
    q1 = member.locator("section.recap-question", has_text="How do you run budget consultations online?")
    authors = q1.locator(".post__author").all_inner_texts()
    assert authors[0].startswith("alice") and "We built a budget simulator" in q1.inner_text()
    assert member.locator("main .recap-links").get_by_role("link", name="https://budget.example.org/sim").is_visible()
    assert "Is there a good course for this?" in member.locator("main").inner_text()
    follow(member, q1.get_by_role("link", name=re.compile(r"^Read the whole thread")))
    assert member.get_by_role("heading", level=1).inner_text().startswith("Q1: How do you run budget")
