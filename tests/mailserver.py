"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests of email."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelope_senders: list[str] = []  # MAIL FROM of each message, in the same order

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelope_senders.append(envelope.mail_from)
        return "250 Message accepted for delivery"


class MailServer:
    """Start with `with MailServer() as smtp:`; read `smtp.messages`, or `smtp.link_in(message)`."""

    def __init__(self):
        self.inbox = _Inbox()
        self.port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def envelope_sender(self, message: EmailMessage) -> str:
        """The MAIL FROM a message came with (where its bounces go)."""
        return self.inbox.envelope_senders[self.messages.index(message)]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()

    def link_in(self, message: EmailMessage) -> str:
        """The first link in a message, as a path on the test site."""
        url = re.search(r"https?://\S+", self.body(message)).group(0)
        return re.sub(r"^https?://[^/]+", "", url)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
