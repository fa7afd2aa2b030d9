"""Coming back to the forum (#22), in a real browser with JavaScript off, then with the keyboard alone: what is
new since the last visit leads to the first unread post on the right page of a long thread, past a heading
that marks where the new posts begin; a post is saved, noted and removed again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.db import utcnow
from forum.models import Member, Post, Space, Thread
from forum.services import accounts
from forum.services.threads import recount_space, recount_thread
from tests.browser.checks import Keyboard, Traffic, traffic_problems
from tests.browser.conftest import FAST_HASH, VIEWPORT, _serve, _stop, seed_demo, sign_in
from tests.browser.test_journeys import fill, follow, notice, press

pytestmark = pytest.mark.browser

PASSWORD = "three unrelated words"
PER_PAGE = 50  # the forum's default; the thread below runs onto a second page


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    """The demo community in a server of this module's own, so what the journeys read and save stays here."""
    live = _serve(tmp_path_factory, sqlite_template, "journeys-keeping-up", seed_demo)
    assert live.app.config["FORUM_POSTS_PER_PAGE"] == PER_PAGE
    yield live
    _stop(live)


def _db(site):
    return site.app.extensions["forum"].db.session


def returning_reader(site, name: str) -> tuple[str, int, list[int]]:
    """A member who joined a month ago, and a 52-post thread from last week (two pages of 50).

    Returns their email address, the thread's id and the member's id.
    """
    email = name.lower().replace(" ", ".") + "@example.gov.uk"
    with site.app.app_context():
        db = _db(site)
        reader = Member(display_name=name, name_key=accounts.normalise_name(name), email=email, state="approved",
                        password_hash=accounts.hash_password(PASSWORD, FAST_HASH), email_confirmed_at=utcnow(),
                        approved_at=utcnow(), created_at=utcnow() - timedelta(days=30))
        db.add(reader)
        writer = db.scalar(select(Member).where(Member.display_name == "Priya Shah"))
        space = db.scalar(select(Space).where(Space.slug == "between-chats"))
        start = utcnow() - timedelta(days=7)
        thread = Thread(space_id=space.id, title=f"Budget lines for training ({name})", created_at=start)
        db.add(thread)
        db.flush()
        db.add_all(Post(thread_id=thread.id, author_id=writer.id, created_at=start + timedelta(minutes=i),
                        **Post.body_columns(f"Thoughts on training budgets, part {i + 1}.")) for i in range(52))
        db.flush()
        recount_thread(db, thread)
        db.commit()
        reader_id, thread_id = reader.id, thread.id
    return email, thread_id, reader_id


def read_it_all_then_three_replies(site, page, email: str, thread_id: int) -> list[int]:
    """Sign in, read both pages of the thread (posts 1-50, then 51 and 52), and have three replies come in
    afterwards: they will be posts 53-55, on page 2 after two posts already read."""
    sign_in(page, site.base_url, email, PASSWORD)
    page.goto(site.url(f"/threads/{thread_id}"))
    assert "Jump to first unread" not in page.content()  # never opened: it starts at the top
    page.goto(site.url(f"/threads/{thread_id}?page=2"))
    assert "New since your last visit" in page.content()  # posts 51 and 52 were not on page 1
    with site.app.app_context():
        db = _db(site)
        thread = db.get(Thread, thread_id)
        jo = db.scalar(select(Member).where(Member.display_name == "Jo Williams"))
        now = utcnow()
        new = [Post(thread_id=thread_id, author_id=jo.id, created_at=now + timedelta(seconds=i),
                    **Post.body_columns(f"New reply {i + 1}: we pooled training with our neighbours."))
               for i in range(3)]
        db.add_all(new)
        db.flush()
        recount_thread(db, thread)
        recount_space(db, db.get(Space, thread.space_id))
        db.commit()
        return [post.id for post in new]


@pytest.fixture
def tab(browser, request):
    js = request.node.callspec.params.get("js", False) if hasattr(request.node, "callspec") else False
    context = browser.new_context(java_script_enabled=js, viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.traffic = Traffic(page)
    yield page
    page.traffic.settle()
    problems = traffic_problems(page.traffic, one_page=False)
    context.close()
    assert not problems, "the journey's pages made requests they must not:\n" + "\n".join(problems)


def test_catching_up_and_saving_a_post_with_javascript_off(site, tab):
    page = tab
    email, thread_id, _reader = returning_reader(site, "Casey Catchup")
    new_posts = read_it_all_then_three_replies(site, page, email, thread_id)
    title = "Budget lines for training (Casey Catchup)"

    # Home: the thread is marked with what is new to this member.
    page.goto(site.url("/"))
    item = page.locator(".thread-list__item", has=page.get_by_role("link", name=title, exact=True))
    assert item.get_by_role("link", name=f"3 new in {title}", exact=True).is_visible()
    follow(page, page.get_by_role("link", name=title, exact=True))

    # Page 1 offers the jump to the first unread post, which is on page 2; looking at page 1 again reads
    # nothing new, so the home page still says 3 new, and that link leads to the same post.
    jump = page.get_by_role("link", name="Jump to first unread post")
    assert jump.get_attribute("href").endswith(f"?page=2#post-{new_posts[0]}")
    page.goto(site.url("/"))
    follow(page, page.get_by_role("link", name=f"3 new in {title}", exact=True))
    assert page.url.endswith(f"?page=2#post-{new_posts[0]}")
    divider = page.get_by_role("heading", name="New since your last visit", level=2)
    assert divider.is_visible()
    first_new = page.locator(f"#post-{new_posts[0]}")
    assert first_new.is_visible() and first_new.bounding_box()["y"] >= 0  # scrolled to, on screen
    # The heading sits just before the first new post, after the two posts of page 2 already read.
    order = page.evaluate("() => [...document.querySelectorAll('.new-divider, article.post')].map(e => e.id)")
    assert len(order) == 6 and order[2:4] == ["new-posts", f"post-{new_posts[0]}"]

    # The space page agrees: nothing new now.
    page.goto(site.url("/spaces/between-chats"))
    row = page.locator("tr", has=page.get_by_role("link", name=title, exact=True))
    assert row.locator(".tag--new").count() == 0

    # Save the first new post: Actions, then Save; the post says Saved and offers Remove.
    page.goto(site.url(f"/threads/{thread_id}?page=2"))
    post = page.locator(f"#post-{new_posts[0]}")
    post.locator("summary").click()
    follow(page, post.get_by_role("button", name="Save the post by Jo Williams"))
    assert "Saved. You will find it under Saved posts." in notice(page)
    post = page.locator(f"#post-{new_posts[0]}")
    assert post.locator(".tag", has_text="Saved").is_visible()

    # The saved list, reached from the home page: thread, space and a note of one's own.
    page.goto(site.url("/"))
    follow(page, page.get_by_role("link", name="Your saved posts"))
    saved = page.locator(".saved-list__item").first
    assert title in saved.inner_text() and "Between chats" in saved.inner_text()
    follow(page, saved.get_by_role("link", name="Add a note on saved post 1"))
    fill(page, {"Your note": "Quote part 51 in our budget paper."})
    press(page, "Save note")
    assert "Your note was saved." in notice(page)
    assert "Quote part 51 in our budget paper." in page.locator(".saved-list__item").first.inner_text()

    # Remove it from the list, and the post no longer says Saved.
    follow(page, page.locator(".saved-list__item").first.get_by_role("button", name="Remove saved post 1"))
    assert "Removed from your saved posts." in notice(page) and "Nothing saved yet" in page.content()
    page.goto(site.url(f"/threads/{thread_id}?page=2"))
    assert page.locator(f"#post-{new_posts[0]} .tag", has_text="Saved").count() == 0


@pytest.mark.parametrize("js", [False, True], ids=["javascript-off", "javascript-on"])
def test_catching_up_and_saving_with_the_keyboard_alone(site, tab, js):
    """Tab, Shift+Tab, Enter and Space only; focus must show on everything it lands on."""
    page = tab
    name = "Robin Keys" if not js else "Morgan Keys"
    email, thread_id, _reader = returning_reader(site, name)
    new_posts = read_it_all_then_three_replies(site, page, email, thread_id)
    kb = Keyboard(page)

    page.goto(site.url(f"/threads/{thread_id}"))
    kb.activate(kb.tab_to_name("Jump to first unread post", role="link"))
    assert page.url.endswith(f"#post-{new_posts[0]}")
    assert page.get_by_role("heading", name="New since your last visit").is_visible()

    # From the post the jump landed on, the next stops are its own: its link, then its actions.
    actions = kb.tab_to_name("Actions for the post by Jo Williams")
    assert page.evaluate("() => document.activeElement.closest('article').id") == f"post-{new_posts[0]}"
    kb.activate(actions, navigates=False, key="Enter")  # a <summary> opens with Enter, scripts or none
    kb.activate(kb.tab_to_name("Save the post by Jo Williams", role="button"))
    assert "Saved. You will find it under Saved posts." in notice(page)

    page.goto(site.url("/saved"))
    kb.activate(kb.tab_to_name("Add a note on saved post 1", role="link"))
    kb.tab_to(lambda info: info["tag"] == "textarea", what="the note box")
    kb.type("Bring this up on Friday.")
    kb.activate(kb.tab_to_name("Save note", role="button"))
    assert "Bring this up on Friday." in page.locator(".saved-list__item").first.inner_text()
    kb.activate(kb.tab_to_name("Remove saved post 1", role="button"))
    assert "Removed from your saved posts." in notice(page)
    assert page.locator(".saved-list__item").count() == 0
