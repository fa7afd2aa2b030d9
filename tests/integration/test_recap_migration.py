"""Migration 0013 (#20): chats imported before recaps existed count as recapped, so the first
`flask forum send-recaps` after the upgrade mails no recap of old chats; and it goes down and up again."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import make_test_app
from tests.integration.test_migrations import empty_database_url  # noqa: F401  (the fixture)


def test_chats_imported_before_the_upgrade_count_as_recapped(empty_database_url, tmp_path):  # noqa: F811
    app = make_test_app(empty_database_url, tmp_path / "instance")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0012"]).exit_code == 0
    with app.app_context():
        engine = app.extensions["forum"].db.engine
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO forum_space (slug, name, description, visibility, anonymous_posting, position, "
                "created_at, thread_count, post_count) VALUES ('chat', 'Chat', '', 'public', false, 0, "
                "'2024-05-01 10:00:00', 0, 0)"))
            space = connection.execute(text("SELECT id FROM forum_space")).scalar()
            for title, status in (("Imported", "imported"), ("Coming", "upcoming")):
                connection.execute(text(
                    "INSERT INTO forum_chat (title, description, space_id, duration_minutes, status, created_at) "
                    "VALUES (:title, '', :space, 60, :status, '2024-05-01 10:00:00')"),
                    {"title": title, "space": space, "status": status})
            imported = connection.execute(text("SELECT id FROM forum_chat WHERE title = 'Imported'")).scalar()
            connection.execute(text(
                "INSERT INTO forum_member (display_name, role, state, created_at, bio_source, bio_html, champion, "
                "session_version, email_frequency, auto_watch) VALUES ('Voter', 'member', 'approved', "
                "'2024-05-01 10:00:00', '', '', false, 1, 'daily', true)"))
            voter = connection.execute(text("SELECT id FROM forum_member")).scalar()
            connection.execute(text(
                "INSERT INTO forum_proposed_question (chat_id, member_id, text, created_at, status, vote_count) "
                "VALUES (:chat, :member, 'Who signs it off?', '2024-05-01 10:00:00', 'proposed', 1)"),
                {"chat": imported, "member": voter})
            question = connection.execute(text("SELECT id FROM forum_proposed_question")).scalar()
            connection.execute(text("INSERT INTO forum_question_vote (question_id, member_id) VALUES (:q, :m)"),
                               {"q": question, "m": voter})
            connection.execute(text(
                "INSERT INTO forum_chat_import (chat_id, format, file_sha256, created_at, summary) "
                "VALUES (:chat, 'tags_csv', 'x', '2024-05-08 21:00:00', '{}')"), {"chat": imported})
        engine.dispose()
    # Up to this migration only: the later ones are others' (on SQLite one of them rebuilds forum_space).
    result = runner.invoke(args=["db", "upgrade", "0013"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        engine = app.extensions["forum"].db.engine
        with engine.connect() as connection:
            sent = dict(connection.execute(text("SELECT title, recap_sent_at FROM forum_chat")).all())
            recap_email = connection.execute(text("SELECT count(*) FROM forum_member WHERE recap_email = 'watched'"
                                                  )).scalar()
        engine.dispose()
    assert sent.get("Imported") is not None and "Coming" in sent and sent["Coming"] is None, sent
    assert recap_email == 1  # the member gets recaps of chats in spaces they watch, the default
    for step in ("0012", "0013"):  # down and up again, keeping every row
        result = runner.invoke(args=["db", "downgrade" if step == "0012" else "upgrade", step])
        assert result.exit_code == 0, result.output
    # On SQLite a rebuilt table would have taken rows with it (foreign keys are on: ON DELETE CASCADE).
    with app.app_context():
        engine = app.extensions["forum"].db.engine
        with engine.connect() as connection:
            counts = [connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("forum_chat", "forum_chat_import", "forum_member", "forum_proposed_question",
                                    "forum_question_vote")]
        engine.dispose()
    assert counts == [2, 1, 1, 1, 1]
