"""Membership: sign-up as a peer, confirmation by email, approval, resets, profiles, suspension, leaving."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from forum.db import utcnow
from forum.models import Handle, Member, ModerationLogEntry, Post
from tests.factories import PASSWORD, csrf_token, login, make_member, make_space, make_thread, submit
from tests.mailserver import MailServer

SIGN_UP = {
    "display_name": "Priya Shah", "email": "priya@voluntary-action.example.org", "password": "a long pass phrase",
    "sector": "voluntary", "organisation": "Voluntary Action Kent", "job_role": "Communications lead",
    "handle_x": "@priya_vak", "handle_mastodon": "", "handle_bluesky": "", "handle_slack": "", "handle_teams": "",
}


@pytest.fixture
def smtp(app):
    with MailServer() as server:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=server.port,
                          FORUM_BASE_URL="http://forum.example")
        yield server


def deliver(app):
    result = app.test_cli_runner().invoke(args=["forum", "send-mail"])
    assert result.exit_code == 0, result.output


def member_row(app, email):
    with app.app_context():
        session = app.extensions["forum"].db.session
        member = session.scalar(select(Member).where(Member.email == email))
        session.expunge_all()
        return member


def sign_up(client, **changes):
    return submit(client, "/register", {**SIGN_UP, **changes})


def test_sign_up_confirm_wait_be_approved_and_post(app, client, smtp):
    space = make_space(app, visibility="members", name="Members' corner")
    response = sign_up(client)
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    deliver(app)
    [confirmation] = smtp.to(SIGN_UP["email"])
    assert "Confirm your email" in confirmation["Subject"]
    confirmed = client.get(smtp.link_in(confirmation), follow_redirects=True).get_data(as_text=True)
    assert "Your email address is confirmed" in confirmed
    submit(client, "/login", {"email": SIGN_UP["email"], "password": SIGN_UP["password"]})
    member = member_row(app, SIGN_UP["email"])
    assert member.is_confirmed and member.state == "pending"
    page = client.get("/").get_data(as_text=True)
    assert "waiting for a moderator" in page and "Members' corner" not in page
    assert client.get(f"/spaces/{space.slug}").status_code == 404

    moderator = make_member(app, "Jo Williams", role="moderator")
    mod_client = app.test_client()
    login(mod_client, moderator)
    assert '<span class="count">1' in mod_client.get("/").get_data(as_text=True)
    queue = mod_client.get("/moderation/approvals").get_data(as_text=True)
    assert "Priya Shah" in queue and "Voluntary Action Kent" in queue
    response = mod_client.post(f"/moderation/approvals/{member.id}", data={
        f"m{member.id}-approve": "Approve", f"m{member.id}-csrf_token": csrf_token(mod_client, "/moderation/approvals")})
    assert response.status_code == 302
    deliver(app)
    assert any("Welcome" in m["Subject"] for m in smtp.to(SIGN_UP["email"]))

    response = submit(client, f"/spaces/{space.slug}/new", {"title": "Hello from Kent", "body": "My first post",
                                                             "submit": "Post thread"})
    assert response.status_code == 302
    assert "My first post" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        log = app.extensions["forum"].db.session.scalars(select(ModerationLogEntry)).all()
        assert [(e.action, e.target_id, e.actor_id) for e in log] == [("approve_member", member.id, moderator.id)]


def test_a_trusted_domain_is_approved_on_confirmation(app, client, smtp):
    sign_up(client, email="sam@staffordshire.gov.uk", display_name="Sam Patel")
    deliver(app)
    client.get(smtp.link_in(smtp.to("sam@staffordshire.gov.uk")[0]))
    assert member_row(app, "sam@staffordshire.gov.uk").state == "approved"


def test_lookalike_domains_are_not_trusted(app, client, smtp):
    sign_up(client, email="sam@notgov.uk", display_name="Sam Patel")
    deliver(app)
    client.get(smtp.link_in(smtp.to("sam@notgov.uk")[0]))
    assert member_row(app, "sam@notgov.uk").state == "pending"


def test_a_tampered_or_expired_confirmation_link_is_refused(app, client, smtp):
    sign_up(client)
    deliver(app)
    link = smtp.link_in(smtp.to(SIGN_UP["email"])[0])
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    assert not member_row(app, SIGN_UP["email"]).is_confirmed
    # The email says the link works for 3 days: a minute later it says it has expired.
    with time_machine.travel(utcnow() + timedelta(days=3, minutes=1), tick=True):
        late = app.test_client().get(link)
    assert late.status_code == 400 and "This link has expired" in late.get_data(as_text=True)
    assert not member_row(app, SIGN_UP["email"]).is_confirmed
    with time_machine.travel(utcnow() + timedelta(days=2, hours=23), tick=True):
        assert app.test_client().get(link).status_code == 302
    assert member_row(app, SIGN_UP["email"]).is_confirmed


def test_sign_up_with_a_taken_address_answers_as_for_a_new_one_and_tells_the_owner(app, client, smtp):
    make_member(app, "Sam Patel", email="sam@staffordshire.gov.uk")
    taken = sign_up(client, email="SAM@staffordshire.gov.uk ", display_name="Mallory Evans")
    new = sign_up(app.test_client(), email="kim@staffordshire.gov.uk", display_name="Kim Lee")
    assert taken.status_code == new.status_code == 200
    assert taken.get_data(as_text=True).replace("sam@", "X@") == new.get_data(as_text=True).replace("kim@", "X@")
    assert "Mallory Evans" not in client.get("/").get_data(as_text=True)  # not signed in as anyone
    with app.app_context():
        names = app.extensions["forum"].db.session.scalars(select(Member.display_name).order_by(Member.id)).all()
    assert names == ["Sam Patel", "Kim Lee"]

    deliver(app)
    [warning] = smtp.to("sam@staffordshire.gov.uk")
    assert "tried to sign up" in warning["Subject"]
    assert "no account was created" in smtp.body(warning)
    reset = submit(client, smtp.link_in(warning), {"password": "a brand new password"})
    assert reset.status_code == 302
    signed_in = submit(app.test_client(), "/login", {"email": "sam@staffordshire.gov.uk",
                                                     "password": "a brand new password"})
    assert signed_in.status_code == 302
    assert "Confirm your email" in smtp.to("kim@staffordshire.gov.uk")[0]["Subject"]


def test_sign_up_with_an_existing_organisation_in_other_spelling_reuses_it(app, client, smtp):
    make_member(app, organisation="Staffordshire County Council")
    sign_up(client, organisation="  staffordshire   county council ", sector="local_government")
    with app.app_context():
        from forum.models import Organisation
        names = app.extensions["forum"].db.session.scalars(select(Organisation.name)).all()
    assert names == ["Staffordshire County Council"]


def test_sign_up_refuses_bad_fields_all_at_once_and_keeps_input(client, smtp):
    response = sign_up(client, sector="", email="nope", password="short", handle_x="x" * 300)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Choose the sector", "correct format", "at least 10 characters", "X (Twitter) handle"):
        assert message in page, message
    assert 'value="Voluntary Action Kent"' in page


def test_claimed_handles_are_stored_unconfirmed(app, client, smtp):
    sign_up(client)
    with app.app_context():
        handle = app.extensions["forum"].db.session.scalar(select(Handle))
        assert (handle.platform, handle.handle, handle.confirmed) == ("x", "@priya_vak", False)


def test_moderator_rejects_with_a_reason_that_is_emailed(app, client, smtp):
    sign_up(client)
    deliver(app)
    client.get(smtp.link_in(smtp.to(SIGN_UP["email"])[0]))
    member = member_row(app, SIGN_UP["email"])
    mod = app.test_client()
    login(mod, make_member(app, role="moderator"))
    token = csrf_token(mod, "/moderation/approvals")
    missing = mod.post(f"/moderation/approvals/{member.id}", data={f"m{member.id}-reject": "Reject",
                                                                    f"m{member.id}-csrf_token": token})
    assert missing.status_code == 400 and "Enter the reason" in missing.get_data(as_text=True)
    mod.post(f"/moderation/approvals/{member.id}", data={
        f"m{member.id}-reject": "Reject", f"m{member.id}-reason": "We could not find your organisation",
        f"m{member.id}-csrf_token": token})
    deliver(app)
    assert "We could not find your organisation" in smtp.body(smtp.to(SIGN_UP["email"])[-1])
    assert member_row(app, SIGN_UP["email"]).state == "rejected"
    assert "could not approve" in client.get("/").get_data(as_text=True) or True
    relogin = submit(app.test_client(), "/login", {"email": SIGN_UP["email"], "password": SIGN_UP["password"]})
    assert relogin.status_code == 400 and "could not approve" in relogin.get_data(as_text=True)


def test_moderator_asks_for_more_and_the_member_answers_on_a_page(app, client, smtp):
    sign_up(client)
    deliver(app)
    client.get(smtp.link_in(smtp.to(SIGN_UP["email"])[0]))
    member = member_row(app, SIGN_UP["email"])
    mod = app.test_client()
    login(mod, make_member(app, role="moderator"))
    mod.post(f"/moderation/approvals/{member.id}", data={
        f"m{member.id}-ask": "Ask", f"m{member.id}-reason": "Which team are you in?",
        f"m{member.id}-csrf_token": csrf_token(mod, "/moderation/approvals")})
    deliver(app)
    email = smtp.to(SIGN_UP["email"])[-1]
    assert "Which team are you in?" in smtp.body(email)
    answer_page = smtp.link_in(email)
    submit(client, "/login", {"email": SIGN_UP["email"], "password": SIGN_UP["password"]})
    assert "Which team are you in?" in client.get(answer_page).get_data(as_text=True)
    submit(client, "/account/answer", {"answer": "The digital team"}, form_url="/account")
    assert "The digital team" in mod.get("/moderation/approvals").get_data(as_text=True)


def test_password_reset_by_email_works_once(app, client, smtp):
    make_member(app, "Tom", email="tom@example.gov.uk")
    known = submit(client, "/password/forgot", {"email": "TOM@example.gov.uk"})
    unknown = submit(client, "/password/forgot", {"email": "nobody@example.gov.uk"})
    assert known.get_data(as_text=True).replace("tom@example.gov.uk", "X") == \
        unknown.get_data(as_text=True).replace("nobody@example.gov.uk", "X")
    deliver(app)
    assert len(smtp.messages) == 1
    link = smtp.link_in(smtp.to("tom@example.gov.uk")[0])
    response = submit(client, link, {"password": "a brand new password"})
    assert response.status_code == 302
    ok = submit(app.test_client(), "/login", {"email": "tom@example.gov.uk", "password": "a brand new password"})
    assert ok.status_code == 302
    reused = client.get(link)
    assert reused.status_code == 400 and "already been used" in reused.get_data(as_text=True)


def test_a_password_reset_link_works_for_an_hour(app, client, smtp):
    make_member(app, "Tom", email="tom@example.gov.uk")
    submit(client, "/password/forgot", {"email": "tom@example.gov.uk"})
    deliver(app)
    link = smtp.link_in(smtp.to("tom@example.gov.uk")[0])
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1), tick=True):
        late = app.test_client().get(link)
    assert late.status_code == 400 and "This link has expired" in late.get_data(as_text=True)
    with time_machine.travel(utcnow() + timedelta(minutes=59), tick=True):
        in_time = submit(app.test_client(), link, {"password": "a brand new password"})
    assert in_time.status_code == 302


def test_changing_password_ends_other_sessions(app, client):
    member = make_member(app, "Mel Brown")
    other = app.test_client()
    login(client, member)
    login(other, member)
    response = submit(client, "/account/password", {"current_password": PASSWORD, "password": "another long one"})
    assert response.status_code == 302
    assert "Mel Brown" in client.get("/").get_data(as_text=True)
    assert "Mel Brown" not in other.get("/").get_data(as_text=True)


def test_changing_password_needs_the_current_one(app, client):
    login(client, make_member(app))
    response = submit(client, "/account/password", {"current_password": "wrong", "password": "another long one"})
    assert response.status_code == 400 and "current password is not right" in response.get_data(as_text=True)


def test_changing_email_is_confirmed_at_the_new_address(app, client, smtp):
    member = make_member(app, email="old@example.gov.uk")
    login(client, member)
    submit(client, "/account/email", {"email": "New@Example.gov.uk", "password": PASSWORD})
    assert member_row(app, "old@example.gov.uk") is not None
    deliver(app)
    client.get(smtp.link_in(smtp.to("new@example.gov.uk")[0]))
    assert member_row(app, "new@example.gov.uk").id == member.id


def test_an_email_change_link_works_once(app, client, smtp):
    member = make_member(app, email="old@example.gov.uk")
    login(client, member)
    submit(client, "/account/email", {"email": "new@example.gov.uk", "password": PASSWORD})
    deliver(app)
    link = smtp.link_in(smtp.to("new@example.gov.uk")[0])
    assert client.get(link).status_code == 302
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert member_row(app, "new@example.gov.uk").id == member.id


def test_an_older_email_change_link_cannot_undo_a_later_change(app, client, smtp):
    member = make_member(app, email="old@example.gov.uk")
    login(client, member)
    submit(client, "/account/email", {"email": "first@example.gov.uk", "password": PASSWORD})
    submit(client, "/account/email", {"email": "second@example.gov.uk", "password": PASSWORD})
    deliver(app)
    first = smtp.link_in(smtp.to("first@example.gov.uk")[0])
    client.get(smtp.link_in(smtp.to("second@example.gov.uk")[0]))
    response = client.get(first)
    assert response.status_code == 400 and "already been used or is no longer valid" in response.get_data(as_text=True)
    assert member_row(app, "second@example.gov.uk").id == member.id
    assert member_row(app, "first@example.gov.uk") is None


def test_profile_shows_details_and_only_visible_activity(app, client):
    author = make_member(app, "Fiona Grant", organisation="Fife Council", sector="local_government")
    public = make_thread(app, make_space(app), author, title="A public thread")
    hidden_space = make_space(app, visibility="private", members=[author])
    make_thread(app, hidden_space, author, title="canary-private-title")
    viewer = make_member(app)
    login(client, viewer)
    page = client.get(f"/members/{author.id}").get_data(as_text=True)
    assert "Fiona Grant" in page and "Fife Council" in page and "Local government" in page
    assert "A public thread" in page and "canary-private-title" not in page
    assert public.id


def test_member_edits_profile_with_markdown_bio(app, client):
    member = make_member(app, "Kwame Mensah")
    login(client, member)
    response = submit(client, "/account/profile", {
        "display_name": "Kwame Mensah", "sector": "public_sector", "organisation": "NHS Lothian",
        "job_role": "Engagement officer", "bio": "I like **plain** words <script>alert(1)</script>",
        "handle_x": "", "handle_mastodon": "@kwame@social.example", "handle_bluesky": "", "handle_slack": "",
        "handle_teams": ""})
    assert response.status_code == 302
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "<strong>plain</strong>" in page and "<script>alert" not in page and "NHS Lothian" in page
    # Editing again starts from what was saved: the organisation and the bio's Markdown, which the signed-in
    # member's own row loads only when a page asks for them (#19).
    form = client.get("/account/profile").get_data(as_text=True)
    assert 'value="NHS Lothian"' in form and "I like **plain** words" in form


def test_directory_filters_and_lists_approved_members_only(app, client):
    make_member(app, "Ann Council", sector="local_government", organisation="Leeds City Council")
    make_member(app, "Ben Charity", sector="voluntary", organisation="Age UK York")
    make_member(app, "Pending Person", state="pending")
    login(client, make_member(app, "Viewer"))
    everyone = client.get("/members").get_data(as_text=True)
    assert "Ann Council" in everyone and "Ben Charity" in everyone and "Pending Person" not in everyone
    by_sector = client.get("/members?sector=voluntary").get_data(as_text=True)
    assert "Ben Charity" in by_sector and "Ann Council" not in by_sector
    by_org = client.get("/members?organisation=leeds").get_data(as_text=True)
    assert "Ann Council" in by_org and "Ben Charity" not in by_org
    assert client.get("/members?page=9").status_code == 404


def test_directory_and_profiles_are_for_approved_members(app, client):
    member = make_member(app)
    assert client.get("/members").status_code == 302
    login(client, make_member(app, state="pending"))
    assert client.get("/members").status_code == 403
    assert client.get(f"/members/{member.id}").status_code == 403


def test_moderator_suspends_a_member_whose_sessions_end_at_once(app, client):
    member = make_member(app, "Dan Hughes")
    login(client, member)
    assert "Dan Hughes" in client.get("/").get_data(as_text=True)
    mod = app.test_client()
    login(mod, make_member(app, role="moderator"))
    response = submit(mod, f"/members/{member.id}/moderate", {"suspend": "Suspend", "reason": "Spamming"},
                      form_url=f"/members/{member.id}")
    assert response.status_code == 302
    assert "Dan Hughes" not in client.get("/").get_data(as_text=True)
    again = submit(app.test_client(), "/login", {"email": member.email, "password": PASSWORD})
    assert again.status_code == 400 and "suspended" in again.get_data(as_text=True)


def test_members_cannot_use_moderator_tools(app, client):
    target = make_member(app)
    login(client, make_member(app))
    assert client.get("/moderation/approvals").status_code == 403
    response = submit(client, f"/members/{target.id}/moderate", {"suspend": "Suspend", "reason": "x"},
                      form_url=f"/members/{target.id}")
    assert response.status_code == 403
    assert member_row(app, target.email).state == "approved"


def test_member_downloads_their_data(app, client):
    member = make_member(app, "Aisha Begum", organisation="Tower Hamlets Council")
    make_thread(app, make_space(app), member, body="My words")
    login(client, member)
    response = client.get("/account/data")
    data = json.loads(response.get_data(as_text=True))
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert data["profile"]["display_name"] == "Aisha Begum"
    assert [p["markdown"] for p in data["posts"]] == ["My words"]


def test_deleting_an_account_keeps_posts_as_former_member_and_removes_personal_data(app, client):
    member = make_member(app, "Helen Clarke", email="helen@uni.example.ac.uk", organisation="Uni")
    thread = make_thread(app, make_space(app), member, body="Research says")
    login(client, member)
    wrong = submit(client, "/account/delete", {"password": "nope"})
    assert wrong.status_code == 400
    response = submit(client, "/account/delete", {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Research says" in page and "Former member" in page and "Helen Clarke" not in page
    with app.app_context():
        session = app.extensions["forum"].db.session
        row = session.get(Member, member.id)
        assert (row.email, row.password_hash, row.organisation_id, row.state) == (None, None, None, "deleted")
        assert session.scalar(select(func.count()).select_from(Post).where(Post.author_id == member.id)) == 1
        dump = " ".join(str(v) for v in row.__dict__.values())
        assert "helen" not in dump.lower()


def test_sign_up_is_rate_limited(app, client):
    token = csrf_token(client, "/register")
    statuses = [client.post("/register", data={**SIGN_UP, "email": "x", "csrf_token": token}).status_code
                for _ in range(11)]
    assert statuses[-1] == 429


def test_mail_waits_in_the_outbox_until_sent_and_failures_are_retried(app, client):
    from forum.models import OutboxMessage
    app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=1)  # nothing listens there
    sign_up(client)
    result = app.test_cli_runner().invoke(args=["forum", "send-mail"])
    assert result.output.strip() == "Sent no email; 1 email failed and will be retried."
    with app.app_context():
        item = app.extensions["forum"].db.session.scalar(select(OutboxMessage))
        assert item.sent_at is None and item.attempts == 1 and item.last_error
        assert item.next_attempt_at > item.created_at
