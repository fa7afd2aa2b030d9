"""`flask forum check`: every unsafe setting on its own line with what to do and exit status 1; a
production configuration gets exit status 0."""

from __future__ import annotations

import secrets

import pytest

from tests.conftest import make_test_app

PRODUCTION = {
    "TESTING": False,
    "SECRET_KEY": secrets.token_hex(32),
    "FORUM_BASE_URL": "https://community.example.gov.uk",
    "FORUM_TRUSTED_HOSTS": "community.example.gov.uk",
    "FORUM_MAIL_SERVER": "smtp.example.gov.uk",
    "FORUM_MAIL_SENDER": "afterchat@example.gov.uk",
    "FORUM_PASSWORD_HASH": "scrypt:131072:8:1",
    "FORUM_APP_HOSTS": 1,
}


@pytest.fixture
def check(database_url, tmp_path):
    """Run `flask forum check` on an app with these settings: (exit status, problem lines, output)."""
    made = []

    def run(**config):
        app = make_test_app(database_url, tmp_path / "instance", **config)
        made.append(app)
        result = app.test_cli_runner().invoke(args=["forum", "check"])
        problems = [line for line in result.output.splitlines() if line.startswith("PROBLEM: ")]
        return result.exit_code, problems, result.output

    yield run
    for app in made:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()


def _find(problems: list[str], *words: str) -> str:
    found = [line for line in problems if all(word in line for word in words)]
    assert len(found) == 1, f"expected one problem mentioning {words}, got {found} of:\n" + "\n".join(problems)
    return found[0]


def test_a_production_configuration_passes(check):
    status, problems, output = check(**PRODUCTION)
    assert status == 0, output
    assert problems == [] and "No problems found." in output


def test_each_unsafe_setting_is_reported_on_its_own_line_with_what_to_do(check, database_url, monkeypatch):
    sqlite = database_url.startswith("sqlite")
    monkeypatch.setenv("FLASK_DEBUG", "1")  # how debug mode is switched on (the CLI reads it, not the config)
    status, problems, output = check(
        TESTING=True, SECRET_KEY="dev", FORUM_BASE_URL=None, FORUM_TRUSTED_HOSTS=None,
        FORUM_MAIL_SERVER=None, FORUM_APP_HOSTS=3, FORUM_PASSWORD_HASH="pbkdf2:sha256:1000",
    )
    assert status == 1, output
    expected = [
        (("secret key", "well-known"), "FORUM_SECRET_KEY"),
        (("Debug mode is on",), "FLASK_DEBUG"),
        (("TESTING is on",), "Remove TESTING"),
        (("Mail is not configured",), "FORUM_MAIL_SERVER"),
        (("not set up for HTTPS",), "FORUM_BASE_URL=https://"),
        (("FORUM_BASE_URL is not set", "http://localhost"), "FORUM_BASE_URL=https://"),
        (("Rate limits are kept in each process",), "FORUM_REDIS_URL="),
        (("FORUM_PASSWORD_HASH is weak", "1,000 iterations"), "default"),
    ]
    if sqlite:
        expected.append((("database is SQLite", "3 servers"), "PostgreSQL"))
    for words, advice in expected:
        line = _find(problems, *words)
        assert advice in line, f"{line!r} does not say what to do ({advice!r})"
    assert len(problems) == len(expected), "\n".join(problems)
    assert f"{len(expected)} problems found" in output


def test_a_short_secret_and_a_plain_http_base_url_are_reported(check):
    status, problems, _ = check(**{**PRODUCTION, "SECRET_KEY": "only-sixteen-chr",
                                   "FORUM_BASE_URL": "http://community.example.gov.uk", "FORUM_HTTPS": "true"})
    assert status == 1
    assert "16 characters" in _find(problems, "secret key")
    assert "https://" in _find(problems, "FORUM_BASE_URL (http://")


def test_several_hosts_need_one_shared_secret_key(check, tmp_path):
    secret = secrets.token_hex(32)
    (tmp_path / "instance").mkdir(exist_ok=True)
    (tmp_path / "instance" / "secret_key").write_text(secret)
    status, problems, _ = check(**{**PRODUCTION, "SECRET_KEY": secret, "FORUM_SECRET_KEY": None,
                                   "FORUM_APP_HOSTS": 2, "FORUM_REDIS_URL": None})
    assert status == 1
    assert "same FORUM_SECRET_KEY on every host" in _find(problems, "FORUM_SECRET_KEY is not set")


def test_an_unreachable_redis_is_reported(check):
    status, problems, _ = check(**{**PRODUCTION, "FORUM_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert status == 1
    assert "Start Redis" in _find(problems, "Redis at FORUM_REDIS_URL does not answer")


def test_a_database_without_the_forums_tables_is_reported(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path / "instance", **PRODUCTION)
    try:
        result = app.test_cli_runner().invoke(args=["forum", "check"])
    finally:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()
    assert result.exit_code == 1
    assert "PROBLEM: The database has no forum tables yet" in result.output and "db upgrade" in result.output


def test_a_mistyped_setting_does_not_stop_the_app_and_is_reported(check):
    status, problems, _ = check(**{**PRODUCTION, "FORUM_PROXY_COUNT": "one", "FORUM_HTTPS": "maybe"})
    assert status == 1
    assert "number of proxies" in _find(problems, "FORUM_PROXY_COUNT must be a whole number")
    assert "FORUM_HTTPS=true or false" in _find(problems, "FORUM_HTTPS is not understood")


def test_accounts_whose_address_no_longer_passes_the_check_are_listed(check, database_url, tmp_path):
    from tests.factories import make_member

    app = make_test_app(database_url, tmp_path / "setup")
    try:
        make_member(app, email="sam@staffordshire.gov.uk")
        mallory = make_member(app, email="mallory@evil.example,.gov.uk")
        quoted = make_member(app, email='"x y"@example.gov.uk')
    finally:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()
    status, problems, _ = check(**PRODUCTION)
    assert status == 1
    line = _find(problems, "no longer passes the address check")
    assert f"#{mallory.id} 'mallory@evil.example,.gov.uk'" in line and f"#{quoted.id}" in line
    assert "sam@staffordshire.gov.uk" not in line and "Ask each member to change" in line


def test_mail_in_without_tls_or_without_a_bounce_address_is_reported(check):
    status, problems, _ = check(**{**PRODUCTION, "FORUM_INCOMING_DOMAIN": "in.community.example.gov.uk",
                                   "FORUM_IMAP_HOST": "imap.example.gov.uk", "FORUM_IMAP_SECURITY": "plain"})
    assert status == 1
    assert "FORUM_IMAP_SECURITY=ssl" in _find(problems, "without TLS", "imap.example.gov.uk")
    assert "bounces@" in _find(problems, "FORUM_MAIL_RETURN_PATH is not set")

    status, problems, output = check(**{**PRODUCTION, "FORUM_INCOMING_DOMAIN": "in.community.example.gov.uk",
                                        "FORUM_MAIL_RETURN_PATH": "bounces@in.community.example.gov.uk",
                                        "FORUM_IMAP_HOST": "127.0.0.1", "FORUM_IMAP_SECURITY": "plain"})
    assert status == 0, output
