"""A thread page kept for the readers of a class (#19): its rows and cards are kept whole and given to the next
reader of the same class, with what is theirs (their own and saved posts, their waiting posts, what is new to
them, their tokens) made for them, and never given to anyone else.

`X-Forum-Kept` says where a signed-in reader's rows and cards came from: "hit" (the page kept for their class),
"kept" (read now and kept for the class) or "no" (read for them alone). Every change is made the way the app
makes it, and the very next view shows it. tests/integration/test_page_cache.py runs kept pages on Redis across
app hosts; the leak suite reads every thread page again as every role once pages are kept.
"""

from __future__ import annotations

import re

from forum.models import Member, Space, SpaceMembership, Thread
from forum.services import posting
from tests.conftest import make_test_app
from tests.factories import db_session, make_member, make_post, make_space, make_thread, submit
from tests.functional.test_post_cards import card_of, forum, post_ids, signed_in, view  # noqa: F401  (forum: a fixture)

_PER_REQUEST = re.compile(r'(name="(?:csrf_token|submission_key)"[^>]*? value=")[^"]*"')


def kept(response) -> str:
    return response.headers["X-Forum-Kept"]


def as_read(page: str) -> str:
    """A page without what every request makes anew (the CSRF token, the one-time submission key)."""
    return _PER_REQUEST.sub(r'\1"', page)


def test_the_next_reader_of_a_class_is_given_the_kept_page_and_a_reply_shows_at_once(app, forum):
    _space, ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    grace_client, alan_client, ada_client = signed_in(app, grace), signed_in(app, alan), signed_in(app, ada)
    assert kept(view(grace_client, url)[0]) == "kept"
    response, page = view(alan_client, url)
    assert kept(response) == "hit" and response.headers["X-Forum-Cards"] == "3 of 3"
    # Ada wrote every post: her cards (Edit, Delete, no Report) are made for her, the rows are the kept ones.
    response, page = view(ada_client, url)
    assert kept(response) == "hit"
    first = post_ids(app, thread)[0]
    assert f"/posts/{first}/edit" in card_of(page, first) and f"/posts/{first}/report" not in page
    make_post(app, thread, ada, body="zqxnewreply")
    response, page = view(alan_client, url)
    assert kept(response) == "kept" and "zqxnewreply" in page and response.headers["X-Forum-Cards"] == "3 of 4"
    assert "zqxnewreply" in view(grace_client, url)[1]


def test_a_card_personal_to_whoever_kept_the_page_is_made_for_the_next_reader(app, forum):
    _space, ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    own = make_post(app, thread, grace, body="zqxgracewords")
    response, page = view(signed_in(app, grace), url)  # kept now, without Grace's own card
    assert kept(response) == "kept" and f"/posts/{own.id}/edit" in card_of(page, own.id)
    alan_client = signed_in(app, alan)
    response, page = view(alan_client, url)
    assert kept(response) == "hit" and response.headers["X-Forum-Cards"] == "3 of 4"
    assert f"/posts/{own.id}/edit" not in page and f"/posts/{own.id}/report" in card_of(page, own.id)
    # Alan's view kept the card it made for the class: the next reader takes all four from the kept page.
    response, page = view(alan_client, url)
    assert response.headers["X-Forum-Cards"] == "4 of 4" and f"/posts/{own.id}/edit" not in page


def test_kept_pages_are_the_pages_made_for_each_reader(app, forum, database_url, tmp_path):
    """Every reader gets, from pages kept for their class, exactly the page made for them with no cache."""
    space, ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    plain = make_test_app(database_url, tmp_path / "plain", FORUM_PAGE_CACHE=False)
    try:
        with app.app_context():
            db = db_session(app)
            row, space_row = db.get(Thread, thread.id), db.get(Space, space.id)
            mine = posting.reply(db, thread=row, space=space_row, author=db.get(Member, grace.id),
                                 body="zqxquietwords", anonymous=True)
            db.flush()
            answer = posting.reply(db, thread=row, space=space_row, author=db.get(Member, alan.id),
                                   body="zqxanswer")
            answer.reply_to_id = mine.id
            db.commit()
        newcomer = make_member(app, "New Comer", state="pending")
        readers = {"ada": ada, "grace": grace, "alan": alan, "newcomer": newcomer}
        first = post_ids(app, thread)[0]
        grace_client = signed_in(app, grace)
        assert submit(grace_client, f"/posts/{first}/save", {}, form_url=url).status_code == 302
        view(grace_client, url)  # the "Saved" message is shown once
        cached = {name: signed_in(app, member) for name, member in readers.items()}
        cached["grace"] = grace_client
        made = {name: signed_in(plain, member) for name, member in readers.items()}
        for name in readers:  # each reads the page once, so what is new to them is the same in both
            view(made[name], url)
        sources = set()
        for _round in range(2):
            for name in readers:
                response, page = view(cached[name], url)
                sources.add(kept(response))
                assert as_read(page) == as_read(view(made[name], url)[1]), name
        assert "hit" in sources
    finally:
        with plain.app_context():
            plain.extensions["forum"].db.engine.dispose()


def test_what_is_new_is_marked_for_each_reader_of_a_kept_page(app, forum):
    _space, ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    grace_client, alan_client = signed_in(app, grace), signed_in(app, alan)
    view(grace_client, url)
    new = make_post(app, thread, ada, body="zqxfornow")
    view(alan_client, url)  # Alan reads it all, and keeps the page for the class
    later = make_post(app, thread, ada, body="zqxlater")
    response, page = view(grace_client, url)
    assert kept(response) == "kept"
    assert page.index('id="new-posts"') < page.index(f'id="post-{new.id}"') and "(2 new)" in page
    response, page = view(alan_client, url)
    assert kept(response) == "hit"
    assert page.index('id="new-posts"') < page.index(f'id="post-{later.id}"') and "(1 new)" in page
    assert page.index(f'id="post-{new.id}"') < page.index('id="new-posts"')
    response, page = view(grace_client, url)
    assert kept(response) == "hit" and 'id="new-posts"' not in page


def test_a_readers_waiting_post_takes_their_page_out_of_the_kept_one(app, forum):
    space, _ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    with app.app_context():
        db = db_session(app)
        db.get(Space, space.id).premoderate_first = 5
        db.commit()
    grace_client, alan_client = signed_in(app, grace), signed_in(app, alan)
    view(alan_client, url)
    submit(grace_client, f"/threads/{thread.id}/reply", {"body": "zqxwaitingpost", "submit": "Post reply"},
           form_url=url)
    response, page = view(grace_client, url)
    assert kept(response) == "no" and "zqxwaitingpost" in page
    for source in ("kept", "hit"):  # the waiting post changed the thread: its page is kept anew, without it
        response, page = view(alan_client, url)
        assert kept(response) == source and "zqxwaitingpost" not in page
    assert kept(view(grace_client, url)[0]) == "no"


def test_hosts_get_their_page_made_for_them(app, forum):
    space, _ada, grace, _alan, thread = forum
    url = f"/threads/{thread.id}"
    host = make_member(app, "Space Host")
    with app.app_context():
        db = db_session(app)
        db.add(SpaceMembership(space_id=space.id, member_id=host.id, role="host"))
        db.commit()
    view(signed_in(app, grace), url)
    response, page = view(signed_in(app, host), url)
    assert kept(response) == "no" and "Moderate this thread" in page


def test_each_page_of_a_thread_and_each_language_is_kept_apart(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path / "instance", FORUM_POSTS_PER_PAGE=2)
    try:
        ada, grace, alan = make_member(app, "Ada Lovelace"), make_member(app, "Grace Hopper"), make_member(app, "Alan Turing")
        thread = make_thread(app, make_space(app, "paged"), ada, title="Paged", body="zqxpost0", replies=0)
        for n in range(1, 5):
            make_post(app, thread, ada, body=f"zqxpost{n}")
        grace_client, alan_client = signed_in(app, grace), signed_in(app, alan)
        for number, words in ((1, ("zqxpost0", "zqxpost1")), (2, ("zqxpost2", "zqxpost3")), (3, ("zqxpost4",))):
            url = f"/threads/{thread.id}?page={number}"
            assert kept(view(grace_client, url)[0]) == "kept"
            response, page = view(alan_client, url)
            assert kept(response) == "hit"
            assert [w for w in (f"zqxpost{n}" for n in range(5)) if w in page] == list(words)
        welsh = signed_in(app, make_member(app, "Gwen Jones"))
        welsh.set_cookie("forum_language", "cy")
        response, page = view(welsh, f"/threads/{thread.id}")
        assert kept(response) == "kept" and 'lang="cy"' in page and "Actions<span" not in page
    finally:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()
