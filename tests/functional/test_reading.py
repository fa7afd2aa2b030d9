"""Reading: the home page, a space's threads, a thread's posts, and what visitors may not see."""

from __future__ import annotations

import re

from tests.factories import login, make_member, make_space, make_thread


def test_home_lists_spaces_with_thread_counts(app, client):
    member = make_member(app)
    space = make_space(app, "lgovsm-chat", name="lgovsm chat")
    make_thread(app, space, member, title="Budgets and bin collections")
    page = client.get("/").get_data(as_text=True)
    assert "lgovsm chat" in page
    assert re.search(r'<td class="numeric">1</td>', page)
    assert "Budgets and bin collections" in page


def test_space_lists_threads_pinned_first_then_latest(app, client):
    member = make_member(app)
    space = make_space(app)
    old = make_thread(app, space, member, title="Old but pinned")
    make_thread(app, space, member, title="Middle thread")
    make_thread(app, space, member, title="Newest thread")
    with app.app_context():
        from forum.models import Thread
        session = app.extensions["forum"].db.session
        session.get(Thread, old.id).pinned = True
        session.commit()
    page = client.get(f"/spaces/{space.slug}").get_data(as_text=True)
    assert page.index("Old but pinned") < page.index("Newest thread") < page.index("Middle thread")
    assert "Pinned" in page


def test_space_pages_threads(app, client):
    app.config["FORUM_THREADS_PER_PAGE"] = 3
    member = make_member(app)
    space = make_space(app)
    for i in range(7):
        make_thread(app, space, member, title=f"Thread number {i}")
    first = client.get(f"/spaces/{space.slug}").get_data(as_text=True)
    third = client.get(f"/spaces/{space.slug}?page=3").get_data(as_text=True)
    assert "Thread number 6" in first and "Thread number 0" not in first
    assert "Thread number 0" in third
    assert 'aria-current="page"' in third
    assert client.get(f"/spaces/{space.slug}?page=4").status_code == 404
    assert client.get(f"/spaces/{space.slug}?page=abc").status_code == 404


def test_thread_shows_posts_in_order_with_author_organisation_and_time(app, client):
    author = make_member(app, "Sam Patel", organisation="Staffordshire County Council")
    space = make_space(app)
    thread = make_thread(app, space, author, title="Who answers at weekends?", body="First words", replies=2)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    assert page.index("First words") < page.index("Reply number 1") < page.index("Reply number 2")
    assert "Sam Patel" in page and "Staffordshire County Council" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', page)


def test_thread_pages_fifty_posts(app, client):
    author = make_member(app)
    space = make_space(app)
    thread = make_thread(app, space, author, body="Opening post", replies=60)
    first = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    second = client.get(f"/threads/{thread.id}?page=2").get_data(as_text=True)
    assert first.count('class="post"') == 50
    assert second.count('class="post"') == 11
    assert "Reply number 60" in second and "Reply number 60" not in first
    assert client.get(f"/threads/{thread.id}?page=3").status_code == 404


def test_a_slug_after_the_thread_id_is_accepted(app, client):
    author = make_member(app)
    thread = make_thread(app, make_space(app), author, title="Q1: Who decides?")
    assert client.get(f"/threads/{thread.id}/q1-who-decides").status_code == 200
    assert f'href="/threads/{thread.id}/q1-who-decides"' in client.get("/").get_data(as_text=True)


def test_post_link_goes_to_its_page_and_anchor(app, client):
    author = make_member(app)
    thread = make_thread(app, make_space(app), author, replies=55)
    with app.app_context():
        from sqlalchemy import select
        from forum.models import Post
        last = app.extensions["forum"].db.session.scalars(
            select(Post).where(Post.thread_id == thread.id).order_by(Post.id.desc())).first()
    response = client.get(f"/posts/{last.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"?page=2#post-{last.id}")


def test_members_space_is_hidden_from_visitors_but_read_by_members(app, client):
    author = make_member(app)
    space = make_space(app, visibility="members", name="Members only")
    thread = make_thread(app, space, author, body="members-only words")
    assert client.get(f"/threads/{thread.id}").status_code == 404
    assert "Members only" not in client.get("/").get_data(as_text=True)
    login(client, make_member(app))
    assert "members-only words" in client.get(f"/threads/{thread.id}").get_data(as_text=True)


def test_private_space_gives_non_members_the_same_404_as_a_missing_thread(app, client):
    author = make_member(app)
    space = make_space(app, visibility="private", members=[author])
    thread = make_thread(app, space, author, body="canary-private-7731")
    outsider = make_member(app)
    login(client, outsider)
    hidden = client.get(f"/threads/{thread.id}")
    missing = client.get("/threads/999999")
    assert hidden.status_code == missing.status_code == 404
    # The pages are the same but for the id and the form tokens (which carry the time they were made).
    def masked(response):
        return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', response.get_data(as_text=True))
    assert masked(hidden) == masked(missing).replace("999999", str(thread.id))
    join_page = client.get(f"/spaces/{space.slug}").get_data(as_text=True)  # listed: outsiders may ask to join
    assert "Ask to join" in join_page and "canary-private-7731" not in join_page
    assert "canary-private-7731" not in client.get("/").get_data(as_text=True)
    login(client, author)
    assert "canary-private-7731" in client.get(f"/threads/{thread.id}").get_data(as_text=True)


def test_private_space_home_entry_shows_no_counts_or_activity_to_outsiders(app, client):
    author = make_member(app)
    space = make_space(app, visibility="private", name="Evangelist support", members=[author])
    make_thread(app, space, author, title="canary-title-5521")
    login(client, make_member(app))
    page = client.get("/").get_data(as_text=True)
    assert "Evangelist support" in page  # a private space's name is listed to members
    assert "For its members" in page
    assert "canary-title-5521" not in page


def test_unknown_pages_are_404_pages_not_tracebacks(client):
    for url in ("/threads/0", "/threads/abc", "/spaces/nope", "/posts/123456"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.get_data(as_text=True)
