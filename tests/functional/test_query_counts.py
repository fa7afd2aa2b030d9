"""A page's SQL query count does not grow with the posts or threads on it."""

from __future__ import annotations

from tests.factories import login, make_member, make_space, make_thread


def _queries(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return int(response.headers["X-Forum-Queries"])


def test_thread_page_of_5_and_200_posts_runs_the_same_queries(app, client):
    author = make_member(app, organisation="Leeds City Council")
    space = make_space(app)
    small = make_thread(app, space, author, replies=4)
    large = make_thread(app, space, author, replies=199)
    app.config["FORUM_POSTS_PER_PAGE"] = 200
    assert _queries(client, f"/threads/{small.id}") == _queries(client, f"/threads/{large.id}")
    login(client, author)
    assert _queries(client, f"/threads/{small.id}") == _queries(client, f"/threads/{large.id}")


def test_space_pages_of_5_and_200_threads_run_the_same_queries(app, client):
    authors = [make_member(app) for _ in range(3)]
    small, large = make_space(app), make_space(app)
    for i in range(5):
        make_thread(app, small, authors[i % 3], replies=1)
    for i in range(200):
        make_thread(app, large, authors[i % 3], replies=1)
    app.config["FORUM_THREADS_PER_PAGE"] = 200
    assert _queries(client, f"/spaces/{small.slug}") == _queries(client, f"/spaces/{large.slug}")
    login(client, authors[0])
    assert _queries(client, f"/spaces/{small.slug}") == _queries(client, f"/spaces/{large.slug}")
    assert _queries(client, "/") <= 8
