"""The calendar keeps up (#20): after an import the chat's event is re-issued, same UID, higher SEQUENCE, leading back in."""

from __future__ import annotations

from datetime import datetime, timezone
from io import BytesIO

import icalendar
import time_machine
from sqlalchemy import select

from forum.models import Space, Thread
from tests.factories import csrf_token, db_session, login, make_member, make_space, submit
from tests.functional.test_links_shared import CHAT_ONE

BEFORE = datetime(2026, 11, 13, 10, 0, tzinfo=timezone.utc)   # a week before the chat
AFTER = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)    # the chat was at 1pm that day


def event(client, url: str) -> icalendar.Event:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    [found] = icalendar.Calendar.from_ical(response.get_data()).walk("VEVENT")
    return found


def import_into(app, client, chat_id: int, data: bytes) -> None:
    """Upload a transcript for a chat and confirm the preview, as its host does in the browser."""
    with app.app_context():
        space_id = db_session(app).scalar(select(Space.id).where(Space.slug == "lgovsm-chat"))
    form = {"csrf_token": csrf_token(client, "/import"), "chat": str(chat_id), "space": str(space_id), "format": "",
            "start": "20/11/2026 12:58", "hosts": "", "file": (BytesIO(data), "chat.txt")}
    preview = client.post("/import", data=form, content_type="multipart/form-data")
    assert preview.status_code == 302, preview.get_data(as_text=True)
    done = client.post(preview.headers["Location"], data={"csrf_token": csrf_token(client, preview.headers["Location"]),
                                                          "confirm": "1"})
    assert done.status_code == 302 and done.headers["Location"] == f"/chats/{chat_id}"


def test_an_import_reissues_the_chats_event_with_the_same_uid_a_higher_sequence_and_links_into_the_discussion(app):
    with time_machine.travel(BEFORE, tick=True):
        host = make_member(app, "Sam Host")
        make_space(app, "lgovsm-chat", name="lgovsm chat", hosts=[host])
        client, subscriber = app.test_client(), app.test_client()
        login(client, host)
        with app.app_context():
            space_id = db_session(app).scalar(select(Space.id).where(Space.slug == "lgovsm-chat"))
        created = submit(client, "/chats/new", {
            "title": "#lgovsm: reaching residents", "space": str(space_id), "starts_at": "20/11/2026 13:00",
            "duration_minutes": "60", "hashtag": "lgovsm", "description": "Bring your examples", "hosts": ""})
        chat_id = int(created.headers["Location"].rsplit("/", 1)[1])
        before = event(subscriber, f"/chats/{chat_id}.ics")
        assert int(before["SEQUENCE"]) == 0
        assert str(before["URL"]) == f"http://localhost/chats/{chat_id}"
        in_feed = [e for e in icalendar.Calendar.from_ical(subscriber.get("/chats.ics").get_data()).walk("VEVENT")]
        assert [str(e["UID"]) for e in in_feed] == [str(before["UID"])]

    with time_machine.travel(AFTER, tick=True):
        import_into(app, client, chat_id, CHAT_ONE.encode())
        after = event(subscriber, f"/chats/{chat_id}.ics")
        assert str(after["UID"]) == str(before["UID"])
        assert int(after["SEQUENCE"]) == 1
        assert after.decoded("DTSTART") == before.decoded("DTSTART")
        recap = f"http://localhost/chats/{chat_id}/recap"
        assert str(after["URL"]) == recap
        description = str(after["DESCRIPTION"])
        with app.app_context():
            threads = db_session(app).execute(select(Thread.id, Thread.title).where(Thread.chat_id == chat_id)).all()
        assert len(threads) == 3
        for thread_id, title in threads:
            assert f"{title}\nhttp://localhost/threads/{thread_id}" in description
        assert recap in description and "Bring your examples" in description
        # A subscribed calendar (the feed) gets the re-issued event too, though the chat is past.
        [fed] = icalendar.Calendar.from_ical(subscriber.get("/chats.ics").get_data()).walk("VEVENT")
        assert (str(fed["UID"]), int(fed["SEQUENCE"]), str(fed["URL"])) == (str(before["UID"]), 1, recap)

        # Importing the same file again adds nothing, so the event is not re-issued.
        import_into(app, client, chat_id, CHAT_ONE.encode())
        assert int(event(subscriber, f"/chats/{chat_id}.ics")["SEQUENCE"]) == 1
        # A later export with more messages adds them: re-issued again.
        import_into(app, client, chat_id, (CHAT_ONE + "[14:05] Tom Reed: A2 late one: https://late.org.uk #lgovsm\n")
                    .encode())
        assert int(event(subscriber, f"/chats/{chat_id}.ics")["SEQUENCE"]) == 2


def test_the_event_lists_only_the_threads_the_reader_may_see(app, runner, tmp_path):
    host = make_member(app, "Sam Host")
    insider = make_member(app, "Ina Insider")
    make_space(app, "evangelists", visibility="private", name="Evangelist support", members=[insider], hosts=[host])
    with time_machine.travel(AFTER, tick=True):
        path = tmp_path / "chat.txt"
        path.write_text(CHAT_ONE)
        result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", "evangelists",
                                     "--start", "20/11/2026 12:58"])
        assert result.exit_code == 0, result.output
        inside = app.test_client()
        login(inside, insider)
        [found] = icalendar.Calendar.from_ical(inside.get("/chats.ics").get_data()).walk("VEVENT")
        assert "Q1: How do you reach residents" in str(found["DESCRIPTION"])
        assert icalendar.Calendar.from_ical(app.test_client().get("/chats.ics").get_data()).walk("VEVENT") == []
