"""Links shared in chats (#20): found in imported and posted words, merged across chats, and only where the reader may look."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

import pytest
import time_machine
from sqlalchemy import delete, select

from forum.models import LibraryTag, Link, Post, Thread
from forum.services.links import find_links, normalise
from tests.factories import csrf_token, db_session, login, make_member, make_space, submit

# The first chat is on Friday 20 November 2026 and the second a week later; the tests run on the day after.
TODAY = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)

CHAT_ONE = """\
[12:58] Sam Hartley: Welcome to #lgovsm! Our house rules: https://www.lgovsm.org.uk/rules/?utm_source=twitter#top
[13:00] Sam Hartley: Q1: How do you reach residents who never visit the council website? #lgovsm
[13:02] Ana Farias: A1 Facebook groups run by residents, as in https://Example.org/groups/?utm_medium=social&fbclid=abc #lgovsm
[13:03] Jo Bloggs: A1 we wrote ours up at https://WWW.example.org:443/groups #lgovsm
[13:05] Priya Shah: A1 this thread says it well https://t.co/AbC123 #lgovsm
[13:06] Tom Reed: A1 library noticeboards, still, for older residents #lgovsm
[13:20] Sam Hartley: Q2: Who signs off your posts, and how long does it take? #lgovsm
[13:22] Tom Reed: A2 our policy is at https://anytown.gov.uk/social-media-policy?page=2&mc_cid=xyz #lgovsm
[13:24] Ana Farias: A2 the comms manager, same day usually #lgovsm
[13:58] Sam Hartley: That's time! Thanks all for joining this week's #lgovsm
"""

CHAT_TWO = """\
[13:00] Sam Hartley: Q1: What did you try after last week's chat? #lgovsm
[13:04] Priya Shah: A1 we copied the residents' groups idea: https://example.org/groups#how #lgovsm
[13:07] Jo Bloggs: A1 and we read https://budget.example.net/consultation #lgovsm
[13:58] Sam Hartley: That's time! Thanks all #lgovsm
"""


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


def import_chat(runner, tmp_path, space: str, text: str, start: str) -> int:
    """Import a transcript with the command line, as a host does after a chat; return the chat's id."""
    path = tmp_path / f"{space}-{start[:2]}.txt"
    path.write_text(text)
    result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", space, "--start", start, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["chat_id"]


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def post_with(app, words: str) -> int:
    with app.app_context():
        return db_session(app).scalar(select(Post.id).where(Post.body_source.contains(words)))


@pytest.fixture
def chats(app):
    host = make_member(app, "Sam Host")
    space = make_space(app, "lgovsm-chat", name="lgovsm chat", hosts=[host])
    return host, space


# -- the normal form of a URL -----------------------------------------------------------------------------------

@pytest.mark.parametrize("posted, normal", [
    ("HTTPS://WWW.Example.ORG:443/Guide/", "https://example.org/Guide"),
    ("http://example.org:80/", "http://example.org"),
    ("http://example.org:8080/x", "http://example.org:8080/x"),
    ("https://example.org/page?utm_source=x&utm_medium=y&id=7&fbclid=a&gclid=b&mc_cid=c&mc_eid=d#part",
     "https://example.org/page?id=7"),
    ("https://example.org/search?q=budget&page=2", "https://example.org/search?q=budget&page=2"),
    ("https://example.org/s?q=a%20b&x=1+2&UTM_Source=x", "https://example.org/s?q=a%20b&x=1+2"),
    ("https://t.co/AbC123", "https://t.co/AbC123"),
    ("https://user:secret@example.org/a", "https://example.org/a"),
])
def test_urls_are_normalised_so_the_same_page_merges(posted, normal):
    assert normalise(posted)[0] == normal


@pytest.mark.parametrize("posted", ["mailto:someone@example.org", "/threads/4", "javascript:alert(1)", "https://",
                                    "https://example.org:99999/", "https://" + "a" * 3000 + ".org"])
def test_what_is_not_a_web_link_is_not_listed(posted):
    assert normalise(posted) is None


def test_http_and_https_stay_apart():
    assert normalise("http://example.org/a")[0] != normalise("https://example.org/a")[0]


def test_a_link_inside_a_quote_belongs_to_the_quoted_post():
    body = ('<blockquote><p><a href="https://quoted.example/">q</a></p></blockquote>'
            '<p><a href="https://mine.example/a">m</a> and <a href="https://mine.example/a/">again</a></p>')
    assert [url for url, _shown, _domain in find_links(body)] == ["https://mine.example/a"]


# -- a chat's links ----------------------------------------------------------------------------------------------

def test_an_imported_chat_lists_its_links_with_who_shared_them_where_and_when(app, runner, client, tmp_path, chats):
    chat_id = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    text = page(client, f"/chats/{chat_id}/links")
    assert text.count('rel="nofollow ugc noopener"') == 4  # rules, groups (twice, merged), t.co, the policy
    assert "(on example.org)" in text and "(on anytown.gov.uk)" in text and "(on t.co)" in text
    # The first share shows: Ana's, under Q1, at 1:02pm; Jo's share of the same page counts, merged.
    groups = text[text.index("https://Example.org/groups/"):]
    assert "Shared by Ana Farias" in groups[:600]
    assert "Q1: How do you reach residents who never visit the council website?" in groups[:600]
    assert "20 November 2026, 1:02pm" in groups[:600]
    assert "Shared 2 times in this chat" in groups[:800]
    assert "https://t.co/AbC123" in text  # kept as it is: we cannot resolve it offline
    # The chat's page leads here.
    assert f'href="/chats/{chat_id}/links"' in page(client, f"/chats/{chat_id}")


def test_duplicates_across_two_chats_merge_with_a_count(app, runner, client, tmp_path, chats):
    first = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    second = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_TWO, "27/11/2026 13:00")
    assert first != second
    text = page(client, "/links")
    assert text.count("(on example.org)") == 1
    entry = text[text.index("(on example.org)"):]
    assert "Came up 3 times in 2 chats" in entry[:700]
    assert "Last shared by Priya Shah" in entry[:400]
    assert "4 links" not in text and "5 links" in text  # rules, groups, t.co, the policy, the consultation
    chat_two = page(client, f"/chats/{second}/links")
    assert "Came up 3 times in 2 chats" in chat_two
    # Searching finds by URL and by the question's title.
    assert "budget.example.net" in page(client, "/links?q=BUDGET")
    assert "anytown.gov.uk" not in page(client, "/links?q=budget")
    assert "anytown.gov.uk" in page(client, "/links?q=signs+off")
    # Most shared first.
    most = page(client, "/links?order=most")
    assert most.index("(on example.org)") < most.index("(on anytown.gov.uk)")


def test_links_filter_by_service_area(app, runner, client, tmp_path, chats):
    host, _space = chats
    first = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    import_chat(runner, tmp_path, "lgovsm-chat", CHAT_TWO, "27/11/2026 13:00")
    with app.app_context():
        db = db_session(app)
        finance = db.scalar(select(LibraryTag.id).where(LibraryTag.slug == "communications"))
        q2 = db.scalar(select(Thread.id).where(Thread.chat_id == first, Thread.question_number == 2))
    login(client, host)
    response = submit(client, f"/chats/{first}/topics", {f"thread-{q2}": str(finance), "submit": "Save the topics"})
    assert response.status_code == 302
    text = page(client, "/links?area=communications")
    assert "anytown.gov.uk" in text and "example.org" not in text and "1 link." in text
    assert "No links match" in page(client, "/links?area=housing")
    assert "There is no such service area" in page(client, "/links?area=nowhere", 404)
    assert page(client, "/links?page=9", 404)


def test_the_feed_of_new_links_holds_what_visitors_may_read(app, runner, client, tmp_path, chats):
    import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    response = client.get("/links/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")]
    assert "anytown.gov.uk: https://anytown.gov.uk/social-media-policy?page=2&mc_cid=xyz" in titles
    assert len(titles) == 5  # every share, the repeated page too
    links = [e.find(f"{atom}link").get("href") for e in feed.iter(f"{atom}entry")]
    assert all(href.startswith("http://localhost/posts/") for href in links)
    summary = next(e.findtext(f"{atom}summary") for e in feed.iter(f"{atom}entry"))
    assert 'rel="nofollow ugc noopener"' in summary


# -- only where the reader may look ----------------------------------------------------------------------------

def test_a_link_in_a_hidden_post_shows_only_to_the_space_moderators(app, runner, client, tmp_path, chats):
    host, _space = chats
    chat_id = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    policy_post = post_with(app, "anytown.gov.uk")
    moderator = app.test_client()
    login(moderator, host)
    thread_id = _thread_of(app, policy_post)
    token = csrf_token(moderator, f"/threads/{thread_id}")
    moderator.post(f"/posts/{policy_post}/moderate", data={
        f"p{policy_post}-csrf_token": token, f"p{policy_post}-hide": "Hide post", f"p{policy_post}-reason": "Off topic"})
    assert "This post was hidden by a moderator" in page(client, f"/threads/{thread_id}")
    member = app.test_client()
    login(member, make_member(app, "Rae Reader"))
    for viewer in (client, member):
        for url in (f"/chats/{chat_id}/links", "/links", "/links?q=anytown", "/links/feed.atom"):
            assert "social-media-policy" not in page(viewer, url), url
    assert "anytown.gov.uk" in page(moderator, f"/chats/{chat_id}/links")
    assert "anytown.gov.uk" in page(moderator, "/links")


def test_a_link_in_a_private_space_never_reaches_those_outside_it(app, runner, client, tmp_path, chats):
    insider, outsider = make_member(app, "Ina Insider"), make_member(app, "Otto Outsider")
    make_space(app, "evangelists", visibility="private", name="Evangelist support", members=[insider])
    import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    private_chat = import_chat(runner, tmp_path, "evangelists",
                               CHAT_TWO.replace("budget.example.net/consultation", "zqxsecret.org/plan"),
                               "27/11/2026 13:00")
    inside, outside = app.test_client(), app.test_client()
    login(inside, insider)
    login(outside, outsider)
    assert "zqxsecret.org" in page(inside, "/links")
    assert "Came up 3 times in 2 chats" in page(inside, "/links")
    for viewer in (client, outside):
        page(viewer, f"/chats/{private_chat}/links", 404)
        for url in ("/links", "/links?q=zqxsecret", "/links?order=most", "/links/feed.atom"):
            text = page(viewer, url)
            assert "zqxsecret.org" not in text and "What did you try" not in text, url
        # The page shared in both spaces counts only the share the viewer may read.
        assert "Came up 2 times" in page(viewer, "/links") and "in 2 chats" not in page(viewer, "/links")


# -- kept in step with writes -------------------------------------------------------------------------------------

def test_editing_or_deleting_a_post_changes_its_links(app, client, chats):
    host, space = chats
    login(client, host)
    response = submit(client, f"/spaces/{space.slug}/new",
                      {"title": "Budget consultation tools", "body": "We used https://budget.example.net/tool",
                       "submit": "Start thread"})
    assert response.status_code == 302
    assert "budget.example.net/tool" in page(client, "/links")
    post_id = post_with(app, "budget.example.net")
    submit(client, f"/posts/{post_id}/edit", {"body": "Now https://other.example.com/tool", "submit": "Save"})
    text = page(client, "/links")
    assert "other.example.com/tool" in text and "budget.example.net" not in text
    submit(client, f"/posts/{post_id}/delete", {"submit": "Delete"})
    assert "other.example.com" not in page(client, "/links")


def test_the_links_pages_run_the_same_queries_for_few_and_many_links(app, runner, client, tmp_path, chats):
    few = import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    many_text = "[13:00] Sam Hartley: Q1: Share your favourite guides #lgovsm\n" + "".join(
        f"[13:{i // 4 + 1:02d}] Person {i % 9}: A1 https://site{i}.org.uk/guide/{i} and https://shared.org.uk/x #lgovsm\n"
        for i in range(120))
    many = import_chat(runner, tmp_path, "lgovsm-chat", many_text, "27/11/2026 13:00")

    def queries(url):
        response = client.get(url)
        assert response.status_code == 200
        return int(response.headers["X-Forum-Queries"])

    queries("/links")  # the first request also loads what the app keeps for later ones
    assert queries(f"/chats/{few}/links") == queries(f"/chats/{many}/links")
    assert "125 links." in page(client, "/links")  # 4 in the first chat, 121 in the second
    assert queries("/links?page=1") == queries("/links?page=2")


def _thread_of(app, post_id: int) -> int:
    with app.app_context():
        return db_session(app).scalar(select(Post.thread_id).where(Post.id == post_id))


TAGS_HEADER = ("id_str,from_user,text,created_at,time,geo_coordinates,user_lang,in_reply_to_user_id_str,"
               "in_reply_to_screen_name,from_user_id_str,in_reply_to_status_id_str,source,profile_image_url,"
               "user_followers_count,user_friends_count,user_location,status_url,entities_str\n")


def _tweet(tweet_id: int, who: str, text: str, minute: int) -> str:
    return (f'{tweet_id},{who},"{text}",Fri Nov 20 13:{minute:02d}:00 +0000 2026,,,en,,,{tweet_id + 500},,web,,1,1,,'
            f"http://twitter.com/{who}/statuses/{tweet_id},{{}}\n")


def test_a_post_quoting_another_message_of_the_chat_shares_no_link(app, runner, client, tmp_path, chats):
    sheet = TAGS_HEADER + "".join([
        _tweet(1001, "LGovSM", "Q1 Where do residents find you? #lgovsm", 0),
        _tweet(1002, "ana", "A1 on the residents' own groups https://example.org/groups #lgovsm", 2),
        _tweet(1003, "jo", "A1 yes, this! https://twitter.com/ana/status/1002 #lgovsm", 4),
        _tweet(1004, "priya", "A1 and someone else's take https://twitter.com/elsewhere/status/77 #lgovsm", 6),
    ])
    path = tmp_path / "chat.csv"
    path.write_text(sheet)
    result = runner.invoke(args=["forum", "import-transcript", str(path), "--space", "lgovsm-chat", "--json"])
    assert result.exit_code == 0, result.output
    text = page(client, f"/chats/{json.loads(result.output)['chat_id']}/links")
    assert "example.org/groups" in text and "twitter.com/elsewhere/status/77" in text
    assert "twitter.com/ana/status/1002" not in text


def test_relink_finds_the_links_of_posts_stored_before_links_were_kept(app, runner, client, tmp_path, chats):
    import_chat(runner, tmp_path, "lgovsm-chat", CHAT_ONE, "20/11/2026 12:58")
    before = page(client, "/links")
    with app.app_context():
        db = db_session(app)
        db.execute(delete(Link))
        db.commit()
    assert "No links match" in page(client, "/links")
    result = runner.invoke(args=["forum", "relink"])
    assert result.exit_code == 0 and "Found 5 links shared in posts." in result.output
    assert page(client, "/links") == before


def test_a_link_posted_without_a_name_names_nobody(app, client):
    author = make_member(app, "Nia Named")
    space = make_space(app, "ask-anything", anonymous_posting=True)
    login(client, author)
    response = submit(client, f"/spaces/{space.slug}/new",
                      {"title": "Is this allowed?", "body": "Our policy: https://policy.org.uk/social", "anonymous": "y",
                       "submit": "Start thread"})
    assert response.status_code == 302
    for viewer in (app.test_client(), client):
        text = page(viewer, "/links")
        main = text[text.index("<main"):text.index("</main>")]
        assert "policy.org.uk/social" in main and "Nia Named" not in main and "/members/" not in main
    assert "Last shared by A member of this space" in page(app.test_client(), "/links")
    assert "Last shared by You, posting without your name" in page(client, "/links")
    feed = app.test_client().get("/links/feed.atom").get_data(as_text=True)
    assert "policy.org.uk/social" in feed and "Nia Named" not in feed
