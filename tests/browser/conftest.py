"""Fixtures for the real-browser suite: the forum in a real server, Debian's Chromium, signed-in
contexts, and one sweep over every page (tests/browser/pages.py) shared by the axe, vnu and
weight tests.

Chromium, axe-core and vnu-jar are required under CI=true and skipped with a reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import threading
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import got_request_exception, request
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

import forum.models  # noqa: F401  (registers the tables)
from forum import i18n, markup
from forum.models import Member, Post, Space, Speaker, Thread
from forum.db import utcnow
from forum.services import demo, posting
from forum.services.spaces import create_space
from tests.browser import checks
from tests.browser.checks import Traffic, axe_violations, expect_submission, reflow_problems, traffic_problems
from tests.browser.pages import ALL_VISITS, WELSH_VISITS, InLanguage, Visit
from tests.conftest import make_test_app

FAST_HASH = "pbkdf2:sha256:1000"
# Journeys and the sweep sign in and post dozens of times a minute from 127.0.0.1.
TEST_CONFIG = {
    "FORUM_PASSWORD_HASH": FAST_HASH,
    "FORUM_RATELIMIT_SIGNIN": "10000 per minute",
    "FORUM_RATELIMIT_POSTING": "10000 per minute",
}
ADMIN = (demo.ADMIN_EMAIL, demo.DEMO_PASSWORD)
MEMBER = (demo.MEMBER_EMAIL, demo.DEMO_PASSWORD)
PENDING = ("riley.quinn@mail.example.com", demo.DEMO_PASSWORD)   # signed up, waiting for a moderator
OUTSIDER = ("mel@age-uk-york.example.org", demo.DEMO_PASSWORD)   # approved, not in the private space
# Who each Visit.who signs in as.
PEOPLE = {"member": MEMBER, "admin": ADMIN, "pending": PENDING, "outsider": OUTSIDER}
VIEWPORT = {"width": 1280, "height": 900}


# -- what the live servers raised ---------------------------------------------------------------------

@dataclass
class ServerError:
    """An exception a live server raised while answering: which server, which request, the traceback."""

    site: str
    request: str
    traceback: str

    def __str__(self) -> str:
        return f"{self.site}, {self.request}:\n{self.traceback}"


# Every exception the live servers raised, in order. A failing browser test prints those raised while
# it ran, and for a page of the sweep those raised while that page was visited, so a 500 comes with
# its cause (the server's own log goes to whichever test happened to be running).
SERVER_ERRORS: list[ServerError] = []


def record_errors(app, site: str) -> None:
    """Keep every exception `app` raises while answering a request in SERVER_ERRORS."""
    def record(_sender, exception, **_extra):
        SERVER_ERRORS.append(ServerError(site, f"{request.method} {request.full_path.rstrip('?')}",
                                         "".join(traceback.format_exception(exception))))

    got_request_exception.connect(record, app, weak=False)


_FIRST_ERROR = pytest.StashKey[int]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[_FIRST_ERROR] = len(SERVER_ERRORS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Add the live servers' tracebacks to a failing test's report."""
    report = yield
    if report.failed:
        errors = SERVER_ERRORS[item.stash.get(_FIRST_ERROR, len(SERVER_ERRORS)):]
        visit = item.callspec.params.get("visit") if hasattr(item, "callspec") else None
        sweep = getattr(item, "funcargs", {}).get("sweep")
        if visit is not None and sweep and visit.name in sweep:
            errors = [e for e in sweep[visit.name].server_errors if e not in errors] + errors
        if errors:
            report.sections.append(("tracebacks from the live server", "\n\n".join(map(str, errors))))
    return report


# -- the forum in a real server ------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@dataclass
class LiveSite:
    app: object
    base_url: str
    ids: SimpleNamespace
    server: object = None

    def url(self, path: str) -> str:
        return self.base_url + path


def _serve(tmp_path_factory, schema, name: str, seed) -> LiveSite:
    """Serve a new app on a copy of the migrated schema (tests/conftest.py's sqlite_template)."""
    folder = tmp_path_factory.mktemp(name)
    shutil.copyfile(schema, folder / "forum.sqlite3")
    url = f"sqlite:///{folder / 'forum.sqlite3'}"
    app = make_test_app(url, folder / "instance", **TEST_CONFIG)
    with app.app_context():
        db = app.extensions["forum"].db.session
        ids = seed(db)
        db.commit()
    record_errors(app, name)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    threading.Thread(target=server.serve_forever, name=f"live-{name}", daemon=True).start()
    return LiveSite(app, f"http://127.0.0.1:{server.server_port}", ids, server)


def _stop(site: LiveSite) -> None:
    site.server.shutdown()
    site.server.server_close()
    with site.app.app_context():
        site.app.extensions["forum"].db.engine.dispose()


# Replies for the 60-post thread: the length and markup of real forum posts.
LONG_THREAD_REPLIES = [
    "We spend almost nothing on tools and most of the budget on **time**: two days of training a year for each "
    "service that posts, run by us rather than an agency.",
    "Ours went on a scheduling tool three years ago and we've regretted it since. It doesn't work behind the "
    "firewall, so half the team never logs in.",
    "Has anyone costed the time spent answering comments? That's the figure that got our director's attention, "
    "far more than any licence fee.",
    "For what it's worth:\n\n- licences: about £1,200 a year\n- training: £3,000\n- everything else is staff time",
    "We pooled a training budget with two neighbouring councils. Same trainer, three sessions, a third of the cost "
    "each. Happy to share the brief if it helps.",
    "The voluntary sector angle: we get free training from the platforms' charity programmes, but it's generic. "
    "What we need is help with **tricky replies**, and nobody sells that.",
    "Our internal comms team now runs a monthly clinic instead of buying courses. Anyone can bring a post they're "
    "unsure about.",
    "I'd budget for accessibility too: alt text and captions take time, and that time has to come from somewhere.",
    "We asked for a budget line and got told no, so we wrote the case around complaints avoided instead. "
    "That got through.",
    "Second the clinic idea. It's cheap, and people learn more from their own posts than from slides.",
    "Does anyone measure whether the training made a difference? We ran a before-and-after on reply times and "
    "it halved.",
    "Small point, but: put the budget under customer services, not comms. It survives cuts better there.",
]


def varied_replies(count: int) -> list[str]:
    """`count` distinct replies: the ones above, then new ones made from their words in a fixed random
    order, so the thread compresses like real text (repeated posts would make gzip look too good)."""
    import random

    rng = random.Random(2026)
    words = " ".join(LONG_THREAD_REPLIES + [answer for _handle, _name, answer in demo.ANSWERS]).replace("\n", " ")
    words = [w.strip("*-:;,.?!()\"'#") for w in words.split()]
    words = [w for w in words if w and not w[0].isdigit()]
    replies = list(LONG_THREAD_REPLIES)
    while len(replies) < count:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 22)))
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice([".", ".", ".", "?"]))
        if rng.random() < 0.3:
            sentences.insert(rng.randint(0, len(sentences)), "**" + " ".join(rng.choice(words) for _ in range(3)) + "**")
        if rng.random() < 0.2:
            sentences.append("\n\n" + "\n".join("- " + " ".join(rng.choice(words) for _ in range(5)) for _ in range(3)))
        replies.append(" ".join(sentences))
    return replies[:count]


def seed_demo(db) -> SimpleNamespace:
    """The demo community, plus the states the sweep needs: a 60-post thread, an empty space, a second
    page of threads, a locked thread with a hidden and a deleted post, and a post in Markdown."""
    demo.load(db, FAST_HASH)
    db.flush()
    members = {m.display_name: m for m in db.scalars(select(Member))}
    spaces = {s.slug: s for s in db.scalars(select(Space))}
    admin, sam, jo = members["Alex Morgan"], members["Sam Patel"], members["Jo Williams"]
    between = spaces["between-chats"]

    chat_thread = db.scalar(select(Thread).where(Thread.chat_id.is_not(None)))
    from forum.views.threads import slugify
    scheduling = db.scalar(select(Thread).where(Thread.title.startswith("Scheduling tools")))
    scheduling_posts = list(db.scalars(select(Post).where(Post.thread_id == scheduling.id).order_by(Post.id)))
    member_post = next(p for p in scheduling_posts if p.author_id == sam.id and p.id != scheduling.first_post_id)
    other_post = next(p for p in scheduling_posts if p.author_id == jo.id)
    private_thread = db.scalar(select(Thread).where(Thread.space_id == spaces["evangelist-support"].id))
    posting.reply(db, thread=private_thread, space=spaces["evangelist-support"], author=sam, anonymous=True,
                  body="Posting without my name for this one: our director reads this forum too.")

    # A thread of 60 posts: 50 on page 1 (the page-weight budget), 10 on page 2.
    repliers = [m for m in members.values() if m.role == "member"]
    long_thread = posting.start_thread(
        db, space=between, author=members["Priya Shah"], title="What does your social media budget go on?",
        body="We're setting next year's budget. Where does yours go: tools, training, advertising, or time? "
             "Rough figures welcome; I'll summarise what comes back.",
    )
    first = db.get(Post, long_thread.first_post_id)
    last = None
    for n, body in enumerate(varied_replies(59)):
        quote_of = None
        if n % 10 == 9:
            quote_of = first
            body = markup.quote("Priya Shah", first.body_source) + body
        last = posting.reply(db, thread=long_thread, space=between, author=repliers[n % len(repliers)],
                             body=body, quote_of=quote_of)

    # An empty public space, and a space with two pages of threads.
    create_space(db, slug="introductions", name="Introductions", visibility="public",
                 description="Say hello and tell us what you work on.")
    older = create_space(db, slug="older-chats", name="Older chats", visibility="public",
                         description="Threads from earlier chats.")
    for week in range(1, 32):
        posting.start_thread(db, space=older, author=admin, title=f"#lgovsm week {week}: what went well?",
                             body=f"Notes from week {week}.")

    # A locked thread with a post hidden by a moderator and one deleted by its author.
    locked = posting.start_thread(db, space=between, author=jo, title="Chat schedule for December",
                                  body="No chats on 25 December or 1 January. Back on 8 January.")
    hidden = posting.reply(db, thread=locked, space=between, author=members["Dan Hughes"],
                           body="Buy our scheduling tool! Link in bio.")
    hidden.hidden_at = utcnow()
    mistaken = posting.reply(db, thread=locked, space=between, author=members["Tom O'Neill"],
                             body="Posted in the wrong thread, sorry.")
    posting.delete_post(db, post=mistaken, space=between, member=members["Tom O'Neill"])
    posting.reply(db, thread=locked, space=between, author=sam, body="Thanks Jo, see you on the 8th.")
    locked.locked = True

    # A post using everything the Markdown allows.
    markdown_thread = posting.start_thread(
        db, space=between, author=admin, title="How this forum works",
        body=(
            "# Welcome\n\nThis forum carries the **#lgovsm** chat on *between* sessions.\n\n"
            "## Posting\n\n- Start a thread in a space\n- Reply, or quote a post\n\n"
            "1. Write\n2. Preview\n3. Post\n\n"
            "> Be kind; assume good intent.\n\n"
            "| Day | Chat |\n|-----|------|\n| Friday | 1pm |\n\n"
            "```\nmake run\n```\n\n"
            "Inline `code`, ~~no~~ <del>strike</del>, H<sub>2</sub>O, x<sup>2</sup>, and a link: https://example.org\n\n"
            "---\n\nQuestions? Ask in [Between chats](/spaces/between-chats)."
        ),
    )
    # People in other states: waiting for approval, not yet confirmed, about to change their address;
    # a handle claim for moderators; a coming chat with proposed questions.
    from flask import current_app

    from forum import tokens
    from forum.models import Handle
    from forum.services import accounts, chats

    def person(name, email, **fields):
        member = Member(display_name=name, name_key=accounts.normalise_name(name), email=email,
                        password_hash=accounts.hash_password(demo.DEMO_PASSWORD, FAST_HASH), sector="voluntary",
                        **fields)
        db.add(member)
        return member

    person("Riley Quinn", PENDING[0], state="pending", email_confirmed_at=utcnow(), job_role="Volunteer")
    unconfirmed = person("Chris Lane", "chris.lane@mail.example.com", state="pending")
    mover = person("Pat Mover", "pat.mover@example.gov.uk", state="approved", email_confirmed_at=utcnow(),
                   approved_at=utcnow())
    # Lists get two items or more, so a repeated id or label inside a loop shows up.
    members["Helen Clarke"].handles.append(Handle(platform="mastodon", handle="@helen@social.example"))
    members["Dan Hughes"].handles.append(Handle(platform="bluesky", handle="dan.bsky.social"))
    person("Ash Patel", "ash.patel@mail.example.com", state="pending", email_confirmed_at=utcnow(), job_role="Trustee")
    upcoming = chats.save_chat(db, admin, chats.ChatDetails(
        title="#lgovsm: who decides what we post?", space=spaces["lgovsm-chat"], starts_at=utcnow() + timedelta(days=7),
        duration_minutes=60, hashtag="#lgovsm", description="Sign-off, trust, and who holds the password."))
    chats.propose(db, upcoming, spaces["lgovsm-chat"], sam, "Who signs off a post about a service change?")
    chats.propose(db, upcoming, spaces["lgovsm-chat"], jo, "How many people in your team can post on the main account?")
    anonymous_post = db.scalar(select(Post).where(Post.thread_id == private_thread.id, Post.anonymous.is_(True)))
    from forum.services import moderation, space_membership
    for slug, name in (("comms-leads", "Comms leads"), ("digital-champions", "Digital champions")):
        closed = create_space(db, slug=slug, name=name, visibility="private", description=f"For {name.lower()}.")
        db.flush()
        space_membership.invite(db, closed, admin, sam.email, "/account", "Afterchat")
    for post in scheduling_posts[1:3]:
        moderation.report(db, post, between, members["Priya Shah"], "This reads like an advert to me.")

    # Mail in (#21): a reply received by email and an auto-reply dropped, for the moderators' mail log;
    # the outsider's address bounced until mail to it stopped, for the notice on their account page.
    from forum.models import MailAddress, ReceivedMail
    emailed = posting.reply(db, thread=scheduling, space=between, author=sam, body="Replying from Outlook: we use a shared calendar.")
    db.add_all([
        ReceivedMail(message_key="<seed-1@mail.example.gov.uk>", message_id="<seed-1@mail.example.gov.uk>",
                     from_address=sam.email, to_address="reply+seed@in.example.gov.uk", subject="RE: Scheduling tools",
                     outcome="posted", post_id=emailed.id, member_id=sam.id),
        ReceivedMail(message_key="<seed-2@mail.example.gov.uk>", message_id="<seed-2@mail.example.gov.uk>",
                     from_address=sam.email, to_address="reply+seed@in.example.gov.uk",
                     subject="Automatic reply: Scheduling tools", outcome="dropped",
                     reason="automatic (Auto-Submitted: auto-replied)"),
        MailAddress(address=OUTSIDER[0], hard_bounces=3, last_bounce_at=utcnow(), stopped_at=utcnow(),
                    last_bounce_reason="5.1.1 smtp; 550 5.1.1 Recipient address rejected: User unknown"),
    ])
    # The library: one published entry, and one from the private space waiting for its author's consent;
    # an edited post with an earlier version; a private feed address.
    from forum.services import library, notifications
    tag = next(iter(library.tags(db)), None) or library.add_tag(db, admin, "Social media policy")
    practice = db.scalar(select(Thread).where(Thread.space_id == spaces["good-practice"].id))
    summary = library.Summary("A one-page guide that got past legal", "Twenty pages of rules nobody read.",
                              "One page, examples, and a named person to ask.", "Legal signed it off in a week.",
                              "Fife Council", [tag.id])
    entry = library.promote(db, admin, db.get(Post, practice.first_post_id), practice, spaces["good-practice"],
                            summary, False, lambda e: f"/library/{e.id}/consent", "Afterchat")
    sams_private = db.scalar(select(Post).where(Post.thread_id == private_thread.id, Post.author_id == sam.id,
                                                Post.anonymous.is_(False)))
    consent_entry = library.promote(db, admin, sams_private, private_thread, spaces["evangelist-support"],
                                    library.Summary("Count the enquiries", "Making the case.", "Counted enquiries.",
                                                    "The director listened.", "", [tag.id]),
                                    False, lambda e: f"/library/{e.id}/consent", "Afterchat")
    posting.edit_post(db, post=db.get(Post, member_post.id), space=between, editor=sam,
                      body="Thanks both: the security statement idea is a good one. (Edited to add: it worked.)")
    feed_token = notifications.new_feed_token(db, sam)
    # New since your last visit, and saved posts (#22): Sam read a thread up to its first post before three
    # replies came; he saved two posts, one with a note.
    from forum.models import ReadState, SavedPost
    catching_up = posting.start_thread(db, space=between, author=members["Priya Shah"],
                                       title="Lunchtime reading: what's on your list?", body="Share one good read.")
    for name, body in (("Jo Williams", "The GDS blog post on plain English."), ("Dan Hughes", "Our own channel strategy."),
                       ("Helen Clarke", "Anything on accessible PDFs: we still publish far too many.")):
        posting.reply(db, thread=catching_up, space=between, author=members[name], body=body)
    opening = db.get(Post, catching_up.first_post_id)
    db.add(ReadState(member_id=sam.id, thread_id=catching_up.id, post_id=opening.id, post_created_at=opening.created_at))
    saved_note = SavedPost(member_id=sam.id, post_id=other_post.id, note="Ask Jo about this at the next chat.")
    db.add_all([saved_note, SavedPost(member_id=sam.id, post_id=long_thread.first_post_id)])
    db.flush()
    secret = current_app.config["SECRET_KEY"]
    speaker = db.scalar(select(Speaker).where(Speaker.member_id.is_(None)))
    site_app, mover_id, mover_from = current_app._get_current_object(), mover.id, mover.email

    def email_change_token() -> str:
        """A fresh link for each visit: a change link works once, so the old address goes back first."""
        with site_app.app_context():
            session = site_app.extensions["forum"].db.session
            session.get(type(mover), mover_id).email = mover_from
            session.commit()
        return tokens.make(secret, "change-email", {"id": mover_id, "email": "pat.moved@example.gov.uk",
                                                    "from": mover_from})

    def expired_upload() -> str:
        """An upload its host never confirmed, a day past its time (made for each visit: any upload deletes it)."""
        import secrets

        from forum.models import PendingImport
        with site_app.app_context():
            session = site_app.extensions["forum"].db.session
            stale = PendingImport(token=f"expired-{secrets.token_hex(8)}", member_id=admin_id,
                                  filename="lgovsm-old.txt", data=b"Sam: hi\nAna: hello", options={},
                                  created_at=utcnow() - timedelta(days=2), expires_at=utcnow() - timedelta(days=1))
            session.add(stale)
            session.commit()
            return stale.token

    admin_id = admin.id
    return SimpleNamespace(
        expired_upload=expired_upload,
        library_entry=entry.id,
        consent_entry=consent_entry.id,
        feed_token=feed_token,
        unsubscribe_token=tokens.make(secret, "unsubscribe", {"id": sam.id}),
        recap_unsubscribe_token=tokens.make(secret, "unsubscribe", {"id": sam.id, "what": "recaps"}),  # #20
        stop_every_post_token=tokens.make(secret, "stop-every-post", {"id": sam.id, "watch": 0}),
        confirm_token=tokens.make(secret, "confirm-email", {"id": unconfirmed.id, "email": unconfirmed.email}),
        reset_token=tokens.make(secret, "reset-password", {"id": sam.id, "v": sam.session_version}),
        email_change_token=email_change_token,
        chat=chat_thread.chat_id,
        upcoming_chat=upcoming.id,
        speaker=speaker.id,
        anonymous_post=anonymous_post.id,
        member_sam=sam.id,
        member_jo=jo.id,
        chat_thread=chat_thread.id,
        chat_thread_url=f"/threads/{chat_thread.id}/{slugify(chat_thread.title)}",
        chat_first_post=chat_thread.first_post_id,
        long_thread=long_thread.id,
        long_thread_last_post=last.id,
        locked_thread=locked.id,
        markdown_thread=markdown_thread.id,
        private_thread=private_thread.id,
        member_post=member_post.id,
        other_post=other_post.id,
        scheduling_thread=scheduling.id,
        catching_up_thread=catching_up.id,
        saved_note=saved_note.id,
    )


def seed_empty(db) -> SimpleNamespace:
    """A forum with no spaces yet, and its administrator."""
    from forum.services import accounts
    admin_email, password = ADMIN
    db.add(Member(display_name="Alex Morgan", name_key=accounts.normalise_name("Alex Morgan"), email=admin_email,
                  password_hash=accounts.hash_password(password, FAST_HASH), role="admin", state="approved"))
    db.flush()
    return SimpleNamespace()


@pytest.fixture(scope="session")
def site(tmp_path_factory, sqlite_template):
    """The demo community in a real server on 127.0.0.1, on its own SQLite file."""
    live = _serve(tmp_path_factory, sqlite_template, "demo-site", seed_demo)
    yield live
    _stop(live)


@pytest.fixture(scope="session")
def empty_site(tmp_path_factory, sqlite_template):
    """A forum with no spaces, in a real server of its own."""
    live = _serve(tmp_path_factory, sqlite_template, "empty-site", seed_empty)
    yield live
    _stop(live)


# -- the browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (Debian's: never `playwright install`)."""
    checks.require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(checks.CHROMIUM), headless=True,
                                              args=checks.LAUNCH_ARGS)
        yield chromium
        chromium.close()


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real form."""
    page.goto(base_url + "/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    expect_submission(page, page.locator("main").get_by_role("button", name="Sign in").click, what="Sign in")
    assert "Signed in as" in page.content(), f"signing in as {email} failed: {page.url}"


class Browsing:
    """A signed-in context and a tab for each (site, who), reused by every visit (a new tab costs
    about half a second here)."""

    def __init__(self, browser, sites: dict[str, LiveSite]):
        self.browser = browser
        self.sites = sites
        self.tabs: dict[tuple, tuple] = {}

    def new_context(self, site: LiveSite, who: str, language: str = "en", **options):
        context = self.browser.new_context(viewport=VIEWPORT, **options)
        context.set_default_timeout(15_000)
        if who != "visitor":
            page = context.new_page()
            sign_in(page, site.base_url, *PEOPLE[who])
            page.close()
        if language != "en":  # as the "Cymraeg" switch link leaves it (signed in first, in English)
            context.add_cookies([{"name": i18n.COOKIE, "value": language, "url": site.base_url}])
        return context

    def _tab(self, visit: Visit):
        if visit.isolated:
            context = self.new_context(self.sites[visit.site], visit.who, visit.language)
            page = context.new_page()
            return context, page, Traffic(page)
        key = (visit.site, visit.who, visit.language)
        if key not in self.tabs:
            context = self.new_context(self.sites[visit.site], visit.who, visit.language)
            context.add_init_script(path=str(checks.AXE_JS))  # faster than injecting it on every page
            page = context.new_page()
            self.tabs[key] = (context, page, Traffic(page))
        return self.tabs[key]

    def open(self, visit: Visit, *, block_scripts: bool = True, viewport: dict | None = None):
        """Load `visit` and reach its state: returns (page, response, traffic, context to close or None)."""
        site = self.sites[visit.site]
        context, page, traffic = self._tab(visit)
        page.set_viewport_size(viewport or VIEWPORT)
        traffic.block_scripts = block_scripts
        traffic.clear()
        if visit.kind != "html":
            # Not a page (JSON, a calendar, a download): fetched with the context's cookies.
            return page, context.request.get(site.url(visit.url_path(site.ids))), traffic, (
                context if visit.isolated else None)
        response = page.goto(site.url(visit.url_path(site.ids)), wait_until="load")
        if visit.act is not None:
            response = visit.act(page if visit.language == "en" else InLanguage(page, visit.language), site.ids)
        traffic.settle()
        return page, response, traffic, (context if visit.isolated else None)

    def where(self, visit: Visit) -> str:
        """Where the tab of `visit` is now, for a failure message."""
        try:
            _context, page, _traffic = self._tab(visit)
            return f"\n(the tab shows {page.url}: {page.title()!r})"
        except Exception:  # the tab itself is gone
            return ""

    def close(self):
        for context, _page, _traffic in self.tabs.values():
            context.close()


@pytest.fixture(scope="session")
def browsing(browser, site, empty_site):
    b = Browsing(browser, {"demo": site, "empty": empty_site})
    yield b
    b.close()


# -- one sweep over every page -----------------------------------------------------------------------

@dataclass
class PageResult:
    visit: Visit
    url: str = ""
    status: int | None = None
    content_type: str = ""
    html: str = ""
    text: str = ""
    fields: list = field(default_factory=list)  # what the page's text boxes hold
    violations: list = field(default_factory=list)
    violations_with_scripts: list | None = None  # only when the page loads scripts
    reflow: list = field(default_factory=list)
    traffic: dict = field(default_factory=dict)
    traffic_problems: list = field(default_factory=list)
    error: str = ""
    server_errors: list = field(default_factory=list, repr=False)  # what the live servers raised meanwhile


def _sweep_one(browsing: Browsing, visit: Visit) -> PageResult:
    result = PageResult(visit)
    page, response, traffic, own = browsing.open(visit)
    try:
        if visit.kind != "html":
            result.url, result.status = response.url, response.status
            result.content_type = response.headers.get("content-type", "").split(";")[0]
            result.html = result.text = response.text()
            return result
        result.url = page.url
        result.status = response.status if response else None
        result.content_type = (response.headers.get("content-type", "") if response else "").split(";")[0]
        result.html = response.text() if response else ""
        result.text = page.inner_text("body") if visit.kind == "html" else result.html
        if visit.kind == "html":
            result.fields = page.locator("input:not([type=hidden]), textarea").evaluate_all(
                "els => els.map(e => e.value)")
            # As a visitor without JavaScript sees the page (its scripts blocked; axe needs JS on).
            result.violations = axe_violations(page)
            result.reflow = reflow_problems(page)
        traffic.settle()
        result.traffic = traffic.figures()
        result.traffic_problems = traffic_problems(traffic)
        if visit.kind == "html" and any(r.is_script for r in traffic.resources):
            # The page has scripts: check it again as it is with them running, and weigh them.
            page, _response, traffic, own_again = browsing.open(visit, block_scripts=False)
            result.violations_with_scripts = axe_violations(page)
            traffic.settle()
            result.traffic = traffic.figures()
            result.traffic_problems = traffic_problems(traffic)
            if own_again:
                own_again.close()
    finally:
        if own:
            own.close()
    return result


# The sweep runs in this many browsers at once (each in its own thread, with its own Playwright).
SWEEP_WORKERS = max(1, int(os.environ.get("BROWSER_SWEEP_WORKERS", "2")))


def _sweep_visits(browsing: Browsing, visits: list[Visit], results: dict) -> None:
    for visit in visits:
        first_error = len(SERVER_ERRORS)
        try:
            results[visit.name] = _sweep_one(browsing, visit)
        except Exception as exc:  # reported by each test of this page
            results[visit.name] = PageResult(visit, error=f"{type(exc).__name__}: {exc}{browsing.where(visit)}")
        # The other sweep threads' pages may add theirs: each shows its request.
        results[visit.name].server_errors = SERVER_ERRORS[first_error:]


def _sweep_in_thread(sites: dict, visits: list[Visit], results: dict, failures: list) -> None:
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(checks.CHROMIUM), headless=True,
                                                  args=checks.LAUNCH_ARGS)
            browsing = Browsing(chromium, sites)
            try:
                _sweep_visits(browsing, visits, results)
            finally:
                browsing.close()
                chromium.close()
    except Exception as exc:  # the thread's browser itself failed: its pages report it
        failures.append(exc)
        for visit in visits:
            results.setdefault(visit.name, PageResult(visit, error=f"the sweep's browser failed: {exc!r}"))


def _share_out(visits: list[Visit], workers: int) -> list[list[Visit]]:
    """Split the visits between workers, keeping each (site, who) together so each signs in once (per
    language) and one person's steps (an admin's imports, in English then in Welsh) never race each other."""
    groups: dict[tuple, list[Visit]] = {}
    for visit in visits:
        groups.setdefault((visit.site, visit.who), []).append(visit)
    shares: list[list[Visit]] = [[] for _ in range(workers)]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [share for share in shares if share]


@pytest.fixture(scope="session")
def sweep(browsing, request) -> dict[str, PageResult]:
    """Visit every entry of PAGES once, and in Welsh (WELSH_VISITS); the tests read what was found.
    (With -k, only the entries whose tests were selected.)"""
    checks.require_axe()
    wanted = {item.callspec.params["visit"].name for item in request.session.items
              if hasattr(item, "callspec") and "visit" in item.callspec.params}
    visits = [visit for visit in ALL_VISITS + WELSH_VISITS if visit.name in wanted]
    results: dict[str, PageResult] = {}
    mine, *others = _share_out(visits, SWEEP_WORKERS) or [[]]
    failures: list = []
    threads = [threading.Thread(target=_sweep_in_thread, args=(browsing.sites, share, results, failures),
                                name=f"sweep-{n}", daemon=True) for n, share in enumerate(others, 1)]
    for thread in threads:
        thread.start()
    _sweep_visits(browsing, mine, results)
    for thread in threads:
        thread.join(timeout=900)
    return results


def page_result(sweep, name: str) -> PageResult:
    result = sweep[name]
    if result.error:
        pytest.fail(f"could not visit {name}: {result.error}", pytrace=False)
    return result
