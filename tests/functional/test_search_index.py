"""The search index follows every write in the same transaction: create, edit, delete, hide, move, rename,
split, merge, pre-moderation, imports, and rollbacks."""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import insert, inspect, select, text, update

from forum.db import utcnow
from forum.models import LibraryEntry, Member, Post, Space, Speaker, Thread
from forum.search import indexing
from forum.search.documents import documents
from forum.services import library, moderation, posting, speakers, threads
from tests.factories import login, make_member, make_post, make_space, make_thread
from tests.functional.test_search import found
from tests.integration.test_migrations import empty_database_url  # noqa: F401  (a fixture: an empty database)


def act(app, change):
    """Run a service call in its own transaction, as a request would, and commit it."""
    with app.app_context():
        db = app.extensions["forum"].db.session
        result = change(db)
        db.commit()
        return result


def index_rows(app) -> list[tuple]:
    """The index's documents, as comparable tuples (the words are checked by searching)."""
    with app.app_context():
        connection = app.extensions["forum"].db.session.connection()
        return [tuple(row) for row in connection.execute(
            select(documents.c.id, documents.c.thread_id, documents.c.author_id, documents.c.speaker_id,
                   documents.c.chat_id, documents.c.hidden).order_by(documents.c.id))]


def assert_index_matches_a_rebuild(app):
    """What the listeners kept is exactly what rebuilding from the tables gives."""
    kept = index_rows(app)
    with app.app_context():
        db = app.extensions["forum"].db.session
        indexing.rebuild(db.connection())
        db.commit()
    assert index_rows(app) == kept


@pytest.fixture
def people(app):
    space = make_space(app, "digital", name="Digital")
    sam = make_member(app, "Sam Patel")
    moderator = make_member(app, "Mo Derator", role="moderator")
    return space, sam, moderator


def test_an_edited_post_is_found_by_its_new_words_and_not_its_old(app, client, people):
    space, sam, _ = people
    thread = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns")

    def edit(db):
        post = db.get(Post, thread.first_post_id)
        posting.edit_post(db, post=post, space=db.get(Space, space.id), editor=db.get(Member, sam.id),
                          body="Glass jars")
    act(app, edit)
    assert found(client, "paper") == []
    assert found(client, "jars") == [thread.first_post_id]
    assert found(client, "lanterns") == [thread.first_post_id]  # the title stays
    assert_index_matches_a_rebuild(app)


def test_a_deleted_post_is_found_by_nobody(app, client, people):
    space, sam, moderator = people
    thread = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns")
    reply = make_post(app, thread, sam, "Secret glue recipe")
    act(app, lambda db: posting.delete_post(db, post=db.get(Post, reply.id), space=db.get(Space, space.id),
                                            member=db.get(Member, sam.id)))
    login(client, moderator)
    assert found(client, "glue") == []
    assert_index_matches_a_rebuild(app)


def test_a_hidden_post_is_found_only_by_moderators_until_restored(app, client, people):
    space, sam, moderator = people
    thread = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns")
    reply = make_post(app, thread, sam, "Rude words about glue")
    act(app, lambda db: moderation.hide_post(db, db.get(Post, reply.id), db.get(Space, space.id),
                                             db.get(Member, moderator.id), "rude", "Afterchat", "/"))
    assert found(client, "glue") == []
    login(client, sam)
    assert found(client, "glue") == []
    login(client, moderator)
    assert found(client, "glue") == [reply.id]
    assert "Hidden by a moderator" in client.get("/search?q=glue").get_data(as_text=True)
    act(app, lambda db: moderation.restore_post(db, db.get(Post, reply.id), db.get(Space, space.id),
                                                db.get(Member, moderator.id), "fine"))
    assert found(app.test_client(), "glue") == [reply.id]
    assert_index_matches_a_rebuild(app)


def test_a_thread_moved_from_public_to_private_disappears_for_visitors_at_once(app, client, people):
    space, sam, moderator = people
    private = make_space(app, "support", visibility="private", members=[sam])
    thread = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns")
    assert found(client, "lanterns") == [thread.first_post_id]
    act(app, lambda db: threads.move_thread(db, db.get(Thread, thread.id), db.get(Space, space.id),
                                            db.get(Space, private.id), db.get(Member, moderator.id)))
    assert found(client, "lanterns") == []
    assert found(client, "lanterns", space="digital") == []
    login(client, sam)
    assert found(client, "lanterns", space="support") == [thread.first_post_id]


def test_a_renamed_thread_is_found_by_its_new_title(app, client, people):
    space, sam, moderator = people
    thread = make_thread(app, space, sam, title="Lanterns", body="What do you think?")
    act(app, lambda db: moderation.rename(db, db.get(Thread, thread.id), db.get(Space, space.id),
                                          db.get(Member, moderator.id), "Bonfire night"))
    assert found(client, "lanterns") == []
    assert found(client, "bonfire") == [thread.first_post_id]
    assert_index_matches_a_rebuild(app)


def test_split_and_merge_keep_each_title_on_its_opening_post(app, client, people):
    space, sam, moderator = people
    thread = make_thread(app, space, sam, title="Lanterns", body="What do you think?")
    a = make_post(app, thread, sam, "About bonfires instead")
    b = make_post(app, thread, sam, "More about bonfires")

    new = act(app, lambda db: moderation.split(db, db.get(Thread, thread.id), db.get(Space, space.id),
                                               db.get(Member, moderator.id), [a.id, b.id], "Bonfires").id)
    assert found(client, "lanterns") == [thread.first_post_id]
    assert set(found(client, "bonfires")) == {a.id, b.id}
    assert_index_matches_a_rebuild(app)

    act(app, lambda db: moderation.merge(db, db.get(Thread, new), db.get(Space, space.id),
                                         db.get(Thread, thread.id), db.get(Space, space.id),
                                         db.get(Member, moderator.id)))
    with app.app_context():
        rows = app.extensions["forum"].db.session.execute(
            select(documents.c.id, documents.c.thread_id).where(documents.c.id.in_([a.id, b.id]))).all()
    assert {thread_id for _, thread_id in rows} == {thread.id}
    assert_index_matches_a_rebuild(app)


def test_hiding_a_speaker_hides_their_imported_posts_from_search(app, client, runner, people, tmp_path):
    space, sam, moderator = people
    csv = tmp_path / "chat.csv"
    csv.write_text(textwrap.dedent("""\
        id_str,from_user,text,created_at
        3001,LGovSM,Q1 Lanterns or bonfires? #lgovsm,Fri Mar 14 13:02:00 +0000 2025
        3002,alice,A1 lanterns every time #lgovsm,Fri Mar 14 13:04:00 +0000 2025
        3003,bob,A1 lanterns for me too #lgovsm,Fri Mar 14 13:05:00 +0000 2025
        """))
    assert runner.invoke(args=["forum", "import-transcript", str(csv), "--space", "digital"]).exit_code == 0
    assert len(found(client, "lanterns")) == 3

    def hide(db):
        alice = db.scalar(select(Speaker).where(Speaker.display_name == "alice"))
        speakers.hide_speaker(db, alice, db.get(Member, moderator.id), "asked by email")
    act(app, hide)  # one bulk UPDATE of forum_post, run through the ORM
    assert len(found(client, "lanterns")) == 2
    assert found(client, "lanterns", author="alice") == []
    assert_index_matches_a_rebuild(app)


def test_orm_bulk_inserts_and_updates_are_indexed_too(app, client, people):
    space, sam, _ = people
    thread = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns")
    now = utcnow()
    act(app, lambda db: db.execute(insert(Post), [
        {"thread_id": thread.id, "author_id": sam.id, "body_source": f"Kite {i}", "body_html": f"<p>Kite {i}</p>",
         "created_at": now} for i in range(3)]))
    assert len(found(client, "kite")) == 3
    act(app, lambda db: db.execute(update(Post).where(Post.body_source == "Kite 1").values(hidden_at=now)))
    assert len(found(client, "kite")) == 2
    # By primary key, as the importer links replies: a change to the text is indexed, a reply link needs nothing.
    kites = dict(act(app, lambda db: db.execute(
        select(Post.body_source, Post.id).where(Post.body_source.like("Kite%"))).all()))
    act(app, lambda db: db.execute(update(Post), [{"id": kites["Kite 2"], "body_html": "<p>Balloon</p>"},
                                                  {"id": kites["Kite 0"], "reply_to_id": kites["Kite 2"]}]))
    assert len(found(client, "kite")) == 1 and len(found(client, "balloon")) == 1
    assert_index_matches_a_rebuild(app)


def test_an_import_is_indexed_once_and_a_reimport_adds_nothing(app, client, runner, people, tmp_path):
    csv = tmp_path / "chat.csv"
    csv.write_text(textwrap.dedent("""\
        id_str,from_user,text,created_at
        4001,LGovSM,Q1 Lanterns or bonfires? #lgovsm,Fri Mar 14 13:02:00 +0000 2025
        4002,alice,A1 lanterns every time #lgovsm,Fri Mar 14 13:04:00 +0000 2025
        """))
    for _ in range(2):
        assert runner.invoke(args=["forum", "import-transcript", str(csv), "--space", "digital"]).exit_code == 0
    assert len(found(client, "lanterns")) == 2
    assert found(client, '"lanterns or bonfires"', chats="y") != []
    assert_index_matches_a_rebuild(app)


def test_posts_waiting_for_approval_are_found_only_by_moderators(app, client, people):
    space, sam, moderator = people
    newcomer = make_member(app, "New Comer")
    act(app, lambda db: setattr(db.get(Space, space.id), "premoderate_first", 1))
    thread = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns")
    waiting = make_post(app, thread, newcomer, "Lanterns from my first post")
    with app.app_context():
        assert app.extensions["forum"].db.session.get(Post, waiting.id).awaiting_approval
    assert found(client, "first") == []
    login(client, moderator)
    assert found(client, "first") == [waiting.id]
    act(app, lambda db: moderation.approve_post(db, db.get(Post, waiting.id), db.get(Thread, thread.id),
                                                db.get(Space, space.id), db.get(Member, moderator.id), True))
    assert found(app.test_client(), "first") == [waiting.id]
    assert_index_matches_a_rebuild(app)


def test_a_change_rolled_back_leaves_the_index_as_it_was(app, client, people):
    space, sam, _ = people
    thread = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns")
    before = index_rows(app)
    with app.app_context():
        db = app.extensions["forum"].db.session
        posting.reply(db, thread=db.get(Thread, thread.id), space=db.get(Space, space.id),
                      author=db.get(Member, sam.id), body="Never saved: marmalade")
        db.get(Post, thread.first_post_id).hidden_at = utcnow()
        db.flush()
        assert db.scalar(select(documents.c.hidden).where(documents.c.id == thread.first_post_id)) is True
        db.rollback()
    assert index_rows(app) == before
    assert found(client, "marmalade") == []
    assert found(client, "lanterns") == [thread.first_post_id]


def test_deleting_a_thread_or_a_space_removes_its_documents(app, client, people):
    space, sam, _ = people
    other = make_space(app, "housing")
    gone = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns", replies=2)
    kept = make_thread(app, other, sam, title="Lanterns too", body="Glass lanterns")
    act(app, lambda db: db.delete(db.get(Thread, gone.id)))
    assert found(client, "lanterns") == [kept.first_post_id]
    act(app, lambda db: db.delete(db.get(Space, other.id)))
    assert index_rows(app) == []
    with app.app_context():
        connection = app.extensions["forum"].db.session.connection()
        if connection.dialect.name == "sqlite":  # no words left behind in the FTS5 table either
            assert connection.scalar(text("SELECT count(*) FROM forumsearch_text")) == 0


def test_anonymous_posts_never_match_an_author_and_never_show_one(app, client, people):
    space, sam, _ = people
    support = make_space(app, "support", anonymous_posting=True)
    act(app, lambda db: posting.start_thread(db, space=db.get(Space, support.id), author=db.get(Member, sam.id),
                                             title="Quietly asking", body="Lanterns at work?", anonymous=True))
    assert found(client, "lanterns", author="Sam Patel") == []
    page = client.get("/search?q=lanterns").get_data(as_text=True)
    assert "A member of this space" in page and "Sam Patel" not in page


def test_promoting_into_the_library_makes_a_post_good_practice(app, client, people):
    space, sam, moderator = people
    thread = make_thread(app, space, sam, title="Lanterns", body="Paper lanterns")
    reply = make_post(app, thread, sam, "Lanterns on a budget")
    assert found(client, "lanterns", good_practice="y") == []

    tag = act(app, lambda db: library.add_tag(db, db.get(Member, moderator.id), "Festivals").id)

    def promote(db, post_id, whole_thread):
        summary = library.Summary(title="Cheap lanterns", problem="Cost", approach="Paper", outcome="Cheap",
                                  tags=[tag])
        post = db.get(Post, post_id)
        return library.promote(db, db.get(Member, moderator.id), post, db.get(Thread, post.thread_id),
                               db.get(Space, space.id), summary, whole_thread, lambda entry: "/", "Afterchat").id

    entry = act(app, lambda db: promote(db, reply.id, False))
    assert found(client, "lanterns", good_practice="y") == [reply.id]
    act(app, lambda db: promote(db, reply.id, True))  # the whole thread: its opening post stands for it
    assert set(found(client, "lanterns", good_practice="y")) == {reply.id, thread.first_post_id}
    act(app, lambda db: db.delete(db.get(LibraryEntry, entry)))
    assert found(client, "lanterns", good_practice="y") == [thread.first_post_id]
    assert_index_matches_a_rebuild(app)


def test_the_migration_indexes_the_posts_already_there(empty_database_url, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(empty_database_url, tmp_path / "instance")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0005"]).exit_code == 0
    now = "2025-03-14 13:00:00"
    statements = [
        "INSERT INTO forum_space (id, slug, name, description, visibility, anonymous_posting, position, created_at, "
        "thread_count, post_count) VALUES (1, 'digital', 'Digital', '', 'public', true, 0, :now, 1, 3)",
        "INSERT INTO forum_member (id, display_name, role, state, bio_source, bio_html, created_at, session_version) "
        "VALUES (1, 'Sam Patel', 'member', 'approved', '', '', :now, 1)",
        "INSERT INTO forum_thread (id, space_id, title, created_at, last_post_at, post_count, pinned, locked) "
        "VALUES (1, 1, 'Paper lanterns', :now, :now, 3, false, false)",
        "INSERT INTO forum_post (id, thread_id, author_id, body_source, body_html, created_at, anonymous) VALUES "
        "(1, 1, 1, 'x', '<p>How &amp; why?</p><p>glue</p>', :now, false), "
        "(2, 1, 1, 'x', '<p>Quietly</p>', :now, true), (3, 1, 1, '', '', :now, false)",
        "UPDATE forum_post SET deleted_at = :now WHERE id = 3",
        "UPDATE forum_thread SET first_post_id = 1",
        "INSERT INTO forum_library_entry (title, problem, approach, outcome, summary_html, thread_id, created_at, "
        "status) VALUES ('Lanterns', 'p', 'a', 'o', '', 1, :now, 'published')",
    ]
    with app.app_context():
        db = app.extensions["forum"].db.session
        for statement in statements:
            db.execute(text(statement), {"now": now})
        db.commit()
    assert runner.invoke(args=["db", "upgrade", "0010"]).exit_code == 0
    with app.app_context():
        db = app.extensions["forum"].db.session
        rows = db.execute(select(documents.c.id, documents.c.author_id, documents.c.good_practice)
                          .order_by(documents.c.id)).all()
        assert [tuple(r) for r in rows] == [(1, 1, True), (2, None, False)]
        assert db.scalar(text("SELECT max(created_at) FROM forumsearch_document")) is not None
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert found(app.test_client(), "lanterns glue") == [1]
    assert found(app.test_client(), '"why? glue"') == [1]  # &amp; unescaped, blocks kept apart
    assert runner.invoke(args=["db", "downgrade", "0005"]).exit_code == 0
    with app.app_context():
        engine = app.extensions["forum"].db.engine
        assert not inspect(engine).has_table("forumsearch_document")
        engine.dispose()


def _partitions(app) -> list[str]:
    """The bounds of the index's partitions, as PostgreSQL prints them."""
    with app.app_context():
        return _partitions_in(app.extensions["forum"].db.session)


def _next_post_id(app, value: int) -> None:
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.execute(text("SELECT setval(pg_get_serial_sequence('forum_post', 'id'), :value, false)"), {"value": value})
        db.commit()


def test_posts_past_the_last_partition_make_the_next_and_are_found(app, client, people):
    """PostgreSQL keeps the index in partitions of 50,000 post ids, made as ids reach them (#19)."""
    space, sam, _moderator = people
    with app.app_context():
        if app.extensions["forum"].db.engine.dialect.name != "postgresql":
            pytest.skip("the index is partitioned on PostgreSQL only")
    assert "FOR VALUES FROM ('100000') TO ('150000')" not in _partitions(app)
    thread = make_thread(app, space, sam, title="Kites", body="Kite festival")
    _next_post_id(app, 99_999)
    before, after = make_post(app, thread, sam, "Kite strings"), make_post(app, thread, sam, "Kite tails")
    assert (before.id, after.id) == (99_999, 100_000)
    bounds = _partitions(app)
    assert "FOR VALUES FROM ('100000') TO ('150000')" in bounds  # the one 100,000 falls in, and one ahead
    assert "FOR VALUES FROM ('150000') TO ('200000')" in bounds
    assert sorted(found(client, "kite")) == [thread.first_post_id, before.id, after.id]
    assert_index_matches_a_rebuild(app)


def test_a_partition_made_in_a_transaction_that_rolls_back_is_made_again(app, client, people):
    space, sam, _moderator = people
    with app.app_context():
        if app.extensions["forum"].db.engine.dialect.name != "postgresql":
            pytest.skip("the index is partitioned on PostgreSQL only")
    thread = make_thread(app, space, sam, title="Kites", body="Kite festival")
    _next_post_id(app, 250_000)
    with app.app_context():
        db = app.extensions["forum"].db.session
        posting.reply(db, thread=db.get(Thread, thread.id), space=db.get(Space, space.id),
                      author=db.get(Member, sam.id), body="Kite lost")
        db.flush()
        assert "FOR VALUES FROM ('250000') TO ('300000')" in _partitions_in(db)
        db.rollback()
    assert "FOR VALUES FROM ('250000') TO ('300000')" not in _partitions(app)
    kept = make_post(app, thread, sam, "Kite found")
    assert kept.id >= 250_000
    assert sorted(found(client, "kite")) == [thread.first_post_id, kept.id]


def _partitions_in(db) -> list[str]:
    return list(db.scalars(text(
        "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'forumsearch_document'::regclass")))
