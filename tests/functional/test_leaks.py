"""The leak suite: private and secret content reaches nobody outside its space, on any surface.

Every thread title, post body and member-only string in a private and a secret space carries a
canary token. As a visitor, a signed-in non-member, a pending member and a removed ex-member, every
GET route in app.url_map is requested with real ids (private ones included), and every email sent is
read: no canary appears. As a control, a member sees them. A route this suite does not classify
fails it, so a new route cannot slip past.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from forum.models import OutboxMessage, Space, SpaceMembership, Thread, Watch
from forum.services.spaces import update_space
from forum.services.threads import move_thread
from tests.factories import make_member, make_thread, submit
from tests.leaks import CANARIES, PRIVATE, SECRET, World, build_world, get_endpoints, routes, viewer


@pytest.fixture
def world(app) -> World:
    return build_world(app)


def test_every_get_route_is_classified(app, world):
    missing = get_endpoints(app) - set(routes(world))
    assert not missing, f"add these endpoints to routes() in tests/leaks.py: {sorted(missing)}"


def _leaks(client, app, world) -> list[tuple[str, str]]:
    found = []
    table = routes(world)
    for endpoint in sorted(get_endpoints(app)):
        for url in table[endpoint]:
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            text = response.get_data(as_text=True) + " " + response.headers.get("Location", "")
            found += [(url, c) for c in CANARIES if c in text]
    return found


@pytest.mark.parametrize("who", ["visitor", "outsider", "pending", "ex_member", "work_account"])
def test_no_canary_reaches_anyone_outside_the_spaces(app, world, who):
    member = None if who == "visitor" else getattr(world, who)
    assert _leaks(viewer(app, member), app, world) == []


def test_control_a_member_sees_the_canaries(app, world):
    found = {canary for _url, canary in _leaks(viewer(app, world.member), app, world)}
    assert set(PRIVATE.values()) <= found and {SECRET["title"], SECRET["body"], SECRET["name"]} <= found


def test_emails_never_carry_private_content(app, world):
    # Make the space send what it sends: a request to join, a decision, an invitation.
    outsider = viewer(app, world.outsider)
    submit(outsider, "/spaces/evangelists/join", {"message": "let me in"}, form_url="/spaces/evangelists")
    host = viewer(app, world.host)
    submit(host, "/spaces/hidden/members", {"who": world.outsider.email})
    with app.app_context():
        messages = app.extensions["forum"].db.session.scalars(select(OutboxMessage)).all()
    assert messages, "the actions above should have written email"
    for message in messages:
        text = message.subject + message.body
        for canary in (*PRIVATE.values(), SECRET["title"], SECRET["body"], SECRET["description"]):
            assert canary not in text
        if message.to != world.outsider.email:  # the invitee may learn the secret space's name
            assert SECRET["name"] not in text


def test_every_post_emails_reach_only_those_who_may_read_the_post(app, world):
    # Everyone asks for every post of the closed spaces and their threads by email: the ex-member
    # (asked while a member), the outsider and the pending person (rows as if they once could).
    with app.app_context():
        session = app.extensions["forum"].db.session
        for person in (world.member, world.host, world.ex_member, world.outsider, world.pending):
            for kind, target in (("space", world.private.id), ("thread", world.private_thread.id),
                                 ("space", world.secret.id), ("thread", world.secret_thread.id)):
                found = session.scalar(select(Watch).where(Watch.member_id == person.id, Watch.kind == kind,
                                                           Watch.target_id == target))
                if found is None:
                    session.add(Watch(member_id=person.id, kind=kind, target_id=target, every_post=True))
                else:  # the writer watches their own threads already
                    found.every_post = True
        session.execute(delete(OutboxMessage))
        session.commit()
    app.config["FORUM_INCOMING_DOMAIN"] = "in.forum.example"
    writer = viewer(app, world.member)
    for thread in (world.private_thread, world.secret_thread):
        submit(writer, f"/threads/{thread.id}/reply", {"body": f"More {PRIVATE['reply']} {SECRET['body']}",
                                                     "submit": "Post reply"}, form_url=f"/threads/{thread.id}")
    with app.app_context():
        messages = app.extensions["forum"].db.session.scalars(select(OutboxMessage)).all()
    assert {m.to for m in messages} == {world.host.email}  # the writer gets no copy of their own post
    assert len(messages) == 2
    for message in messages:
        text = message.subject + message.body + " ".join(f"{k}: {v}" for k, v in message.headers.items())
        assert message.headers["List-Id"] and message.headers["Reply-To"].startswith("reply+")
        for canary in CANARIES:
            assert canary not in text


def test_a_thread_moved_from_public_to_private_disappears_at_once(app, world):
    visitor = app.test_client()
    thread = make_thread(app, world.public, world.member, title="zqxmovedtitle", body="zqxmovedbody")
    assert "zqxmovedtitle" in visitor.get(f"/threads/{thread.id}").get_data(as_text=True)
    with app.app_context():
        session = app.extensions["forum"].db.session
        move_thread(session, session.get(Thread, thread.id), session.get(Space, world.public.id),
                    session.get(Space, world.private.id), session.get(type(world.moderator), world.moderator.id))
        session.commit()
    assert visitor.get(f"/threads/{thread.id}").status_code == 404
    assert "zqxmovedtitle" not in visitor.get("/").get_data(as_text=True)
    assert "zqxmovedtitle" not in visitor.get("/spaces/open").get_data(as_text=True)


def test_a_space_made_private_disappears_for_visitors_at_once(app, world):
    visitor = app.test_client()
    assert "An open thread" in visitor.get("/spaces/open").get_data(as_text=True)
    with app.app_context():
        session = app.extensions["forum"].db.session
        space = session.get(Space, world.public.id)
        update_space(session, space, slug=space.slug, name=space.name, visibility="private",
                     description="", anonymous_posting=False)
        session.commit()
    assert visitor.get("/spaces/open").status_code == 404
    assert visitor.get(f"/threads/{world.public_thread.id}").status_code == 404
    assert "An open thread" not in visitor.get("/").get_data(as_text=True)


def test_a_removed_member_loses_access_on_the_next_request(app, world):
    client = viewer(app, world.member)
    assert PRIVATE["body"] in client.get(f"/threads/{world.private_thread.id}").get_data(as_text=True)
    with app.app_context():
        session = app.extensions["forum"].db.session
        session.delete(session.get(SpaceMembership, (world.private.id, world.member.id)))
        session.commit()
    assert client.get(f"/threads/{world.private_thread.id}").status_code == 404


def test_the_anonymous_author_is_never_shown_to_other_members(app, world):
    other = make_member(app, "Another Insider")
    with app.app_context():
        session = app.extensions["forum"].db.session
        session.add(SpaceMembership(space_id=world.private.id, member_id=other.id))
        session.commit()
    client = viewer(app, other)
    page = client.get(f"/threads/{world.private_thread.id}").get_data(as_text=True)
    anon = page[page.index(f'id="post-{world.anon_post}"'):]
    anon = anon[:anon.index("</article>")]
    assert "A member of this space" in anon and "Insider Member" not in anon
    assert not re.search(PRIVATE["anon"], client.get(f"/members/{world.member.id}").get_data(as_text=True))
