"""What each page shows, fetched in a fixed number of queries however many posts or threads there are."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, defer, joinedload, undefer

from forum import policy
from forum.db import built_once, utcnow
from forum.errors import NotFound
from forum.models import Chat, ChatImport, Member, Organisation, Post, Space, Thread, Watch
from forum.models.accounts import normalise_name
from forum.models.page_cache import PageVersion
from forum.services import notifications, read_state
from forum.services.pages import Page, check_page_number


def listed_spaces(db: Session, viewer) -> list[Space]:
    """The spaces the viewer may see listed, in their set order."""
    return list(db.scalars(
        select(Space).where(policy.listed_space_filter(viewer)).order_by(Space.position, Space.name)
    ))


def latest_threads(db: Session, viewer, limit: int = 10) -> tuple[list[Thread], dict[int, int]]:
    """The most recently active threads the viewer may read, and how many posts in each are new to them."""
    rows = db.execute(read_state.with_new_posts(
        select(Thread).join(Space, Thread.space_id == Space.id)
        .where(policy.readable_space_filter(viewer), Thread.awaiting_approval.is_(False), Thread.last_post_id.is_not(None))
        .options(contains_eager(Thread.space))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(limit), viewer)
    ).unique().all()
    return [thread for thread, _new in rows], {thread.id: new for thread, new in rows if new}


@dataclass
class ThisWeek:
    """The home page's chat panel: the newest imported chat's question threads, and the next chat."""

    chat: Chat | None = None
    threads: list[Thread] = field(default_factory=list)
    new_posts: dict[int, int] = field(default_factory=dict)
    next_chat: Chat | None = None


def this_weeks_chat(db: Session, viewer) -> ThisWeek:
    """The newest imported chat the viewer may read, its threads in question order (Q1, Q2, ...) with what is
    new to them, and the next chat to come; two queries however many chats and posts there are."""
    rows = questions_only(db.execute(read_state.with_new_posts(
        chat_threads_select(viewer, policy.listed_thread_filter(viewer)), viewer)).all())
    return ThisWeek(rows[0].Chat if rows else None, [row.Thread for row in rows],
                    {row.Thread.id: row.new_posts for row in rows if row.new_posts}, next_chat(db, viewer))


def chat_threads_select(viewer, listed) -> Select:
    """The threads that `listed` (a policy filter) lets through of the newest imported chat the viewer may read,
    with their chat, in question order."""
    newest = (select(Chat.id).join(Space, Chat.space_id == Space.id)
              .where(policy.readable_space_filter(viewer),
                     or_(Chat.status == "imported", select(ChatImport.id).where(ChatImport.chat_id == Chat.id).exists()))
              .order_by(Chat.starts_at.desc().nulls_last(), Chat.id.desc()).limit(1)
              .correlate(None).scalar_subquery())
    return (select(Thread, Chat).join(Chat, Thread.chat_id == Chat.id).join(Space, Thread.space_id == Space.id)
            .where(Thread.chat_id == newest, listed)
            .order_by(Thread.question_number.is_(None), Thread.question_number, Thread.id))


def questions_only(rows: list) -> list:
    """The questions (Q1, Q2, ...), not the welcome and wrap-up; a chat without question markers has one thread."""
    return [row for row in rows if row.Thread.question_number] or rows


def next_chat(db: Session, viewer) -> Chat | None:
    """The next chat to come that the viewer may read."""
    return db.scalar(
        select(Chat).join(Space, Chat.space_id == Space.id)
        .where(policy.readable_space_filter(viewer), Chat.starts_at >= utcnow())
        .order_by(Chat.starts_at, Chat.id).limit(1))


def get_space(db: Session, viewer, slug: str) -> Space:
    """The space at `slug` if the viewer may read it; otherwise the same NotFound as for no such space."""
    space = db.scalar(select(Space).where(Space.slug == slug))
    if space is None or not policy.can_view_space(viewer, space):
        raise NotFound(_("There is no space at this address, or you do not have access to it."))
    return space


def get_listed_space(db: Session, viewer, slug: str) -> Space:
    """The space at `slug` if the viewer may know it exists (a private space's name shows to members)."""
    space = db.scalar(select(Space).where(Space.slug == slug))
    if space is None or not policy.can_see_space_exists(viewer, space):
        raise NotFound(_("There is no space at this address, or you do not have access to it."))
    return space


def get_listed_space_and_parts(db: Session, viewer, slug: str, scopes: list[str]) -> tuple[Space, dict, tuple]:
    """`get_listed_space`, with the page cache's tokens of `scopes` ({scope: token}, as `get_thread_and_tokens`)
    and, for a member, their watch of the space and the header's count of unread notifications, read in the
    same statement: (space, tokens, (watch or None, unread count)); for a visitor (None, None)."""
    member = read_state.reader(viewer)
    statement = built_once(("get_listed_space", len(scopes), member is not None), lambda: _space_statement(
        len(scopes), member is not None))
    params = {"slug": slug, **{f"scope{n}": scope for n, scope in enumerate(scopes)}}
    row = db.execute(statement, {**params, "member_id": member.id} if member is not None else params).first()
    if row is None or not policy.can_see_space_exists(viewer, row.Space):
        raise NotFound(_("There is no space at this address, or you do not have access to it."))
    found = _tokens_found(row, 1, scopes)
    if member is None:
        return row.Space, found, (None, None)
    watch = read_state.WatchMark(row.watch_id, bool(row.every_post)) if row.watch_id is not None else None
    return row.Space, found, (watch, row.unread or 0)


def _space_statement(scopes: int, member: bool):
    statement = select(Space, *_token_columns(scopes))
    if member:
        watch = and_(Watch.member_id == bindparam("member_id"), Watch.kind == "space", Watch.target_id == Space.id)
        statement = (statement.add_columns(notifications.unread_count_column().label("unread"),
                                           Watch.id.label("watch_id"), Watch.every_post)
                     .select_from(Space).outerjoin(Watch, watch))
    return statement.where(Space.slug == bindparam("slug"))


def space_threads(db: Session, viewer, space: Space, number: int,
                  per_page: int) -> tuple[Page[Thread], dict[int, int]]:
    """One page of a space's threads: pinned first, then by latest activity; and how many posts in each are
    new to the viewer."""
    number = check_page_number(number, space.thread_count, per_page)
    rows = db.execute(read_state.with_new_posts(
        space_threads_select(space, policy.listed_thread_filter(viewer), number, per_page), viewer)).unique().all()
    return (Page([thread for thread, _new in rows], number, per_page, space.thread_count),
            {thread.id: new for thread, new in rows if new})


def space_threads_select(space: Space, listed, number: int, per_page: int) -> Select:
    """A page of a space's threads that `listed` (a policy filter) lets through, pinned first, then by latest
    activity, with each one's last post and its author."""
    last_post = aliased(Post)
    return (
        select(Thread).join(Space, Thread.space_id == Space.id).where(Thread.space_id == space.id, listed)
        .options(
            joinedload(Thread.last_post.of_type(last_post)).options(
                joinedload(last_post.author).joinedload(Member.organisation), joinedload(last_post.speaker)
            ),
        )
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .offset((number - 1) * per_page).limit(per_page)
    )


@dataclass
class ThreadView:
    """A thread as the viewer sees it: its space, its chat, and one page of its posts' rows.

    The rows carry every column of the post a card is made from (not its markdown) and of the post it
    replies to (not its words): enough to key a cached card (forum/cache.py); `posts_by_id` loads the
    posts whose cards are made, with their authors and speakers.
    """

    thread: Thread
    space: Space
    chat: Chat | None
    posts: Page


def get_thread(db: Session, viewer, thread_id: int) -> tuple[Thread, Space]:
    """The thread and its space if the viewer may read it; otherwise NotFound."""
    thread, space, _tokens = get_thread_and_tokens(db, viewer, thread_id, [])
    return thread, space


def get_thread_and_tokens(db: Session, viewer, thread_id: int, scopes: list[str], chat: bool = True
                          ) -> tuple[Thread, Space, dict]:
    """`get_thread`, with the page cache's tokens of `scopes` (forum/cache.py) read in the same statement, so
    before anything the page shows from them: {scope: token}, a scope with no token left out. Without `chat`,
    the thread's chat is not read (`chat_of` reads it where a page needs it)."""
    statement = built_once(("get_thread", len(scopes), chat), lambda: (
        select(Thread, Space, *_token_columns(len(scopes)))
        .join(Space, Thread.space_id == Space.id).where(Thread.id == bindparam("thread_id"))
        .options(*([joinedload(Thread.chat)] if chat else []), undefer(Thread.title_language))))
    row = db.execute(statement, {"thread_id": thread_id, **{f"scope{n}": s for n, s in enumerate(scopes)}}).first()
    if row is None or not policy.can_see_thread_exists(viewer, row.Thread, row.Space):
        raise NotFound(_("There is no thread at this address, or you do not have access to it."))
    return row.Thread, row.Space, _tokens_found(row, 2, scopes)


def chat_of(db: Session, thread: Thread) -> Chat | None:
    """The chat a thread came from (None for a thread started here), read if `get_thread_and_tokens` did not."""
    if thread.chat_id is None:
        return None
    return thread.chat if "chat" in thread.__dict__ else db.get(Chat, thread.chat_id)


def _token_columns(count: int) -> list:
    """The page cache's tokens of `count` scopes (parameters scope0, scope1...) as columns of a page's statement."""
    return [select(PageVersion.token).where(PageVersion.scope == bindparam(f"scope{n}")).scalar_subquery()
            .label(f"token{n}") for n in range(count)]


def _tokens_found(row, first: int, scopes: list[str]) -> dict[str, str]:
    """{scope: token} from the columns `_token_columns` added at `first`, a scope with no token left out."""
    return {scope: row[first + n] for n, scope in enumerate(scopes) if row[first + n] is not None}


# The post columns a card is not made from (its words are printed from body_html); every other column of
# the post and of the post it replies to goes into the card's key (forum/cache.py), so a new column is covered
# from its first day.
CARD_UNSHOWN_COLUMNS = frozenset({"body_source"})
CARD_UNSHOWN_PARENT_COLUMNS = frozenset({"body_source", "body_html"})


@functools.cache
def _card_row_columns():
    post, parent = Post.__table__, Post.__table__.alias("parent")
    own = [c for c in post.columns if c.name not in CARD_UNSHOWN_COLUMNS]
    theirs = [parent.c[c.name].label(f"parent_{c.name}") for c in post.columns
              if c.name not in CARD_UNSHOWN_PARENT_COLUMNS]
    return post, parent, own, theirs


def page_rows(db: Session, viewer, thread: Thread, space: Space, number: int, per_page: int) -> list:
    """A page of a thread's rows as the viewer is given them (`number` checked already), in order, each with
    the post it replies to."""
    statement = built_once(("thread_page", *policy.filter_shape(viewer, space)),
                           lambda: _page_rows_statement(policy.listed_posts_in(viewer, space)))
    return db.execute(statement, {"thread_id": thread.id, "offset": (number - 1) * per_page, "limit": per_page}).all()


def class_page_rows(db: Session, viewer, thread: Thread, space: Space, number: int, per_page: int) -> list:
    """A page of a thread's rows as every reader of the viewer's `policy.card_class` is given them (`number`
    checked already): none of the viewer's own waiting posts, which `ThreadMarks.own_unlisted` tells of."""
    statement = built_once(("class_page_rows", policy.can_view_space(viewer, space)),
                           lambda: _page_rows_statement(policy.class_posts_in(viewer, space)))
    return db.execute(statement, {"thread_id": thread.id, "offset": (number - 1) * per_page, "limit": per_page}).all()


def _page_rows_statement(listed):
    # The page's ids first, from the thread-order index alone; then only those rows.
    page = (
        select(Post.id).where(Post.thread_id == bindparam("thread_id"), listed)
        .order_by(Post.created_at, Post.id).offset(bindparam("offset")).limit(bindparam("limit"))
    ).subquery()
    post, parent, own, theirs = _card_row_columns()
    return (select(*own, *theirs).select_from(
        post.join(page, post.c.id == page.c.id).outerjoin(parent, parent.c.id == post.c.reply_to_id))
        .order_by(post.c.created_at, post.c.id))


def posts_by_id(db: Session, post_ids: list[int]) -> dict[int, Post]:
    """These posts with their authors, organisations, speakers, import dates and what they reply to, by id."""
    if not post_ids:
        return {}
    parent = aliased(Post)
    posts = db.scalars(
        select(Post).where(Post.id.in_(post_ids))
        .options(
            # The page prints the HTML, not the markdown, and only when an import was made, not its summary.
            defer(Post.body_source, raiseload=True),
            joinedload(Post.author).joinedload(Member.organisation),
            joinedload(Post.speaker),
            joinedload(Post.import_record).load_only(ChatImport.created_at, raiseload=True),
            joinedload(Post.reply_to.of_type(parent)).options(
                joinedload(parent.author).joinedload(Member.organisation), joinedload(parent.speaker)
            ),
        )
    ).unique()
    return {p.id: p for p in posts}


def get_post(db: Session, viewer, post_id: int) -> tuple[Post, Thread, Space]:
    """A post with its thread and space if the policy lets the viewer know it exists; otherwise NotFound.

    Its author (with organisation) and speaker are loaded, for the byline the policy decides.
    """
    row = db.execute(
        select(Post, Thread, Space).join(Thread, Post.thread_id == Thread.id)
        .join(Space, Thread.space_id == Space.id).where(Post.id == post_id)
        .options(joinedload(Post.author).joinedload(Member.organisation), joinedload(Post.speaker))
    ).first()
    if (row is None or not policy.can_see_thread_exists(viewer, row.Thread, row.Space)
            or policy.post_state(viewer, row.Post, row.Space) is None):
        raise NotFound(_("There is no post at this address, or you do not have access to it."))
    return row.Post, row.Thread, row.Space


def get_shown_post(db: Session, viewer, post_id: int) -> tuple[Post, Thread, Space]:
    """A post whose words the viewer may read (not a placeholder); otherwise the same NotFound as for none."""
    post, thread, space = get_post(db, viewer, post_id)
    if policy.post_state(viewer, post, space) != policy.SHOWN:
        raise NotFound(_("There is no post at this address, or you do not have access to it."))
    return post, thread, space


def member_activity(db: Session, viewer, member: Member, limit: int = 10) -> list[Post]:
    """A member's latest posts that the viewer may read in full, never those posted without their name."""
    return list(db.scalars(
        select(Post).join(Thread, Post.thread_id == Thread.id).join(Space, Thread.space_id == Space.id)
        .where(Post.author_id == member.id, Post.anonymous.is_(False), policy.shown_post_filter(viewer),
               policy.listed_thread_filter(viewer))
        .options(joinedload(Post.thread))
        .order_by(Post.created_at.desc()).limit(limit)
    ))


@dataclass
class DirectoryFilters:
    """What the member directory is narrowed by."""

    sector: str | None = None
    organisation: str = ""
    role: str = ""
    champions_only: bool = False


def member_directory(db: Session, filters: DirectoryFilters, number: int, per_page: int) -> Page[Member]:
    """One page of approved members, by name, narrowed by sector, organisation, job role and badge."""
    query = select(Member).where(Member.state == "approved")
    if filters.sector:
        query = query.where(Member.sector == filters.sector)
    if filters.organisation.strip():
        query = query.join(Organisation, Member.organisation_id == Organisation.id).where(
            Organisation.name_key.contains(normalise_name(filters.organisation), autoescape=True))
    if filters.role.strip():
        query = query.where(func.lower(Member.job_role).contains(filters.role.strip().lower(), autoescape=True))
    if filters.champions_only:
        query = query.where(Member.champion.is_(True))
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    number = check_page_number(number, total, per_page)
    found = db.scalars(query.order_by(Member.display_name, Member.id).offset((number - 1) * per_page).limit(per_page))
    return Page(list(found), number, per_page, total)
