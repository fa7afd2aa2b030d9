"""`flask forum import-transcript`: the contract's summary, idempotency, atomicity and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum import markup
from forum.models import Chat, Handle, Member, Post, Speaker, Thread
from tests.factories import make_member, make_space

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
CHAT = DATA / "lgovsm_tags.csv"


def run_import(runner, path, *args):
    result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", "chats", "--json", *args])
    return result, (json.loads(result.output) if result.exit_code == 0 else None)


def counts(app):
    with app.app_context():
        session = app.extensions["forum"].db.session
        return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Chat, Thread, Post, Speaker))


@pytest.fixture
def chats(app):
    return make_space(app, "chats", name="lgovsm chat")


def test_import_prints_the_contract_summary(app, runner, chats):
    result, summary = run_import(runner, CHAT)
    assert result.exit_code == 0, result.output
    assert summary["format"] == "tags_csv"
    assert summary["title"] == "#lgovsm 14 January 2011"
    assert isinstance(summary["chat_id"], int)
    assert [(q["number"], q["text"], q["posts"]) for q in summary["questions"]] == [
        (1, "How do you support the evangelists?", 4), (2, "Who decides who gets an account?", 2)]
    assert (summary["intro_posts"], summary["closing_posts"]) == (2, 1)
    assert (summary["messages_total"], summary["posts_imported"]) == (10, 9)
    assert summary["skipped"] == {"reposts": 1, "system": 0, "duplicates": 0, "outside": 0}
    assert (summary["speakers"], summary["speakers_matched"]) == (4, 0)
    assert (summary["first_post_at"], summary["last_post_at"]) == ("2011-01-14T12:58:10Z", "2011-01-14T14:03:41Z")
    with app.app_context():
        session = app.extensions["forum"].db.session
        q1 = session.get(Thread, summary["questions"][0]["thread_id"])
        assert q1.title == "Q1: How do you support the evangelists?" and q1.post_count == 4
        welcome = session.scalar(select(Thread).where(Thread.title == "#lgovsm 14 January 2011: welcome and wrap-up"))
        assert welcome.post_count == 3


def test_imported_posts_keep_time_author_link_and_reply(app, runner, client, chats):
    _, summary = run_import(runner, CHAT)
    page = client.get(f"/threads/{summary['questions'][0]['thread_id']}").get_data(as_text=True)
    assert '<time datetime="2011-01-14T13:04:00Z">' in page
    assert "@alice, imported from X (Twitter)" in page
    assert 'href="http://twitter.com/alice/statuses/1004"' in page
    assert "in reply to" in page and "This thread came from the chat" in page


def test_importing_the_same_file_again_adds_nothing(app, runner, chats):
    run_import(runner, CHAT)
    before = counts(app)
    result, summary = run_import(runner, CHAT)
    assert result.exit_code == 0
    assert summary["posts_imported"] == 0 and summary["skipped"]["duplicates"] == 9
    assert counts(app) == before


def test_an_overlapping_export_adds_only_the_new_messages(app, runner, chats, tmp_path):
    lines = CHAT.read_text().splitlines()
    partial = tmp_path / "partial.csv"
    partial.write_text("\n".join([lines[0], *lines[4:]]) + "\n")  # without the three newest rows
    _, first = run_import(runner, partial)
    _, second = run_import(runner, CHAT)
    assert second["chat_id"] == first["chat_id"]
    assert first["posts_imported"] + second["posts_imported"] == 9
    with app.app_context():
        session = app.extensions["forum"].db.session
        assert session.scalar(select(func.count()).select_from(Chat)) == 1
        q2 = session.get(Thread, second["questions"][1]["thread_id"])
        assert q2.post_count == 2


def test_a_reply_in_a_later_export_links_to_its_parent_from_an_earlier_one(app, runner, chats, tmp_path):
    lines = CHAT.read_text().splitlines()
    earlier = tmp_path / "earlier.csv"
    earlier.write_text("\n".join([lines[0], *lines[7:]]) + "\n")  # up to alice's 1004, before bob's reply 1005
    run_import(runner, earlier)
    run_import(runner, CHAT)
    with app.app_context():
        session = app.extensions["forum"].db.session
        by_key = dict(session.execute(select(Post.source_key, Post)).tuples().all())
        assert by_key["x:1005"].reply_to_id == by_key["x:1004"].id
        assert by_key["x:1004"].reply_to_id is None


def test_dry_run_writes_nothing(app, runner, chats):
    result, summary = run_import(runner, CHAT, "--dry-run")
    assert result.exit_code == 0 and summary["chat_id"] is None
    assert counts(app) == (0, 0, 0, 0)


def test_a_speaker_with_a_confirmed_handle_is_matched_to_the_member(app, runner, chats):
    alice = make_member(app, "Alice Example")
    with app.app_context():
        session = app.extensions["forum"].db.session
        session.add(Handle(platform="x", handle="@Alice", confirmed=True, member=session.get(Member, alice.id)))
        session.commit()
    _, summary = run_import(runner, CHAT)
    assert summary["speakers_matched"] == 1
    with app.app_context():
        session = app.extensions["forum"].db.session
        posts = session.scalars(select(Post).where(Post.author_id == alice.id)).all()
        assert len(posts) == 2


BAD_INPUTS = {
    "empty.csv": (b"", "empty"),
    "binary.json": (bytes(range(256)) * 4, "binary"),
    "truncated.json": (b'{"data": [{"id": "1", "text": "Q1 hi", "author_id": "2", "created_at": "2020-09-18T18:3', "JSON"),
    "deep.json": (b"[" * 100_000, "nested"),
    "garbage.txt": (b"\x81\x8d\x8f\x90\x9d" * 10, "UTF-8"),
    "unknown.txt": (b"just some words\nwith nothing chat-like about them\n", "not recognised"),
    "broken.csv": (CHAT.read_bytes().replace(b"1006,carol,A1", b'1006,carol,"A1'), "row"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line_and_writes_nothing(app, runner, chats, tmp_path, name):
    content, expected = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", "chats"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {name}:") and expected.lower() in lines[0].lower()
    assert "Traceback" not in result.output
    assert counts(app) == (0, 0, 0, 0)


def test_wrong_format_named_is_refused(app, runner, chats):
    result = runner.invoke(args=["forum", "import-transcript", str(CHAT), "--space", "chats", "--format", "mastodon"])
    assert result.exit_code == 2 and "Error:" in result.output
    assert counts(app) == (0, 0, 0, 0)


def test_bad_options_are_refused_clearly(app, runner, chats, tmp_path):
    cases = [
        (["--space", "nowhere"], "no space 'nowhere'"),
        (["--space", "chats", "--timezone", "Mars/Base"], "unknown timezone"),
        (["--space", "chats", "--start", "next friday"], "not a date and time"),
        (["--space", "chats", "--format", "no-such-format"], "unknown format"),
    ]
    for options, message in cases:
        result = runner.invoke(args=["forum", "import-transcript", str(CHAT), *options])
        assert result.exit_code == 2 and message in result.output, (options, result.output)


def test_a_file_over_the_size_limit_is_refused(app, runner, chats):
    app.config["FORUM_IMPORT_MAX_BYTES"] = 100
    result = runner.invoke(args=["forum", "import-transcript", str(CHAT), "--space", "chats"])
    assert result.exit_code == 2 and "the limit is" in result.output


def test_a_vtt_file_without_start_is_refused(app, runner, chats, tmp_path):
    path = tmp_path / "call.vtt"
    path.write_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nSam Patel: Q1 how do you start?\n")
    result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", "chats"])
    assert result.exit_code == 2 and "--start" in result.output
    ok = runner.invoke(args=["forum", "import-transcript", str(path), "--space", "chats", "--start", "2024-01-12 13:00"])
    assert ok.exit_code == 0, ok.output


def test_start_is_read_as_the_web_reads_it_uk_style_too(app, runner, chats, tmp_path):
    path = tmp_path / "call.vtt"
    path.write_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nSam Patel: Q1 how do you start?\n")
    result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", "chats",
                                 "--start", "12/01/2024 13:00", "--json"])
    assert result.exit_code == 0, result.output
    # 13:00 in London in January is 13:00 UTC; the first cue is one second in.
    assert json.loads(result.output)["first_post_at"] == "2024-01-12T13:00:01Z"


def test_a_failure_midway_leaves_nothing_behind(app, runner, chats, monkeypatch):
    calls = {"n": 0}
    real = markup.render

    def fail_on_fifth(source):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk on fire")
        return real(source)

    monkeypatch.setattr(markup, "render", fail_on_fifth)
    result = runner.invoke(args=["forum", "import-transcript", str(CHAT), "--space", "chats"])
    assert result.exit_code != 0
    assert calls["n"] == 5
    assert counts(app) == (0, 0, 0, 0)


def test_a_slack_export_of_several_channels_is_refused_naming_them(app, runner, chats, tmp_path):
    from tests.unit.transcripts._social import zip_folder
    export = tmp_path / "slack.zip"
    export.write_bytes(zip_folder(Path(__file__).resolve().parents[1] / "data" / "transcripts" / "slack" / "multi_channel"))
    result, _ = run_import(runner, export)
    assert result.exit_code == 2
    assert "this export holds 2 channels: lgovsm, random; name one with --channel" in result.output
    result, summary = run_import(runner, export, "--channel", "lgovsm", "--dry-run")
    assert result.exit_code == 0, result.output
    assert summary["format"] == "slack"
