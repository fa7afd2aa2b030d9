"""What a chat leaves behind (#20): the recap (page and email), questions left open, the host's checklist.

The chat is a realistic TAGS export imported through the import service (the command line): two
questions, answers with replies and a quote-tweet, links (one shared twice), an unanswered question,
a question asked in a reply, and a first-timer; a chat a week earlier in the same space says who
spoke before.
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.db import utcnow
from forum.models import Chat, Handle, Member, Notification, OutboxMessage, Post, ProposedQuestion, Space, Watch
from forum.services import chats as chat_service
from tests.factories import csrf_token, login, make_member, make_space, submit
from tests.factories import db_session as _db
from tests.mailserver import MailServer

HEADER = "id_str,from_user,text,created_at,in_reply_to_status_id_str,status_url\n"
EARLIER = [  # a week before, in the same space: the host, alice, bob and carol have spoken before
    ("1001", "LGovSM", "Q1 What worked this week? #lgovsm", "Wed May 01 19:02:00", ""),
    ("1002", "alice", "A1 Our new web pages #lgovsm", "Wed May 01 19:04:00", ""),
    ("1003", "bob", "A1 Live-posting the council meeting #lgovsm", "Wed May 01 19:05:00", ""),
    ("1004", "carol", "A1 Nothing much #lgovsm", "Wed May 01 19:06:00", ""),
]
CHAT = [
    ("2001", "LGovSM", "Welcome to #lgovsm! Q1 in 2 mins", "Wed May 08 19:00:05", ""),
    ("2002", "LGovSM", "Q1 How do you run budget consultations online? #lgovsm", "Wed May 08 19:02:00", ""),
    ("2003", "alice", "A1 We built a budget simulator https://budget.example.org/sim #lgovsm", "Wed May 08 19:03:00", ""),
    ("2004", "bob", "A1 Drop-in sessions in libraries, streamed live #lgovsm", "Wed May 08 19:04:00", ""),
    ("2005", "bob", "@alice how did you get sign-off for that? #lgovsm", "Wed May 08 19:05:00", "2003"),
    ("2006", "carol", "@alice love this, we did the same", "Wed May 08 19:06:00", "2003"),
    ("2007", "newbie", "@bob which libraries?", "Wed May 08 19:07:00", "2004"),
    ("2008", "bob", "@newbie all twelve of them #lgovsm", "Wed May 08 19:08:00", "2007"),
    ("2009", "dave", "A1 We do not consult online at all yet #lgovsm", "Wed May 08 19:09:00", ""),
    ("2010", "carol", "Great answer http://twitter.com/alice/statuses/2003 #lgovsm", "Wed May 08 19:10:00", ""),
    ("2011", "LGovSM", "Q2 What would you tell a new comms officer? #lgovsm", "Wed May 08 19:20:00", ""),
    ("2012", "carol", "A2 Listen first https://www.gov.uk/guidance?utm_source=chat #lgovsm", "Wed May 08 19:21:00", ""),
    ("2013", "newbie", "A2 Is there a good course for this? #lgovsm", "Wed May 08 19:22:00", ""),
    ("2014", "dave", "@carol +1 https://www.gov.uk/guidance #lgovsm", "Wed May 08 19:23:00", "2012"),
    ("2015", "LGovSM", "Thanks all, that's a wrap! #lgovsm", "Wed May 08 19:40:00", ""),
]


def tags_csv(rows) -> str:
    lines = [HEADER]
    for tweet_id, who, text, clock, reply_to in reversed(rows):
        lines.append(f'{tweet_id},{who},"{text}",{clock} +0000 2024,{reply_to},'
                     f"http://twitter.com/{who}/statuses/{tweet_id}\n")
    return "".join(lines)


def _import(app, tmp_path, rows, space) -> dict:
    path = tmp_path / f"chat-{rows[0][0]}.csv"
    path.write_text(tags_csv(rows), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["forum", "import-transcript", str(path), "--space", space.slug,
                                                "--host", "LGovSM", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _post(app, tweet_id: str) -> int:
    with app.app_context():
        return _db(app).scalar(select(Post.id).where(Post.source_key == f"x:{tweet_id}"))


def _client(app, member=None):
    client = app.test_client()
    if member is not None:
        login(client, member)
    return client


def _watch(app, member, space):
    client = _client(app, member)
    assert client.post("/watch", data={"csrf_token": csrf_token(client, "/"), "kind": "space",
                                       "target": str(space.id)}).status_code == 302


def _set(app, member, **values):
    with app.app_context():
        row = _db(app).get(Member, member.id)
        for key, value in values.items():
            setattr(row, key, value)
        _db(app).commit()


def _quote(client, thread_id: int, post_id: int, body: str):
    page = client.get(f"/threads/{thread_id}/reply?quote={post_id}")
    assert page.status_code == 200
    response = submit(client, f"/threads/{thread_id}/reply", {"body": body, "quote_of": str(post_id),
                                                               "submit": "Post reply"},
                      form_url=f"/threads/{thread_id}/reply?quote={post_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        found = _db(app).scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for message in found:
            _db(app).expunge(message)
        return found


def _section(page: str, heading: str) -> str:
    """The page's text from a heading to the next h2."""
    start = page.index(heading)
    end = page.find("<h2", start + 1)
    return page[start:end if end != -1 else len(page)]


@pytest.fixture
def chat(app, tmp_path):
    """The world: a public chat space with its host, members matched to speakers, and the two chats imported."""
    host = make_member(app, "Jo Host")
    alice = make_member(app, "Alice Able", organisation="Leeds City Council")
    bob = make_member(app, "Bob Baker", organisation="Kent County Council")
    nia = make_member(app, "Nia Newbie", organisation="Leeds City Council")
    space = make_space(app, "lgovsm", name="lgovsm chats", hosts=[host])
    with app.app_context():
        db = _db(app)
        for member, handle in ((alice, "alice"), (bob, "bob"), (nia, "newbie")):
            db.add(Handle("x", handle, confirmed=True, member=db.get(Member, member.id)))
        db.commit()
    _import(app, tmp_path, EARLIER, space)
    summary = _import(app, tmp_path, CHAT, space)
    threads = {q["number"]: q["thread_id"] for q in summary["questions"]}
    return {"host": host, "alice": alice, "bob": bob, "nia": nia, "space": space, "id": summary["chat_id"],
            "q1": threads[1], "q2": threads[2]}


def _answers(page: str, thread_title: str) -> list[str]:
    """Who wrote the answers shown in full under a question, in order."""
    part = page[page.index(html.escape(thread_title, quote=False)):]
    part = part[:part.find('<section', 10) if '<section' in part[10:] else part.find('<h2 class="heading-m" id="links"')]
    return re.findall(r'<h4 class="post__author"[^>]*>([^<,]+)', part)


# -- the recap page ----------------------------------------------------------------------------------------------------

def test_the_recap_shows_the_answers_that_drew_most_replies_and_quotes(app, chat):
    page = _client(app).get(f"/chats/{chat['id']}/recap").get_data(as_text=True)
    q1 = "Q1: How do you run budget consultations online?"
    # Alice: two replies and a quote-tweet; Bob: one reply; Nia's question drew Bob's reply; Dave's drew nothing.
    assert _answers(page, q1) == ["Alice Able", "Bob Baker", "Nia Newbie"]
    assert "We built a budget simulator" in page and "2 replies, 1 quote" in page
    assert "We do not consult online at all yet" not in page
    # Five people answered Q1; two organisations show (Leeds twice, Kent once; the others have none).
    assert "5 people answered, from 2 organisations" in page

    # Members quote Bob's answer after the chat: now it drew most, and leads.
    reader = make_member(app, "Reader One")
    client = _client(app, reader)
    bob_answer = _post(app, "2004")
    for n in range(3):
        _quote(client, chat["q1"], bob_answer, f"Libraries worked for us too, try {n}")
    page = _client(app).get(f"/chats/{chat['id']}/recap").get_data(as_text=True)
    assert _answers(page, q1) == ["Bob Baker", "Alice Able", "Nia Newbie"]
    assert "1 reply, 3 quotes" in page


def test_the_recap_lists_links_first_timers_and_open_questions(app, chat):
    page = _client(app).get(f"/chats/{chat['id']}/recap").get_data(as_text=True)
    links = _section(page, 'id="links"')
    assert "https://budget.example.org/sim" in links
    # The same page twice (once with a tracking parameter) is one link, shared twice; the quote-tweet is no link.
    assert links.count("www.gov.uk/guidance") == 2 and "shared 2 times" in links  # its href and its text
    assert "twitter.com/alice/statuses" not in links
    first = _section(page, 'id="first-timers"')
    assert "Nia Newbie, Leeds City Council" in first and "dave" in first
    assert "Alice Able" not in first and "LGovSM" not in first
    still_open = _section(page, 'id="open-questions"')
    assert "Is there a good course for this?" in still_open          # asked, never answered
    assert "how did you get sign-off for that?" in still_open         # a reply that asks
    assert "which libraries?" not in still_open                       # Bob answered it
    assert ">Q1 How do you run" not in still_open and ">How do you run" not in still_open  # the thread's own


def test_the_recap_of_a_hidden_post_or_a_closed_space_shows_nothing_of_it(app, chat):
    moderator = make_member(app, "Mo Derator", role="moderator")
    alice_answer = _post(app, "2003")
    client = _client(app, moderator)
    response = client.post(f"/posts/{alice_answer}/moderate", data={
        f"p{alice_answer}-csrf_token": csrf_token(client, f"/threads/{chat['q1']}"),
        f"p{alice_answer}-reason": "Off topic", f"p{alice_answer}-hide": "Hide post"})
    assert response.status_code in (302, 303)
    for viewer in (None, moderator, chat["alice"]):
        page = _client(app, viewer).get(f"/chats/{chat['id']}/recap").get_data(as_text=True)
        assert "We built a budget simulator" not in page and "budget.example.org" not in page
    closed = make_space(app, "closed", visibility="private", name="Closed")
    with app.app_context():
        _db(app).get(Chat, chat["id"]).space_id = closed.id
        _db(app).commit()
    assert _client(app).get(f"/chats/{chat['id']}/recap").status_code == 404
    assert _client(app, chat["bob"]).get(f"/chats/{chat['id']}/recap").status_code == 404


# -- the email --------------------------------------------------------------------------------------------------------

def _people(app, chat):
    """Members around the chat's space: who should get the recap, and who should not."""
    people = {
        "watcher": make_member(app, "Wendy Watcher"),
        "everything": make_member(app, "Eve Everything"),
        "bystander": make_member(app, "Barry Bystander"),
        "declined": make_member(app, "Dee Declined"),
        "no_email": make_member(app, "Nora Noemail"),
        "pending": make_member(app, "Pat Pending", state="pending"),
    }
    for who in ("watcher", "declined", "no_email", "pending"):
        _watch(app, people[who], chat["space"]) if who != "pending" else None
    with app.app_context():
        _db(app).add(Watch(member_id=people["pending"].id, kind="space", target_id=chat["space"].id))
        _db(app).commit()
    _set(app, people["everything"], recap_email="all")
    _set(app, people["declined"], recap_email="none")
    _set(app, people["no_email"], email_frequency="none")
    return people


def test_the_host_sends_the_recap_once_to_those_who_get_it(app, chat):
    app.config["FORUM_BASE_URL"] = "https://forum.example"
    people = _people(app, chat)
    host = _client(app, chat["host"])
    page = host.get(f"/chats/{chat['id']}").get_data(as_text=True)
    assert "Send the recap" in page
    token = csrf_token(host, f"/chats/{chat['id']}")
    sent = host.post(f"/chats/{chat['id']}/recap/send", data={"csrf_token": token}, follow_redirects=True)
    assert "The recap was sent to 2 members" in sent.get_data(as_text=True)
    mails = _outbox(app)
    assert sorted(m.to for m in mails) == sorted([people["watcher"].email, people["everything"].email])
    mail = next(m for m in mails if m.to == people["watcher"].email)
    assert mail.subject.startswith("Recap: ")
    assert "Alice Able (Leeds City Council), 2 replies, 1 quote:" in mail.body
    assert "A1 We built a budget simulator" in mail.body
    assert "Is there a good course for this?" in mail.body and "Taking part for the first time: " in mail.body
    assert f"https://forum.example/chats/{chat['id']}/recap" in mail.body
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Again: by the button, and by the command line. Nothing more goes out.
    again = host.post(f"/chats/{chat['id']}/recap/send", data={"csrf_token": token}, follow_redirects=True)
    assert "already been sent" in again.get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["forum", "send-recaps"])
    assert result.exit_code == 0 and "Sent the recaps of 1 chat:" in result.output  # the week before's, not this
    assert [m.to for m in _outbox(app) if m.subject == mail.subject] == [m.to for m in mails]
    checklist = _section(host.get(f"/chats/{chat['id']}").get_data(as_text=True), 'id="after-the-chat"')
    assert "Recap sent on" in checklist

    # Delivered through a real SMTP server: each recipient gets it once, with its one-click headers.
    with MailServer() as smtp:
        app.config.update(FORUM_MAIL_SERVER="127.0.0.1", FORUM_MAIL_PORT=smtp.port)
        assert app.test_cli_runner().invoke(args=["forum", "send-mail"]).exit_code == 0
        assert app.test_cli_runner().invoke(args=["forum", "send-mail"]).exit_code == 0
        recaps_to = [m for m in smtp.to(people["watcher"].email) if m["Subject"] == mail.subject]
    assert len(recaps_to) == 1 and recaps_to[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Is there a good course for this?" in MailServer.body(recaps_to[0])

    # One click in the mail program stops recaps, and only recaps.
    unsubscribe = re.search(r"<([^>]+)>", recaps_to[0]["List-Unsubscribe"]).group(1)
    assert unsubscribe.startswith("https://forum.example/unsubscribe/")
    page = app.test_client().get(unsubscribe.removeprefix("https://forum.example")).get_data(as_text=True)
    assert "Stop chat recaps from" in page and "Stop all emails" not in page
    response = app.test_client().post(unsubscribe.removeprefix("https://forum.example"),
                                      data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no more chat recaps" in response.get_data(as_text=True)
    with app.app_context():
        row = _db(app).get(Member, people["watcher"].id)
        assert (row.recap_email, row.email_frequency) == ("none", "daily")


def test_send_recaps_sends_each_imported_chat_once_and_only_hosts_may_press_the_button(app, chat):
    people = _people(app, chat)
    outsider = _client(app, people["watcher"])
    refused = outsider.post(f"/chats/{chat['id']}/recap/send",
                            data={"csrf_token": csrf_token(outsider, f"/chats/{chat['id']}")})
    assert refused.status_code == 403 and _outbox(app) == []
    result = app.test_cli_runner().invoke(args=["forum", "send-recaps"])
    assert result.exit_code == 0 and "Sent the recaps of 2 chats" in result.output  # the earlier chat's too
    with app.app_context():
        assert _db(app).scalar(select(func.count()).select_from(Chat).where(Chat.recap_sent_at.is_(None))) == 0
    count = len(_outbox(app))
    assert count == 4  # each chat to the watcher and to the member who asked for every recap
    assert "Sent the recaps of 0 chats" in app.test_cli_runner().invoke(args=["forum", "send-recaps"]).output
    assert len(_outbox(app)) == count


def test_a_private_chat_recaps_only_to_its_members_and_only_as_a_link(app, tmp_path):
    host = make_member(app, "Hana Host")
    insider = make_member(app, "Ina Insider")
    leaver = make_member(app, "Leo Leaver")
    outsider = make_member(app, "Oli Outsider")
    space = make_space(app, "support", visibility="private", name="Evangelist support", members=[insider, leaver],
                       hosts=[host])
    for member in (insider, leaver):
        _watch(app, member, space)
    _set(app, outsider, recap_email="all")
    with app.app_context():
        db = _db(app)
        db.execute(Watch.__table__.insert().values(member_id=outsider.id, kind="space", target_id=space.id,
                                                   keyword="", created_at=utcnow()))
        # The leaver leaves; their watch stays behind.
        from forum.models import SpaceMembership
        db.execute(SpaceMembership.__table__.delete().where(SpaceMembership.member_id == leaver.id))
        db.commit()
    rows = [(i, who, text.replace("budget", "zqxbudget"), clock, r) for i, who, text, clock, r in CHAT]
    summary = _import(app, tmp_path, rows, space)
    with app.app_context():
        _db(app).get(Chat, summary["chat_id"]).title = "zqxchattitle"
        _db(app).commit()
    result = app.test_cli_runner().invoke(args=["forum", "send-recaps"])
    assert result.exit_code == 0
    [mail] = _outbox(app)
    assert mail.to == insider.email
    assert "zqx" not in mail.subject + mail.body and f"/chats/{summary['chat_id']}/recap" in mail.body
    assert "zqxbudget" in _client(app, insider).get(f"/chats/{summary['chat_id']}/recap").get_data(as_text=True)


def test_members_choose_their_recaps_in_their_settings(app):
    member = make_member(app)
    client = _client(app, member)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Email me a chat&#39;s recap after it is imported" in page or "Email me a chat's recap" in page
    assert '<option selected value="watched">' in page or 'value="watched" selected' in page
    token = csrf_token(client, "/account/notifications")
    client.post("/account/notifications", data={"csrf_token": token, "email_frequency": "weekly",
                                                "recap_email": "all"})
    with app.app_context():
        assert _db(app).get(Member, member.id).recap_email == "all"
    bad = client.post("/account/notifications", data={"csrf_token": token, "email_frequency": "weekly",
                                                      "recap_email": "sometimes"})
    assert bad.status_code == 400 and "Choose which chat recaps to get" in bad.get_data(as_text=True)
    with app.app_context():
        assert _db(app).get(Member, member.id).recap_email == "all"


# -- questions left open, carried forward, answered later ----------------------------------------------------------------

def test_the_host_carries_an_open_question_into_the_next_chat_credited_to_its_asker(app, chat):
    host = _client(app, chat["host"])
    page = host.get(f"/chats/{chat['id']}").get_data(as_text=True)
    assert "Is there a good course for this?" in _section(page, 'id="after-the-chat"')
    assert "no upcoming chat in lgovsm chats yet" in page
    with app.app_context():
        db = _db(app)
        following = chat_service.save_chat(db, db.get(Member, chat["host"].id), chat_service.ChatDetails(
            title="Next week's chat", space=db.get(Space, chat["space"].id), starts_at=utcnow() + timedelta(days=7),
            duration_minutes=60))
        db.commit()
        next_id = following.id
    page = host.get(f"/chats/{chat['id']}").get_data(as_text=True)
    question = _post(app, "2013")
    assert f'/open-questions/{question}/carry"' in page
    response = host.post(f"/chats/{chat['id']}/open-questions/{question}/carry",
                         data={"csrf_token": csrf_token(host, f"/chats/{chat['id']}")})
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/chats/{next_id}")
    proposals = _client(app).get(f"/chats/{next_id}").get_data(as_text=True)
    assert "Is there a good course for this?" in proposals and "A2 Is there" not in proposals
    assert "Asked in an earlier chat by Nia Newbie" in proposals
    with app.app_context():
        [carried] = _db(app).scalars(select(ProposedQuestion).where(ProposedQuestion.chat_id == next_id)).all()
        assert carried.member_id == chat["nia"].id and carried.source_post_id == question
    # Once only; and the checklist counts it.
    again = host.post(f"/chats/{chat['id']}/open-questions/{question}/carry",
                      data={"csrf_token": csrf_token(host, f"/chats/{chat['id']}")}, follow_redirects=True)
    assert "already been carried" in again.get_data(as_text=True)
    assert "Open questions carried into the next chat: 1 of 2" in host.get(f"/chats/{chat['id']}").get_data(
        as_text=True)
    member = _client(app, chat["bob"])
    refused = member.post(f"/chats/{chat['id']}/open-questions/{_post(app, '2005')}/carry",
                          data={"csrf_token": csrf_token(member, f"/chats/{chat['id']}")})
    assert refused.status_code == 403


def test_the_asker_hears_when_their_open_question_is_answered(app, chat):
    _set(app, chat["nia"], email_frequency="immediate")
    answerer = make_member(app, "Ann Swerer")
    _quote(_client(app, answerer), chat["q2"], _post(app, "2013"), "Try the LGA's digital comms course")
    with app.app_context():
        kinds = _db(app).scalars(select(Notification.kind).where(Notification.member_id == chat["nia"].id)).all()
    assert kinds == ["answer"]
    page = _client(app, chat["nia"]).get("/notifications").get_data(as_text=True)
    assert "answered your question in" in page
    [mail] = [m for m in _outbox(app) if m.to == chat["nia"].email]
    assert "answered your question" in mail.subject and "Try the LGA's digital comms course" in mail.body
    # No longer open on the chat page.
    page = _client(app).get(f"/chats/{chat['id']}").get_data(as_text=True)
    assert "Is there a good course for this?" not in _section(page, 'id="open-questions"')
    # A second answer is an ordinary reply: no second "answer" notification.
    _quote(_client(app, make_member(app)), chat["q2"], _post(app, "2013"), "And the Comms Academy")
    with app.app_context():
        assert _db(app).scalar(select(func.count()).select_from(Notification).where(
            Notification.member_id == chat["nia"].id, Notification.kind == "answer")) == 1


def test_the_checklist_shows_only_to_hosts_and_ticks_as_the_host_goes(app, chat):
    assert "after-chat checklist" not in _client(app, chat["bob"]).get(f"/chats/{chat['id']}").get_data(as_text=True)
    host = _client(app, chat["host"])
    page = host.get(f"/chats/{chat['id']}").get_data(as_text=True)
    checklist = _section(page, 'id="after-the-chat"')
    assert "Transcript imported from a TAGS sheet" in checklist
    assert "Speakers matched to members: 3 of 6" in checklist
    assert "Mark the titles as checked" in checklist
    assert "the answer by Alice Able" in checklist  # the most quoted and replied-to answer is a library candidate
    response = host.post(f"/chats/{chat['id']}/titles-checked",
                         data={"csrf_token": csrf_token(host, f"/chats/{chat['id']}")})
    assert response.status_code == 302
    assert "Mark the titles as checked" not in host.get(f"/chats/{chat['id']}").get_data(as_text=True)
    moderator = _client(app, make_member(app, role="moderator"))
    page = moderator.get(f"/chats/{chat['id']}").get_data(as_text=True)
    assert f"/posts/{_post(app, '2003')}/promote" in page


def test_two_senders_at_once_send_the_recap_once(app, chat):
    """Two hosts' cron jobs (or a double click) at the same moment: one recap per member, however they interleave."""
    import threading

    people = _people(app, chat)
    start = threading.Barrier(3)
    outputs = []

    def run():
        start.wait()
        outputs.append(app.test_cli_runner().invoke(args=["forum", "send-recaps"]))

    workers = [threading.Thread(target=run) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [r.exit_code for r in outputs] == [0, 0, 0], [r.output for r in outputs]
    to = sorted(m.to for m in _outbox(app))
    assert to == sorted([people["watcher"].email, people["everything"].email] * 2)  # two chats, each once


def test_the_recap_page_runs_the_same_queries_for_10_and_400_posts(app, tmp_path):
    from tests.functional.test_query_counts import _queries, _transcript

    member = make_member(app)
    ids = []
    for slug, answers in (("small-chat", 10), ("large-chat", 400)):
        space = make_space(app, slug)
        path = tmp_path / f"{slug}.csv"
        path.write_bytes(_transcript(answers))
        result = app.test_cli_runner().invoke(args=["forum", "import-transcript", str(path), "--space", slug, "--json"])
        assert result.exit_code == 0, result.output
        ids.append(json.loads(result.output)["chat_id"])
    small, large = (f"/chats/{i}/recap" for i in ids)
    client = app.test_client()
    assert _queries(client, small) == _queries(client, large)
    login(client, member)
    assert _queries(client, small) == _queries(client, large)
    # The chat's page as a host sees it: the checklist and the open questions with their buttons.
    login(client, make_member(app, "Mod Erator", role="moderator"))
    assert _queries(client, small.removesuffix("/recap")) == _queries(client, large.removesuffix("/recap"))


def test_an_anonymous_post_counts_but_never_names_its_author_in_the_recap_or_its_email(app, tmp_path):
    host = make_member(app, "Hal Host")
    shy = make_member(app, "Zqxshy Person", organisation="Zqxshyorg Council")
    reader = make_member(app, "Rita Reader")
    space = make_space(app, "askanon", name="Ask anything", anonymous_posting=True, hosts=[host])
    _watch(app, reader, space)
    summary = _import(app, tmp_path, CHAT, space)
    q1 = {q["number"]: q["thread_id"] for q in summary["questions"]}[1]
    client = _client(app, shy)
    alice = _post(app, "2003")
    page = client.get(f"/threads/{q1}/reply?quote={alice}")
    assert page.status_code == 200
    response = submit(client, f"/threads/{q1}/reply", {"body": "Could the simulator work for parish councils?",
                                                        "quote_of": str(alice), "anonymous": "y",
                                                        "submit": "Post reply"},
                      form_url=f"/threads/{q1}/reply?quote={alice}")
    assert response.status_code == 302
    assert app.test_cli_runner().invoke(args=["forum", "send-recaps"]).exit_code == 0
    [mail] = _outbox(app)
    for viewer in (None, reader, host):
        text = _client(app, viewer).get(f"/chats/{summary['chat_id']}/recap").get_data(as_text=True)
        assert "Could the simulator work for parish councils?" in text  # an open question now, by no name
        assert "A member of this space" in text and "2 replies, 2 quotes" in text
        assert "zqxshy" not in text.lower()
    assert "Could the simulator work for parish councils?" in mail.body and "zqxshy" not in mail.body.lower()
    assert "6 people answered" in mail.body  # alice, bob, carol, newbie, dave, and the anonymous member


def test_a_members_only_chat_recaps_only_to_approved_members(app, tmp_path):
    space = make_space(app, "members-chat", visibility="members", name="Members' chat")
    approved, suspended, pending = (make_member(app, "Ann Approved"), make_member(app, "Sue Suspended"),
                                    make_member(app, "Pip Pending", state="pending"))
    for member in (approved, suspended):
        _watch(app, member, space)
    with app.app_context():
        _db(app).add(Watch(member_id=pending.id, kind="space", target_id=space.id))
        _db(app).get(Member, suspended.id).state = "suspended"
        _db(app).commit()
    chat_id = _import(app, tmp_path, CHAT, space)["chat_id"]
    assert app.test_cli_runner().invoke(args=["forum", "send-recaps"]).exit_code == 0
    [mail] = _outbox(app)
    assert mail.to == approved.email and "We built a budget simulator" in mail.body
    assert f"/chats/{chat_id}/recap" in mail.body
    assert _client(app).get(f"/chats/{chat_id}/recap").status_code == 404  # visitors cannot read it either
    assert _client(app, approved).get(f"/chats/{chat_id}/recap").status_code == 200


def test_bad_requests_get_clear_answers_and_change_nothing(app, chat):
    host = _client(app, chat["host"])
    token = csrf_token(host, f"/chats/{chat['id']}")
    # A post of another thread, a post that asks nothing, and no post at all: "no such question", a 404.
    for post_id in (_post(app, "1002"), _post(app, "2003"), 999999):
        assert host.post(f"/chats/{chat['id']}/open-questions/{post_id}/carry",
                         data={"csrf_token": token}).status_code == 404
    assert host.post("/chats/999999/recap/send", data={"csrf_token": token}).status_code == 404
    assert _client(app).get("/chats/999999/recap").status_code == 404
    # A chat not imported yet: its recap page says so, and the button refuses with a reason.
    with app.app_context():
        db = _db(app)
        upcoming = chat_service.save_chat(db, db.get(Member, chat["host"].id), chat_service.ChatDetails(
            title="Still to come", space=db.get(Space, chat["space"].id), starts_at=utcnow() + timedelta(days=2),
            duration_minutes=60))
        db.commit()
        upcoming_id = upcoming.id
    assert "has not been imported yet" in _client(app).get(f"/chats/{upcoming_id}/recap").get_data(as_text=True)
    refused = host.post(f"/chats/{upcoming_id}/recap/send", data={"csrf_token": token}, follow_redirects=True)
    assert "Import the chat&#39;s transcript first" in refused.get_data(as_text=True)
    # An expired form sends nothing.
    stale = host.post(f"/chats/{chat['id']}/recap/send", data={"csrf_token": "stale"}, follow_redirects=True)
    assert "This form had expired" in stale.get_data(as_text=True)
    assert _outbox(app) == []
    with app.app_context():
        assert _db(app).scalar(select(func.count()).select_from(Chat).where(Chat.recap_sent_at.is_not(None))) == 0
