"""Evangelist support: private and secret spaces, joining, hosts, and posting without one's name."""

from __future__ import annotations

from sqlalchemy import select

from forum.models import ModerationLogEntry, Post, SpaceMembership, SpaceRequest
from tests.factories import PASSWORD, csrf_token, login, make_member, make_space, make_thread, submit
from tests.mailserver import MailServer


def _members(app, space):
    with app.app_context():
        session = app.extensions["forum"].db.session
        return {m.member_id: m.role for m in session.scalars(
            select(SpaceMembership).where(SpaceMembership.space_id == space.id))}


def test_private_space_is_listed_to_members_who_can_ask_to_join(app, client):
    host = make_member(app, "Jo Host")
    space = make_space(app, "evangelists", visibility="private", name="Evangelist support", hosts=[host])
    make_thread(app, space, host, title="canary-thread-title-91")
    asker = make_member(app, "Tom Asker")
    login(client, asker)
    page = client.get("/spaces/evangelists").get_data(as_text=True)
    assert "Evangelist support" in page and "Ask to join" in page and "canary-thread-title-91" not in page
    response = submit(client, "/spaces/evangelists/join", {"message": "I'm the only one doing this at work"},
                      form_url="/spaces/evangelists")
    assert response.status_code == 302
    assert "You asked to join" in client.get("/spaces/evangelists").get_data(as_text=True)

    host_client = app.test_client()
    login(host_client, host)
    members_page = host_client.get("/spaces/evangelists/members").get_data(as_text=True)
    assert "Tom Asker" in members_page and "only one doing this" in members_page
    with app.app_context():
        request_id = app.extensions["forum"].db.session.scalar(select(SpaceRequest.id))
    host_client.post(f"/spaces/evangelists/requests/{request_id}", data={
        "accept": "Accept", "csrf_token": csrf_token(host_client, "/spaces/evangelists/members")})
    assert asker.id in _members(app, space)
    assert "canary-thread-title-91" in client.get("/spaces/evangelists").get_data(as_text=True)


def test_visitors_and_pending_members_get_a_404_for_a_private_space(app, client):
    make_space(app, "evangelists", visibility="private")
    assert client.get("/spaces/evangelists").status_code == 404
    login(client, make_member(app, state="pending"))
    assert client.get("/spaces/evangelists").status_code == 404


def test_secret_space_is_the_same_404_as_nothing_and_joins_by_invitation(app, client):
    host = make_member(app, "Secret Host")
    space = make_space(app, "hidden", visibility="secret", name="canary-secret-name", hosts=[host])
    outsider = make_member(app, "Outsider", email="outsider@example.gov.uk")
    login(client, outsider)
    assert client.get("/spaces/hidden").status_code == 404
    assert "canary-secret-name" not in client.get("/").get_data(as_text=True)
    assert client.post("/spaces/hidden/join", data={"csrf_token": csrf_token(client, "/")}).status_code == 404

    host_client = app.test_client()
    login(host_client, host)
    response = submit(host_client, "/spaces/hidden/members", {"who": "outsider@example.gov.uk"})
    assert response.status_code == 302
    account = client.get("/account").get_data(as_text=True)
    assert "canary-secret-name" in account
    with app.app_context():
        invitation_id = app.extensions["forum"].db.session.scalar(select(SpaceRequest.id))
    client.post(f"/invitations/{invitation_id}", data={"accept": "Accept", "csrf_token": csrf_token(client, "/account")})
    assert client.get("/spaces/hidden").status_code == 200
    assert outsider.id in _members(app, space)


def _invite(host_client, who: str) -> str:
    """Invite `who` from the members page; return the page the host is sent back to."""
    response = submit(host_client, "/spaces/hidden/members", {"who": who})
    assert response.status_code == 302, response.get_data(as_text=True)
    return host_client.get(response.headers["Location"]).get_data(as_text=True)


def test_inviting_by_address_answers_the_same_whoever_the_address_belongs_to(app, client):
    host = make_member(app, "Secret Host")
    make_space(app, "hidden", visibility="secret", name="canary-secret-name", hosts=[host])
    make_member(app, "Sam Patel", email="sam@example.gov.uk")
    make_member(app, "Pat Waiting", email="pat@example.gov.uk", state="pending")
    login(client, host)
    pages = {who: _invite(client, who) for who in
             ("Sam@Example.gov.uk", "pat@example.gov.uk", "nobody@example.gov.uk", "sam@example.gov.uk")}
    for who, page in pages.items():
        assert "If that address belongs to an approved member, they have been invited" in page, who
        assert "Sam Patel" not in page and "Pat Waiting" not in page
    # The list of invitations waiting shows what the host typed, for people and for no one alike.
    listed = pages["sam@example.gov.uk"]
    for address in ("sam@example.gov.uk", "pat@example.gov.uk", "nobody@example.gov.uk"):
        assert listed.count(f"<td>{address}</td>") == 1, address

    with MailServer() as smtp:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=smtp.port)
        app.test_cli_runner().invoke(args=["forum", "send-mail"])
    assert [m["To"] for m in smtp.messages] == ["sam@example.gov.uk"]  # only the approved member, once
    assert "invited you to join canary-secret-name" in smtp.body(smtp.messages[0])


def test_host_withdraws_an_invitation_and_the_invitee_can_no_longer_accept_it(app, client):
    host = make_member(app, "Secret Host")
    space = make_space(app, "hidden", visibility="secret", name="canary-secret-name", hosts=[host])
    invitee = make_member(app, "Sam Patel", email="sam@example.gov.uk")
    host_client = app.test_client()
    login(host_client, host)
    _invite(host_client, "Sam Patel")
    login(client, invitee)
    assert "canary-secret-name" in client.get("/account").get_data(as_text=True)
    with app.app_context():
        invitation_id = app.extensions["forum"].db.session.scalar(select(SpaceRequest.id))

    # Only a host may withdraw it, and only with the form's token.
    assert client.post(f"/spaces/hidden/invitations/{invitation_id}/withdraw",
                       data={"csrf_token": csrf_token(client, "/account")}).status_code == 404
    host_client.post(f"/spaces/hidden/invitations/{invitation_id}/withdraw")
    assert "canary-secret-name" in client.get("/account").get_data(as_text=True)

    page = host_client.get("/spaces/hidden/members").get_data(as_text=True)
    assert "Withdraw<span class=\"visually-hidden\"> the invitation to Sam Patel" in page
    response = host_client.post(f"/spaces/hidden/invitations/{invitation_id}/withdraw",
                                data={"csrf_token": csrf_token(host_client, "/spaces/hidden/members")},
                                follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The invitation to Sam Patel was withdrawn" in page and "No invitations are waiting" in page

    assert "canary-secret-name" not in client.get("/account").get_data(as_text=True)
    accept = client.post(f"/invitations/{invitation_id}",
                         data={"accept": "Accept", "csrf_token": csrf_token(client, "/account")})
    assert accept.status_code == 404
    assert invitee.id not in _members(app, space)
    assert client.get("/spaces/hidden").status_code == 404


def test_deleting_an_account_ends_its_invitations_and_forgets_the_address(app, client):
    host = make_member(app, "Secret Host")
    make_space(app, "hidden", visibility="secret", hosts=[host])
    helen = make_member(app, "Helen Clarke", email="helen@example.gov.uk")
    host_client = app.test_client()
    login(host_client, host)
    assert "<td>helen@example.gov.uk</td>" in _invite(host_client, "helen@example.gov.uk")
    login(client, helen)
    assert submit(client, "/account/delete", {"password": PASSWORD}).status_code == 302
    page = host_client.get("/spaces/hidden/members").get_data(as_text=True)
    assert "helen@example.gov.uk" not in page and "No invitations are waiting" in page
    with app.app_context():
        assert app.extensions["forum"].db.session.scalar(select(SpaceRequest.invited_email)) is None


def test_host_removes_a_member_who_loses_access_at_once(app, client):
    host = make_member(app)
    member = make_member(app)
    space = make_space(app, "evangelists", visibility="private", hosts=[host], members=[member])
    thread = make_thread(app, space, host, body="canary-body-55")
    login(client, member)
    assert "canary-body-55" in client.get(f"/threads/{thread.id}").get_data(as_text=True)
    host_client = app.test_client()
    login(host_client, host)
    host_client.post(f"/spaces/evangelists/members/{member.id}/remove",
                     data={"csrf_token": csrf_token(host_client, "/spaces/evangelists/members")})
    assert client.get(f"/threads/{thread.id}").status_code == 404
    with app.app_context():
        log = app.extensions["forum"].db.session.scalar(select(ModerationLogEntry))
        assert log.action == "remove_from_space"


def test_a_member_leaves_a_space(app, client):
    member = make_member(app)
    space = make_space(app, "evangelists", visibility="private", members=[member])
    login(client, member)
    client.post("/spaces/evangelists/leave", data={"csrf_token": csrf_token(client, "/spaces/evangelists")})
    assert member.id not in _members(app, space)


def test_ordinary_members_cannot_manage_a_space(app, client):
    host = make_member(app)
    member = make_member(app)
    make_space(app, "evangelists", visibility="private", hosts=[host], members=[member])
    login(client, member)
    response = submit(client, "/spaces/evangelists/members", {"who": host.email})
    assert response.status_code == 403
    response = client.post(f"/spaces/evangelists/members/{host.id}/remove",
                           data={"csrf_token": csrf_token(client, "/spaces/evangelists/members")})
    assert response.status_code == 403


def test_non_member_writes_to_a_private_thread_get_404_and_change_nothing(app, client):
    author = make_member(app)
    space = make_space(app, "evangelists", visibility="private", members=[author])
    thread = make_thread(app, space, author, body="private words")
    with app.app_context():
        post = app.extensions["forum"].db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    login(client, make_member(app))
    token = csrf_token(client, "/")
    attempts = [
        client.post(f"/threads/{thread.id}/reply", data={"body": "intrusion", "submit": "Post reply", "csrf_token": token}),
        client.get(f"/threads/{thread.id}/reply?quote={post.id}"),
        client.post(f"/posts/{post.id}/edit", data={"body": "changed", "csrf_token": token}),
        client.post(f"/posts/{post.id}/delete", data={"csrf_token": token}),
        client.post("/spaces/evangelists/new", data={"title": "x" * 5, "body": "y", "csrf_token": token}),
    ]
    assert [r.status_code for r in attempts] == [404] * 5
    with app.app_context():
        bodies = app.extensions["forum"].db.session.scalars(select(Post.body_source)).all()
    assert bodies == ["private words"]


def test_posting_without_ones_name(app, client):
    author = make_member(app, "Lonely Advocate")
    reader = make_member(app, "Fellow Member")
    space = make_space(app, "evangelists", visibility="private", anonymous_posting=True, members=[author, reader])
    login(client, author)
    response = submit(client, "/spaces/evangelists/new", {
        "title": "My director blocks everything", "body": "canary-anon-body", "anonymous": "y", "submit": "Post thread"})
    thread_url = response.headers["Location"]
    assert "You, posting without your name" in client.get(thread_url).get_data(as_text=True)
    other = app.test_client()
    login(other, reader)
    page = other.get(thread_url).get_data(as_text=True)
    assert "A member of this space" in page and "Lonely Advocate" not in page
    profile = other.get(f"/members/{author.id}").get_data(as_text=True)
    assert "My director blocks everything" not in profile
    with app.app_context():
        post_id = app.extensions["forum"].db.session.scalar(select(Post.id))
    quote = other.get(f"{thread_url.split('/threads/')[0]}/threads/{thread_url.split('/threads/')[1].split('/')[0]}/reply?quote={post_id}")
    assert "Lonely Advocate" not in quote.get_data(as_text=True)


def test_anonymous_posting_is_refused_where_the_space_does_not_allow_it(app, client):
    member = make_member(app)
    space = make_space(app)
    login(client, member)
    response = submit(client, f"/spaces/{space.slug}/new", {"title": "Named thread", "body": "x", "anonymous": "y",
                                                          "submit": "Post thread"})
    assert response.status_code == 400 and "does not allow posting without your name" in response.get_data(as_text=True)


def test_moderator_reveals_an_anonymous_author_with_a_logged_reason(app, client):
    author = make_member(app, "Lonely Advocate")
    space = make_space(app, "evangelists", visibility="private", anonymous_posting=True, members=[author])
    login(client, author)
    submit(client, "/spaces/evangelists/new", {"title": "Anonymous thread", "body": "words", "anonymous": "y",
                                               "submit": "Post thread"})
    with app.app_context():
        post_id = app.extensions["forum"].db.session.scalar(select(Post.id))
    moderator = make_member(app, "Site Moderator", role="moderator")
    mod = app.test_client()
    login(mod, moderator)
    no_reason = submit(mod, f"/posts/{post_id}/reveal", {"reason": ""})
    assert no_reason.status_code == 400 and "Lonely Advocate" not in no_reason.get_data(as_text=True)
    revealed = submit(mod, f"/posts/{post_id}/reveal", {"reason": "A complaint of harassment"})
    assert "Lonely Advocate" in revealed.get_data(as_text=True)
    with app.app_context():
        entry = app.extensions["forum"].db.session.scalar(select(ModerationLogEntry))
        assert (entry.action, entry.target_id, entry.actor_id, entry.reason) == (
            "reveal_author", post_id, moderator.id, "A complaint of harassment")
    member = app.test_client()
    login(member, make_member(app))
    assert member.get(f"/posts/{post_id}/reveal").status_code == 404
