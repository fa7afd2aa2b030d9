"""fetch-mail against a real IMAP server (#21): Dovecot from Debian's packages, started here with a throwaway config.

The messages are put in the mailbox with IMAP APPEND, as a mail server's delivery would leave them;
`flask forum fetch-mail` reads them, posts, and moves each handled one to the done folder.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

from tests.conftest import IN_CI, make_test_app
from tests.functional.test_inbound_mail import (CONFIG, app, eml, people, posts_by,  # noqa: F401  (fixtures)
                                                reply_address)

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-test-password"


@dataclass
class Imap:
    host: str
    port: int

    def config(self, user: str) -> dict:
        return {"FORUM_IMAP_HOST": self.host, "FORUM_IMAP_PORT": self.port, "FORUM_IMAP_SECURITY": "plain",
                "FORUM_IMAP_USER": user, "FORUM_IMAP_PASSWORD": PASSWORD, "FORUM_IMAP_FOLDER": "INBOX",
                "FORUM_IMAP_DONE_FOLDER": "Done"}

    def mailbox(self, user: str):
        return MailBoxUnencrypted(self.host, self.port).login(user, PASSWORD)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _users() -> tuple[str, str, str]:
    """(internal user, login user, mail user): Dovecot's own accounts as root, else this user for all three."""
    if os.geteuid() == 0:
        return "dovecot", "dovenull", "nobody"
    me = pwd.getpwuid(os.geteuid()).pw_name
    return me, me, me


def _group(user: str) -> str:
    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


@pytest.fixture(scope="session")
def imap_server():
    """A Dovecot IMAP server on a free loopback port; any user name signs in with PASSWORD and gets its own maildir.

    XOAUTH2 (Microsoft 365's way) is on too, with PASSWORD standing for the access token: a static passdb
    checks the token as it would a password, so the forum's OAuth2 sign-in runs for real.
    """
    if not os.path.exists(DOVECOT):
        message = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if IN_CI:
            pytest.fail(message + " (CI=true: the IMAP test is required)")
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="forum-dovecot-"))
    root.chmod(0o755)  # the mail user reaches its maildir through here
    internal, login_user, mail_user = _users()
    (root / "mail").mkdir()
    shutil.chown(root / "mail", user=mail_user)
    port = _free_port()
    config = root / "dovecot.conf"
    config.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
default_internal_user = {internal}
default_internal_group = {_group(internal)}
default_login_user = {login_user}
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={_group(mail_user)} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    output = process.stdout.read().decode() if process.poll() is not None else ""
                    pytest.fail(f"Dovecot did not start:\n{output}\n{log}")
                time.sleep(0.1)
        yield Imap("127.0.0.1", port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_user(imap_server):
    """A mailbox of this test's own."""
    return f"forum-{uuid.uuid4().hex[:10]}"


def deliver(imap_server, user: str, *messages: bytes) -> None:
    with imap_server.mailbox(user) as box:
        for raw in messages:
            box.append(raw, "INBOX")


def folder_sizes(imap_server, user: str) -> dict[str, int]:
    with imap_server.mailbox(user) as box:
        sizes = {}
        for name in ("INBOX", "Done"):
            if box.folder.exists(name):
                box.folder.set(name)
                sizes[name] = len(box.uids("ALL"))
        return sizes


def fetch(app, *args: str):
    return app.test_cli_runner().invoke(args=["forum", "fetch-mail", *args])


def test_fetch_mail_posts_each_message_once_and_moves_it_to_the_done_folder(app, people, imap_server, imap_user):
    jo, sam, space, thread = people
    address = reply_address(app, sam, thread)
    deliver(imap_server, imap_user,
            eml("gmail_top_posted.eml", REPLY_ADDRESS=address, SENDER_ADDRESS=sam.email),
            eml("out_of_office.eml", REPLY_ADDRESS=address, SENDER_ADDRESS=sam.email),
            eml("outlook_html_only.eml", REPLY_ADDRESS=address, SENDER_ADDRESS=sam.email))
    app.config.update(imap_server.config(imap_user))
    result = fetch(app, "--once")
    assert result.exit_code == 0, result.output
    assert "Handled 3 messages; 0 left" in result.output
    assert [p.body_source.split("\n")[0] for p in posts_by(app, sam)] == [
        "We moved sign-off to the team leads last year and it halved the wait.", "Three things worked for us:"]
    assert folder_sizes(imap_server, imap_user) == {"INBOX": 0, "Done": 3}

    # The next pass finds nothing; the same message delivered again (a resend) posts nothing new either.
    deliver(imap_server, imap_user, eml("gmail_top_posted.eml", REPLY_ADDRESS=address, SENDER_ADDRESS=sam.email))
    again = fetch(app)
    assert again.exit_code == 0 and "duplicate" in again.output
    assert len(posts_by(app, sam)) == 2
    assert folder_sizes(imap_server, imap_user) == {"INBOX": 0, "Done": 4}


def test_messages_stay_in_the_mailbox_while_the_database_is_down(app, people, imap_server, imap_user, tmp_path):
    jo, sam, space, thread = people
    deliver(imap_server, imap_user, eml("apple_mail_bottom_posted.eml", REPLY_ADDRESS=reply_address(app, sam, thread),
                                        SENDER_ADDRESS=sam.email))
    broken = make_test_app(f"sqlite:///{tmp_path}/no/such/dir/forum.sqlite3", tmp_path / "broken", **CONFIG,
                           **imap_server.config(imap_user))
    result = fetch(broken)
    assert result.exit_code == 0, result.output
    assert "Handled 0 messages; 1 left for the next pass" in result.output
    assert folder_sizes(imap_server, imap_user)["INBOX"] == 1
    assert posts_by(app, sam) == []

    app.config.update(imap_server.config(imap_user))
    assert "Handled 1 messages" in fetch(app).output
    assert len(posts_by(app, sam)) == 1
    assert folder_sizes(imap_server, imap_user) == {"INBOX": 0, "Done": 1}


def test_fetch_mail_uses_tls_unless_told_otherwise(app, imap_server, imap_user):
    # The default is TLS from the first byte (port 993's way): a server that speaks plain IMAP is refused.
    config = imap_server.config(imap_user)
    del config["FORUM_IMAP_SECURITY"]
    app.config.update(config)
    app.config["FORUM_IMAP_SECURITY"] = "ssl"
    result = fetch(app, "--once")
    assert result.exit_code == 75
    assert "could not read the mailbox" in result.output


def test_a_wrong_password_is_reported_and_nothing_is_read(app, imap_server, imap_user):
    app.config.update(imap_server.config(imap_user), FORUM_IMAP_PASSWORD="not-the-password")
    result = fetch(app, "--once")
    assert result.exit_code == 75
    assert "refused" in result.output


def test_fetch_mail_signs_in_with_an_oauth2_token_from_the_operators_command(app, people, imap_server, imap_user):
    jo, sam, space, thread = people
    deliver(imap_server, imap_user, eml("outlook_original_message.eml", REPLY_ADDRESS=reply_address(app, sam, thread),
                                        SENDER_ADDRESS=sam.email))
    app.config.update(imap_server.config(imap_user), FORUM_IMAP_PASSWORD=None,
                      FORUM_IMAP_OAUTH2_TOKEN_COMMAND=f"{sys.executable} -c 'print(\"{PASSWORD}\")'")
    result = fetch(app, "--once")
    assert result.exit_code == 0, result.output
    assert "Handled 1 messages" in result.output
    assert len(posts_by(app, sam)) == 1

    app.config["FORUM_IMAP_OAUTH2_TOKEN_COMMAND"] = f"{sys.executable} -c 'import sys; sys.exit(3)'"
    failed = fetch(app, "--once")
    assert failed.exit_code == 75
    assert "FORUM_IMAP_OAUTH2_TOKEN_COMMAND failed" in failed.output
