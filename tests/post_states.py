"""A world with a post in every state, each carrying canaries, for tests/functional/test_leaks_posts.py.

On top of tests/leaks.py's closed spaces, built through the app's own forms, command line and services:
a hidden post, posts and a thread waiting for approval, a deleted (and edited) post, an imported chat
whose speaker asked to be removed, anonymous posts by a member whose name and organisation are
canaries, a chat question thread moved from a public into a secret space, a secret thread merged
into another, and a split whose new thread starts with an anonymous post. Watchers, a mention, a
report and a digest make the forum send every email it sends.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select, update

from forum.models import Member, Post, Space, SpaceMembership, Speaker, Thread
from forum.services import read_state
from tests.factories import csrf_token, login, make_member, make_space, make_thread
from tests.leaks import PRIVATE, SECRET, World, build_world, routes

# Canary tokens, one word each; COMMON is in every post that carries one, so one search finds them all.
COMMON = "marmalade"
HIDDEN = "zqxhiddenbody"
WAITING = {"reply": "zqxwaitreply", "title": "zqxwaittitle", "body": "zqxwaitbody", "anon": "zqxanonwaitbody"}
DELETED = "zqxdeletedbody"
SPEAKER = {"body": "zqxspkbody", "name": "zqxspkname", "handle": "zqxspkhandle"}
ANON = {"name": "zqxanonname", "organisation": "zqxanonorg", "body": "zqxanonbody", "split": "zqxsplitbody",
        "split_title": "zqxsplittitle"}
MOVED = {"title": "zqxmovedqtitle", "body": "zqxmovedqbody", "reply": "zqxmovedqreply"}
MERGED = {"title": "zqxmergedtitle", "body": "zqxmergedbody"}

# Who is looking. "other_host" hosts a space of their own, not these; "host" hosts the spaces with the canaries.
OUTSIDE = ["visitor", "pending", "outsider", "ex_member", "suspended", "other_host"]
ROLES = [*OUTSIDE, "member", "host", "moderator"]
# What each may read: "private"/"secret" the closed spaces, "moderate" what only their moderators see.
CAN = {"member": {"private", "secret"}, "host": {"private", "secret", "moderate"},
       "moderator": {"private", "secret", "moderate", "site"},
       "watcher": {"private"}, "digester": {"private"}}
NO_SUCH_ID = 999999

# A small TAGS export: a welcome, Q1 (moved to the secret space later), Q2 with the removed speaker's
# answer and a reply to it, and the wrap-up. bobp speaks only in Q1.
_TAGS_HEADER = "id_str,from_user,text,created_at,in_reply_to_status_id_str,status_url\n"
_TAGS_ROWS = [
    ("1001", "LGovSM", "Welcome to #lgovsm! Q1 coming up in 2 mins", "19:00:05", ""),
    ("1002", "LGovSM", f"Q1 How do you answer {MOVED['title']} complaints? #lgovsm", "19:02:00", ""),
    ("1003", "ann_council", f"A1 We triage daily {MOVED['body']} {COMMON} https://{MOVED['body']}.org.uk/triage #lgovsm", "19:04:31", ""),
    ("1004", "bobp", "A1 same here, a shared inbox #lgovsm", "19:06:10", ""),
    ("1005", "LGovSM", "Q2 What tools do you use? #lgovsm", "19:10:00", ""),
    ("1006", SPEAKER["handle"], f"A2 A spreadsheet {SPEAKER['body']} {COMMON} #lgovsm", "19:12:45", ""),
    ("1007", "ann_council", "A2 Spreadsheets here too #lgovsm", "19:14:00", "1006"),
    ("1008", "LGovSM", "Thanks all, that's a wrap! #lgovsm", "19:20:00", ""),
]
CHAT_POSTS = {"all": 8, "q1": 3, "speaker": 1}  # posts during the chat: all, in Q1, by the removed speaker


def tags_csv() -> str:
    """The chat as a TAGS sheet exports it, newest first."""
    lines = [_TAGS_HEADER]
    for tweet_id, who, text, clock, reply_to in reversed(_TAGS_ROWS):
        lines.append(f'{tweet_id},{who},"{text}",Wed May 08 {clock} +0000 2024,{reply_to},'
                     f"http://twitter.com/{who}/statuses/{tweet_id}\n")
    return "".join(lines)


@dataclass
class Posts:
    """The ids of everything the post-state world adds, and the people in it."""

    people: dict[str, Member | None]   # every role, and the watcher, digester, anonymous author and newcomer
    chat: int = 0
    q1: int = 0
    q2: int = 0
    welcome: int = 0
    q1_answer: int = 0
    q1_reply: int = 0
    speaker: int = 0
    speaker_post: int = 0
    hidden: int = 0
    deleted: int = 0
    merged_away: int = 0
    merged_post: int = 0
    anon: int = 0
    anon_waiting: int = 0
    split_source: int = 0
    split_thread: int = 0
    split_first: int = 0
    wait_thread: int = 0
    wait_first: int = 0
    wait_reply: int = 0
    elsewhere_thread: int = 0
    controls: dict[str, bool] = field(default_factory=dict)  # canaries seen before their post changed state
    waiting_diffs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # role: [(url, what changed)]


@dataclass(frozen=True)
class Canary:
    """A canary, who may see it, and where it may or may never show."""

    word: str
    what: str
    needs: str | None                      # what a role must be able to read to see it; None: nobody
    control: str | None = None             # a role that must see it somewhere, so that it is known to render
    also: Callable[[str, str], bool] = lambda role, url: False   # (role, url) where it may show as well
    never: Callable[[str], bool] = lambda url: False             # URLs where nobody may see it

    def may_show(self, role: str, url: str) -> bool:
        if self.never(url):
            return False
        return (self.needs is not None and self.needs in CAN.get(role, set())) or self.also(role, url)


def canaries(w: World, x: Posts) -> list[Canary]:
    """Every canary of both worlds with its rule."""
    anon_author = x.people["anon_author"].id

    def about_the_author(url: str) -> bool:  # their profile, and search by their name as author
        return url == f"/members/{anon_author}" or f"author={quote(ANON['name'])}" in url

    # The anonymous author's name and organisation belong on pages about the member, nowhere else.
    member_pages = (lambda role, url: url.split("?")[0] == "/members" or url == f"/members/{anon_author}"
                    or (url.startswith("/spaces/") and url.endswith("/members")))
    # Forms that offer the known organisations to pick from say nothing about who wrote what.
    organisation_lists = (lambda role, url: member_pages(role, url) or url in ("/register", "/account/profile"))
    found = [Canary(word, f"private space {key}", "private", "member") for key, word in PRIVATE.items()
             if key != "anon"]
    found += [Canary(word, f"secret space {key}", "secret", "member") for key, word in SECRET.items()]
    found += [
        Canary(PRIVATE["anon"], "anonymous post by the insider (on their profile, or found by their name)",
               "private", "member", never=lambda url: url == f"/members/{w.member.id}" or "author=Insider" in url),
        # Its author (the member) gets what they wrote in their own data export, hidden or not.
        Canary(HIDDEN, "hidden post's body", "moderate", "host",
               also=lambda role, url: role == "member" and url == "/account/data"),
        Canary(WAITING["reply"], "waiting reply's body", "moderate", "host"),
        Canary(WAITING["title"], "waiting thread's title", "moderate", "host"),
        Canary(WAITING["body"], "waiting thread's body", "moderate", "host"),
        Canary(WAITING["anon"], "waiting anonymous post's body", "moderate", "host"),
        Canary(DELETED, "deleted post's body", None),
        Canary(SPEAKER["body"], "removed speaker's post", None),
        Canary(SPEAKER["name"], "removed speaker's name", None,
               also=lambda role, url: role == "moderator" and url == f"/speakers/{x.speaker}/hide"),
        Canary(SPEAKER["handle"], "removed speaker's handle", None,
               also=lambda role, url: role == "moderator" and url == f"/speakers/{x.speaker}/hide"),
        Canary(ANON["name"], "anonymous author's name", None, "member", also=member_pages),
        Canary(ANON["organisation"], "anonymous author's organisation", None, "member",
               also=organisation_lists),
        Canary(ANON["body"], "anonymous post (on its author's profile, or found by their name)", "private",
               "member", never=about_the_author),
        Canary(ANON["split"], "split-off anonymous post (on its author's profile, or found by their name)", None,
               "visitor", also=lambda role, url: True, never=about_the_author),
        Canary(ANON["split_title"], "thread split off with an anonymous first post (on its author's profile, or "
               "found by their name)", None, "visitor", also=lambda role, url: True, never=about_the_author),
        Canary(MOVED["title"], "moved chat thread's title", "secret", "member"),
        Canary(MOVED["body"], "moved chat thread's answer", "secret", "member"),
        Canary(MOVED["reply"], "reply in the moved chat thread", "secret", "member"),
        Canary(MERGED["title"], "title of the thread merged away", "secret"),
        Canary(MERGED["body"], "post of the thread merged away", "secret", "member"),
    ]
    words = [c.word for c in found]
    assert all(a == b or a not in b for a in words for b in words), "a canary must not be part of another"
    return found


def all_routes(w: World, x: Posts) -> dict[str, list[str]]:
    """tests/leaks.py's routes, with every post state's ids added."""
    table = {endpoint: list(urls) for endpoint, urls in routes(w).items()}
    post_ids = [x.hidden, x.deleted, x.speaker_post, x.wait_reply, x.wait_first, x.anon, x.anon_waiting,
                x.q1_answer, x.q1_reply, x.merged_post, x.split_first]
    quotes = [(w.public_thread.id, x.hidden), (w.public_thread.id, x.deleted), (x.q2, x.speaker_post),
              (x.q2, x.wait_reply), (w.private_thread.id, x.anon), (w.private_thread.id, x.anon_waiting),
              (x.split_thread, x.split_first), (x.wait_thread, x.wait_first), (w.public_thread.id, x.q1_answer)]
    search = f"/search?q={COMMON}"
    more = {
        "forum.space": ["/spaces/askanon", "/spaces/elsewhere"],
        "forum.new_thread": ["/spaces/open/new", "/spaces/askanon/new"],
        "forum.space_members_page": ["/spaces/open/members", "/spaces/askanon/members"],
        "forum.thread": [f"/threads/{i}" for i in (x.q1, x.q2, x.welcome, x.wait_thread, x.merged_away,
                                                   x.split_source, x.split_thread, x.elsewhere_thread)]
        + [f"/threads/{x.q1}/q1", f"/threads/{x.merged_away}/old-title"],
        "forum.reply": [f"/threads/{i}/reply" for i in (x.q1, x.wait_thread, x.merged_away, x.split_thread)]
        + [f"/threads/{thread}/reply?quote={post}" for thread, post in quotes],
        "forum.post": [f"/posts/{i}" for i in post_ids],
        "forum.edit_post": [f"/posts/{i}/edit" for i in post_ids],
        "forum.delete_post": [f"/posts/{i}/delete" for i in post_ids],
        "forum.reveal_author": [f"/posts/{i}/reveal" for i in post_ids],
        "forum.promote_post": [f"/posts/{i}/promote" for i in post_ids],
        "forum.report_post": [f"/posts/{i}/report" for i in post_ids],
        "forum.post_history": [f"/posts/{i}/history" for i in post_ids],
        "forum.thread_tools": [f"/threads/{i}/tools" for i in (x.q1, x.wait_thread, x.merged_away, x.split_thread)],
        "forum.member": [f"/members/{x.people[who].id}" for who in ("anon_author", "newcomer", "suspended")],
        "forum.members": [f"/members?organisation={ANON['organisation']}"],
        "forum.chat": [f"/chats/{x.chat}"],
        "forum.chat_ics": [f"/chats/{x.chat}.ics"],
        "forum.chat_recap": [f"/chats/{x.chat}/recap"],
        "forum.chat_links": [f"/chats/{x.chat}/links"],
        "forum.edit_chat": [f"/chats/{x.chat}/edit"],
        "forum.import_upload": [f"/import?chat={x.chat}"],
        "forum.hide_speaker": [f"/speakers/{x.speaker}/hide"],
        "forum.space_feed": ["/spaces/askanon/feed.atom"],
        "forum.search": [search, f"{search}&page=2", f"{search}&chats=y", *(f"{search}&space={s}" for s in
                         ("open", "hidden", "evangelists", "askanon")),
                         f"{search}&author={quote(ANON['name'])}", f"{search}&author=%40{SPEAKER['handle']}",
                         f"{search}&author=New+Comer", f"{search}&author=Insider+Member",
                         "/search?q=anonymous", "/search?q=spreadsheet", "/search?q=triage", "/search?q=waiting",
                         "/search?q=hidden", "/search?q=deleted", "/search?q=split", "/search?q=later"],
    }
    for endpoint, urls in more.items():
        table[endpoint] = table[endpoint] + urls
    return table


def own_urls(role: str) -> list[str]:
    """What only this person may fetch: their private feed (its address is its key)."""
    return [] if role == "visitor" else [f"/feeds/member/{role}-feed-token.atom"]


def snapshot_urls(w: World, x: Posts) -> list[str]:
    """The pages where a post waiting for approval could show: lists, counts, feeds, search, profiles."""
    search = [f"/search?q={COMMON}", f"/search?q={COMMON}&space=open", "/search?q=waiting",
              *(f"/search?q={word}" for word in WAITING.values())]
    return ["/", "/spaces/open", "/spaces/evangelists", f"/threads/{x.q2}", f"/threads/{w.private_thread.id}",
            f"/threads/{w.public_thread.id}", f"/chats/{x.chat}", "/chats", "/chats.ics", f"/chats/{x.chat}.ics",
            "/feeds/recent.atom", "/spaces/open/feed.atom", f"/members/{x.people['newcomer'].id}",
            f"/members/{x.people['anon_author'].id}", "/notifications", "/watching", "/account/data",
            "/moderation", *search]


# -- building ------------------------------------------------------------------------------------------------------

def _db(app):
    return app.extensions["forum"].db.session


def _token(client) -> str:
    """A form token for this client's session (fetched once: it stays valid for the session)."""
    if getattr(client, "form_token", None) is None:
        for url in ("/account/notifications", "/account", "/login"):
            try:
                client.form_token = csrf_token(client, url)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError("no page gave a form token")
    return client.form_token


def post_form(client, url: str, data: dict, prefix: str | None = None):
    """Post a form with a valid token (also under the form's prefix), as a browser would."""
    token = _token(client)
    fields = {**data, "csrf_token": token}
    if prefix:
        fields[f"{prefix}-csrf_token"] = token
    return client.post(url, data=fields)


def _act(client, url: str, data: dict, what: str, prefix: str | None = None):
    response = post_form(client, url, data, prefix)
    assert response.status_code in (301, 302, 303), (
        f"setting up the leak world: {what} ({url}) answered {response.status_code}, not a redirect: "
        f"{response.get_data(as_text=True)[:600]}")
    return response


def _post_id(app, word: str) -> int:
    with app.app_context():
        found = _db(app).scalars(select(Post.id).where(Post.body_source.contains(word))).all()
    assert len(found) == 1, f"expected one post containing {word}, found {len(found)}"
    return found[0]


def _sees(app, member, url: str, word: str) -> bool:
    client = app.test_client()
    if member is not None:
        login(client, member)
    return word in client.get(url).get_data(as_text=True).lower()


def _member_row(app, member) -> Member:
    with app.app_context():
        row = _db(app).get(Member, member.id)
        _db(app).expunge(row)
        return row


def build(app, workdir: Path) -> tuple[World, Posts]:
    """Build both worlds, recording what waiting posts change for those who may not see them."""
    w = build_world(app)
    people = {"visitor": None, "pending": w.pending, "outsider": w.outsider, "ex_member": w.ex_member,
              "member": w.member, "host": w.host, "moderator": w.moderator}
    people["suspended"] = make_member(app, "Suspended Member")
    people["other_host"] = make_member(app, "Other Host")
    people["newcomer"] = make_member(app, "New Comer")
    people["anon_author"] = make_member(app, ANON["name"], organisation=f"{ANON['organisation']} Council")
    people["watcher"] = make_member(app, "Watcher Person")
    people["digester"] = make_member(app, "Digest Reader")
    make_space(app, "askanon", name="Ask anything", anonymous_posting=True)
    elsewhere = make_space(app, "elsewhere", visibility="private", name="Elsewhere", hosts=[people["other_host"]])
    x = Posts(people=people)
    x.elsewhere_thread = make_thread(app, elsewhere, people["other_host"], title="Elsewhere's own thread").id
    with app.app_context():
        db = _db(app)
        for who in ("suspended", "anon_author", "watcher", "digester"):
            db.add(SpaceMembership(space_id=w.private.id, member_id=people[who].id))
        db.add(SpaceMembership(space_id=w.secret.id, member_id=people["suspended"].id))
        db.add(SpaceMembership(space_id=w.public.id, member_id=w.host.id, role="host"))
        for role in ROLES[1:]:
            if role != "outsider":
                db.get(Member, people[role].id).feed_token = f"{role}-feed-token"
        db.execute(update(Member).where(Member.id == people["watcher"].id).values(email_frequency="immediate"))
        db.commit()
    clients = {}
    for who, member in people.items():
        clients[who] = app.test_client()
        if member is not None:
            login(clients[who], member)

    # The suspended member watches the private space, then is suspended.
    _act(clients["suspended"], "/watch", {"kind": "space", "target": w.private.id, "next": "/"}, "watch")
    _act(clients["moderator"], f"/members/{people['suspended'].id}/moderate",
         {"reason": "Broke the house rules", "suspend": "Suspend"}, "suspend a member")
    people["suspended"] = _member_row(app, people["suspended"])
    login(clients["suspended"], people["suspended"])

    # A chat in the public space, imported from the command line; its speaker's name is a canary too.
    transcript = workdir / "lgovsm.csv"
    transcript.write_text(tags_csv(), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["forum", "import-transcript", str(transcript), "--space", "open",
                                                "--host", "LGovSM", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    x.chat = summary["chat_id"]
    numbers = {q["number"]: q["thread_id"] for q in summary["questions"]}
    x.q1, x.q2 = numbers[1], numbers[2]
    with app.app_context():
        db = _db(app)
        x.welcome = db.scalar(select(Thread.id).where(Thread.chat_id == x.chat, Thread.question_number == 0))
        speaker = db.scalar(select(Speaker).where(Speaker.handle == SPEAKER["handle"]))
        speaker.display_name = SPEAKER["name"]
        x.speaker = speaker.id
        db.commit()
    x.speaker_post, x.q1_answer = _post_id(app, SPEAKER["body"]), _post_id(app, MOVED["body"])
    for word in SPEAKER.values():
        x.controls[f"a visitor sees the speaker's {word} before the removal"] = _sees(
            app, None, f"/threads/{x.q2}", word)

    # Watchers: one by email at once, one by daily digest.
    for who, kind, target in (("watcher", "space", w.public.id), ("watcher", "space", w.private.id),
                              ("watcher", "thread", x.q2), ("digester", "thread", x.q1),
                              ("digester", "space", w.public.id), ("digester", "space", w.private.id)):
        _act(clients[who], "/watch", {"kind": kind, "target": target, "next": "/"}, f"{who} watches a {kind}")
    _act(clients["watcher"], "/watch", {"kind": "space", "target": _space_id(app, "askanon"), "next": "/"}, "watch")

    # Q1 carries on after the chat, then moves into the secret space.
    _act(clients["member"], f"/threads/{x.q1}/reply",
         {"body": f"Later {MOVED['reply']} {COMMON}", "submit": "Post reply"}, "reply in Q1")
    x.q1_reply = _post_id(app, MOVED["reply"])
    x.controls["a visitor sees Q1's title on the chat page before the move"] = _sees(app, None, f"/chats/{x.chat}",
                                                                                     MOVED["title"])
    _act(clients["moderator"], f"/threads/{x.q1}/tools",
         {"space": str(w.secret.id), "reason": "For the closed group", "move": "Move thread"}, "move Q1")

    # A secret thread, merged into another after more threads are made (so that SQLite cannot give its
    # id to the next new thread: test_a_merged_threads_id_is_never_given_to_a_new_thread checks that).
    _act(clients["host"], "/spaces/hidden/new",
         {"title": f"Merge me {MERGED['title']} {COMMON}", "body": f"Merged words {MERGED['body']} {COMMON}",
          "submit": "Post thread"}, "start the thread to merge")
    x.merged_post = _post_id(app, MERGED["body"])
    with app.app_context():
        x.merged_away = _db(app).get(Post, x.merged_post).thread_id
    x.controls["a member sees the merged thread's title before the merge"] = _sees(
        app, w.member, f"/threads/{x.merged_away}", MERGED["title"])

    # A hidden post (reported first) and a deleted one (edited first) in the public thread.
    _act(clients["member"], f"/threads/{w.public_thread.id}/reply", {"body": f"Hidden {HIDDEN} {COMMON}",
                                                                      "submit": "Post reply"}, "reply")
    _act(clients["member"], f"/threads/{w.public_thread.id}/reply", {"body": f"Deleted {DELETED} {COMMON}",
                                                                      "submit": "Post reply"}, "reply")
    x.hidden, x.deleted = _post_id(app, HIDDEN), _post_id(app, DELETED)
    _act(clients["member"], f"/posts/{x.deleted}/edit", {"body": f"Deleted {DELETED} {COMMON}, edited",
                                                          "submit": "Save changes"}, "edit")
    x.controls["a visitor sees the deleted post before its deletion"] = _sees(
        app, None, f"/threads/{w.public_thread.id}", DELETED)
    x.controls["a visitor sees the hidden post before it is hidden"] = _sees(
        app, None, f"/threads/{w.public_thread.id}", HIDDEN)
    _act(clients["member"], f"/posts/{x.deleted}/delete", {"submit": "Confirm"}, "delete")
    _act(clients["outsider"], f"/posts/{x.hidden}/report", {"reason": "This is rude about a colleague",
                                                             "submit": "Send report"}, "report")
    _act(clients["moderator"], f"/posts/{x.hidden}/moderate",
         {f"p{x.hidden}-reason": "Rude", f"p{x.hidden}-hide": "Hide post"}, "hide", f"p{x.hidden}")

    # The speaker asked to be removed.
    _act(clients["moderator"], f"/speakers/{x.speaker}/hide", {"reason": "They asked us by email"}, "hide speaker")

    # An anonymous post that mentions both watchers, then edited by its author.
    mention = "@Watcher Person and @Digest Reader"
    _act(clients["anon_author"], f"/threads/{w.private_thread.id}/reply",
         {"body": f"Anonymous {ANON['body']} {COMMON}, thanks {mention}", "anonymous": "y", "submit": "Post reply"},
         "anonymous reply")
    x.anon = _post_id(app, ANON["body"])
    _act(clients["anon_author"], f"/posts/{x.anon}/edit",
         {"body": f"Anonymous {ANON['body']} {COMMON} (edited), thanks {mention}", "submit": "Save changes"}, "edit")

    # A split whose new thread starts with an anonymous post.
    _act(clients["member"], "/spaces/askanon/new", {"title": f"Split source {COMMON}", "body": "Starting here",
                                                    "submit": "Post thread"}, "start the thread to split")
    with app.app_context():
        x.split_source = _db(app).scalar(select(Thread.id).where(Thread.title == f"Split source {COMMON}"))
    _act(clients["digester"], "/watch", {"kind": "thread", "target": x.split_source, "next": "/"}, "watch")
    _act(clients["anon_author"], f"/threads/{x.split_source}/reply",
         {"body": f"Anonymous {ANON['split']} {COMMON}", "anonymous": "y", "submit": "Post reply"}, "anonymous reply")
    x.split_first = _post_id(app, ANON["split"])
    _act(clients["member"], f"/threads/{x.split_source}/reply", {"body": f"Split follow-up {COMMON}",
                                                                 "submit": "Post reply"}, "reply")
    follow_up = _post_id(app, "Split follow-up")
    response = _act(clients["moderator"], f"/threads/{x.split_source}/tools",
                    {"split_title": f"Split off {ANON['split_title']} {COMMON}",
                     "posts": [str(x.split_first), str(follow_up)],
                     "split": "Split ticked replies into a new thread"}, "split")
    with app.app_context():
        x.split_thread = _db(app).get(Post, x.split_first).thread_id
    assert x.split_thread != x.split_source, response.headers.get("Location")

    # The secret thread made earlier is merged into the other secret thread.
    _act(clients["host"], f"/threads/{x.merged_away}/tools",
         {"target": str(w.secret_thread.id), "merge": "Merge this thread into the other"}, "merge the secret thread")

    # Pre-moderation from now on: a newcomer's first posts in the public space wait, and so does the
    # anonymous author's next post in the private space.
    with app.app_context():
        db = _db(app)
        db.execute(update(Space).where(Space.slug == "open").values(premoderate_first=1))
        db.execute(update(Space).where(Space.slug == "evangelists").values(premoderate_first=5))
        db.commit()
    # Everyone has read everything first (#22): the snapshot's own visits to thread pages move read marks,
    # and "N new" or "Jump to first unread" going away between the two snapshots is no sign of a waiting post.
    with app.app_context():
        db = _db(app)
        for person in people.values():
            if person is not None:
                read_state.mark_all_read(db, db.get(Member, person.id))
        db.commit()
    started = time.monotonic()
    before = snapshot(app, people, snapshot_urls(w, x))
    time.sleep(max(0.0, 1.1 - (time.monotonic() - started)))  # pages show times to the second
    _act(clients["newcomer"], f"/threads/{x.q2}/reply", {"body": f"Waiting {WAITING['reply']} {COMMON}",
                                                         "submit": "Post reply"}, "waiting reply")
    _act(clients["newcomer"], "/spaces/open/new",
         {"title": f"Waiting {WAITING['title']} {COMMON}", "body": f"Waiting {WAITING['body']} {COMMON}",
          "submit": "Post thread"}, "waiting thread")
    _act(clients["anon_author"], f"/threads/{w.private_thread.id}/reply",
         {"body": f"Anonymous waiting {WAITING['anon']} {COMMON}", "anonymous": "y", "submit": "Post reply"},
         "waiting anonymous reply")
    x.wait_reply, x.wait_first, x.anon_waiting = (_post_id(app, WAITING["reply"]), _post_id(app, WAITING["body"]),
                                                  _post_id(app, WAITING["anon"]))
    with app.app_context():
        db = _db(app)
        x.wait_thread = db.get(Post, x.wait_first).thread_id
        waiting = [db.get(Post, i).awaiting_approval for i in (x.wait_reply, x.wait_first, x.anon_waiting)]
    assert all(waiting), "the newcomer's and the anonymous author's last posts should wait for approval"
    after = snapshot(app, people, snapshot_urls(w, x))
    x.waiting_diffs = {role: [(url, _first_change(before[role][url], page)) for url, page in pages.items()
                              if page != before[role][url]] for role, pages in after.items()}

    result = app.test_cli_runner().invoke(args=["forum", "send-digests", "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    # The chat's recap goes to those who watch its space (the watcher and the digest reader), after all of it (#20).
    result = app.test_cli_runner().invoke(args=["forum", "send-recaps"])
    assert result.exit_code == 0, result.output
    return w, x


def _space_id(app, slug: str) -> int:
    with app.app_context():
        return _db(app).scalar(select(Space.id).where(Space.slug == slug))


def _first_change(old: str, new: str) -> str:
    """Where two versions of a page first differ, in a few words."""
    at = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    return f"…{old[max(0, at - 60):at + 60]!r} became …{new[max(0, at - 60):at + 60]!r}"


_VOLATILE = [
    (re.compile(r'(name="[\w-]*(?:csrf_token|submission_key)"[^>]*?value=")[^"]*'), r"\1"),
    (re.compile(r'value="[^"]*"(?=[^>]*name="[\w-]*(?:csrf_token|submission_key)")'), 'value=""'),
    (re.compile(r"DTSTAMP:[^\r\n]*"), "DTSTAMP:"),
]


def stable(response) -> str:
    """A response as a reader notices it: status, where it leads, and the page without its one-time tokens."""
    text = response.get_data(as_text=True)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return f"{response.status_code} {response.headers.get('Location', '')}\n{text}"


def snapshot(app, people: dict, urls: list[str]) -> dict[str, dict[str, str]]:
    """What each person sees at these URLs: those who may not see the waiting posts, and the host (a control)."""
    found = {}
    for role in [*OUTSIDE, "member", "host"]:
        client = app.test_client()
        if people[role] is not None:
            login(client, people[role])
        found[role] = {url: stable(client.get(url)) for url in [*urls, *own_urls(role)]}
    return found
