"""The page cache (#19): a visitor's page comes from the cache only while nothing it shows has changed.

Each kind of change a page shows is made the way the app makes it (its forms, or the service its view
calls) and the very next visitor view shows it; what a member, a host or a moderator sees is never
stored nor served to anyone else; conditional GETs get a 304 from the versions alone. The cache is
on by default (in-process); tests/integration/test_page_cache.py runs on Redis and several app hosts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forum.models import Member, Post, Space, SpaceMembership, Speaker, Thread
from forum.services import anonymity, moderation, posting, speakers
from forum.services.spaces import update_space
from forum.services.threads import move_thread
from tests.factories import db_session, login, make_member, make_post, make_space, make_thread, submit

CHAT = Path(__file__).resolve().parents[1] / "data" / "import" / "lgovsm_tags.csv"


def seen(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def text(client, url: str) -> str:
    return seen(client, url).get_data(as_text=True)


def cached_twice(client, url: str) -> str:
    """View a page twice as a visitor; the second view must come from the cache."""
    seen(client, url)
    again = seen(client, url)
    assert again.headers.get("X-Forum-Cache") == "hit", url
    return again.get_data(as_text=True)


@pytest.fixture
def forum(app):
    """A public space with a thread of three posts, its author and a moderator; every list page already cached."""
    space = make_space(app, "budgets", name="Budgets")
    author = make_member(app, "Ada Lovelace", organisation="Leeds City Council")
    moderator = make_member(app, "Mo Derator", role="moderator")
    thread = make_thread(app, space, author, title="Cheap pages", body="First words", replies=2)
    visitor = app.test_client()
    for url in ("/", "/spaces/budgets", f"/threads/{thread.id}"):
        cached_twice(visitor, url)
    return space, author, moderator, thread, visitor


def test_a_visitors_second_view_comes_from_the_cache_and_revalidates_with_a_304(app, forum):
    _space, author, _moderator, thread, visitor = forum
    first = seen(visitor, f"/threads/{thread.id}")
    assert first.headers["X-Forum-Cache"] == "hit"
    assert first.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in first.headers["Vary"]
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = visitor.get(f"/threads/{thread.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    make_post(app, thread, author, body="A newer reply")
    changed = visitor.get(f"/threads/{thread.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "A newer reply" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


def test_a_reply_shows_on_the_thread_space_and_home_pages_at_once(app, forum):
    space, author, _moderator, thread, visitor = forum
    member = make_member(app, "Grace Hopper")
    client = app.test_client()
    login(client, member)
    response = submit(client, f"/threads/{thread.id}/reply", {"body": "zqxfreshreply", "submit": "Post reply"},
                      form_url=f"/threads/{thread.id}")
    assert response.status_code == 302
    assert "zqxfreshreply" in text(visitor, f"/threads/{thread.id}")
    assert "4 posts" in text(visitor, f"/threads/{thread.id}")
    home, listing = text(visitor, "/"), text(visitor, "/spaces/budgets")
    new_thread = make_thread(app, space, author, title="zqxnewthread")
    assert "zqxnewthread" in text(visitor, "/") and "zqxnewthread" in text(visitor, "/spaces/budgets")
    assert home != text(visitor, "/") and listing != text(visitor, "/spaces/budgets")
    assert new_thread.id


def test_an_edit_and_a_delete_by_the_author_show_at_once(app, forum):
    _space, author, _moderator, thread, visitor = forum
    client = app.test_client()
    login(client, author)
    with app.app_context():
        post_id = db_session(app).scalar(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id.desc()))
    response = submit(client, f"/posts/{post_id}/edit", {"body": "zqxeditedwords", "submit": "Save changes"})
    assert response.status_code == 302
    assert "zqxeditedwords" in text(visitor, f"/threads/{thread.id}")
    submit(client, f"/posts/{post_id}/delete", {"submit": "Delete"})
    page = text(visitor, f"/threads/{thread.id}")
    assert "zqxeditedwords" not in page and "This post was deleted by its author." in page


def _moderate(app, forum, change):
    space, _author, moderator, thread, _visitor = forum
    with app.app_context():
        db = db_session(app)
        row = db.get(Thread, thread.id)
        change(db, row, db.get(Space, space.id), db.get(Member, moderator.id))
        db.commit()


def test_hiding_and_restoring_a_post_show_at_once(app, forum):
    thread, visitor = forum[3], forum[4]
    cached_twice(visitor, f"/threads/{thread.id}")

    def hide(db, row, space, moderator):
        post = db.scalar(select(Post).where(Post.thread_id == row.id, Post.body_source == "Reply number 1"))
        moderation.hide_post(db, post, space, moderator, "off topic", "Afterchat", "https://example.org")

    _moderate(app, forum, hide)
    page = cached_twice(visitor, f"/threads/{thread.id}")
    assert "Reply number 1" not in page and "This post was hidden by a moderator." in page

    def restore(db, row, space, moderator):
        post = db.scalar(select(Post).where(Post.thread_id == row.id, Post.body_source == "Reply number 1"))
        moderation.restore_post(db, post, space, moderator, "fine after all")

    _moderate(app, forum, restore)
    assert "Reply number 1" in text(visitor, f"/threads/{thread.id}")


def test_renaming_locking_and_pinning_a_thread_show_at_once(app, forum):
    thread, visitor = forum[3], forum[4]
    _moderate(app, forum, lambda db, row, space, mod: moderation.rename(db, row, space, mod, "zqxrenamed"))
    assert "zqxrenamed" in text(visitor, f"/threads/{thread.id}")
    assert "zqxrenamed" in text(visitor, "/") and "zqxrenamed" in text(visitor, "/spaces/budgets")
    _moderate(app, forum, lambda db, row, space, mod: moderation.lock(db, row, space, mod, True, "zqxlockreason"))
    assert "zqxlockreason" in text(visitor, f"/threads/{thread.id}")


def test_a_split_and_a_merge_show_on_both_threads_at_once(app, forum):
    space, author, _moderator, thread, visitor = forum
    other = make_thread(app, space, author, title="The other thread", body="Other words")
    cached_twice(visitor, f"/threads/{other.id}")
    new_ids = []

    def split(db, row, space_row, moderator):
        post = db.scalar(select(Post).where(Post.thread_id == row.id, Post.body_source == "Reply number 2"))
        new_ids.append(moderation.split(db, row, space_row, moderator, [post.id], "zqxsplitoff").id)

    _moderate(app, forum, split)
    assert "Reply number 2" not in text(visitor, f"/threads/{thread.id}")
    assert "Reply number 2" in text(visitor, f"/threads/{new_ids[0]}")

    def merge(db, row, space_row, moderator):
        moderation.merge(db, db.get(Thread, other.id), space_row, row, space_row, moderator)

    _moderate(app, forum, merge)
    assert "Other words" in text(visitor, f"/threads/{thread.id}")
    assert seen(visitor, f"/threads/{other.id}", 301).headers["Location"].endswith(f"/threads/{thread.id}")


def test_approving_a_waiting_post_shows_it_and_until_then_only_its_author_and_host_see_it(app, forum):
    space, _author, _moderator, thread, visitor = forum
    newcomer = make_member(app, "New Comer")
    host = make_member(app, "Space Host")
    with app.app_context():
        db = db_session(app)
        db.get(Space, space.id).premoderate_first = 1
        db.add(SpaceMembership(space_id=space.id, member_id=host.id, role="host"))
        db.commit()
    author_client, host_client = app.test_client(), app.test_client()
    login(author_client, newcomer)
    login(host_client, host)
    submit(author_client, f"/threads/{thread.id}/reply", {"body": "zqxwaitingpost", "submit": "Post reply"},
           form_url=f"/threads/{thread.id}")
    # The author and the host see it; their pages are made for them, never stored for anyone else.
    for client in (author_client, host_client):
        response = seen(client, f"/threads/{thread.id}")
        assert "zqxwaitingpost" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"
        assert "X-Forum-Cache" not in response.headers
    page = seen(visitor, f"/threads/{thread.id}")
    assert "zqxwaitingpost" not in page.get_data(as_text=True)
    with app.app_context():
        db = db_session(app)
        post = db.scalar(select(Post).where(Post.body_source == "zqxwaitingpost"))
        moderation.approve_post(db, post, db.get(Thread, thread.id), db.get(Space, space.id),
                                db.get(Member, host.id), True)
        db.commit()
    assert "zqxwaitingpost" in text(visitor, f"/threads/{thread.id}")


def test_a_member_changing_their_name_or_organisation_shows_on_every_page_at_once(app, forum):
    _space, author, _moderator, thread, visitor = forum
    client = app.test_client()
    login(client, author)
    response = submit(client, "/account/profile", {
        "display_name": "zqxnewname", "sector": "public_sector", "organisation": "zqxneworg", "job_role": "Officer",
        "bio": "", "handle_x": "", "handle_mastodon": "", "handle_bluesky": "", "handle_slack": "", "handle_teams": ""})
    assert response.status_code == 302
    page = text(visitor, f"/threads/{thread.id}")
    assert "zqxnewname" in page and "zqxneworg" in page and "Ada Lovelace" not in page


def test_a_space_renamed_or_closed_changes_its_pages_at_once(app, forum):
    space, _author, _moderator, thread, visitor = forum
    with app.app_context():
        db = db_session(app)
        row = db.get(Space, space.id)
        update_space(db, row, slug=row.slug, name="zqxspacename", visibility="public", description="",
                     anonymous_posting=False)
        db.commit()
    assert "zqxspacename" in text(visitor, f"/threads/{thread.id}") and "zqxspacename" in text(visitor, "/")
    with app.app_context():
        db = db_session(app)
        row = db.get(Space, space.id)
        update_space(db, row, slug=row.slug, name=row.name, visibility="members", description="",
                     anonymous_posting=False)
        db.commit()
    assert visitor.get(f"/threads/{thread.id}").status_code in (302, 403, 404)
    assert "Cheap pages" not in text(visitor, "/")


def test_a_thread_moved_to_a_private_space_is_gone_for_visitors_at_once(app, forum):
    space, _author, _moderator, thread, visitor = forum
    private = make_space(app, "closed", visibility="private", name="Closed")
    with app.app_context():
        db = db_session(app)
        move_thread(db, db.get(Thread, thread.id), db.get(Space, space.id), db.get(Space, private.id),
                    db.get(Member, forum[2].id))
        db.commit()
    assert visitor.get(f"/threads/{thread.id}").status_code == 404
    assert "Cheap pages" not in text(visitor, "/") and "Cheap pages" not in text(visitor, "/spaces/budgets")


def test_an_import_shows_its_threads_at_once_and_a_hidden_speaker_goes_at_once(app, runner, forum):
    make_space(app, "chats", name="lgovsm chat")
    visitor = forum[4]
    cached_twice(visitor, "/spaces/chats")
    cached_twice(visitor, "/chats")
    result = runner.invoke(args=["forum", "import-transcript", str(CHAT), "--space", "chats"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db = db_session(app)
        thread = db.scalar(select(Thread).join(Space, Space.id == Thread.space_id).where(Space.slug == "chats")
                           .order_by(Thread.id))
        speaker = db.scalar(select(Speaker).join(Post, Post.speaker_id == Speaker.id)
                            .where(Post.thread_id == thread.id, Post.removed_at.is_(None)).order_by(Post.id))
        words = db.scalar(select(Post.body_source).where(Post.speaker_id == speaker.id, Post.thread_id == thread.id))
        thread_id, title = thread.id, thread.title
    assert title in text(visitor, "/spaces/chats")
    assert text(visitor, "/chats") != ""
    assert words.split()[0] in cached_twice(visitor, f"/threads/{thread_id}")
    with app.app_context():
        db = db_session(app)
        speakers.hide_speaker(db, db.get(Speaker, speaker.id), db.get(Member, forum[2].id), "asked by email")
        db.commit()
    assert speaker.display_name not in text(visitor, f"/threads/{thread_id}")


def test_the_anonymity_reveal_never_reaches_a_visitors_page(app):
    space = make_space(app, "support", anonymous_posting=True)
    author = make_member(app, "Quiet Author")
    moderator = make_member(app, "Mo Derator", role="moderator")
    thread = make_thread(app, space, author, title="Asking quietly")
    with app.app_context():
        db = db_session(app)
        post = posting.reply(db, thread=db.get(Thread, thread.id), space=db.get(Space, space.id),
                             author=db.get(Member, author.id), body="zqxanonwords", anonymous=True)
        db.commit()
        post_id = post.id
    visitor = app.test_client()
    page = cached_twice(visitor, f"/threads/{thread.id}")
    assert "zqxanonwords" in page
    with app.app_context():
        db = db_session(app)
        post = db.get(Post, post_id)
        assert anonymity.reveal_author(db, post, db.get(Space, space.id), db.get(Member, moderator.id), "a threat")
        db.commit()
    page = text(visitor, f"/threads/{thread.id}")
    assert "zqxanonwords" in page
    assert page.split("zqxanonwords")[0].rsplit("<article", 1)[1].count("Quiet Author") == 0


def test_pages_made_for_members_hosts_and_moderators_are_never_stored_or_shared(app, forum):
    space, author, moderator, thread, visitor = forum
    for who in (author, moderator):
        client = app.test_client()
        login(client, who)
        for url in ("/", "/spaces/budgets", f"/threads/{thread.id}"):
            response = seen(client, url)
            assert response.headers["Cache-Control"] == "no-store"  # no browser or proxy keeps it
            assert "X-Forum-Cache" not in response.headers and "ETag" not in response.headers
            body = response.get_data(as_text=True)
            assert "Sign out" in body
    for url in ("/", "/spaces/budgets", f"/threads/{thread.id}"):
        page = text(visitor, url)
        assert "Sign out" not in page and "Edit<span" not in page and "Moderate this thread" not in page
    # A member's conditional GET with the visitors' ETag is never answered 304.
    etag = seen(visitor, f"/threads/{thread.id}").headers["ETag"]
    client = app.test_client()
    login(client, author)
    assert client.get(f"/threads/{thread.id}", headers={"If-None-Match": etag}).status_code == 200


def test_a_visitor_with_a_message_waiting_gets_it_and_the_page_is_not_stored(app, forum):
    thread, visitor = forum[3], forum[4]
    with visitor.session_transaction() as cookie:
        cookie["_flashes"] = [("info", "zqxflashmessage")]
    response = seen(visitor, f"/threads/{thread.id}")
    assert "zqxflashmessage" in response.get_data(as_text=True)
    assert "X-Forum-Cache" not in response.headers
    other = app.test_client()
    assert "zqxflashmessage" not in text(other, f"/threads/{thread.id}")


def test_a_host_apps_session_keeps_the_cache_out(app, forum):
    thread = forum[3]
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["host_user"] = "someone the host app signed in"
    response = seen(client, f"/threads/{thread.id}")
    assert "X-Forum-Cache" not in response.headers
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_language_is_part_of_the_key(app, forum):
    thread, visitor = forum[3], forum[4]
    english = seen(visitor, f"/threads/{thread.id}").headers["ETag"]
    welsh = visitor.get(f"/threads/{thread.id}", headers={"Accept-Language": "cy"})
    assert welsh.status_code == 200 and welsh.headers["ETag"] != english
    assert "Accept-Language" in welsh.headers["Vary"]
    assert welsh.headers.get("X-Forum-Cache") == "miss"  # not the English page from the cache


def test_the_cache_can_be_switched_off(database_url, tmp_path):
    from tests.conftest import make_test_app
    app = make_test_app(database_url, tmp_path / "instance", FORUM_PAGE_CACHE=False)
    space = make_space(app, "plain")
    thread = make_thread(app, space, make_member(app), title="Uncached")
    client = app.test_client()
    for _ in range(2):
        response = seen(client, f"/threads/{thread.id}")
        assert "X-Forum-Cache" not in response.headers and response.headers["Cache-Control"] == "no-cache"
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()


def test_a_chats_page_is_cached_for_visitors_and_changes_with_its_questions(app):
    from datetime import timedelta

    from forum.db import utcnow
    from forum.models import Chat, ProposedQuestion

    space = make_space(app, "chats", name="Chats")
    member = make_member(app, "Quentin Asker")
    with app.app_context():
        db = db_session(app)
        chat = Chat(title="Next week's chat", space_id=space.id, starts_at=utcnow() + timedelta(days=3))
        db.add(chat)
        db.commit()
        chat_id = chat.id
    visitor = app.test_client()
    cached_twice(visitor, f"/chats/{chat_id}")
    with app.app_context():
        db = db_session(app)
        db.add(ProposedQuestion(chat_id=chat_id, member_id=member.id, text="zqxproposedquestion"))
        db.commit()
    assert "zqxproposedquestion" in text(visitor, f"/chats/{chat_id}")


def test_a_page_from_the_cache_is_sent_compressed_as_a_fresh_one_is(app, forum):
    import brotli

    thread, visitor = forum[3], forum[4]
    fresh = visitor.get(f"/threads/{thread.id}")
    for _ in range(2):
        response = visitor.get(f"/threads/{thread.id}", headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.headers["X-Forum-Cache"] == "hit" and response.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert brotli.decompress(response.get_data()) == fresh.get_data()
    plain = visitor.get(f"/threads/{thread.id}", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_data() == fresh.get_data()


def test_a_kept_page_is_compressed_once_at_a_stronger_level_than_a_page_made_per_reader(app, forum):
    import brotli

    _space, author, _moderator, thread, visitor = forum
    kept = visitor.get(f"/threads/{thread.id}", headers={"Accept-Encoding": "br"})
    assert kept.headers["X-Forum-Cache"] == "hit"
    html = brotli.decompress(kept.get_data())
    assert html == visitor.get(f"/threads/{thread.id}", headers={"Accept-Encoding": "identity"}).get_data()
    member = app.test_client()
    login(member, author)
    made = member.get(f"/threads/{thread.id}", headers={"Accept-Encoding": "br"})
    assert "X-Forum-Cache" not in made.headers and made.headers["Content-Encoding"] == "br"
    # Made for one reader: brotli 1, fast; kept for every visitor: brotli 5, compressed once and smaller.
    assert made.get_data() == brotli.compress(brotli.decompress(made.get_data()), quality=1, lgwin=22)
    assert kept.get_data() == brotli.compress(html, quality=5, lgwin=22)
    assert len(kept.get_data()) < len(brotli.compress(html, quality=1, lgwin=22))


def test_a_post_promoted_to_the_library_shows_its_mark_at_once(app, forum):
    from forum.models import LibraryEntry

    thread, visitor = forum[3], forum[4]
    assert "Good practice" not in cached_twice(visitor, f"/threads/{thread.id}")
    with app.app_context():
        db = db_session(app)
        post_id = db.scalar(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id))
        db.add(LibraryEntry(title="Cheap pages", problem="p", approach="a", outcome="o", summary_html="<p>s</p>",
                            post_id=post_id, thread_id=thread.id, status="published"))
        db.commit()
    assert "Good practice" in text(visitor, f"/threads/{thread.id}")


def test_a_speaker_matched_to_a_member_shows_the_members_name_at_once(app, runner, forum):
    from forum.models import Handle

    make_space(app, "chats", name="lgovsm chat")
    result = runner.invoke(args=["forum", "import-transcript", str(CHAT), "--space", "chats"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db = db_session(app)
        post = db.scalar(select(Post).where(Post.speaker_id.is_not(None), Post.removed_at.is_(None)).order_by(Post.id))
        speaker = db.get(Speaker, post.speaker_id)
        thread_id, platform, handle = post.thread_id, speaker.platform, speaker.handle
    assert handle, "the transcript's speakers have handles"
    visitor = forum[4]
    assert "zqxclaimer" not in cached_twice(visitor, f"/threads/{thread_id}")
    claimer = make_member(app, "zqxclaimer")
    with app.app_context():
        db = db_session(app)
        claim = Handle(platform, handle, member=db.get(Member, claimer.id))
        db.add(claim)
        db.flush()
        assert speakers.confirm_claim(db, claim, db.get(Member, forum[2].id)) > 0
        db.commit()
    assert "zqxclaimer" in text(visitor, f"/threads/{thread_id}")


def test_only_the_forums_own_addresses_are_stored(app, forum):
    thread, visitor = forum[3], forum[4]
    make_post(app, thread, forum[1], body="one more")
    for query in ("?page=01", "?page=1&x=2", "?utm_source=feed", "?page=1&page=2"):
        for _ in range(2):
            response = visitor.get(f"/threads/{thread.id}{query}")
            assert response.status_code in (200, 404), (query, response.status_code)
            assert "X-Forum-Cache" not in response.headers, query
    assert cached_twice(visitor, f"/threads/{thread.id}?page=1")


def test_a_chats_topics_set_through_their_table_show_at_once(app):
    from datetime import timedelta

    from forum.db import utcnow
    from forum.models import Chat, LibraryTag
    from forum.services import topics

    space = make_space(app, "chats", name="Chats")
    with app.app_context():
        db = db_session(app)
        chat = Chat(title="Next week's chat", space_id=space.id, starts_at=utcnow() + timedelta(days=3))
        tag = LibraryTag(slug="zqxtopic", name="Zqxtopic area")
        db.add_all([chat, tag])
        db.commit()
        chat_id, tag_id = chat.id, tag.id
    visitor = app.test_client()
    assert "Zqxtopic area" not in cached_twice(visitor, f"/chats/{chat_id}")
    with app.app_context():
        db = db_session(app)
        topics.set_chat_topics(db, db.get(Chat, chat_id), {tag_id})  # rows of the many-to-many table, no model
        db.commit()
    assert "Zqxtopic area" in text(visitor, f"/chats/{chat_id}")


def test_a_reply_with_a_link_changes_its_thread_and_the_lists_not_every_page(app, forum):
    space, author, _moderator, thread, visitor = forum
    other = make_thread(app, space, author, title="Another thread", body="Unrelated")
    cached_twice(visitor, f"/threads/{other.id}")
    make_post(app, thread, author, body="See https://www.local.gov.uk/our-support/communications for zqxlinked")
    assert "zqxlinked" in text(visitor, f"/threads/{thread.id}")
    assert seen(visitor, f"/threads/{other.id}").headers["X-Forum-Cache"] == "hit"  # its page did not change


def test_a_reply_through_the_form_leaves_other_threads_pages_in_the_cache(app, forum):
    space, author, _moderator, thread, visitor = forum
    other = make_thread(app, space, author, title="Another thread", body="Unrelated")
    member = make_member(app, "Grace Hopper")  # a new member changes the site's token: before the pages are cached
    cached_twice(visitor, f"/threads/{other.id}")
    client = app.test_client()
    login(client, member)
    client.get(f"/threads/{thread.id}")  # a member's view writes their read marks
    response = submit(client, f"/threads/{thread.id}/reply", {"body": "zqxformreply", "submit": "Post reply"},
                      form_url=f"/threads/{thread.id}")
    assert response.status_code == 302
    client.get(response.headers["Location"], follow_redirects=True)
    assert "zqxformreply" in text(visitor, f"/threads/{thread.id}")
    # Nothing the other thread's page shows changed: a reply elsewhere must not empty the whole cache.
    assert seen(visitor, f"/threads/{other.id}").headers["X-Forum-Cache"] == "hit"
