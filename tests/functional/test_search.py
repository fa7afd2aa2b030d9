"""/search: ranked results with marked snippets, phrases and exclusions, filters, pages, and odd input."""

from __future__ import annotations

import re
import textwrap
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import text

from forum.db import utcnow
from forum.models import Member, Post, Space, Thread
from forum.services import posting
from forum.services.site_membership import erase
from tests.factories import db_session, login, make_member, make_post, make_space, make_thread

RESULT = re.compile(r'<li class="thread-list__item">\s*<a href="/posts/(\d+)"')
HEADING = re.compile(r'<h2 class="heading-m">(.*?)</h2>', re.S)


def search(client, q, **params):
    """Search; return the response, the post ids on the page in order, and the count heading's text."""
    response = client.get("/search", query_string={"q": q, **params})
    page = response.get_data(as_text=True)
    heading = HEADING.search(page)
    count = re.sub(r"<[^>]+>", "", heading.group(1)).split(",")[0].strip() if heading else None
    return response, [int(i) for i in RESULT.findall(page)], count


def found(client, q, **params) -> list[int]:
    response, ids, _ = search(client, q, **params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return ids


def set_created(app, post_id, when):
    """Backdate a post (and its document) as an import would have dated it."""
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.get(Post, post_id).created_at = when
        db.commit()


@pytest.fixture
def forum(app):
    space = make_space(app, "digital", name="Digital")
    sam = make_member(app, "Sam Patel")
    return space, sam


def test_finds_a_post_by_its_words_and_marks_them_in_the_snippet(app, client, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Consultations", body="How do you consult residents?")
    post = make_post(app, thread, sam, "We built a **budget simulator** for residents last spring.")
    response, ids, count = search(client, "budget simulators")
    assert ids == [post.id] and count == "1 result"
    page = response.get_data(as_text=True)
    assert "<mark>budget</mark> <mark>simulator</mark>" in page
    assert "Digital" in page and "Sam Patel" in page


def test_a_snippet_reads_as_the_post_does(app, client, forum):
    """Markup gone, words apart at a block's edge (a list item, a table cell) and together around a link or
    emphasis, characters the HTML escapes shown as themselves, once (on PostgreSQL the text is made from
    the HTML by the database, on SQLite by the forum)."""
    space, sam = forum
    thread = make_thread(app, space, sam, title="Consultations", body="How do you consult residents?")
    make_post(app, thread, sam, textwrap.dedent("""\
        Read [the write-up](https://example.org/report?a=1&b=2 "Budget > spend").
        Our *budget* simulator: < £5k & fun.

        - rotas
        - parking

        | Area | Spend |
        |---|---|
        | Parks | forty |
        """))
    response, ids, _ = search(client, "budget simulator")
    assert len(ids) == 1
    snippet = re.search(r'<li class="thread-list__item">.*?<p[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)
    assert snippet.group(1).strip() == (
        "Read the write-up. Our <mark>budget</mark> <mark>simulator</mark>: &lt; £5k &amp; fun. rotas parking Area Spend "
        "Parks forty")


def test_the_characters_that_mark_matches_in_stored_html_mark_nothing(app, client, forum):
    """Posts are rendered without control characters, but HTML stored before that rule (or by an import)
    may hold the two that mark matches in snippets: they are spaces there, never a <mark>."""
    space, sam = forum
    thread = make_thread(app, space, sam, title="Consultations", body="How do you consult residents?")
    post = make_post(app, thread, sam, "placeholder")
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.get(Post, post.id).body_html = "<p>Our \x02budget\x03 simulator plans</p>"
        db.commit()
    response, ids, _ = search(client, "plans")
    assert ids == [post.id]
    page = response.get_data(as_text=True)
    assert "budget simulator <mark>plans</mark>" in page and "<mark>budget" not in page


def test_finds_a_thread_by_its_title_through_its_opening_post(app, client, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Budget simulators in Leeds", body="What did yours cost?")
    make_post(app, thread, sam, "Ours was free.")
    response, ids, _ = search(client, "leeds")
    assert ids == [thread.first_post_id]
    assert "<mark>Leeds</mark>" in response.get_data(as_text=True)


def test_the_closer_match_ranks_first(app, client, forum):
    space, sam = forum
    passing = make_thread(app, space, sam, title="Odds and ends",
                          body="Lots to cover this week: rotas, printers, the budget, parking and the website.")
    focused = make_thread(app, space, sam, title="Budget simulator",
                          body="Our budget simulator let residents balance the budget themselves.")
    assert found(client, "budget") == [focused.first_post_id, passing.first_post_id]


def test_an_exact_phrase_matches_only_those_words_in_that_order(app, client, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Tools", body="We tried a budget simulator.")
    other = make_post(app, thread, sam, "A simulator for the budget would help.")
    assert found(client, '"budget simulator"') == [thread.first_post_id]
    assert set(found(client, "budget simulator")) == {thread.first_post_id, other.id}


def test_excluded_words_and_phrases_leave_posts_out(app, client, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Tools", body="Budget tracking in Excel.")
    kept = make_post(app, thread, sam, "Budget tracking on paper.")
    third = make_post(app, thread, sam, "Budget tracking with a spread sheet.")
    assert set(found(client, "budget -excel")) == {kept.id, third.id}
    assert found(client, 'budget -excel -"spread sheet"') == [kept.id]


def test_imported_chat_posts_are_found_and_filtered_to_chats(app, client, runner, forum, tmp_path):
    space, sam = forum
    members_post = make_thread(app, space, sam, title="Simulators", body="Budget simulators are great.")
    csv = tmp_path / "chat.csv"
    csv.write_text(textwrap.dedent("""\
        id_str,from_user,text,created_at
        2001,LGovSM,Q1 How do you explain the budget? #lgovsm,Fri Mar 14 13:02:00 +0000 2025
        2002,alice,A1 we ran budget simulators in the library #lgovsm,Fri Mar 14 13:04:00 +0000 2025
        2003,bob,A1 posters in every bus shelter #lgovsm,Fri Mar 14 13:05:00 +0000 2025
        """))
    result = runner.invoke(args=["forum", "import-transcript", str(csv), "--space", "digital", "--json"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db = app.extensions["forum"].db.session
        alice = db.scalar(text("SELECT id FROM forum_post WHERE source_key = 'x:2002'"))
    response, ids, _ = search(client, "budget simulators")
    assert set(ids) == {alice, members_post.first_post_id}
    assert "from the chat" in response.get_data(as_text=True)
    assert found(client, "budget simulators", chats="y") == [alice]
    assert found(client, "budget simulators", author="@alice") == [alice]
    assert found(client, "budget simulators", since="2025-03-01", until="2025-03-31") == [alice]


def test_filter_by_space(app, client, forum):
    space, sam = forum
    other = make_space(app, "housing", name="Housing")
    here = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    there = make_thread(app, other, sam, title="Lanterns", body="Lantern parade")
    assert set(found(client, "lantern")) == {here.first_post_id, there.first_post_id}
    assert found(client, "lantern", space="housing") == [there.first_post_id]


def test_filter_by_author_name(app, client, forum):
    space, sam = forum
    jo = make_member(app, "Jo Grant")
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    reply = make_post(app, thread, jo, "Lantern workshop")
    assert found(client, "lantern", author="jo grant") == [reply.id]
    assert found(client, "lantern", author="Sam  Patel") == [thread.first_post_id]
    assert found(client, "lantern", author="Nobody Atall") == []


@pytest.fixture
def half_past_midnight_in_london():
    """The clock at 00:30 on 16 June 2026 in London (BST), still 15 June in UTC; time flows on from there."""
    with time_machine.travel(datetime(2026, 6, 15, 23, 30, tzinfo=timezone.utc), tick=True):
        yield


def test_filter_by_dates_in_uk_time(half_past_midnight_in_london, app, client, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    old = make_post(app, thread, sam, "Lantern workshop")
    now = utcnow()
    set_created(app, old.id, now - timedelta(days=400))
    # Posted at 00:30 on 16 June as a UK reader counts days, though it is still the 15th in UTC.
    assert found(client, "lantern", since="16/06/2026") == [thread.first_post_id]
    assert found(client, "lantern", until="15/06/2026") == [old.id]
    assert found(client, "lantern", until=(now - timedelta(days=300)).strftime("%d/%m/%Y")) == [old.id]


def test_good_practice_only_finds_nothing_until_the_library_marks_posts(app, client, forum):
    space, sam = forum
    make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    response, ids, count = search(client, "lantern", good_practice="y")
    assert response.status_code == 200 and ids == [] and count == "0 results"


def test_results_come_in_pages_that_keep_the_search_and_its_filters(app, client, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    for i in range(44):
        make_post(app, thread, sam, f"Lantern number {i}")
    response, first, count = search(client, "lantern", space="digital")
    assert count == "45 results" and len(first) == 20
    page = response.get_data(as_text=True)
    assert 'href="/search?page=2&amp;q=lantern&amp;space=digital"' in page
    _, second, _ = search(client, "lantern", space="digital", page=2)
    _, third, _ = search(client, "lantern", space="digital", page=3)
    assert len(second) == 20 and len(third) == 5
    assert len(set(first) | set(second) | set(third)) == 45
    response, _, _ = search(client, "lantern", space="digital", page=4)
    assert response.status_code == 404 and "There is no page 4" in response.get_data(as_text=True)


def test_a_page_of_results_costs_the_same_queries_however_many_it_shows(app, client, forum):
    space, sam = forum
    other = make_member(app, "Jo Grant")
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    make_post(app, thread, other, "Lantern workshop")
    client.get("/search?q=lantern")  # what a process keeps for searches (statements, PostgreSQL's word counts)
    few = client.get("/search?q=lantern")
    for i in range(25):
        make_post(app, thread, other if i % 2 else sam, f"Lantern number {i}")
    many = client.get("/search?q=lantern")
    assert few.status_code == many.status_code == 200
    assert few.headers["X-Forum-Queries"] == many.headers["X-Forum-Queries"]


ODD_QUERIES = [
    "x" * 2000, " ".join(["budget"] * 400), '"budget simulators', 'budget"', '"', '""', "NEAR(budget simulators)",
    "NEAR(", "*", "budget*", "AND OR NOT", "budget AND", "OR", "🙂", "budget 🙂 simulators", "🏳️‍🌈",
    "'; DROP TABLE forum_post; --", "1' OR '1'='1", "budget -", "-", "--", "- budget", "^", "{title}: budget",
    "body:budget", "\\", "%", "_", "%_%", "budget\x00simulators", "\u202e\u200b", "ｂｕｄｇｅｔ", "ΒΟΥΝΤΖΕΤ",
    "бюджет", "予算シミュレーター", "<script>alert(1)</script>", "&amp;", "col:umn", "a:b:c", "(((((", ")))",
]


@pytest.mark.parametrize("q", ODD_QUERIES)
def test_anything_typed_searches_without_an_error(app, client, forum, q):
    space, sam = forum
    make_thread(app, space, sam, title="Budget simulators", body="A budget simulator for the library.")
    response, _, _ = search(client, q)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "<script>alert" not in page


def test_sql_and_fts_lookalikes_are_searched_as_words(app, client, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Budget simulators", body="Drop the table of contents please.")
    assert found(client, "'; DROP TABLE forum_post; --") == []  # "forum post" is not in it
    assert found(client, "DROP TABLE") == [thread.first_post_id]
    assert found(client, "NEAR(budget simulators)") == []      # "near" is a word too
    assert found(client, "budget* simulators^") == [thread.first_post_id]


def test_only_common_words_or_punctuation_say_what_to_do(app, client, forum):
    response, ids, count = search(client, "the and of")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ids == [] and count is None
    assert "Enter a word to search for" in page and "too common" in page
    response, _, _ = search(client, "-excel")
    assert "add at least one word" in response.get_data(as_text=True)


def test_the_search_page_without_a_query_shows_the_form(client):
    response = client.get("/search")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label class="label" for="q">Search for</label>' in page
    assert "result" not in page.lower().split("</form>")[-1]


@pytest.mark.parametrize("params, field, message", [
    ({"since": "31/2/2024"}, "since", "Enter a real date for ‘From’"),
    ({"since": "last spring"}, "since", "Enter a real date for ‘From’"),
    ({"until": "2024-13-01"}, "until", "Enter a real date for ‘To’"),
    ({"until": "0001-01-01"}, "until", "Enter a real date for ‘To’"),
    ({"since": "2024-06-01", "until": "2024-03-01"}, "until", "must be the same as or after"),
    ({"space": "no-such-space"}, "space", "Choose a space from the list"),
    ({"author": "x" * 201}, "author", "at most 200 characters"),
])
def test_bad_filters_get_a_clear_message_and_a_400(app, client, forum, params, field, message):
    response = client.get("/search", query_string={"q": "budget", **params})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and message in page and f'href="#{field}"' in page


@pytest.mark.parametrize("page", ["0", "abc", "-1", "99999999", "2"])
def test_pages_that_do_not_exist_are_a_404(app, client, forum, page):
    space, sam = forum
    make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    assert client.get("/search", query_string={"q": "lantern", "page": page}).status_code == 404


def test_approved_members_also_find_members_by_name(app, client, forum):
    space, sam = forum
    make_member(app, "Priya Grant")
    make_member(app, "Waiting Grant", state="pending")
    assert "Priya Grant" not in client.get("/search?q=grant").get_data(as_text=True)
    login(client, sam)
    page = client.get("/search?q=grant").get_data(as_text=True)
    assert "Priya Grant" in page and "Waiting Grant" not in page


def test_every_page_has_a_labelled_search_box_in_its_header(client):
    page = client.get("/").get_data(as_text=True)
    assert '<form method="get" action="/search" role="search"' in page
    assert '<label for="header-search" class="label">Search<span class="visually-hidden"> the forum</span></label>' in page
    assert '<input type="search" id="header-search" name="q"' in page


def test_reindex_rebuilds_the_index_from_the_posts(app, client, runner, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    with app.app_context():
        db = app.extensions["forum"].db.session
        # Rows written past the ORM (a restore, a bulk load) are not seen until the index is rebuilt.
        db.execute(text("DELETE FROM forumsearch_document"))
        db.execute(text("UPDATE forum_thread SET title = 'Bonfires' WHERE id = :id"), {"id": thread.id})
        db.commit()
    assert found(client, "lantern") == []
    result = runner.invoke(args=["forum", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 post " in result.output
    assert found(client, "lantern") == [thread.first_post_id]
    assert found(client, "bonfires") == [thread.first_post_id]
    with app.app_context():
        assert app.extensions["forum"].db.session.get(Thread, thread.id).title == "Bonfires"


def test_searching_in_id_ranges_newest_first_gives_the_same_results(app, client, forum, monkeypatch):
    """PostgreSQL walks back through id ranges (see postgres.PostgresBackend.newest); nothing changes but speed."""
    from forum.search import postgres, service

    space, sam = forum
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    for i in range(30):
        make_post(app, thread, sam, f"Lantern {i}" + (" kite" if i % 3 == 0 else ""))
    monkeypatch.setattr(service, "MAX_RESULTS", 12)  # so the cap falls inside the ranges
    monkeypatch.setattr(postgres, "LOOKUP_MATCHES", 0)
    monkeypatch.setattr(postgres, "PROBE_ROWS", 0)  # id ranges, even where ANALYZE has counted the words

    def pages(q):
        return [search(client, q, page=n)[1:] for n in (1, 2)]

    whole = {q: pages(q) for q in ("lantern", "kite", "lantern -kite", "parade")}
    monkeypatch.setattr(postgres, "PARTITION_IDS", 2)  # ranges of 2 ids, as if partitions were that small
    assert {q: pages(q) for q in whole} == whole
    assert whole["lantern"][0][1] == "More than 12 results"


def test_the_plan_chosen_from_the_word_counts_gives_the_same_results(app, client, forum, monkeypatch):
    """PostgreSQL chooses between one GIN lookup, a walk back through the primary key and id ranges from
    ANALYZE's counts of the index's lexemes (see postgres.PostgresBackend.newest); nothing changes but speed."""
    from forum.search import postgres, service
    from forum.search.query import parse

    space, sam = forum
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    for i in range(30):
        make_post(app, thread, sam, f"Lantern {i}" + (" kite" if i % 3 == 0 else ""))
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.execute(text("ANALYZE forumsearch_document"))
        db.commit()
        if db.connection().dialect.name == "postgresql":  # the statistics know the words, so they choose the plan
            assert postgres.PostgresBackend()._statistics(db.connection(), parse("lantern -kite"))[1] > 0
    monkeypatch.setattr(service, "MAX_RESULTS", 12)  # so the cap falls inside the matches

    def pages(q):
        return [search(client, q, page=n)[1:] for n in (1, 2)]

    queries = ("lantern", "kite", "lantern -kite", "parade", '"lantern parade"', "kite lantern")
    monkeypatch.setattr(postgres, "LOOKUP_MATCHES", 0)
    monkeypatch.setattr(postgres, "PROBE_ROWS", 0)  # neither the lookup nor the probe: id ranges
    by_ranges = {q: pages(q) for q in queries}
    monkeypatch.setattr(postgres, "LOOKUP_MATCHES", 10**9)  # always the lookup
    assert {q: pages(q) for q in queries} == by_ranges
    monkeypatch.setattr(postgres, "PARTITION_IDS", 4)  # lookups a range of 4 ids at a time, newest first
    assert {q: pages(q) for q in queries} == by_ranges
    monkeypatch.setattr(postgres, "PARTITION_IDS", 50_000)
    monkeypatch.setattr(postgres, "PROBE_ROWS", 4)
    monkeypatch.setattr(postgres, "LOOKUP_MATCHES", -1)  # never the lookup: the probe, then the walk
    assert {q: pages(q) for q in queries} == by_ranges
    assert by_ranges["lantern"][0][1] == "More than 12 results"
    assert by_ranges["kite"][0][1] == "10 results"


def test_each_result_shows_the_name_its_reader_may_see(app, client, forum):
    """Results are read as rows and named by the policy's byline, as a thread page names its posts."""
    space, sam = forum
    corner = make_space(app, "corner", name="Quiet corner", anonymous_posting=True)
    writer = make_member(app, "Rowan Hale", organisation="Kent County Council")
    leaver = make_member(app, "Lee Leaving")
    thread = make_thread(app, corner, writer, title="Lanterns", body="Lantern parade route")
    with app.app_context():
        db = db_session(app)
        unnamed = posting.reply(db, thread=db.get(Thread, thread.id), space=db.get(Space, corner.id),
                                author=db.get(Member, writer.id), body="Lantern budget, said without my name",
                                anonymous=True)
        db.commit()
        unnamed_id = unnamed.id
    gone = make_post(app, thread, leaver, "Lantern volunteers wanted")
    with app.app_context():
        db = db_session(app)
        erase(db, db.get(Member, leaver.id))
        db.commit()

    def names(client):
        page = client.get("/search?q=lantern").get_data(as_text=True)
        return {int(post_id): hint for post_id, hint in re.findall(
            r'<a href="/posts/(\d+)".*?<span class="hint">Quiet corner · ([^·]+?) ·', page, re.S)}

    assert names(client) == {thread.first_post_id: "Rowan Hale", unnamed_id: "A member of this space",
                             gone.id: "Former member"}
    login(client, writer)
    assert names(client)[unnamed_id] == "You, posting without your name"
    login(client, sam)
    assert names(client)[unnamed_id] == "A member of this space"


def test_a_change_to_a_post_shows_in_the_next_search_at_once(app, client, forum):
    """What a process keeps for search (statements, PostgreSQL's word counts) never keeps results."""
    space, sam = forum
    thread = make_thread(app, space, sam, title="Events", body="Lantern parade route")
    post = make_post(app, thread, sam, "Kite festival on the beach")
    assert found(client, "kite") == [post.id]
    with app.app_context():
        db = db_session(app)
        posting.edit_post(db, post=db.get(Post, post.id), space=db.get(Space, space.id), editor=db.get(Member, sam.id),
                          body="Lantern workshop in the library")
        db.commit()
    assert found(client, "kite") == []
    assert sorted(found(client, "lantern")) == sorted([post.id, thread.first_post_id])
    with app.app_context():
        db = db_session(app)
        posting.delete_post(db, post=db.get(Post, post.id), space=db.get(Space, space.id), member=db.get(Member, sam.id))
        db.commit()
    assert found(client, "lantern") == [thread.first_post_id]


def test_word_counts_kept_from_before_analyze_give_the_same_results(app, client, forum, monkeypatch):
    """PostgreSQL's word counts, kept a minute by each process, choose the plan only: counts read before the index
    held the words (none, so id ranges) give the same pages as counts read afresh (the lookup or the walk)."""
    from forum.search import postgres, service

    space, sam = forum
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    assert found(client, "lantern kite") == []  # PostgreSQL: the counts are read, and kept
    for i in range(30):
        make_post(app, thread, sam, f"Lantern {i}" + (" kite" if i % 3 == 0 else ""))
    with app.app_context():
        db = db_session(app)
        db.execute(text("ANALYZE forumsearch_document"))
        db.commit()
    monkeypatch.setattr(service, "MAX_RESULTS", 12)  # so the cap falls inside the matches
    monkeypatch.setattr(postgres, "PROBE_ROWS", 4)

    def pages(q):
        return [search(client, q, page=n)[1:] for n in (1, 2)]

    queries = ("lantern", "kite", "lantern -kite", "parade", '"lantern parade"', "kite lantern")
    kept = {q: pages(q) for q in queries}
    monkeypatch.setattr(postgres, "STATISTICS_SECONDS", 0)  # read afresh for every search
    assert {q: pages(q) for q in queries} == kept
    assert kept["lantern"][0][1] == "More than 12 results"
    assert kept["kite"][0][1] == "10 results"


def test_a_highest_id_kept_from_before_new_posts_gives_the_same_results(app, client, forum, monkeypatch):
    """PostgreSQL keeps the index's highest id (and each word's lexemes) with the word counts: the id only places
    the partitions' edges, and the newest range is open above, so posts written since are found, and pages are
    the same as with everything read afresh."""
    from forum.search import postgres, service

    space, sam = forum
    thread = make_thread(app, space, sam, title="Lanterns", body="Lantern parade")
    for i in range(6):
        make_post(app, thread, sam, f"Lantern {i}" + (" kite" if i % 3 == 0 else ""))
    monkeypatch.setattr(service, "MAX_RESULTS", 12)  # so the cap falls inside the matches
    monkeypatch.setattr(postgres, "PARTITION_IDS", 4)  # edges every 4 ids: the kept id is several ranges behind
    queries = ("lantern", "kite", "lantern -kite", "parade", '"lantern parade"', "kite lantern")

    def pages(q):
        return [search(client, q, page=n)[1:] for n in (1, 2)]

    for q in queries:
        pages(q)  # the highest id and the lexemes are read, and kept
    for i in range(6, 30):
        make_post(app, thread, sam, f"Lantern {i}" + (" kite" if i % 3 == 0 else ""))
    kept = {q: pages(q) for q in queries}
    monkeypatch.setattr(postgres, "STATISTICS_SECONDS", 0)  # read afresh for every search
    assert {q: pages(q) for q in queries} == kept
    assert kept["lantern"][0][1] == "More than 12 results"
    assert kept["kite"][0][1] == "10 results"


def test_words_inside_web_and_email_addresses_are_found(app, client, forum):
    space, sam = forum
    thread = make_thread(app, space, sam, title="Useful links",
                         body="See https://www.gov.uk/guidance/social-media-use or ask comms@example.org")
    for q in ("gov", "guidance", "gov.uk", "www.gov.uk/guidance", "comms@example.org", "example"):
        assert found(client, q) == [thread.first_post_id], q
