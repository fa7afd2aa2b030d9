"""The leak suite for every post state, role and surface (#16).

The world (tests/post_states.py) holds a post in every state, each with canary words: hidden by a
moderator, waiting for approval, deleted, imported from a speaker removed at their request,
anonymous, moved from a public into a secret space, merged out of a secret thread, split off with an
anonymous first post; and the closed spaces of tests/leaks.py. It is built once for the module,
through the app's forms and command line, and only read afterwards.

Each role (a visitor, a pending sign-up, an approved outsider, an ex-member, a suspended member, the
host of another space, a plain member, the spaces' host, a site moderator) requests every GET route
in app.url_map with every id. A canary that shows to someone its rule does not allow is a leak; all
leaks of a role are reported at once. Addresses of what someone may not know exists must answer as
addresses of nothing do. Posts waiting for approval must change nothing that others see. Every email
the forum wrote is read. Controls prove each canary renders where it should.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from forum.models import ModerationLogEntry, OutboxMessage, Post, Space
from tests.conftest import _postgres_database, make_test_app
from tests.factories import login, make_member, make_space, make_thread
from tests.leaks import get_endpoints
from tests.post_states import (ANON, CAN, CHAT_POSTS, COMMON, HIDDEN, MERGED, NO_SUCH_ID, OUTSIDE, ROLES, WAITING,
                               all_routes, build, canaries, own_urls, post_form)


@pytest.fixture(scope="module")
def leak_app(postgres_url, sqlite_template, tmp_path_factory):
    """One app and database for the whole module: the world is built once and only read."""
    if postgres_url is None:
        path = tmp_path_factory.mktemp("leaks") / "forum.sqlite3"
        shutil.copyfile(sqlite_template, path)
        urls = iter([f"sqlite:///{path}"])
    else:
        urls = _postgres_database()  # a database of its own, dropped afterwards
    url = next(urls)
    # Every client here comes from one address: the posting limit would answer 429 to the checks.
    app = make_test_app(url, tmp_path_factory.mktemp("instance"), RATELIMIT_ENABLED=False)
    yield app
    with app.app_context():
        app.extensions["forum"].db.engine.dispose()
    next(urls, None)


@pytest.fixture(scope="module")
def world(leak_app, tmp_path_factory):
    return build(leak_app, tmp_path_factory.mktemp("transcripts"))


@pytest.fixture(scope="module")
def scans(leak_app, world):
    """Each role's pass over every route, made once and shared by the tests that read it."""
    done = {}

    def scan(role: str) -> Scan:
        if role not in done:
            done[role] = _scan(leak_app, world, role)
        return done[role]
    return scan


class Scan:
    """What one role saw: the canaries it should not have, the ones it did (for controls), and errors."""

    def __init__(self):
        self.leaks: list[tuple[str, str, str]] = []       # (url, canary, what it is)
        self.seen: dict[str, list[str]] = defaultdict(list)  # canary: urls where it showed and may show
        self.errors: list[tuple[str, int]] = []
        self.answers: dict[str, tuple[int, str]] = {}       # url: (status, Location)
        self.threads: dict[str, str] = {}                  # url: the thread pages it read


def _client(app, member):
    client = app.test_client()
    if member is not None:
        login(client, member)
    return client


def _scan(app, world, role: str) -> Scan:
    w, x = world
    table = all_routes(w, x)
    client = _client(app, x.people[role])
    scan = Scan()
    urls = [url for endpoint in sorted(get_endpoints(app)) for url in table.get(endpoint, [])] + own_urls(role)
    rules = canaries(w, x)
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            scan.errors.append((url, response.status_code))
        scan.answers[url] = response.status_code, response.headers.get("Location", "")
        if url.startswith("/threads/") and response.status_code == 200:
            scan.threads[url] = response.get_data(as_text=True)
        text = (response.get_data(as_text=True) + " " + response.headers.get("Location", "")).lower()
        asked = url.lower()
        for canary in rules:
            if canary.word not in text or canary.word in asked:  # a search echoes its own words
                continue
            if canary.may_show(role, url):
                scan.seen[canary.word].append(url)
            else:
                scan.leaks.append((url, canary.word, canary.what))
    return scan


def _report(leaks) -> str:
    return "\n".join(f"  {url}  shows {word} ({what})" for url, word, what in leaks)


# -- every route, every role -----------------------------------------------------------------------------------------

def test_every_get_route_is_classified(leak_app, world):
    missing = get_endpoints(leak_app) - set(all_routes(*world))
    assert not missing, f"add these endpoints to routes() in tests/leaks.py: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
def test_no_canary_reaches_a_role_its_rule_does_not_allow(scans, role):
    scan = scans(role)
    assert not scan.errors, f"server errors for {role}: {scan.errors}"
    assert not scan.leaks, f"{len(scan.leaks)} leaks to the {role}:\n{_report(scan.leaks)}"


def test_every_canary_is_seen_by_its_control_role(scans, world):
    w, x = world
    unseen = [f"{c.word} ({c.what}) by the {c.control}" for c in canaries(w, x)
              if c.control and not scans(c.control).seen.get(c.word)]
    assert not unseen, "these canaries never rendered for their control role, so their tests prove nothing: " + \
        ", ".join(unseen)
    not_before = [check for check, seen in x.controls.items() if not seen]
    assert not not_before, f"before the change of state: {not_before}"


# -- existence: an address of what one may not know about answers as an address of nothing ---------------------------

THREAD_URLS = ["/threads/{}", "/threads/{}/some-title", "/threads/{}?page=2", "/threads/{}/reply",
               "/threads/{}/tools"]
POST_URLS = ["/posts/{}", "/posts/{}/edit", "/posts/{}/delete", "/posts/{}/report", "/posts/{}/history",
             "/posts/{}/promote", "/posts/{}/reveal"]
CHAT_URLS = ["/chats/{}", "/chats/{}.ics", "/chats/{}/edit", "/import?chat={}"]
SPACE_URLS = ["/spaces/{}", "/spaces/{}/new", "/spaces/{}/members", "/spaces/{}/feed.atom", "/admin/spaces/{}/edit",
              "/search?q=words&space={}"]
# Forms that write nothing when empty, so the world stays as built whatever the answer.
THREAD_FORMS = [("/threads/{}/reply", {"body": ""}), ("/watch", {"kind": "thread", "target": "{}", "next": "/"})]
POST_FORMS = [("/posts/{}/moderate", {}), ("/posts/{}/report", {"reason": ""}), ("/posts/{}/reveal", {"reason": ""}),
              ("/posts/{}/edit", {"body": ""})]
SPACE_FORMS = [("/spaces/{}/join", {"message": ""}), ("/spaces/{}/new", {"title": "", "body": ""})]
CHAT_FORMS = [("/chats/{}/questions", {"text": ""})]


def _unknowable(w, x) -> list[tuple[str, str, str, str]]:
    """(what, kind, id, what a role needs to know it exists) for everything some roles may not know about."""
    return [
        ("private thread", "thread", w.private_thread.id, "private"),
        ("secret thread", "thread", w.secret_thread.id, "secret"),
        ("chat thread moved into the secret space", "thread", x.q1, "secret"),
        ("thread merged away in the secret space", "thread", x.merged_away, "secret"),
        ("thread waiting for approval", "thread", x.wait_thread, "moderate"),
        ("private post", "post", w.private_post, "private"),
        ("private anonymous post", "post", x.anon, "private"),
        ("secret post", "post", w.secret_post, "secret"),
        ("answer in the moved chat thread", "post", x.q1_answer, "secret"),
        ("post of the merged-away thread", "post", x.merged_post, "secret"),
        ("reply waiting for approval", "post", x.wait_reply, "moderate"),
        ("first post of the waiting thread", "post", x.wait_first, "moderate"),
        ("anonymous post waiting for approval", "post", x.anon_waiting, "moderate"),
        ("private chat", "chat", w.private_chat, "private"),
        ("secret space", "space", "hidden", "secret"),
    ]


def _answer(client, method: str, url: str, data: dict | None, prefix: str | None):
    response = client.get(url) if method == "GET" else post_form(client, url, data, prefix)
    return response.status_code, response.headers.get("Location", "")


def _same_place(location: str, url: str) -> str:
    """A Location with the asked URL (as it is, or quoted into ?next=) replaced by a marker."""
    path = url.split("?")[0] if url.startswith("/search") else url
    for form in (quote(path, safe=""), quote(path), path):
        location = location.replace(form, "<asked>")
    return location


@pytest.mark.parametrize("role", [*OUTSIDE, "member"])
def test_what_a_role_may_not_know_about_answers_like_nothing(leak_app, world, scans, role):
    w, x = world
    client = _client(leak_app, x.people[role])
    answered = scans(role).answers  # the GETs the leak scan made already
    can = CAN.get(role, set())
    quoting = f"/threads/{w.public_thread.id}/reply?quote=" + "{}"
    gets = {"thread": THREAD_URLS, "post": [*POST_URLS, quoting], "chat": CHAT_URLS, "space": SPACE_URLS}
    forms = {"thread": THREAD_FORMS, "post": POST_FORMS, "chat": CHAT_FORMS, "space": SPACE_FORMS}
    nothing = {"thread": NO_SUCH_ID, "post": NO_SUCH_ID, "chat": NO_SUCH_ID, "space": "no-such-space"}
    differences, fakes = [], {}
    for what, kind, ident, needs in _unknowable(w, x):
        if needs in can:
            continue
        checks = [("GET", template, None) for template in gets[kind]] + [("POST", t, d) for t, d in forms[kind]]
        for method, template, data in checks:
            prefix = f"p{ident}" if template == "/posts/{}/moderate" else None
            real_url, fake_url = template.format(ident), template.format(nothing[kind])
            real = (answered.get(real_url) if method == "GET" else None) or \
                _answer(client, method, real_url, _fill(data, ident), prefix)
            if (method, fake_url) not in fakes:
                fakes[method, fake_url] = _answer(client, method, fake_url, _fill(data, nothing[kind]),
                                                  f"p{nothing[kind]}" if prefix else None)
            fake = fakes[method, fake_url]
            if (real[0], _same_place(real[1], real_url)) != (fake[0], _same_place(fake[1], fake_url)):
                differences.append(f"  {method} {real_url} ({what}): {real[0]} {real[1]!r}, but nothing "
                                   f"answers {fake[0]} {fake[1]!r}")
    assert not differences, f"the {role} can tell these exist:\n" + "\n".join(differences)


def _fill(data: dict | None, ident) -> dict | None:
    return None if data is None else {k: str(ident) if v == "{}" else v for k, v in data.items()}


def test_a_member_of_the_secret_space_follows_a_merged_thread(leak_app, world):
    w, x = world
    response = _client(leak_app, w.member).get(f"/threads/{x.merged_away}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/threads/{w.secret_thread.id}")
    assert MERGED["body"] in _client(leak_app, w.member).get(f"/threads/{w.secret_thread.id}").get_data(as_text=True)


def test_a_merged_threads_id_is_never_given_to_a_new_thread(app):
    """Old links to a merged thread lead to where it went, even when it was the newest thread (SQLite reuses the
    largest rowid once it is deleted, unless the table says AUTOINCREMENT)."""
    member = make_member(app, "Secret Member")
    host = make_member(app, "Secret Host")
    secret = make_space(app, "vault", visibility="secret", members=[member], hosts=[host])
    target = make_thread(app, secret, member, title="The thread that stays")
    merged = make_thread(app, secret, member, title=f"Merged away {MERGED['title']}")
    client = _client(app, host)
    response = post_form(client, f"/threads/{merged.id}/tools",
                         {"target": str(target.id), "merge": "Merge this thread into the other"})
    assert response.status_code == 302
    newer = make_thread(app, make_space(app, "square"), member, title="A new public thread")
    assert newer.id != merged.id, "the merged thread's id was given to a new public thread"
    response = _client(app, member).get(f"/threads/{merged.id}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/threads/{target.id}")
    assert _client(app, None).get(f"/threads/{merged.id}").status_code == 404


def test_the_waiting_thread_shows_to_its_author_and_to_the_host(leak_app, world):
    w, x = world
    for who in ("newcomer", "host"):
        response = _client(leak_app, x.people[who]).get(f"/threads/{x.wait_thread}")
        assert response.status_code == 200 and WAITING["title"] in response.get_data(as_text=True), who
    page = _client(leak_app, x.people["anon_author"]).get(f"/threads/{w.private_thread.id}").get_data(as_text=True)
    assert WAITING["anon"] in page and ANON["body"] in page


# -- posts waiting for approval change nothing that others see -------------------------------------------------------

@pytest.mark.parametrize("role", [*OUTSIDE, "member"])
def test_waiting_posts_change_nothing_that_others_see(world, role):
    _w, x = world
    changed = x.waiting_diffs[role]
    assert not changed, (f"posts waiting for approval changed {len(changed)} pages for the {role} "
                         "(counts, latest post, lists, feeds, search):\n" +
                         "\n".join(f"  {url}: {change}" for url, change in changed))


def test_control_the_host_sees_the_waiting_posts_appear(world):
    _w, x = world
    changed = {url for url, _change in x.waiting_diffs["host"]}
    assert {"/spaces/open", f"/threads/{x.q2}", "/moderation"} <= changed, (
        f"the comparison should see the waiting posts appear for the host; it saw changes at {sorted(changed)}")


@pytest.mark.parametrize("role", ROLES)
def test_search_counts_only_the_results_it_lists(leak_app, world, role):
    _w, x = world
    for url in (f"/search?q={COMMON}", "/search?q=anonymous", "/search?q=waiting"):
        page = _client(leak_app, x.people[role]).get(url).get_data(as_text=True)
        total = re.search(r"([\d,]+) results?\b", page)
        listed = set(re.findall(r'href="/posts/(\d+)"', page))
        assert total, f"{url} no longer says how many results it found"
        assert int(total[1].replace(",", "")) == len(listed), (
            f"{url} tells the {role} of {total[1]} results but lists {len(listed)}")


_COUNT = re.compile(r"\b(\d+) posts?\b")
_SHOWN = re.compile(r'id="post-(\d+)"')


def _count_and_shown(page: str) -> tuple[int | None, int]:
    count = _COUNT.search(page)
    return (int(count[1]) if count else None), len(set(_SHOWN.findall(page)))


@pytest.mark.parametrize("role", ROLES)
def test_thread_pages_count_the_posts_they_show(scans, role):
    wrong = []
    for url, page in scans(role).threads.items():
        if "?page=" in url or "/reply" in url or "/tools" in url:
            continue
        count, shown = _count_and_shown(page)
        if count is None:
            wrong.append(f"  {url} no longer says 'N posts'")
        elif count > shown or (count != shown and "moderate" not in CAN.get(role, set())):
            wrong.append(f"  {url} says {count} posts and shows {shown}")
    # Moderators also see what waits for them, which is not counted until they approve it.
    assert not wrong, f"the {role} is told of posts they cannot see:\n" + "\n".join(wrong)


def test_a_recount_after_a_split_still_leaves_out_a_waiting_reply(app):
    member, newcomer = make_member(app, "Regular Poster"), make_member(app, "First Timer")
    moderator = make_member(app, "Counting Moderator", role="moderator")
    space = make_space(app, "queue")
    thread = make_thread(app, space, member, title="Counting replies", replies=2)
    with app.app_context():
        db = app.extensions["forum"].db.session
        db.get(Space, space.id).premoderate_first = 1
        db.commit()
        second = db.scalars(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id)).all()[-1]
    response = post_form(_client(app, newcomer), f"/threads/{thread.id}/reply",
                         {"body": "My first reply, waiting", "submit": "Post reply"})
    assert response.status_code == 302
    response = post_form(_client(app, moderator), f"/threads/{thread.id}/tools",
                         {"split_title": "The second reply, on its own", "posts": [str(second)],
                          "split": "Split ticked replies into a new thread"})
    assert response.status_code == 302
    page = _client(app, None).get(f"/threads/{thread.id}").get_data(as_text=True)
    assert _count_and_shown(page) == (2, 2), "after the split the visitor is told of the waiting reply"


# -- the chat's page counts only what the viewer may read ------------------------------------------------------------

_TOOK_PART = re.compile(r"(\d+)\s+(?:person|people)\s+took part")
_DURING = re.compile(r"(\d+)\s+posts?\s+during the chat")


@pytest.mark.parametrize("role", [*OUTSIDE, "member"])
def test_the_chat_page_counts_only_what_the_viewer_may_read(leak_app, world, role):
    w, x = world
    page = _client(leak_app, x.people[role]).get(f"/chats/{x.chat}").get_data(as_text=True)
    took_part, during = _TOOK_PART.search(page), _DURING.search(page)
    assert took_part and during, "the chat page no longer says 'N people took part, with M posts during the chat'"
    readable = CHAT_POSTS["all"] - (0 if "secret" in CAN.get(role, set()) else CHAT_POSTS["q1"])
    # Whether the removed speaker's posts still count is not settled; the moved thread's must not.
    assert int(during[1]) in (readable, readable - CHAT_POSTS["speaker"]), (
        f"the {role} is told of {during[1]} posts during the chat; they may read {readable}")
    people = 4 if "secret" in CAN.get(role, set()) else 3  # bobp spoke only in Q1
    assert int(took_part[1]) in (people, people - 1), f"the {role} is told {took_part[1]} people took part"
    figures = page.split("Messages per five minutes", 1)
    if len(figures) == 2 and "</table>" in figures[1]:
        table = figures[1].split("</table>", 1)[0]
        total = sum(int(n) for n in re.findall(r'class="numeric">(\d+)<', table))
        assert total == int(during[1]), f"the timeline counts {total} messages, the page says {during[1]}"
    if "secret" not in CAN.get(role, set()):
        assert ">Q1<" not in page, "the timeline marks a question the viewer cannot read"
        # Since the chat, only Q1 (moved) had a visible reply, and Q2's reply waits for approval.
        assert "No replies since the chat" in page, f"the {role} is told of replies since the chat they cannot read"
    else:
        assert "No replies since the chat" not in page, "control: a member of the secret space sees Q1's reply"


# -- a hidden post shows as hidden -----------------------------------------------------------------------------------

def test_a_hidden_post_shows_only_its_placeholder_except_to_moderators(leak_app, world):
    w, x = world
    wrong = []
    for role in ROLES:
        page = _client(leak_app, x.people[role]).get(f"/threads/{w.public_thread.id}").get_data(as_text=True)
        if "moderate" in CAN.get(role, set()):
            if HIDDEN not in page:
                wrong.append(f"the {role} (a moderator of the space) does not see the hidden post")
        elif "This post was hidden by a moderator." not in page or HIDDEN in page:
            wrong.append(f"the {role} does not see just the placeholder")
    assert not wrong, "; ".join(wrong)


# -- the anonymous author --------------------------------------------------------------------------------------------

def test_a_host_sees_the_anonymous_author_only_by_a_logged_reveal(leak_app, world):
    w, x = world
    client = _client(leak_app, w.host)
    with leak_app.app_context():
        db = leak_app.extensions["forum"].db.session
        logged = lambda: db.scalar(select(func.count()).select_from(ModerationLogEntry).where(  # noqa: E731
            ModerationLogEntry.action == "reveal_author", ModerationLogEntry.target_id == x.anon))
        before = logged()
    assert ANON["name"] not in client.get(f"/posts/{x.anon}/reveal").get_data(as_text=True)
    response = post_form(client, f"/posts/{x.anon}/reveal", {"reason": "A complaint about this post"})
    assert response.status_code == 200 and ANON["name"] in response.get_data(as_text=True)
    with leak_app.app_context():
        db = leak_app.extensions["forum"].db.session
        assert logged() == before + 1


def test_watchers_pages_and_feeds_keep_names_and_closed_posts_out(leak_app, world):
    """The watcher (emailed at once, mentioned in the anonymous post) and the digest reader read their own pages."""
    w, x = world
    rules = canaries(w, x)
    leaks = []
    for who in ("watcher", "digester"):
        client = _client(leak_app, x.people[who])
        for url in ("/notifications", "/watching", "/account/data", "/", f"/search?q={quote('marmalade')}",
                    f"/threads/{w.private_thread.id}", f"/feeds/member/{who}-feed-token.atom"):
            text = client.get(url).get_data(as_text=True).lower()
            leaks += [(url, c.word, f"{c.what}, to the {who}") for c in rules
                      if c.word in text and c.word not in url and not c.may_show(who, url)]
    assert not leaks, _report(leaks)


# -- email -----------------------------------------------------------------------------------------------------------

def test_no_email_carries_what_its_reader_may_not_see(leak_app, world):
    w, x = world
    by_email = {m.email: role for role, m in x.people.items() if m is not None}
    with leak_app.app_context():
        messages = leak_app.extensions["forum"].db.session.scalars(select(OutboxMessage)).all()
    waiting_links = [f"/posts/{x.wait_reply}", f"/posts/{x.wait_first}", f"/posts/{x.anon_waiting}",
                     f"/threads/{x.wait_thread}"]
    closed_words = {c.word for c in canaries(w, x) if c.needs in ("private", "secret")}
    leaks = []
    for message in messages:
        role = by_email.get(message.to, message.to)
        text = f"{message.subject}\n{message.body}".lower()
        can = CAN.get(role, set())
        for c in canaries(w, x):
            if c.word not in text:
                continue
            if c.word in closed_words:
                allowed = False  # email about a closed space carries only a link
            elif c.word in (ANON["name"], ANON["organisation"]):
                allowed = role == "anon_author"
            else:
                allowed = c.may_show(role, "email")
            if not allowed:
                leaks.append(f"  to the {role}: {c.word} ({c.what}) in {message.subject!r}")
        if "moderate" not in can and role != "newcomer":
            leaks += [f"  to the {role}: a link to {link} (waiting for approval) in {message.subject!r}"
                      for link in waiting_links if re.search(re.escape(link) + r"(?!\d)", message.body)]
    assert not leaks, "emails that say too much:\n" + "\n".join(leaks)
    # Controls: the mention, the digest and the reporter's answer were all written.
    to = defaultdict(list)
    for message in messages:
        to[by_email.get(message.to, message.to)].append(message)
    assert any(re.search(rf"/posts/{x.anon}(?!\d)", m.body) for m in to["watcher"]), "the mention sent no email"
    assert any("digest" in m.subject.lower() for m in to["digester"]), "no digest was sent"
    assert any(m.subject.startswith("Recap:") for m in to["watcher"]), "the chat's recap was not sent"
    assert any("report" in m.subject.lower() for m in to["outsider"]), "the reporter was not told"


# -- the stored post cards (#19) --------------------------------------------------------------------------------------

_PER_REQUEST = re.compile(r'(name="(?:csrf_token|submission_key)"[^>]*? value=")[^"]*"')


def _as_read(page: str) -> str:
    """A thread page without what every request makes anew (the CSRF token, the one-time submission key)."""
    return _PER_REQUEST.sub(r'\1"', page)


@pytest.mark.parametrize("role", ROLES)
def test_thread_pages_from_stored_cards_are_the_pages_made_for_each_role(leak_app, world, scans, role):
    """After every role has read every thread page (storing cards for their classes), each role reads them
    again: what they get, with cards from the store, is exactly what was made for them the first time."""
    for each in ROLES:
        scans(each)
    _w, x = world
    client = _client(leak_app, x.people[role])
    stored, changed = 0, []
    for url, first in scans(role).threads.items():
        response = client.get(url)
        assert response.status_code == 200, url
        # A visitor's page comes from the page cache whole; a page made anew says how many cards were stored.
        stored += int(response.headers.get("X-Forum-Cards", "0 of 0").split(" of ")[0])
        stored += response.headers.get("X-Forum-Cache") == "hit"
        if _as_read(response.get_data(as_text=True)) != _as_read(first):
            changed.append(url)
    assert not changed, f"the {role} got other pages with stored cards:\n" + "\n".join(changed)
    if role not in ("host", "moderator"):  # who moderates these spaces gets every card made for them
        assert stored > 0, f"no card came from the store for the {role}"
