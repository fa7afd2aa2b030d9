"""/health reports the app's and the database's status."""

from __future__ import annotations

from tests.conftest import make_test_app


def test_health_is_ok_with_the_database_up(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "app": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    app = make_test_app("postgresql://nobody@127.0.0.1:1/none", tmp_path / "instance")
    response = app.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"] == "unreachable"
