"""What the walk-through found for hosts and readers, fixed (#22): hosts told in the app of requests to join,
the space page's members and requests links, snippets in notifications, "last post by"."""

from __future__ import annotations

import re

from forum.models import Post, Thread
from tests.factories import login, make_member, make_post, make_space, make_thread, submit
from tests.factories import db_session as _session


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_a_host_is_told_in_the_app_when_someone_asks_to_join(app, client):
    host = make_member(app, "Jo Williams")
    space = make_space(app, "evangelists", visibility="private", name="Evangelist support", hosts=[host])
    asker = make_member(app, "Riley Quinn")
    login(client, asker)
    asked = submit(client, f"/spaces/{space.slug}/join", {"message": "I push social media at a district council."},
                   form_url=f"/spaces/{space.slug}")
    assert asked.status_code == 302

    hosts = app.test_client()
    login(hosts, host)
    notes = _text(hosts.get("/notifications"))
    assert "Riley Quinn asked to join Evangelist support" in notes
    # The header's count says something is waiting, on every page.
    assert re.search(r'Notifications <span class="count">1<span class="visually-hidden"> unread', hosts.get("/").get_data(as_text=True))
    assert 'href="/spaces/evangelists/members#requests"' in hosts.get("/notifications").get_data(as_text=True)
    page = hosts.get(f"/spaces/{space.slug}").get_data(as_text=True)
    assert re.search(r'<a href="/spaces/evangelists/members">Members</a>', page)
    assert re.search(r'<a href="/spaces/evangelists/members#requests">Requests \(1\)', page)

    # Another member of the space sees neither the request nor the count.
    other = make_member(app, "Sam Patel")
    with app.app_context():
        from forum.models import SpaceMembership
        db = _session(app)
        db.add(SpaceMembership(space_id=space.id, member_id=other.id))
        db.commit()
    others = app.test_client()
    login(others, other)
    assert "Riley Quinn" not in others.get("/notifications").get_data(as_text=True)
    assert "Requests (" not in others.get(f"/spaces/{space.slug}").get_data(as_text=True)

    # Decided, it is gone from the host's list and the count.
    with app.app_context():
        from forum.models import SpaceRequest
        request_id = _session(app).query(SpaceRequest.id).scalar()
    submit(hosts, f"/spaces/{space.slug}/requests/{request_id}", {"accept": "Accept"},
           form_url=f"/spaces/{space.slug}/members")
    assert "Riley Quinn asked to join" not in _text(hosts.get("/notifications"))
    assert 'Notifications <span class="count">' not in hosts.get("/").get_data(as_text=True)
    assert "Requests (0)" in hosts.get(f"/spaces/{space.slug}").get_data(as_text=True)


def _reply_as(app, member, thread, body, key):
    client = app.test_client()
    login(client, member)
    done = submit(client, f"/threads/{thread.id}/reply", {"body": body, "submission_key": key},
                  form_url=f"/threads/{thread.id}")
    assert done.status_code == 302
    return int(re.search(r"/posts/(\d+)", done.headers["Location"]).group(1))


def test_notifications_show_a_snippet_of_the_post_only_when_the_reader_may_see_it(app, client):
    reader = make_member(app, "Sam Patel")
    writer = make_member(app, "Fiona Grant")
    space = make_space(app, "between-chats", name="Between chats")
    login(client, reader)
    started = submit(client, f"/spaces/{space.slug}/new",
                     {"title": "Who answers DMs?", "body": "Out of hours?", "submission_key": "t1"})
    thread_id = int(re.search(r"/threads/(\d+)", started.headers["Location"]).group(1))
    with app.app_context():
        thread = _session(app).get(Thread, thread_id)
        _session(app).expunge(thread)
    _reply_as(app, writer, thread, "Our **contact centre** picks them up at 8am, & answers within the hour.", "r1")
    hidden = _reply_as(app, writer, thread, "Buy our scheduling tool, link in bio.", "r2")
    with app.app_context():
        from forum.db import utcnow
        db = _session(app)
        db.get(Post, hidden).hidden_at = utcnow()
        db.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert ('<span class="notification__snippet">Our contact centre picks them up at 8am, &amp; answers within '
            'the hour.</span>') in page
    assert "scheduling tool" not in page
    # A long post is cut at a word.
    _reply_as(app, writer, thread, "budget " * 60, "r3")
    snippets = re.findall(r'class="notification__snippet">([^<]*)<', client.get("/notifications").get_data(as_text=True))
    assert snippets[0].endswith("budget…") and len(snippets[0]) <= 161


def test_the_space_list_says_last_post_by(app, client):
    author = make_member(app, "Fiona Grant")
    space = make_space(app, "between-chats")
    thread = make_thread(app, space, author)
    make_post(app, thread, make_member(app, "Tom O'Neill"), "Same here.")
    text = _text(client.get("/spaces/between-chats"))
    assert "last post by Tom O'Neill" in text or "last post by Tom O’Neill" in text or "last post by Tom O&#39;Neill" in text


def test_the_sign_up_error_summary_lists_errors_in_the_forms_order_and_optional_fields_say_so(client):
    page = client.get("/register").get_data(as_text=True)
    labels = [re.sub(r"\s+", " ", label) for label in re.findall(r'<label class="label" for="[^"]+">([^<]+)</label>', page)]
    assert labels[:3] == ["Email address", "Password", "Your name"]
    for optional in ("Organisation (optional)", "Job role (optional)", "X (Twitter) handle (optional)",
                     "Name in chat logs (optional)"):
        assert optional in labels, optional
    assert not any("(optional)" in label for label in ("Email address", "Password", "Your name", "Sector"))

    refused = submit(client, "/register", {"email": "nope", "password": "short", "display_name": "Casey Rowe",
                                           "sector": "", "handle_x": "x" * 300, "handle_text": "y" * 300})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    summary = html[html.index('class="error-summary__list"'):html.index("</ul>", html.index("error-summary__list"))]
    linked = re.findall(r'<a href="#([^"]+)">', summary)
    form_order = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html)
    assert linked == sorted(linked, key=form_order.index), linked
    assert linked[:2] == ["email", "password"] and linked[-2:] == ["handle_x", "handle_text"]


# -- the library ----------------------------------------------------------------------------------------

def _promote(app, moderator, post_id, organisation=None):
    client = app.test_client()
    login(client, moderator)
    form = client.get(f"/posts/{post_id}/promote").get_data(as_text=True)
    prefilled = re.search(r'<input[^>]*id="organisation"[^>]*>', form).group(0)
    value = re.search(r'value="([^"]*)"', prefilled)
    with app.app_context():
        from forum.models import LibraryTag
        from forum.services import library
        db = _session(app)
        tag = db.query(LibraryTag).first() or library.add_tag(db, db.get(type(moderator), moderator.id), "Housing")
        db.commit()
        tag_id = tag.id
    data = {"tags": str(tag_id), "title": "A one-page guide", "problem": "Twenty pages nobody read.", "approach": "One page.",
            "outcome": "Signed off in a week.", "organisation": organisation if organisation is not None else
            (value.group(1) if value else "")}
    done = submit(client, f"/posts/{post_id}/promote", data)
    assert done.status_code == 302, re.findall(r"<li><a href=\"#[^<]+</a>", done.get_data(as_text=True))
    return (value.group(1) if value else ""), done.headers["Location"]


def test_a_library_entry_credits_the_person_and_promoting_prefills_the_organisation(app, client):
    moderator = make_member(app, "Jo Williams", role="moderator")
    fiona = make_member(app, "Fiona Grant", organisation="Fife Council")
    space = make_space(app, "good-practice", name="Good practice")
    thread = make_thread(app, space, fiona, title="Our one-page guide", body="One page, examples, a named person.")
    with app.app_context():
        first = _session(app).get(Thread, thread.id).first_post_id
    prefilled, entry_url = _promote(app, moderator, first)
    assert prefilled == "Fife Council"
    assert "By Fiona Grant, Fife Council" in _text(client.get(entry_url))


def test_an_anonymous_post_is_promoted_with_no_organisation_and_no_name(app, client):
    moderator = make_member(app, "Jo Williams", role="moderator")
    sam = make_member(app, "Sam Patel", organisation="Staffordshire County Council")
    space = make_space(app, "between-chats", anonymous_posting=True)
    writer = app.test_client()
    login(writer, sam)
    thread = make_thread(app, space, moderator, title="Making the case")
    done = submit(writer, f"/threads/{thread.id}/reply", {"body": "Count the enquiries.", "anonymous": "y",
                                                         "submission_key": "a1"}, form_url=f"/threads/{thread.id}")
    post_id = int(re.search(r"/posts/(\d+)", done.headers["Location"]).group(1))
    prefilled, entry_url = _promote(app, moderator, post_id)
    assert prefilled == ""
    entry = _text(client.get(entry_url))
    assert "Sam Patel" not in entry and "Staffordshire" not in entry


def test_an_author_from_a_private_space_chooses_whether_to_be_named(app, client):
    moderator = make_member(app, "Jo Williams", role="moderator")
    sam = make_member(app, "Sam Patel", organisation="Staffordshire County Council")
    space = make_space(app, "evangelists", visibility="private", members=[sam])
    for credit, shown in ((True, True), (False, False)):
        thread = make_thread(app, space, sam, title=f"Counting enquiries {credit}", body="We counted enquiries.")
        with app.app_context():
            first = _session(app).get(Thread, thread.id).first_post_id
        _prefilled, entry_url = _promote(app, moderator, first, organisation="Staffordshire County Council")
        entry_id = int(entry_url.rstrip("/").rsplit("/", 1)[1])
        author = app.test_client()
        login(author, sam)
        assert "Show my name as its author" in author.get(f"/library/{entry_id}/consent").get_data(as_text=True)
        submit(author, f"/library/{entry_id}/consent", {"accept": "Publish", **({"credit": "y"} if credit else {})})
        page = _text(client.get(f"/library/{entry_id}"))
        assert ("By Sam Patel, Staffordshire County Council" in page) is shown, page[:400]
        assert "Staffordshire County Council" in page
