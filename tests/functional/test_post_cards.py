"""Post cards for signed-in readers (#19): a post's card is stored for the readers of a class and served again
only while nothing it shows has changed, and nothing one reader sees as theirs reaches another.

A thread page says in `X-Forum-Cards` how many of its cards came from the store ("3 of 4"). Each change
is made the way the app makes it and the very next view shows it; what is personal to a reader (their own
posts, posts that reply to theirs, what they saved, their CSRF token) and what a moderator sees are made
for them alone. tests/integration/test_page_cache.py runs the cards on Redis across app hosts.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.models import LibraryEntry, Member, Post, Space, SpaceMembership, Thread
from forum.services import moderation, posting
from tests.factories import db_session, login, make_member, make_post, make_space, make_thread, submit

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def view(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, response.get_data(as_text=True)


def cards(response) -> tuple[int, int]:
    stored, total = response.headers["X-Forum-Cards"].split(" of ")
    return int(stored), int(total)


def signed_in(app, member):
    client = app.test_client()
    login(client, member)
    return client


def card_of(page: str, post_id: int) -> str:
    return page.split(f'id="post-{post_id}"', 1)[1].split("</article>", 1)[0]


def post_ids(app, thread) -> list[int]:
    with app.app_context():
        return list(db_session(app).scalars(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id)))


@pytest.fixture
def forum(app):
    """A public space with a thread of three posts by Ada, and two other members, Grace and Alan."""
    space = make_space(app, "budgets", name="Budgets", anonymous_posting=True)
    ada = make_member(app, "Ada Lovelace", organisation="Leeds City Council")
    grace, alan = make_member(app, "Grace Hopper"), make_member(app, "Alan Turing")
    thread = make_thread(app, space, ada, title="Cheap pages", body="First words", replies=2)
    return space, ada, grace, alan, thread


def test_a_second_view_takes_the_cards_from_the_store_and_a_reply_adds_one_card(app, forum):
    _space, ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    first, _page = view(signed_in(app, grace), url)
    assert cards(first) == (0, 3)
    again, _page = view(signed_in(app, alan), url)  # another member of the same class
    assert cards(again) == (3, 3)
    make_post(app, thread, ada, body="zqxnewreply")
    after, page = view(signed_in(app, grace), url)
    assert cards(after) == (3, 4) and "zqxnewreply" in page


def test_edits_hiding_names_and_the_library_show_to_members_at_once(app, forum):
    space, ada, grace, _alan, thread = forum
    url = f"/threads/{thread.id}"
    reader, author = signed_in(app, grace), signed_in(app, ada)
    first, last = post_ids(app, thread)[0], post_ids(app, thread)[-1]
    view(reader, url)
    assert cards(view(reader, url)[0]) == (3, 3)

    assert submit(author, f"/posts/{last}/edit", {"body": "zqxeditedwords", "submit": "Save changes"}).status_code == 302
    assert "zqxeditedwords" in card_of(view(reader, url)[1], last)

    moderator = make_member(app, "Mo Derator", role="moderator")
    with app.app_context():
        db = db_session(app)
        moderation.hide_post(db, db.get(Post, last), db.get(Space, space.id), db.get(Member, moderator.id),
                             "off topic", "Afterchat", "https://example.org")
        db.commit()
    card = card_of(view(reader, url)[1], last)
    assert "zqxeditedwords" not in card and "This post was hidden by a moderator." in card

    assert submit(author, "/account/profile", {
        "display_name": "zqxnewname", "sector": "public_sector", "organisation": "zqxneworg", "job_role": "Officer",
        "bio": "", "handle_x": "", "handle_mastodon": "", "handle_bluesky": "", "handle_slack": "",
        "handle_teams": ""}).status_code == 302
    card = card_of(view(reader, url)[1], first)
    assert "zqxnewname" in card and "zqxneworg" in card and "Ada Lovelace" not in card

    with app.app_context():
        db = db_session(app)
        db.add(LibraryEntry(title="Cheap pages", problem="p", approach="a", outcome="o", summary_html="<p>s</p>",
                            post_id=first, thread_id=thread.id, status="published"))
        db.commit()
    assert "Good practice" in card_of(view(reader, url)[1], first)


def test_a_readers_own_posts_saved_posts_and_token_never_reach_another_reader(app, forum):
    space, ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    with app.app_context():
        db = db_session(app)
        row, space_row = db.get(Thread, thread.id), db.get(Space, space.id)
        mine = posting.reply(db, thread=row, space=space_row, author=db.get(Member, grace.id),
                             body="zqxquietwords", anonymous=True)
        db.flush()
        answer = posting.reply(db, thread=row, space=space_row, author=db.get(Member, alan.id),
                               body="zqxanswer", quote_of=None)
        answer.reply_to_id = mine.id
        db.commit()
        mine_id, answer_id = mine.id, answer.id
    first = post_ids(app, thread)[0]
    ada_client, grace_client, alan_client = signed_in(app, ada), signed_in(app, grace), signed_in(app, alan)
    # Grace saves Ada's first post; her page shows it saved, her own anonymous post as hers, and Alan's answer
    # as a reply to her.
    assert submit(grace_client, f"/posts/{first}/save", {}, form_url=url).status_code == 302
    for _ in range(2):
        grace_page = view(grace_client, url)[1]
        assert "Remove from saved" in card_of(grace_page, first)
        assert "You, posting without your name" in card_of(grace_page, mine_id)
        assert f"/posts/{mine_id}/edit" in card_of(grace_page, mine_id)
        assert "You, posting without your name" in card_of(grace_page, answer_id)
        grace_token = TOKEN.search(grace_page).group(1)
        # Ada and Alan, before and after Grace's views stored cards, see none of that.
        for client in (ada_client, alan_client):
            page = view(client, url)[1]
            assert "You, posting without your name" not in card_of(page, mine_id)
            assert "A member of this space" in card_of(page, mine_id)
            assert "A member of this space" in card_of(page, answer_id) or client is alan_client
            assert f"/posts/{mine_id}/edit" not in page and "Remove from saved" not in page
            assert grace_token not in page
            assert "Grace Hopper" not in card_of(page, mine_id)
    # Each reader's Save forms carry their own token, and work.
    page = view(ada_client, url)[1]
    assert cards(view(ada_client, url)[0])[0] >= 2
    token = TOKEN.search(card_of(page, answer_id)).group(1)
    assert token != grace_token
    response = ada_client.post(f"/posts/{answer_id}/save", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Remove from saved" in card_of(view(ada_client, url)[1], answer_id)


def test_a_readers_own_cards_are_stored_for_them_alone_and_follow_what_they_save(app, forum):
    space, ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    own = make_post(app, thread, grace, body="zqxgracewords")
    first = post_ids(app, thread)[0]
    grace_client, alan_client = signed_in(app, grace), signed_in(app, alan)
    view(grace_client, url)
    response, page = view(grace_client, url)
    assert cards(response) == (4, 4)  # her own post's card too, stored for her
    assert f"/posts/{own.id}/edit" in card_of(page, own.id)
    response, page = view(alan_client, url)
    assert cards(response) == (3, 4)  # the three cards of the class; Grace's post is made for Alan
    assert f"/posts/{own.id}/edit" not in page and f"/posts/{own.id}/report" in page
    assert submit(grace_client, f"/posts/{first}/save", {}, form_url=url).status_code == 302
    response, page = view(grace_client, url)
    assert "Remove from saved" in card_of(page, first) and cards(response) == (3, 4)
    assert submit(grace_client, f"/posts/{first}/unsave", {}, form_url=url).status_code == 302
    response, page = view(grace_client, url)
    assert "Remove from saved" not in card_of(page, first) and cards(response) == (4, 4)
    # A change to what she may do (the thread locked: no Quote) makes her cards anew.
    with app.app_context():
        db = db_session(app)
        db.get(Thread, thread.id).locked = True
        db.commit()
    response, page = view(grace_client, url)
    assert "quote=" not in page and cards(response) == (0, 4)


def test_a_waiting_post_shows_only_to_its_author_however_the_cards_were_stored(app, forum):
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
    for _ in range(2):
        assert "zqxwaitingpost" in view(grace_client, url)[1]
        response, page = view(alan_client, url)
        assert "zqxwaitingpost" not in page and cards(response) == (3, 3)


def test_what_a_host_sees_is_made_for_them_and_never_reaches_members(app, forum):
    space, ada, grace, _alan, thread = forum
    url = f"/threads/{thread.id}"
    host = make_member(app, "Space Host")
    with app.app_context():
        db = db_session(app)
        db.add(SpaceMembership(space_id=space.id, member_id=host.id, role="host"))
        post = db.scalar(select(Post).where(Post.thread_id == thread.id).order_by(Post.id.desc()))
        moderation.hide_post(db, post, db.get(Space, space.id), db.get(Member, host.id), "off topic", "Afterchat",
                             "https://example.org")
        db.commit()
        hidden_id = post.id
    host_client, member_client = signed_in(app, host), signed_in(app, grace)
    for n in range(2):
        response, page = view(host_client, url)
        assert cards(response) == (3 * n, 3)  # made for them, then stored for them alone
        assert "Reply number 2" in card_of(page, hidden_id) and "Show who wrote this" not in page
        page = view(member_client, url)[1]
        assert "Reply number 2" not in page and "This post was hidden by a moderator." in card_of(page, hidden_id)
        assert "Moderate this thread" not in page


def test_an_account_waiting_for_approval_gets_its_own_cards(app, forum):
    _space, ada, grace, _alan, thread = forum
    url = f"/threads/{thread.id}"
    newcomer = make_member(app, "New Comer", state="pending")
    first = post_ids(app, thread)[0]
    pending_client, member_client = signed_in(app, newcomer), signed_in(app, grace)
    for _ in range(2):
        page = view(pending_client, url)[1]
        assert f"/posts/{first}/report" not in page
        page = view(member_client, url)[1]
        assert f"/posts/{first}/report" in page


def test_mentions_link_for_members_only_and_follow_a_rename(app, forum):
    _space, ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    reply = make_post(app, thread, ada, body="Thanks @Grace Hopper")
    newcomer = make_member(app, "New Comer", state="pending")
    member_client, pending_client = signed_in(app, alan), signed_in(app, newcomer)
    for _ in range(2):
        assert f'href="/members/{grace.id}"' in card_of(view(member_client, url)[1], reply.id)
        assert f'href="/members/{grace.id}"' not in card_of(view(pending_client, url)[1], reply.id)
    assert submit(signed_in(app, grace), "/account/profile", {
        "display_name": "Grace Brewster", "sector": "public_sector", "organisation": "", "job_role": "Officer",
        "bio": "", "handle_x": "", "handle_mastodon": "", "handle_bluesky": "", "handle_slack": "",
        "handle_teams": ""}).status_code == 302
    card = card_of(view(member_client, url)[1], reply.id)
    assert f'href="/members/{grace.id}"' not in card and "@Grace Hopper" in card


def test_cards_are_stored_per_language(app, forum):
    _space, _ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    english, welsh = signed_in(app, grace), signed_in(app, alan)
    welsh.set_cookie("forum_language", "cy")
    view(english, url)
    response, page = view(welsh, url)
    assert cards(response) == (0, 3)
    assert "Actions<span" not in page and 'lang="cy"' in page
    assert cards(view(english, url)[0]) == (3, 3)


def test_no_cards_are_stored_when_the_cache_is_off(database_url, tmp_path):
    from tests.conftest import make_test_app
    app = make_test_app(database_url, tmp_path / "instance", FORUM_PAGE_CACHE=False)
    thread = make_thread(app, make_space(app, "plain"), make_member(app), title="Uncached", replies=1)
    client = signed_in(app, make_member(app, "Grace Hopper"))
    for _ in range(2):
        assert cards(view(client, f"/threads/{thread.id}")[0]) == (0, 2)
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


def test_a_threads_topics_are_kept_with_the_site_and_a_new_one_shows_at_once(app, forum):
    from sqlalchemy import insert

    from forum.models import LibraryTag, thread_tags

    _space, _ada, grace, _alan, thread = forum
    url = f"/threads/{thread.id}"
    with app.app_context():
        db = db_session(app)
        tag = LibraryTag(slug="zqxtopic", name="Zqxtopic area")
        db.add(tag)
        db.commit()
        tag_id = tag.id
    reader = signed_in(app, grace)
    for _ in range(2):
        assert "Zqxtopic area" not in view(reader, url)[1]
    with app.app_context():
        db = db_session(app)
        db.execute(insert(thread_tags), [{"thread_id": thread.id, "tag_id": tag_id}])  # as topics.set_topics does
        db.commit()
    assert 'href="/topics/zqxtopic">Zqxtopic area</a>' in view(reader, url)[1]


def test_the_reply_form_made_once_carries_each_readers_own_token_and_key_and_language(app, forum):
    space, _ada, grace, alan, thread = forum
    url = f"/threads/{thread.id}"
    key = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')
    form_token = re.compile(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"')
    grace_client, alan_client = signed_in(app, grace), signed_in(app, alan)
    welsh = signed_in(app, make_member(app, "Gwen Jones"))
    welsh.set_cookie("forum_language", "cy")
    pages = [view(client, url)[1] for client in (grace_client, alan_client, grace_client)]
    keys = [key.search(page).group(1) for page in pages]
    tokens = [form_token.search(page).group(1) for page in pages]
    assert len(set(keys)) == 3 and tokens[0] != tokens[1]
    assert "Post without showing my name" in pages[0]  # the space lets members post without their name
    assert re.search(r'<option[^>]*selected[^>]*value="en"|<option[^>]*value="en"[^>]*selected', pages[0])
    welsh_page = view(welsh, url)[1]
    assert re.search(r'<option[^>]*selected[^>]*value="cy"|<option[^>]*value="cy"[^>]*selected', welsh_page)
    for client, page, n in ((alan_client, pages[1], 1), (grace_client, pages[2], 2)):
        response = client.post(f"/threads/{thread.id}/reply", data={
            "csrf_token": form_token.search(page).group(1), "submission_key": key.search(page).group(1),
            "body": f"zqxreply{n}", "language": "en", "submit": "Post reply"})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = view(grace_client, url)[1]
    assert "zqxreply1" in page and "zqxreply2" in page
