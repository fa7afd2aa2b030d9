"""Numbers in addresses and forms that no row can have (too big for an id column, or not plain digits) are 404s or form errors, never 500s."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from werkzeug.routing.converters import NumberConverter

from forum.ids import IdConverter
from tests.factories import csrf_token, login, make_member, make_space, make_thread

TOO_BIG = [str(2**31), str(2**63), "9" * 20, "9" * 5000]  # past PostgreSQL's INTEGER, past SQLite's, ...
NOT_PLAIN_DIGITS = ["²", "١٢"]  # str.isdigit() says yes to both; int() refuses the first
TRANSCRIPT = Path(__file__).parents[1] / "data" / "import" / "lgovsm_tags.csv"
NUMBERS = pytest.mark.parametrize("number", TOO_BIG + NOT_PLAIN_DIGITS,
                                  ids=lambda n: n if len(n) < 25 else f"{len(n)}-digits")
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def admin_client(app):
    """An admin, signed in, so that every view gets past its sign-in and role checks to the database."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500, as it would to a member
    admin = make_member(app, "Ada Admin", role="admin")
    client = app.test_client()
    login(client, admin)
    return client


def _id_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every forum route with a number in its path, read from the URL map."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("forum."):
            continue
        converters = [app.url_map.converters[name or "default"] for name, _ in _ARGUMENT.findall(rule.rule)]
        if any(issubclass(converter, (NumberConverter, IdConverter)) for converter in converters):
            method = "GET" if "GET" in rule.methods else "POST"
            found.append((rule.endpoint, method, rule.rule))
    return found


def _path(app, rule: str, number: str) -> str:
    def fill(match):
        converter = app.url_map.converters[match[1] or "default"]
        return number if issubclass(converter, (NumberConverter, IdConverter)) else "anything"
    return _ARGUMENT.sub(fill, rule)


def test_every_id_route_uses_the_forum_id_converter(app):
    routes = _id_routes(app)
    assert {"forum.thread", "forum.post", "forum.chat", "forum.member", "forum.reply"} <= {e for e, _, _ in routes}
    plain_int = [rule for _, _, rule in routes if "<int:" in rule]
    assert plain_int == [], "use <forum_id:...>, which refuses ids no database row can have"


@NUMBERS
def test_every_id_route_answers_404_for_a_number_no_row_can_have(app, admin_client, number):
    token = csrf_token(admin_client, "/account")
    answers = {}
    for _endpoint, method, rule in _id_routes(app):
        path = _path(app, rule, number)
        response = admin_client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        answers[f"{method} {rule}"] = response.status_code
    assert {route: code for route, code in answers.items() if code != 404} == {}


def test_the_largest_possible_id_is_an_ordinary_missing_thread(admin_client):
    response = admin_client.get(f"/threads/{2**31 - 1}")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.fixture
def thread(app):
    author = make_member(app, "Tom Thread")
    return make_thread(app, make_space(app, "open"), author)


@pytest.mark.parametrize("number", [*TOO_BIG, *NOT_PLAIN_DIGITS, "0", "-1"],
                         ids=lambda n: n if len(n) < 25 else f"{len(n)}-digits")
def test_a_page_number_no_page_can_have_is_a_404(admin_client, thread, number):
    assert admin_client.get(f"/threads/{thread.id}?page={number}").status_code == 404


@NUMBERS
def test_quoting_a_post_no_row_can_be_is_a_404(admin_client, thread, number):
    response = admin_client.get(f"/threads/{thread.id}/reply?quote={number}")
    assert response.status_code == 404
    assert "The post you tried to quote does not exist." in response.get_data(as_text=True)


@NUMBERS
def test_uploading_into_a_chat_no_row_can_be_asks_for_a_space(admin_client, thread, number):
    assert admin_client.get(f"/import?chat={number}").status_code == 200
    token = csrf_token(admin_client, "/import")
    response = admin_client.post("/import", content_type="multipart/form-data", data={
        "csrf_token": token, "chat": number, "space": number, "format": "", "start": "", "hosts": "",
        "file": (BytesIO(TRANSCRIPT.read_bytes()), "lgovsm.csv")})
    assert response.status_code == 400
    assert "Choose the space for the chat&#39;s threads" in response.get_data(as_text=True)


@NUMBERS
def test_watching_something_no_row_can_be_is_a_404(admin_client, number):
    token = csrf_token(admin_client, "/account")
    for kind in ("thread", "space"):
        response = admin_client.post("/watch", data={"kind": kind, "target": number, "csrf_token": token})
        assert response.status_code == 404


@NUMBERS
def test_notifications_ignore_ids_no_row_can_have(admin_client, number):
    token = csrf_token(admin_client, "/account")
    response = admin_client.post("/notifications/read", data={"id": number, "open": number, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notifications")


@NUMBERS
def test_merging_into_a_thread_no_row_can_be_says_what_is_wrong(admin_client, thread, number):
    tools = f"/threads/{thread.id}/tools"
    response = admin_client.post(tools, data={"target": number, "merge": "Merge", "csrf_token": csrf_token(admin_client, tools)})
    assert response.status_code == 400
    assert "Enter the other thread&#39;s number" in response.get_data(as_text=True)
