"""Uploaded transcripts waiting for their preview to be confirmed: at most five per host, for a day at most."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from forum.models import PendingImport, Post
from tests.factories import csrf_token, login, make_member, make_space

TRANSCRIPT = Path(__file__).resolve().parents[1] / "data" / "import" / "lgovsm_tags.csv"
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    """A frozen clock that the test moves on by hand."""
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def space(app):
    return make_space(app, "lgovsm-chat", name="lgovsm chat")


def _host(app, space, name="Jo Host"):
    host = make_member(app, name)
    with app.app_context():
        from forum.models import SpaceMembership
        db = app.extensions["forum"].db.session
        db.add(SpaceMembership(space_id=space.id, member_id=host.id, role="host"))
        db.commit()
    client = app.test_client()
    login(client, host)
    return client


def _upload(client, space, filename: str):
    response = client.post("/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/import"), "chat": "", "space": str(space.id), "format": "", "start": "",
        "hosts": "", "file": (BytesIO(TRANSCRIPT.read_bytes()), filename)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _waiting(app) -> int:
    with app.app_context():
        return app.extensions["forum"].db.session.scalar(select(func.count()).select_from(PendingImport))


def test_a_sixth_upload_replaces_the_oldest_and_says_so(app, space, clock):
    host = _host(app, space)
    previews = []
    for n in range(1, 7):
        previews.append(_upload(host, space, f"chat-{n}.csv"))
        clock.shift(timedelta(minutes=1))
    assert _waiting(app) == 5
    sixth = host.get(previews[-1]).get_data(as_text=True)
    assert "your oldest waiting upload (chat-1.csv) was discarded" in sixth

    gone = host.get(previews[0])
    assert gone.status_code == 404
    page = gone.get_data(as_text=True)
    assert "This upload is no longer waiting" in page and "Upload the file again" in page
    assert all(host.get(url).status_code == 200 for url in previews[1:])


def test_each_host_has_their_own_five(app, space, clock):
    first, second = _host(app, space, "Jo Host"), _host(app, space, "Sam Cohost")
    for n in range(5):
        _upload(first, space, f"jo-{n}.csv")
    kept = _upload(second, space, "sam.csv")
    assert "was discarded" not in second.get(kept).get_data(as_text=True)
    assert _waiting(app) == 6


def test_the_limit_is_a_setting(app, space, clock):
    app.config["FORUM_IMPORT_PENDING_LIMIT"] = 2
    host = _host(app, space)
    for n in range(4):
        _upload(host, space, f"chat-{n}.csv")
    assert _waiting(app) == 2


def test_an_upload_waits_a_day_then_says_it_has_expired(app, space, clock):
    host = _host(app, space)
    preview = _upload(host, space, "lgovsm.csv")
    clock.shift(timedelta(hours=23, minutes=59))
    assert host.get(preview).status_code == 200
    clock.shift(timedelta(minutes=2))
    response = host.get(preview)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This upload has expired" in page and "lgovsm.csv" in page and "Upload the file again" in page

    confirm = host.post(preview, data={"csrf_token": csrf_token(host, "/import"), "format": "", "confirm": "1"})
    assert confirm.status_code == 410
    with app.app_context():
        assert app.extensions["forum"].db.session.scalar(select(func.count()).select_from(Post)) == 0


def test_expired_uploads_are_deleted_by_the_next_upload_and_by_send_mail(app, space, runner, clock):
    first, second = _host(app, space, "Jo Host"), _host(app, space, "Sam Cohost")
    _upload(first, space, "old.csv")
    clock.shift(timedelta(hours=25))
    _upload(second, space, "new.csv")
    assert _waiting(app) == 1  # the upload deleted the other host's expired one

    clock.shift(timedelta(hours=25))
    result = runner.invoke(args=["forum", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 transcript uploads left unconfirmed for 24 hours." in result.output
    assert _waiting(app) == 0
    assert "Deleted" not in runner.invoke(args=["forum", "send-mail"]).output
