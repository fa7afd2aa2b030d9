"""Rate limits shared through Redis: the sign-in limit holds across two app servers, whichever one a
request reaches. (Without FORUM_REDIS_URL each process counts alone: the control below shows why.)"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from bench import concurrency
from tests.factories import flushed_redis

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, emptied before and after
LIMIT = "10 per minute"


@pytest.fixture
def redis_db():
    """Redis database 15, flushed before and after; skipped without Redis unless CI=true."""
    yield from flushed_redis(REDIS_URL)


def _attempts(servers, count: int) -> list[tuple[int, int]]:
    """`count` wrong-password sign-ins, alternating between the servers: [(server index, status)]."""
    browsers = [concurrency.Browser(server.url) for server in servers]
    forms = [browser.form("/login")[1] for browser in browsers]
    statuses = []
    for attempt in range(count):
        which = attempt % len(servers)
        answer = browsers[which].request("/login", [*forms[which], ("email", "someone@example.gov.uk"),
                                                    ("password", "not the password")])
        statuses.append((which, answer.status, answer.body))
    return statuses


def test_the_sign_in_limit_holds_across_two_servers_sharing_redis(redis_db, database_url, tmp_path):
    def server(name: str, redis_url: str | None):
        env = {"FORUM_DATABASE_URL": database_url, "FORUM_RATELIMIT_SIGNIN": LIMIT}
        if redis_url:
            env["FORUM_REDIS_URL"] = redis_url
        return concurrency.Gunicorn(env, workers=1, threads=1, log_path=tmp_path / f"{name}.log",
                                    instance_path=tmp_path / name)

    shared = [server("redis-a", REDIS_URL), server("redis-b", REDIS_URL)]
    alone = [server("memory-a", None), server("memory-b", None)]
    try:
        for each in shared + alone:  # boot all four side by side
            each.launch()
        for each in shared + alone:
            each.wait_ready()
        with_redis = _attempts(shared, 12)
        without = _attempts(alone, 12)
    finally:
        for each in shared + alone:
            each.stop()

    statuses = [status for _, status, _ in with_redis]
    assert statuses[:10] == [400] * 10, statuses  # ten wrong passwords: the form's own answer
    assert statuses[10:] == [429, 429], statuses  # the 11th, on server A, and the 12th, on server B
    assert {which for which, status, _ in with_redis if status == 429} == {0, 1}
    assert "Too many attempts" in with_redis[10][2]
    assert any(key.startswith(b"LIMITS") or b"forum" in key for key in redis_db.keys("*")), redis_db.keys("*")

    # Control: with memory storage each server counts only its own six attempts, so none is refused.
    assert [status for _, status, _ in without] == [400] * 12


def _attempt_from(browser, form, address: str, ip: str) -> int:
    """One wrong-password sign-in for `address`, arriving through the proxy from `ip`; its status."""
    body = urllib.parse.urlencode([*form, ("email", address), ("password", "not the password")]).encode()
    request = urllib.request.Request(browser.base + "/login", data=body, method="POST",
                                     headers={"X-Forwarded-For": ip})
    try:
        with browser.opener.open(request, timeout=browser.timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_per_account_sign_in_limit_holds_across_servers_and_addresses(redis_db, database_url, tmp_path):
    env = {"FORUM_DATABASE_URL": database_url, "FORUM_RATELIMIT_SIGNIN": LIMIT, "FORUM_REDIS_URL": REDIS_URL,
           "FORUM_PROXY_COUNT": "1"}  # behind one proxy: each attempt comes from the address it names
    servers = [concurrency.Gunicorn(env, workers=1, threads=1, log_path=tmp_path / f"{name}.log",
                                    instance_path=tmp_path / name) for name in ("a", "b")]
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        browsers = [concurrency.Browser(server.url) for server in servers]
        forms = [browser.form("/login")[1] for browser in browsers]
        statuses = [_attempt_from(browsers[i % 2], forms[i % 2], "someone@example.gov.uk", f"198.51.100.{i + 1}")
                    for i in range(12)]
        other = _attempt_from(browsers[0], forms[0], "someone.else@example.gov.uk", "198.51.100.99")
    finally:
        for server in servers:
            server.stop()
    # Twelve addresses, two servers, one account: the 11th and 12th attempts are refused on both servers.
    assert statuses == [400] * 10 + [429, 429], statuses
    assert other == 400  # another account, not held up
