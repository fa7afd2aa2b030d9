"""@mentions on pages: linked to the member's profile for readers who may open profiles, in posts and in the
preview, with one query a page however many posts mention people (#22)."""

from __future__ import annotations

import re

from forum.models import Handle
from tests.factories import db_session, login, make_member, make_post, make_space, make_thread, submit


def _mention_links(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)" class="mention">([^<]+)</a>', page)


def test_a_member_reading_a_thread_can_follow_a_mention_to_the_profile(app, client):
    fiona = make_member(app, "Fiona Grant")
    author = make_member(app, "Jo Williams")
    thread = make_thread(app, make_space(app), author)
    make_post(app, thread, author, "Thanks @Fiona Grant, and `@Fiona Grant` in code, and @Nobody Here")
    login(client, author)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert _mention_links(page) == [(f"/members/{fiona.id}", "@Fiona Grant")]
    assert client.get(f"/members/{fiona.id}").status_code == 200


def test_visitors_and_members_awaiting_approval_see_the_name_without_a_link(app, client):
    make_member(app, "Fiona Grant")
    author = make_member(app)
    thread = make_thread(app, make_space(app), author)
    make_post(app, thread, author, "Over to @Fiona Grant")
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert "Over to @Fiona Grant" in page and _mention_links(page) == []
    login(client, make_member(app, state="pending"))
    assert _mention_links(client.get(f"/threads/{thread.id}").get_data(as_text=True)) == []


def test_a_confirmed_handle_links_to_its_member_and_a_shared_or_unconfirmed_one_does_not(app, client):
    fiona = make_member(app, "Fiona Grant")
    other, third = make_member(app, "Someone Else"), make_member(app, "A Third")
    with app.app_context():
        db = db_session(app)
        db.add(Handle("x", "@fionagrant", confirmed=True, member=db.merge(fiona)))
        db.add(Handle("x", "@claimedonly", confirmed=False, member=db.merge(other)))
        db.add(Handle("x", "@samp", confirmed=True, member=db.merge(other)))  # the same handle on two sites,
        db.add(Handle("mastodon", "@samp", confirmed=True, member=db.merge(third)))  # two people: either
        db.commit()
    author = make_member(app)
    thread = make_thread(app, make_space(app), author)
    make_post(app, thread, author, "A1 like @FionaGrant said, and @claimedonly, and @samp")
    login(client, author)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert _mention_links(page) == [(f"/members/{fiona.id}", "@FionaGrant")]


def test_the_preview_links_mentions_as_the_post_will_show(app, client):
    fiona = make_member(app, "Fiona Grant")
    author = make_member(app)
    thread = make_thread(app, make_space(app), author)
    login(client, author)
    response = submit(client, f"/threads/{thread.id}/reply", {"body": "What do you think, @Fiona Grant?",
                                                              "preview": "Preview"},
                      form_url=f"/threads/{thread.id}/reply")
    page = response.get_data(as_text=True)
    assert _mention_links(page) == [(f"/members/{fiona.id}", "@Fiona Grant")]
    assert "What do you think, @Fiona Grant?</textarea>" in page  # the text is still in the form, unposted


def test_a_page_full_of_mentions_runs_the_same_queries_as_a_page_with_one(app, client):
    names = [make_member(app, f"Person {n}") for n in range(30)]
    author = make_member(app)
    space = make_space(app)
    small, large = make_thread(app, space, author), make_thread(app, space, author)
    make_post(app, small, author, "Hello @Person 0")
    for n, person in enumerate(names):
        make_post(app, large, author, f"Hello @{person.display_name} and @Person {(n + 1) % 30}")
    login(client, author)
    counts = []
    for thread in (small, large):
        response = client.get(f"/threads/{thread.id}")
        counts.append(int(response.headers["X-Forum-Queries"]))
    assert len(_mention_links(response.get_data(as_text=True))) == 60
    assert counts[0] == counts[1]


def test_a_mention_by_confirmed_handle_notifies_the_member(app, client):
    fiona = make_member(app, "Fiona Grant")
    with app.app_context():
        db = db_session(app)
        db.add(Handle("bluesky", "fionagrant.bsky.social", confirmed=True, member=db.merge(fiona)))
        db.commit()
    author = make_member(app)
    thread = make_thread(app, make_space(app), author)
    login(client, author)
    submit(client, f"/threads/{thread.id}/reply", {"body": "As @fionagrant.bsky.social said", "submit": "Post reply"},
           form_url=f"/threads/{thread.id}")
    login(client, fiona)
    page = client.get("/notifications").get_data(as_text=True)
    assert "mentioned you" in page and "As @fionagrant.bsky.social said" in page


def test_mentions_by_name_and_by_handle_cost_one_query_together(app, client):
    fiona = make_member(app, "Fiona Grant")
    author = make_member(app)
    with app.app_context():
        db = db_session(app)
        db.add(Handle("x", "@fionagrant", confirmed=True, member=db.merge(fiona)))
        db.commit()
    space = make_space(app)
    plain, mentioning = make_thread(app, space, author), make_thread(app, space, author)
    make_post(app, plain, author, "No one named here")
    make_post(app, mentioning, author, "Ask @Fiona Grant or @fionagrant")
    login(client, author)
    counts = [int(client.get(f"/threads/{t.id}").headers["X-Forum-Queries"]) for t in (plain, mentioning)]
    assert counts[1] == counts[0] + 1
