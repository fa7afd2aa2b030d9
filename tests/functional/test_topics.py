"""Topics across chats (#20): service areas on chats and their questions, set at import or later, and a topic's page."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from io import BytesIO

import pytest
import time_machine
from sqlalchemy import select

from forum.models import LibraryEntry, LibraryTag, Space, Thread
from tests.factories import csrf_token, db_session, login, make_member, make_space, submit
from tests.functional.test_links_shared import CHAT_ONE, CHAT_TWO, import_chat, page

TODAY = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def host(app):
    host = make_member(app, "Sam Host")
    make_space(app, "lgovsm-chat", name="lgovsm chat", hosts=[host])
    return host


def tag_ids(app, *slugs: str) -> list[int]:
    with app.app_context():
        found = dict(db_session(app).execute(select(LibraryTag.slug, LibraryTag.id).where(LibraryTag.slug.in_(slugs))).all())
    return [found[slug] for slug in slugs]


def questions(app, chat_id: int) -> dict[int, int]:
    """The chat's threads by question number (0: the welcome and wrap-up)."""
    with app.app_context():
        return dict(db_session(app).execute(select(Thread.question_number, Thread.id).where(Thread.chat_id == chat_id)).all())


def test_a_host_sets_topics_later_and_the_topic_page_shows_every_time_we_talked_about_it(app, runner, client, tmp_path,
                                                                                       host):
    first = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    second = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_TWO, "27/11/2026 13:00")
    communications, digital = tag_ids(app, "communications", "digital")
    one, two = questions(app, first), questions(app, second)
    login(client, host)
    form = page(client, f"/chats/{first}/topics")
    assert "The whole chat" in form and "Q2: Who signs off your posts" in form
    # The whole first chat is about communications; of the second, only its question is about digital.
    response = submit(client, f"/chats/{first}/topics", {"chat_tags": str(communications), "submit": "Save the topics"})
    assert response.status_code == 302
    submit(client, f"/chats/{second}/topics", {f"thread-{two[1]}": [str(communications), str(digital)],
                                              "submit": "Save the topics"})
    chat_page = page(client, f"/chats/{first}")
    assert 'href="/topics/communications">Communications</a>' in chat_page

    with app.app_context():  # and a library entry on the topic, from the year before
        db = db_session(app)
        db.add(LibraryEntry(title="Last year's comms plan", problem="p", approach="a", outcome="o",
                            summary_html="<p>s</p>", created_at=datetime(2025, 3, 6, 12, 0, tzinfo=timezone.utc),
                            tags=[db.get(LibraryTag, communications)]))
        db.commit()
    visitor = app.test_client()
    topic = page(visitor, "/topics/communications")
    # Newest first, by year: the second chat's question, then the first chat's two questions (not its welcome
    # thread); then, under 2025, the library entry.
    assert topic.index('<h2 class="heading-m">2026</h2>') < topic.index("Q1: What did you try after last week") \
        < topic.index("Q2: Who signs off") < topic.index("Q1: How do you reach residents") \
        < topic.index('<h2 class="heading-m">2025</h2>') < topic.index("Library entry:") \
        < topic.index("Last year's comms plan")
    assert "welcome and wrap-up" not in topic.lower()  # the welcome thread is no question
    assert "4 items." in topic
    assert "Q1: What did you try" in page(visitor, "/topics/digital")
    assert "Q2: Who signs off" not in page(visitor, "/topics/digital")
    # Threads say their topics, their own and their chat's.
    assert 'href="/topics/communications"' in page(visitor, f"/threads/{one[2]}")
    assert 'href="/topics/digital"' in page(visitor, f"/threads/{two[1]}")
    assert 'href="/topics/' not in page(visitor, f"/threads/{one[0]}")
    # Unknown topic: a clear 404.
    assert "There is no such topic" in page(visitor, "/topics/no-such-topic", 404)
    assert page(visitor, "/topics/communications?page=2", 404)


def test_topics_are_suggested_from_the_library_and_library_entries_lead_to_their_topics(app, runner, client, tmp_path,
                                                                                      host):
    chat_id = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    q1 = questions(app, chat_id)[1]
    moderator = make_member(app, "Mo Moderator", role="moderator")
    with app.app_context():
        db = db_session(app)
        housing = db.scalar(select(LibraryTag).where(LibraryTag.slug == "housing"))
        entry = LibraryEntry(title="Residents' own Facebook groups", problem="p", approach="a", outcome="o",
                             summary_html="<p>s</p>", thread_id=q1, created_by_id=moderator.id, tags=[housing])
        db.add(entry)
        db.commit()
        entry_id = entry.id
    login(client, host)
    form = page(client, f"/chats/{chat_id}/topics")
    assert "Suggested from the library entries promoted from it: Housing." in form
    assert "Housing (suggested)" in form
    # The library entry is on the topic's page, and leads there.
    visitor = app.test_client()
    assert 'href="/topics/housing"' in page(visitor, f"/library/{entry_id}")
    assert "Library entry:" in page(visitor, "/topics/housing") and "Residents' own Facebook groups" in page(
        visitor, "/topics/housing")


def test_topics_of_a_private_chat_never_show_outside_its_space(app, runner, client, tmp_path, host):
    insider = make_member(app, "Ina Insider")
    make_space(app, "evangelists", visibility="private", name="Evangelist support", members=[insider], hosts=[host])
    chat_id = import_chat(runner, tmp_path, "evangelists", CHAT_TWO, "27/11/2026 13:00")
    [digital] = tag_ids(app, "digital")
    login(client, host)
    submit(client, f"/chats/{chat_id}/topics", {"chat_tags": str(digital), "submit": "Save the topics"})
    inside, outside = app.test_client(), app.test_client()
    login(inside, insider)
    login(outside, make_member(app, "Otto Outsider"))
    assert "Q1: What did you try" in page(inside, "/topics/digital")
    for viewer in (outside, app.test_client()):
        text = page(viewer, "/topics/digital")
        assert "What did you try" not in text and "0 items." in text
        page(viewer, f"/chats/{chat_id}/topics", 404 if viewer is outside else 302)


def test_only_hosts_set_topics_and_bad_choices_are_refused(app, runner, client, tmp_path, host):
    chat_id = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    member = app.test_client()
    login(member, make_member(app, "Rae Reader"))
    assert member.get(f"/chats/{chat_id}/topics").status_code == 403
    response = member.post(f"/chats/{chat_id}/topics", data={"csrf_token": csrf_token(member, "/links"),
                                                             "chat_tags": "1"})
    assert response.status_code == 403
    login(client, host)
    response = submit(client, f"/chats/{chat_id}/topics", {"chat_tags": "999999", "submit": "Save the topics"})
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "no longer on the list" in text
    # The form comes back with the error, and nothing was saved.
    assert 'value="999999"' not in text
    assert 'href="/topics/' not in page(client, f"/chats/{chat_id}")


def test_topics_are_set_at_import_in_the_preview(app, client, host):
    login(client, host)
    with app.app_context():
        space_id = db_session(app).scalar(select(Space.id).where(Space.slug == "lgovsm-chat"))
    form = {"csrf_token": csrf_token(client, "/import"), "chat": "", "space": str(space_id), "format": "",
            "start": "20/11/2026 12:58", "hosts": "", "file": (BytesIO(CHAT_ONE.encode()), "chat.txt")}
    preview_url = client.post("/import", data=form, content_type="multipart/form-data").headers["Location"]
    preview = page(client, preview_url)
    assert "Topics: the service areas the chat was about" in preview
    transport, planning = tag_ids(app, "transport", "planning")
    response = client.post(preview_url, data={"csrf_token": csrf_token(client, preview_url), "topics_shown": "1",
                                              "chat_tags": [str(transport), str(planning)], "confirm": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    chat_page = page(client, response.headers["Location"])
    assert 'href="/topics/planning">Planning</a>, <a href="/topics/transport">Transport</a>' in chat_page
    assert "Q1: How do you reach residents" in page(client, "/topics/transport")
    # Importing a longer export of the same chat later, ticking nothing, keeps the chat's topics.
    chat_id = int(response.headers["Location"].rsplit("/", 1)[1])
    form = {"csrf_token": csrf_token(client, "/import"), "chat": str(chat_id), "space": str(space_id), "format": "",
            "start": "20/11/2026 12:58", "hosts": "",
            "file": (BytesIO((CHAT_ONE + "[14:02] Tom Reed: A2 one more thing #lgovsm\n").encode()), "chat.txt")}
    preview_url = client.post("/import", data=form, content_type="multipart/form-data").headers["Location"]
    response = client.post(preview_url, data={"csrf_token": csrf_token(client, preview_url), "topics_shown": "1",
                                              "confirm": "1"})
    assert response.status_code == 302
    assert 'href="/topics/planning">Planning</a>, <a href="/topics/transport">Transport</a>' in page(
        client, f"/chats/{chat_id}")


def test_a_topic_page_runs_the_same_queries_for_few_and_many_items(app, client, host):
    from sqlalchemy import insert

    from forum.models import thread_tags
    from tests.factories import make_thread
    space = make_space(app, "between-chats")
    digital, housing = tag_ids(app, "digital", "housing")
    threads = [make_thread(app, space, host, title=f"Thread {i}") for i in range(32)]
    with app.app_context():
        db = db_session(app)
        db.execute(insert(thread_tags), [{"thread_id": t.id, "tag_id": digital if i < 2 else housing}
                                         for i, t in enumerate(threads)])
        tags = {tag.id: tag for tag in db.scalars(select(LibraryTag))}
        db.add_all(LibraryEntry(title=f"Entry {i}", problem="p", approach="a", outcome="o", summary_html="<p>s</p>",
                                thread_id=threads[i].id, tags=[tags[digital if i < 1 else housing]]) for i in range(8))
        db.commit()

    def queries(url):
        response = client.get(url)
        assert response.status_code == 200
        return int(response.headers["X-Forum-Queries"])

    queries("/topics/digital")
    assert "3 items." in page(client, "/topics/digital") and "37 items." in page(client, "/topics/housing")
    assert queries("/topics/digital") == queries("/topics/housing")
    assert queries("/topics/housing?page=2") <= queries("/topics/housing")  # its 7 items: threads, no entries to load
