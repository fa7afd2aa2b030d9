"""The browser import's preview, as a new host meets it (#18): each thread's messages, what is skipped and why,
boundaries a host can move, speakers matched or suggested, files with no real times, a file of many chats,
a Slack export of several channels, and the right words for all of it."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from forum.models import Chat, Handle, Member, PendingImport, Post, Thread
from tests.factories import csrf_token, login, make_member, make_space

DATA = Path(__file__).resolve().parents[1] / "data"
PLAIN = DATA / "import" / "lgovsm_plain.txt"       # 39 lines, no times: a welcome, Q1-Q3, "That's time!", goodbyes
TAGS = DATA / "import" / "lgovsm_tags.csv"
SLACK = DATA / "transcripts" / "slack" / "multi_channel"
# The chat is on 3 December 2026; the tests run on a clock set to that afternoon, time still flowing.
TODAY = datetime(2026, 12, 3, 15, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def host(app):
    return make_member(app, "Jo Host")


@pytest.fixture
def space(app, host, client):
    """The chat's space, hosted by Jo, who is signed in on `client`."""
    found = make_space(app, "lgovsm-chat", name="lgovsm chat", hosts=[host])
    login(client, host)
    return found


def _db(app):
    return app.extensions["forum"].db.session


def upload(client, space, data: bytes, filename: str, **fields) -> str:
    form = {"csrf_token": csrf_token(client, "/import"), "chat": "", "space": str(space.id), "format": "",
            "start": "", "hosts": "", "file": (BytesIO(data), filename), **fields}
    response = client.post("/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def send(client, url: str, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


def text_of(page: str) -> str:
    """The words a reader sees: no tags (nor the options of selects), entities decoded, spaces collapsed."""
    page = re.sub(r"<(script|style|select)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"</?(strong|span|time|a|em|label)\b[^>]*>", "", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def whole_form(page: str, **changes) -> dict:
    """What the preview's form sends as it stands (selected options, hidden and text inputs, ticked boxes), changed."""
    form = re.search(r'<form method="post" action="/import/.*?</form>', page, re.S).group(0)
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name, kind = re.search(r'name="([^"]+)"', tag), re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or (kind and kind.group(1) in ("checkbox", "radio") and " checked" not in tag):
            continue
        fields.setdefault(name.group(1), []).append(html.unescape(value.group(1)) if value else "")
    for name, options in re.findall(r'<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        tags = re.findall(r"<option\b[^>]*>", options)
        chosen = next((tag for tag in tags if re.search(r"\sselected\b", tag)), tags[0])
        fields[name] = [html.unescape(re.search(r'value="([^"]*)"', chosen).group(1))]
    return {**fields, **changes}


def option(page: str, select_id: str, words: str) -> str:
    """The value of the option in the select `select_id` whose label holds `words`."""
    select_html = re.search(rf'<select[^>]* id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    for value, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select_html, re.S):
        if words in html.unescape(label):
            return value
    raise AssertionError(f"no option with {words!r} in #{select_id}")


def message_ref(page: str, words: str) -> str:
    """The leave-out box's value of the message that says `words`."""
    for item in re.findall(r'<li class="message">(.*?)</li>', page, re.S):
        if words in html.unescape(item):
            return re.search(r'name="leave_out" value="([^"]+)"', item).group(1)
    raise AssertionError(f"no message saying {words!r}")


def thread_section(page: str, heading: str) -> str:
    """The text of the preview's thread whose heading starts with `heading`."""
    for section in re.findall(r'<section class="import-thread".*?</section>', page, re.S):
        if text_of(re.search(r"<h3.*?</h3>", section, re.S).group(0)).startswith(heading):
            return text_of(section)
    raise AssertionError(f"no thread {heading!r}")


def plain_preview(client, space) -> str:
    url = upload(client, space, PLAIN.read_bytes(), "lgovsm.txt", start="3/12/2026 12:00")
    return url


def posts_of(app, number: int) -> list[str]:
    thread = _db(app).scalar(select(Thread).where(Thread.question_number == number))
    return [p.body_source for p in _db(app).scalars(select(Post).where(Post.thread_id == thread.id)
                                                     .order_by(Post.created_at, Post.id))]


# -- 1. each thread shows its messages, and what is skipped and why ---------------------------------------------

def test_each_thread_shows_its_messages_with_speaker_uk_time_and_long_threads_collapsed(app, client, space, host):
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    words = text_of(page)
    assert "4 threads: 3 questions and the welcome and wrap-up" in words
    first = thread_section(page, "Question 1: 8 posts")
    assert "5. Sam Hartley, about 12:06pm (no time in the file) Q1: How do you reach residents" in first
    # A long thread shows its first and last few; the rest wait in a <details>, which opens without JavaScript.
    welcome = re.search(r'<section class="import-thread".*?</section>', page, re.S).group(0)
    assert "<summary>Show the other 8 messages</summary>" in welcome
    assert "3 December 2026, 12:00pm to 12:58pm" in words
    assert "T12:00:00Z" not in words and "(UTC)" not in words  # ISO times only in datetime attributes


def test_what_is_skipped_is_listed_with_why(app, client, space, host):
    page = client.get(upload(client, space, TAGS.read_bytes(), "lgovsm.csv")).get_data(as_text=True)
    words = text_of(page)
    assert "Reposts and retweets: they repeat what someone said already: 1" in words
    assert "carol" in words and "RT @LGovSM: Q1 How do you support the evangelists?" in words


# -- 2. a host moves boundaries and leaves messages out; the choices wait with the upload ------------------------

def test_a_host_moves_a_questions_start_and_the_wrap_up_and_leaves_messages_out(app, client, space, host):
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    choices = {
        "start_2": option(page, "start_2", "Priya, how did you get there?"),
        "wrap_up": option(page, "wrap_up", "Bye for now"),
        "leave_out": [message_ref(page, "Hello from Leeds"), message_ref(page, "Stealing that")],
        "leave_out_shown": "1", "update": "1",
    }
    assert send(client, url, **choices).status_code == 302
    page = client.get(url).get_data(as_text=True)
    second = thread_section(page, "Question 2")
    assert second.startswith("Question 2: 2 posts") and "Priya, how did you get there?" in second
    assert "A2 the comms manager" not in second  # before the new start: it stays with question 1
    left_out = text_of(page).split("Left out by you: 2", 1)[1]
    assert "Hello from Leeds" in left_out and "Stealing that" in left_out
    assert thread_section(page, "Welcome and wrap-up").startswith("Welcome and wrap-up: 4 posts")  # 3 + Bye for now

    # The choices were kept with the upload: a later visit (or another tab) sees them, and confirming applies them.
    with app.app_context():
        kept = _db(app).scalar(select(PendingImport)).options
        assert kept["starts"]["2"] == choices["start_2"] and len(kept["leave_out"]) == 2
    response = send(client, url, confirm="1")
    assert response.status_code == 302 and response.headers["Location"].startswith("/chats/")
    with app.app_context():
        assert posts_of(app, 2)[0] == "Priya, how did you get there?"
        assert "A2 the comms manager, same day usually" in posts_of(app, 1)
        assert posts_of(app, 3)[-1] == "Cheers"  # every message before the wrap-up the host chose
        assert posts_of(app, 0)[-1] == "Bye for now"
        everything = _db(app).scalars(select(Post.body_source)).all()
        assert "Hello from Leeds, first time here" not in everything and len(everything) == 37


def test_boundaries_left_where_they_were_stay_automatic(app, client, space, host):
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    # Sent as the page stands, with the message that asks question 2 ticked to leave out: that question goes.
    assert client.post(url, data=whole_form(page, leave_out=[message_ref(page, "Q2: Who signs off")],
                                            update="1")).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "3 threads: 2 questions and the welcome and wrap-up" in text_of(page)
    assert "A2 the comms manager" in thread_section(page, "Question 1")
    with app.app_context():
        assert "starts" not in _db(app).scalar(select(PendingImport)).options


def test_a_question_cannot_start_at_a_message_left_out(app, client, space, host):
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    moved = option(page, "start_2", "Priya, how did you get there?")
    response = client.post(url, data=whole_form(page, start_2=[moved], leave_out=[moved], update="1"))
    assert response.status_code == 400
    assert "Question 2 starts at a message you chose to leave out" in html.unescape(response.get_data(as_text=True))


def test_leaving_out_every_message_is_refused(app, client, space, host):
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    everything = re.findall(r'name="leave_out" value="([^"]+)"', page)
    response = client.post(url, data=whole_form(page, leave_out=everything, confirm="1"))
    assert response.status_code == 400
    assert "You left out every message: keep at least one" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert _db(app).scalar(select(func.count()).select_from(Chat)) == 0


def test_a_host_can_say_there_is_no_wrap_up(app, client, space, host):
    url = plain_preview(client, space)
    send(client, url, wrap_up="none", update="1")
    page = client.get(url).get_data(as_text=True)
    assert thread_section(page, "Question 3").startswith("Question 3: 20 posts")
    assert thread_section(page, "Welcome and wrap-up").startswith("Welcome and wrap-up: 4 posts")


@pytest.mark.parametrize("field, value, message", [
    ("start_2", "0123456789ab", "The message chosen to start question 2 is not in this transcript"),
    ("start_7", "0123456789ab", "There is no question 7 in this transcript"),
    ("wrap_up", "0123456789ab", "The message chosen to start the wrap-up is not in this transcript"),
    ("leave_out", "0123456789ab", "A message you chose to leave out is not in this transcript"),
])
def test_a_forged_boundary_is_refused_with_a_clear_message_and_nothing_kept(app, client, space, host, field, value,
                                                                           message):
    url = plain_preview(client, space)
    with app.app_context():
        before = dict(_db(app).scalar(select(PendingImport)).options)
    for button in ("update", "confirm"):
        response = send(client, url, **{field: value, "leave_out_shown": "1", button: "1"})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "There is a problem" in page and message in html.unescape(page)
    with app.app_context():
        assert _db(app).scalar(select(PendingImport)).options == before
        assert _db(app).scalar(select(func.count()).select_from(Post)) == 0


def test_boundaries_out_of_order_are_refused(app, client, space, host):
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    early = option(page, "start_2", "Q2: Who signs off")  # a real message, but question 3 may not start there
    response = send(client, url, start_3=early, update="1")
    assert response.status_code == 400
    assert "Question 3 must start after question 2 starts" in html.unescape(response.get_data(as_text=True))


def test_an_expired_preview_keeps_no_choices_and_imports_nothing(app, client, space, host):
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    later = {"wrap_up": option(page, "wrap_up", "Bye for now")}
    with time_machine.travel(TODAY + timedelta(hours=25), tick=False):
        for button in ("update", "confirm"):
            response = client.post(url, data={"csrf_token": csrf_token(client, "/import"), button: "1", **later})
            assert response.status_code == 410
            assert "This upload has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert _db(app).scalar(select(func.count()).select_from(Post)) == 0


# -- 3. speakers: confirmed handles match, the same name is only suggested --------------------------------------

def test_a_member_with_the_same_name_is_suggested_and_matched_only_when_the_host_accepts(app, client, space, host):
    ana = make_member(app, "Ana Farias")
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    ref = re.search(r'<select class="select" id="(speaker_[0-9a-f]+)"', page).group(1)
    assert option(page, ref, "Ana Farias (suggested: a member with the same name)") == str(ana.id)
    assert re.search(r'<option value="none" selected>Not a member: shown as Ana Farias</option>', page)

    send(client, url, **{ref: str(ana.id), "update": "1"})
    assert re.search(rf'<option value="{ana.id}" selected>', client.get(url).get_data(as_text=True))
    send(client, url, confirm="1")
    with app.app_context():
        authors = set(_db(app).scalars(select(Post.author_id).where(Post.body_source.like("%Leeds%"))))
        assert authors == {ana.id}
        others = _db(app).scalar(select(func.count()).select_from(Post).where(Post.author_id.is_not(None)))
        assert others == 9  # Ana's nine messages, and nobody else's


def test_a_confirmed_chat_log_name_matches_and_the_host_can_unmatch_it(app, client, space, host):
    jo = make_member(app, "Jo B")
    with app.app_context():
        _db(app).add(Handle(platform="text", handle="Jo Bloggs", confirmed=True, member=_db(app).get(Member, jo.id)))
        _db(app).commit()
    url = plain_preview(client, space)
    page = client.get(url).get_data(as_text=True)
    assert "Jo B (their confirmed handle)" in page
    ref = re.search(rf'<select class="select" id="(speaker_[0-9a-f]+)"[^>]*>\s*<option value="{jo.id}" selected>',
                    page).group(1)
    send(client, url, **{ref: "none", "confirm": "1"})
    with app.app_context():
        assert _db(app).scalar(select(func.count()).select_from(Post).where(Post.author_id == jo.id)) == 0


def test_a_forged_member_choice_is_refused(app, client, space, host):
    make_member(app, "Ana Farias")
    stranger = make_member(app, "Someone Else")
    url = plain_preview(client, space)
    ref = re.search(r'id="(speaker_[0-9a-f]+)"', client.get(url).get_data(as_text=True)).group(1)
    for value, message in ((str(stranger.id), "Choose one of the members offered for Ana Farias"),
                           ("not-a-number", "Choose a member from the list")):
        response = send(client, url, **{ref: value, "update": "1"})
        assert response.status_code == 400 and message in html.unescape(response.get_data(as_text=True))
    response = send(client, url, speaker_0000000000="none", update="1")
    assert response.status_code == 400 and "not in this transcript" in response.get_data(as_text=True)


def test_a_member_claims_a_name_used_in_chat_logs_and_a_moderator_confirms_it(app, client, space, host):
    priya = make_member(app, "Priya S")
    member = app.test_client()
    login(member, priya)
    form = {field: "" for field in ("handle_x", "handle_mastodon", "handle_bluesky", "handle_slack", "handle_teams",
                                    "handle_zoom")}
    response = member.post("/account/profile", data={
        "csrf_token": csrf_token(member, "/account/profile"), "display_name": "Priya S", "sector": "local_government",
        "organisation": "", "job_role": "", "bio": "", **form, "handle_text": "Priya Shah"})
    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:1500]
    # Claimed but not confirmed: only a suggestion.
    page = client.get(plain_preview(client, space)).get_data(as_text=True)
    assert "Priya S (suggested: has claimed this name, not yet confirmed)" in page

    moderator = app.test_client()
    login(moderator, make_member(app, "Mod", role="moderator"))
    claims = moderator.get("/moderation/handles").get_data(as_text=True)
    assert "says they are <strong>Priya Shah</strong> on Chat log name" in claims
    with app.app_context():
        handle_id = _db(app).scalar(select(Handle.id).where(Handle.platform == "text"))
    moderator.post(f"/moderation/handles/{handle_id}",
                   data={"accept": "Confirm", "csrf_token": csrf_token(moderator, "/moderation/handles")})
    page = client.get(plain_preview(client, space)).get_data(as_text=True)
    assert re.search(rf'<option value="{priya.id}" selected>Priya S \(their confirmed handle\)</option>', page)


# -- 4. files with no real times -------------------------------------------------------------------------------

def test_a_file_without_times_asks_when_the_chat_started_and_spreads_its_messages(app, client, space, host):
    url = upload(client, space, PLAIN.read_bytes(), "lgovsm.txt")
    page = client.get(url).get_data(as_text=True)
    words = text_of(page)
    assert "When did the chat start?" in words and "The file has no real times" in words
    assert "Confirm and import" not in words  # nothing is built until the host says
    response = send(client, url, confirm="1")
    assert response.status_code == 400 and "Answer the questions on this page" in response.get_data(as_text=True)

    send(client, url, start="3/12/2026 12:00", minutes="30", update="1")
    page = client.get(url).get_data(as_text=True)
    words = text_of(page)
    assert "3 December 2026, 12:00pm to 12:29pm (spread evenly: the file has no real times)" in words
    assert "2. Ana Farias, about 12:00pm (no time in the file)" in words
    send(client, url, confirm="1")
    with app.app_context():
        chat = _db(app).scalar(select(Chat))
        stamps = _db(app).scalars(select(Post.created_at).order_by(Post.created_at)).all()
        assert chat.duration_minutes == 30 and len(set(stamps)) == 39
        assert stamps[-1] - stamps[0] > timedelta(minutes=28)
    chat_page = text_of(client.get(f"/chats/{chat.id}").get_data(as_text=True))
    assert "its messages were spread evenly over the chat in the order it lists them" in chat_page


def test_a_file_whose_messages_share_one_minute_is_warned_about(app, client, space, host):
    flat = "\n".join(f"[12:00] {line}" for line in PLAIN.read_text().splitlines()).encode()
    url = upload(client, space, flat, "lgovsm.txt", start="3/12/2026 12:00")
    words = text_of(client.get(url).get_data(as_text=True))
    assert "The file has no real times" in words and "Every message in it carries the same minute" in words
    assert "(12:00:00 in the file)" in words and "12:00pm to 12:58pm" in words


def test_a_recording_without_its_start_asks_for_it(app, client, space, host):
    vtt = (b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nSam: Q1 hello?\n\n"
           b"2\n00:05:00.000 --> 00:05:04.000\nAna: A1 hi\n")
    url = upload(client, space, vtt, "call.vtt")
    words = text_of(client.get(url).get_data(as_text=True))
    assert "When did the chat start?" in words and "count from the start of a recording" in words
    response = send(client, url, start="tomorrow-ish", update="1")
    assert response.status_code == 400 and "Enter the date and time like 27/11/2026 13:00" in response.get_data(
        as_text=True)
    send(client, url, start="3/12/2026 13:00", update="1")
    words = text_of(client.get(url).get_data(as_text=True))
    assert "3 December 2026, 1:00pm to 1:05pm" in words


# -- 5. the wrap-up (the rule itself has unit tests: tests/unit/transcripts/test_segment_choices.py) --------------

def test_the_wrap_up_and_its_goodbyes_leave_the_last_question(app, client, space, host):
    page = client.get(plain_preview(client, space)).get_data(as_text=True)
    assert thread_section(page, "Question 3").startswith("Question 3: 9 posts")  # was 20, with every goodbye
    wrap = thread_section(page, "Welcome and wrap-up")
    assert wrap.startswith("Welcome and wrap-up: 15 posts 4 before the first question, 11 in the wrap-up")


# -- 6. the right words ----------------------------------------------------------------------------------------

def test_the_right_words_after_confirming(app, client, space, host):
    url = plain_preview(client, space)
    response = send(client, url, confirm="1")
    chat_page = client.get(response.headers["Location"]).get_data(as_text=True)
    words = text_of(chat_page)
    assert "Imported 39 posts into 4 threads: 3 questions and the welcome and wrap-up." in words
    assert "Imported from a plain chat log on 3 December 2026" in words


def test_reimporting_the_same_file_says_nothing_was_new(app, client, space, host):
    send(client, plain_preview(client, space), confirm="1")
    response = send(client, plain_preview(client, space), confirm="1")
    words = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Nothing new to import: every message in the file was imported before." in words


# -- several channels, and a file of many chats ------------------------------------------------------------------

def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def test_a_slack_export_of_several_channels_offers_them_to_choose_from(app, client, space, host):
    url = upload(client, space, _zip(SLACK), "export.zip")
    page = client.get(url).get_data(as_text=True)
    assert "Which channel was the chat in?" in text_of(page)
    assert option(page, "channel", "#lgovsm") == "lgovsm" and option(page, "channel", "#random") == "random"
    assert "D07ANNBOB01" not in page  # direct messages are not a channel to offer
    send(client, url, channel="lgovsm", update="1")
    words = text_of(client.get(url).get_data(as_text=True))
    assert "Channel #lgovsm" in words and "Confirm and import" in words


def _archive(tweets: list[tuple[datetime, str]]) -> bytes:
    entries = [{"tweet": {"id_str": str(10**17 + n), "id": str(10**17 + n), "full_text": text,
                          "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"), "entities": {}}}
               for n, (when, text) in enumerate(tweets)]
    return ("window.YTD.tweets.part0 = " + json.dumps(entries)).encode()


def test_a_file_of_years_of_tweets_asks_which_chat_before_building_anything(app, client, space, host):
    chat_at = datetime(2025, 1, 17, 13, 0, tzinfo=timezone.utc)
    weekly = [(chat_at - timedelta(weeks=w, hours=3), f"Week {w} of posting #council") for w in range(1, 60)]
    chat = [(chat_at + timedelta(minutes=m), f"A{m % 3 + 1} answer {m} #lgovsm") for m in range(1, 40)]
    url = upload(client, space, _archive([*weekly, (chat_at, "Q1 How do you start? #lgovsm"), *chat]), "tweets.js")
    page = client.get(url).get_data(as_text=True)
    words = text_of(page)
    assert "Which chat is it?" in words and "This file holds 99 messages" in words and "far more than one chat" in words
    assert "17 January 2025, 1:00pm: 40 messages" in words
    assert "Confirm and import" not in words

    response = send(client, url, window_shown="1", window_at="17/02/2025 25:00", window_minutes="60", update="1")
    assert response.status_code == 400 and "Enter the chat's day and start time" in html.unescape(
        response.get_data(as_text=True))
    response = send(client, url, window_shown="1", window_at="01/06/2030 09:00", window_minutes="60", update="1")
    assert response.status_code == 400 and "No messages in the file fall in the chat you chose" in html.unescape(
        response.get_data(as_text=True))
    hour = re.search(r'name="window_hour" value="([^"]+)"', page).group(1)
    send(client, url, window_shown="1", window_hour=hour, window_minutes="60", hashtag="", update="1")
    words = text_of(client.get(url).get_data(as_text=True))
    assert "Confirm and import" in words and "Week 1 of posting" not in words.split("What is skipped")[0]
    assert "17 January 2025, 1:00pm to 1:39pm" in words


def test_choosing_a_hashtag_picks_one_chat_too(app, client, space, host):
    chat_at = datetime(2025, 1, 17, 13, 0, tzinfo=timezone.utc)
    noise = [(chat_at + timedelta(minutes=m), f"Something else {m} #other") for m in range(0, 1600)]
    chat = [(chat_at + timedelta(minutes=m, seconds=30), f"A1 answer {m} #lgovsm") for m in range(1, 20)]
    url = upload(client, space, _archive([*noise, *chat]), "tweets.js")
    page = client.get(url).get_data(as_text=True)
    assert "This file holds 1,619 messages" in text_of(page)
    send(client, url, window_shown="1", window_at="", window_minutes="", hashtag="#lgovsm", update="1")
    words = text_of(client.get(url).get_data(as_text=True))
    assert "19 become posts" in words


def test_confirming_before_answering_the_questions_is_refused(app, client, space, host):
    url = upload(client, space, _zip(SLACK), "export.zip")
    response = send(client, url, confirm="1")
    assert response.status_code == 400
    with app.app_context():
        assert _db(app).scalar(select(func.count()).select_from(Post)) == 0
