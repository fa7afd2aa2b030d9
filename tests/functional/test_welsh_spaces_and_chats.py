"""The home, space and chat pages read wholly in Welsh when a reader asks for Welsh (#24).

Each page is fetched in Welsh and no English phrase of the catalog (whose Welsh differs) may be
left in its main content; the messages those pages flash and the mail their actions send are in
the reader's or the recipient's language too.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from forum.models import Member, OutboxMessage, SpaceRequest
from tests.welsh import english_left as _english_left, main_text as _main_text, phrases as _phrases, welsh_client as _welsh
from tests.factories import csrf_token, login, make_member, make_space, make_thread, submit
from tests.factories import db_session as _session

TRANSCRIPT = Path(__file__).resolve().parents[1] / "data" / "import" / "lgovsm_tags.csv"
# A week before the coming chat, so "upcoming" means the same whatever day the tests run.
TODAY = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def world(app):
    """A host with a public chat space (one chat imported, one to come) and a private space with a request waiting."""
    host = make_member(app, "Jo Evans", organisation="Cyngor Sir Gâr")
    member = make_member(app, "Nia Jones")
    space = make_space(app, "lgovsm-chat", name="Sgwrs lgovsm", hosts=[host])
    make_thread(app, space, member, title="Cyllidebau", body="Beth ydych chi'n ei feddwl?", replies=2)
    private = make_space(app, "efengylwyr", visibility="private", name="Efengylwyr", hosts=[host], members=[member])
    asker = make_member(app, "Tomos Rees", organisation="Cyngor Caerdydd")
    outsider = make_member(app, "Eirlys Allan")
    client = app.test_client()
    login(client, host)
    past = submit(client, "/chats/new", {"title": "#lgovsm: yr hen sgwrs", "space": str(space.id),
                                         "starts_at": "14/01/2011 13:00", "duration_minutes": "60",
                                         "hashtag": "lgovsm", "description": "", "hosts": ""})
    past_id = int(past.headers["Location"].rsplit("/", 1)[1])
    token = csrf_token(client, "/import")
    preview = client.post("/import", data={
        "csrf_token": token, "chat": str(past_id), "space": "", "format": "", "start": "", "hosts": "",
        "file": (BytesIO(TRANSCRIPT.read_bytes()), "lgovsm.csv")}, content_type="multipart/form-data")
    preview_url = preview.headers["Location"]
    confirmed = client.post(preview_url, data={"csrf_token": csrf_token(client, preview_url), "format": "",
                                               "confirm": "1", "title_1": "Cefnogi'r efengylwr unig",
                                               "title_2": "Pwy sy'n penderfynu pwy gaiff gyfrif?"})
    assert confirmed.status_code == 302
    coming = submit(client, "/chats/new", {"title": "#lgovsm: cyllidebau", "space": str(space.id),
                                           "starts_at": "27/11/2026 13:00", "duration_minutes": "60",
                                           "hashtag": "lgovsm", "description": "", "hosts": ""})
    coming_url = coming.headers["Location"]
    proposer = _welsh(app, member)
    submit(proposer, coming_url + "/questions", {"text": "Pwy sy'n cymeradwyo eich negeseuon?"}, form_url=coming_url)
    asking = _welsh(app, asker)
    assert submit(asking, "/spaces/efengylwyr/join", {"message": "Fi yw'r unig un"},
                  form_url="/spaces/efengylwyr").status_code == 302
    submit(client, "/spaces/efengylwyr/members", {"who": "Eirlys Allan"}, form_url="/spaces/efengylwyr/members")
    return {"host": host, "member": member, "asker": asker, "outsider": outsider, "space": space,
            "private": private, "past": f"/chats/{past_id}", "coming": coming_url}


def test_home_space_and_chat_pages_read_in_welsh(app, world):
    phrases = _phrases()
    pages = [
        (None, "/"),
        ("member", "/"),
        ("host", "/"),
        (None, "/spaces/lgovsm-chat"),
        ("member", "/spaces/lgovsm-chat"),
        ("member", "/spaces/efengylwyr"),
        ("host", "/spaces/efengylwyr"),
        ("host", "/spaces/efengylwyr/members"),
        ("member", "/spaces/efengylwyr/members"),
        ("outsider", "/spaces/efengylwyr"),
        ("asker", "/spaces/efengylwyr"),
        (None, "/chats"),
        ("host", "/chats"),
        (None, world["past"]),
        ("host", world["past"]),
        (None, world["coming"]),
        ("member", world["coming"]),
        ("host", world["coming"]),
        ("host", "/chats/new"),
        ("host", world["coming"] + "/edit"),
    ]
    english_left = []
    for who, url in pages:
        response = _welsh(app, world[who] if who else None).get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        text = _main_text(response)
        english_left += [(who, url, english) for english in _english_left(text, phrases)]
        assert any(welsh in text for welsh in phrases.values()), f"no Welsh at all on {url}: {text[:200]}"
    assert not english_left, f"English left on Welsh pages: {sorted(set(e for _, _, e in english_left))}"


def test_the_imported_chat_says_how_it_went_in_welsh(app, world):
    text = _main_text(_welsh(app).get(world["past"]))
    assert "Cymerodd 4 o bobl ran, gyda" in text
    assert "Mewnforiwyd o " in text and "hepgorwyd 1 ail-bostiad" in text and "Y sgwrs yn gryno" in text
    assert "Statws Trawsgrifiad wedi'i fewnforio" in text
    coming = _main_text(_welsh(app, world["member"]).get(world["coming"]))
    assert "Statws I ddod" in coming and "am 60 munud" in coming and "0 pleidlais" in coming
    assert "Cynigiwyd gan Nia Jones" in coming


def test_the_hosts_page_names_who_asked_in_welsh(app, world):
    text = _main_text(_welsh(app, world["host"]).get("/spaces/efengylwyr/members"))
    assert "Gofynnodd Tomos Rees , Cyngor Caerdydd ar" in text
    assert "Gwahoddiadau sy'n aros am ateb" in text and "Eirlys Allan" in text
    assert "Gwesteiwr" in text and "Aelod" in text


def test_errors_and_messages_of_space_and_chat_actions_are_in_welsh(app, world):
    host = _welsh(app, world["host"])
    refused = submit(host, "/chats/new", {"title": "", "space": str(world["space"].id), "starts_at": "yfory",
                                          "duration_minutes": "5", "hashtag": "", "description": "", "hosts": ""})
    page = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "Rhowch deitl y sgwrs, 200 nod ar y mwyaf" in page and "Rhowch hyd rhwng 10 a 600 munud" in page
    assert "Enter the chat's title" not in page

    with app.app_context():
        request_id = _session(app).scalar(select(SpaceRequest.id).where(SpaceRequest.kind == "request"))
    host.post(f"/spaces/efengylwyr/requests/{request_id}", data={
        "accept": "Accept", "csrf_token": csrf_token(host, "/spaces/efengylwyr/members")})
    flashed = unescape(host.get("/spaces/efengylwyr/members").get_data(as_text=True))
    assert "Croesawyd Tomos Rees i'r gofod." in flashed

    invited = submit(host, "/spaces/efengylwyr/members", {"who": "Neb o'r enw hwn"},
                     form_url="/spaces/efengylwyr/members")
    assert "Nid oes gan unrhyw aelod cymeradwy yr enw hwnnw" in unescape(invited.get_data(as_text=True))


def test_join_requests_and_invitations_are_mailed_in_the_recipients_language(app):
    host = make_member(app, "Gwen Host")
    outsider = make_member(app, "Sam Outsider")
    with app.app_context():
        _session(app).get(Member, host.id).language = "cy"
        _session(app).commit()
    make_space(app, "caeedig", visibility="private", name="Caeedig", hosts=[host])
    asking = app.test_client()  # in English: the host still reads Welsh
    login(asking, outsider)
    submit(asking, "/spaces/caeedig/join", {"message": ""}, form_url="/spaces/caeedig")
    with app.app_context():
        mail = _session(app).scalars(select(OutboxMessage)).all()
    assert any("Mae Sam Outsider yn gofyn am gael ymuno â Caeedig" in m.subject for m in mail), \
        [m.subject for m in mail]
    assert "Your request to join" not in " ".join(m.subject for m in mail)
