"""A chat's recap email (#21) gives each question's thread its own reply address: one Reply-To can't answer them all."""

from __future__ import annotations

import re

from forum.mail_tokens import ReplyTarget, read_reply_address
from tests.factories import csrf_token
from tests.functional.test_mailing_list import deliver, signed_in, smtp  # noqa: F401  (the real SMTP server)
from tests.functional.test_recaps import _people, chat  # noqa: F401  (the imported chat and its people)


def test_a_recap_gives_each_question_its_own_reply_address(app, smtp, chat):
    people = _people(app, chat)
    host = signed_in(app, chat["host"])
    token = csrf_token(host, f"/chats/{chat['id']}")
    sent = host.post(f"/chats/{chat['id']}/recap/send", data={"csrf_token": token}, follow_redirects=True)
    assert "The recap was sent to 2 members" in sent.get_data(as_text=True)
    deliver(app)
    [recap] = smtp.to(people["watcher"].email)
    body = smtp.body(recap)
    assert recap["Reply-To"] is None  # two questions, two threads: one Reply-To can't answer both
    assert "To answer a question by email, write to the address under it" in body
    found = re.findall(r"Reply by email: (\S+)", body)
    assert [read_reply_address(app.config, a) for a in found] == [
        ReplyTarget(people["watcher"].id, chat["q1"]), ReplyTarget(people["watcher"].id, chat["q2"])]
