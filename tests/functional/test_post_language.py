"""A post's language (#24): its author says whether it is in English or Welsh, and its words carry
lang="cy" (or, on a Welsh page, lang="en-GB") so screen readers read them in the right voice."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET
from pathlib import Path

from sqlalchemy import select

from forum.cache import IGNORED_COLUMNS
from forum.models import Post, PostRevision
from tests.factories import db_session, login, make_member, make_space, make_thread, submit

CHAT = Path(__file__).resolve().parents[1] / "data" / "import" / "lgovsm_tags.csv"
WELSH_BODY = '<div class="post__body" lang="cy">'
ENGLISH_BODY = '<div class="post__body" lang="en-GB">'
ATOM = "{http://www.w3.org/2005/Atom}"
BODIES = re.compile(r'<div class="post__body"([^>]*)>')


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _last_post(app, thread_id: int) -> Post:
    with app.app_context():
        db = db_session(app)
        post = db.scalar(select(Post).where(Post.thread_id == thread_id).order_by(Post.id.desc()))
        db.expunge(post)
        return post


def _selected(page: str) -> str:
    """The language the post form's choice starts on."""
    select_html = re.search(r'<select[^>]*name="language".*?</select>', page, re.S).group(0)
    chosen = re.search(r'<option[^>]*selected[^>]*value="(\w+)"|<option[^>]*value="(\w+)"[^>]*selected', select_html)
    return (chosen.group(1) or chosen.group(2)) if chosen else "en"  # none selected: the first, English


def test_a_reply_in_welsh_is_marked_welsh_for_every_reader_and_an_english_one_carries_no_lang(app):
    space = make_space(app)
    author = make_member(app, "Nia Jones")
    thread = make_thread(app, space, author, title="Cyllidebau")
    writer = app.test_client()
    login(writer, author)
    for body, language in (("Diolch yn fawr am hyn.", "cy"), ("Thanks, that helps.", "en")):
        response = submit(writer, f"/threads/{thread.id}/reply",
                          {"body": body, "language": language, "submit": "Post reply"}, form_url=f"/threads/{thread.id}")
        assert response.status_code == 302
    moderator_client, member_client = app.test_client(), app.test_client()
    login(moderator_client, make_member(app, "Rhys Evans", role="moderator"))
    login(member_client, make_member(app, "Gwen Hughes"))
    for reader in (app.test_client(), member_client, moderator_client, writer):
        page = _page(reader, f"/threads/{thread.id}")
        assert WELSH_BODY + "<p>Diolch yn fawr am hyn.</p>" in page
        assert '<div class="post__body"><p>Thanks, that helps.</p>' in page
        assert '<div class="post__body"><p>What do you think?</p>' in page  # said in no language: as the page


def test_a_thread_started_in_welsh_has_its_title_and_first_post_marked_welsh(app, client):
    space = make_space(app)
    member = make_member(app)
    login(client, member)
    response = submit(client, f"/spaces/{space.slug}/new", {
        "title": "Rotâu penwythnos", "body": "Sut ydych chi'n trefnu'r penwythnos?", "language": "cy",
        "submit": "Post thread"})
    assert response.status_code == 302
    page = _page(app.test_client(), response.headers["Location"])
    assert '<h1 class="heading-l" lang="cy">Rotâu penwythnos</h1>' in page
    assert WELSH_BODY in page
    english = make_thread(app, space, member, title="Weekend rotas")
    assert '<h1 class="heading-l">Weekend rotas</h1>' in _page(app.test_client(), f"/threads/{english.id}")


def test_on_a_welsh_page_an_english_post_is_marked_english_and_a_welsh_one_needs_nothing(app, client):
    space = make_space(app)
    member = make_member(app)
    thread = make_thread(app, space, member)
    login(client, member)
    for body, language in (("Diolch.", "cy"), ("Thanks.", "en")):
        submit(client, f"/threads/{thread.id}/reply", {"body": body, "language": language, "submit": "Post reply"},
               form_url=f"/threads/{thread.id}")
    reader = app.test_client()
    reader.set_cookie("forum_language", "cy")
    page = _page(reader, f"/threads/{thread.id}")
    assert '<html lang="cy"' in page
    assert '<div class="post__body"><p>Diolch.</p>' in page
    assert ENGLISH_BODY + "<p>Thanks.</p>" in page


def test_the_choice_starts_in_english_unless_the_member_reads_the_forum_in_welsh(app, client):
    space = make_space(app)
    member = make_member(app)
    thread = make_thread(app, space, member)
    login(client, member)
    for url in (f"/threads/{thread.id}/reply", f"/threads/{thread.id}", f"/spaces/{space.slug}/new"):
        page = _page(client, url)
        assert 'for="language">Language of this post</label>' in page, url
        assert re.search(r'<option lang="cy"[^>]*>Cymraeg</option>', page), url  # named in Welsh, read in Welsh
        assert _selected(page) == "en", url
    client.set_cookie("forum_language", "cy")
    for url in (f"/threads/{thread.id}/reply", f"/threads/{thread.id}", f"/spaces/{space.slug}/new"):
        assert _selected(_page(client, url)) == "cy", url


def test_an_unknown_language_is_refused_with_a_clear_error_and_the_text_kept(app, client):
    space = make_space(app)
    member = make_member(app)
    thread = make_thread(app, space, member)
    login(client, member)
    for url, data in (
        (f"/threads/{thread.id}/reply", {"body": "Bonjour à tous", "language": "fr", "submit": "Post reply"}),
        (f"/spaces/{space.slug}/new", {"title": "Une question", "body": "Bonjour à tous", "language": "fr",
                                       "submit": "Post thread"}),
        (f"/posts/{thread.first_post_id}/edit", {"body": "Bonjour à tous", "language": "fr", "submit": "Save changes"}),
    ):
        response = submit(client, url, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, url
        assert "Choose English or Cymraeg as the post&#39;s language" in page or \
            "Choose English or Cymraeg as the post's language" in page, url
        assert "Bonjour à tous" in page, url  # what was typed is still in the form
    with app.app_context():
        db = db_session(app)
        assert db.scalar(select(Post.body_source).where(Post.id == thread.first_post_id)) == "What do you think?"
        assert db.scalars(select(Post.language)).all() == [None]


def test_editing_a_post_can_change_its_language_without_marking_it_edited(app, client):
    space = make_space(app)
    member = make_member(app)
    thread = make_thread(app, space, member, body="Bore da i bawb")
    login(client, member)
    url = f"/posts/{thread.first_post_id}/edit"
    response = submit(client, url, {"body": "Bore da i bawb", "language": "cy", "submit": "Save changes"})
    assert response.status_code == 302
    assert WELSH_BODY + "<p>Bore da i bawb</p>" in _page(app.test_client(), f"/threads/{thread.id}")
    assert _selected(_page(client, url)) == "cy"  # the edit form shows the language the post is in
    with app.app_context():
        db = db_session(app)
        post = db.get(Post, thread.first_post_id)
        assert post.language == "cy" and post.edited_at is None
        assert db.scalar(select(PostRevision.id)) is None
    response = submit(client, url, {"body": "Good morning, all", "language": "en", "submit": "Save changes"})
    assert response.status_code == 302
    page = _page(app.test_client(), f"/threads/{thread.id}")
    assert '<div class="post__body"><p>Good morning, all</p>' in page and WELSH_BODY not in page
    assert '<h1 class="heading-l">A thread about budgets</h1>' in page


def test_a_preview_in_welsh_is_marked_welsh(app, client):
    space = make_space(app)
    member = make_member(app)
    thread = make_thread(app, space, member)
    login(client, member)
    response = submit(client, f"/threads/{thread.id}/reply", {"body": "Diolch", "language": "cy", "preview": "Preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert WELSH_BODY + "<p>Diolch</p>" in page
    assert _selected(page) == "cy"


def test_imported_posts_leave_the_language_unset(app, runner, client):
    make_space(app, "chats", name="lgovsm chat")
    result = runner.invoke(args=["forum", "import-transcript", str(CHAT), "--space", "chats", "--json"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db = db_session(app)
        assert set(db.scalars(select(Post.language))) == {None}
        thread_id = db.scalar(select(Post.thread_id))
    page = _page(client, f"/threads/{thread_id}")
    assert BODIES.findall(page) and set(BODIES.findall(page)) == {""}
    client.set_cookie("forum_language", "cy")
    assert set(BODIES.findall(_page(client, f"/threads/{thread_id}"))) == {""}  # not known: no language claimed


def test_a_change_of_language_alone_changes_the_cached_thread_page(app):
    assert "language" not in IGNORED_COLUMNS.get("forum_post", frozenset())
    space = make_space(app)
    author = make_member(app)
    thread = make_thread(app, space, author, body="Bore da")
    visitor = app.test_client()
    url = f"/threads/{thread.id}"
    _page(visitor, url)
    again = visitor.get(url)
    assert again.headers.get("X-Forum-Cache") == "hit" and WELSH_BODY not in again.get_data(as_text=True)
    writer = app.test_client()
    login(writer, author)
    response = submit(writer, f"/posts/{thread.first_post_id}/edit",
                      {"body": "Bore da", "language": "cy", "submit": "Save changes"})
    assert response.status_code == 302
    page = _page(visitor, url)
    assert WELSH_BODY + "<p>Bore da</p>" in page
    assert '<h1 class="heading-l" lang="cy">' in page
    assert _last_post(app, thread.id).language == "cy"


def test_a_welsh_post_is_marked_welsh_in_search_results_and_saved_posts(app, client):
    space = make_space(app)
    member = make_member(app)
    thread = make_thread(app, space, member, title="Cyllidebau")
    login(client, member)
    submit(client, f"/threads/{thread.id}/reply", {"body": "Mae'r gyllideb yn dynn eleni", "language": "cy",
                                                    "submit": "Post reply"}, form_url=f"/threads/{thread.id}")
    post = _last_post(app, thread.id)
    results = _page(app.test_client(), "/search?q=gyllideb")
    assert re.search(r'<p lang="cy">[^<]*<mark>gyllideb</mark>', results)
    submit(client, f"/posts/{post.id}/save", {}, form_url=f"/threads/{thread.id}")
    assert "<p lang=\"cy\">Mae&#39;r gyllideb yn dynn eleni</p>" in _page(client, "/saved")


def test_a_feed_says_its_own_language_and_a_welsh_posts_summary_says_welsh(app):
    space = make_space(app, "sgwrs")
    author = make_member(app, "Nia Jones")
    thread = make_thread(app, space, author, title="Cyllidebau")
    writer = app.test_client()
    login(writer, author)
    submit(writer, f"/threads/{thread.id}/reply", {"body": "Diolch yn fawr am hyn.", "language": "cy",
                                                   "submit": "Post reply"}, form_url=f"/threads/{thread.id}")
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for asked, feed_language in (("en", "en-GB"), ("cy", "cy")):
        feed = ET.fromstring(app.test_client().get("/spaces/sgwrs/feed.atom", headers={"Accept-Language": asked}).data)
        assert feed.get(xml_lang) == feed_language
        (summary,) = feed.findall(f"{ATOM}entry/{ATOM}summary")
        assert "Diolch yn fawr" in summary.text and summary.get(xml_lang) == "cy"
