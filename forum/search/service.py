"""Search the forum as a viewer may: permission checks inside the query, a fixed number of queries a page.

Results are posts (imported chat posts included), best match first; member names are matched too,
for approved members (the directory is theirs). A common word can match most of the forum, so the
ranked list is the MAX_RESULTS newest matches put in order of relevance, and the count says "more than"
beyond that: every page then costs about the same, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import String, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from forum import policy
from forum.db import UTCDateTime, among_ids, built_once, planned_for_its_values
from forum.errors import NotFound
from forum.models import Chat, LibraryEntry, Member, Organisation, Post, Space, Speaker, Thread
from forum.models.accounts import handle_key, normalise_name
from forum.models.threads import platform_name
from forum.search import backend as backends
from forum.search import suggest as suggestions
from forum.search.documents import documents
from forum.search.indexing import ready
from forum.search.query import Query
from forum.search.text import headline, marked, plain_text
from forum.services.pages import Page, check_page_number

MAX_RESULTS = 1000
MAX_MEMBERS = 8
MAX_LIBRARY = 5
SNIPPET_CHARS = 200  # the start of a post, when the index has no snippet for it
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Filters:
    """What the results are narrowed to, beyond the words."""

    space: Space | None = None
    author: str = ""             # a member's name, or a chat handle or name
    since: date | None = None    # UK dates, inclusive
    until: date | None = None
    good_practice: bool = False  # library entries and promoted posts only (none until the library exists)
    chats_only: bool = False     # posts imported from chat transcripts only


@dataclass(frozen=True)
class Hit:
    """One post found, as the results show it: where it is, whose name the viewer sees on it (the policy's
    byline), and its title and snippet with matches marked."""

    post_id: int
    thread_id: int
    created_at: datetime
    language: str | None
    hidden: bool                 # hidden by a moderator: only the space's moderators find it
    space_name: str
    chat_title: str | None       # the chat it was imported from
    byline: policy.Byline
    title: Markup
    snippet: Markup


@dataclass(frozen=True)
class MemberMatch:
    """A member whose name matches: enough to link to their profile."""

    id: int
    name: str
    organisation: str | None


@dataclass
class Results:
    """A page of hits, members whose names match, and what to tell the reader about the search."""

    query: Query
    page: Page[Hit]
    more: bool = False                     # over MAX_RESULTS matched: page.total is MAX_RESULTS
    members: list[MemberMatch] = field(default_factory=list)
    unavailable: str | None = None         # why nothing could be searched, when that is the case
    library: list[LibraryEntry] = field(default_factory=list)  # published library entries that match
    suggestion: str | None = None          # nothing found: the closest search that finds something


def searchable_spaces(db: Session, viewer) -> list[Space]:
    """The spaces whose posts the viewer may search, for the space filter."""
    return list(db.scalars(select(Space).where(policy.readable_space_filter(viewer))
                           .order_by(Space.position, Space.name)))


def search(db: Session, viewer, query: Query, filters: Filters, number: int, per_page: int,
           suggest: bool = True) -> Results:
    """One page of what `viewer` may read that matches `query` and `filters`, best first; when nothing
    matches, the closest search that finds something (with `suggest`)."""
    empty = Results(query, Page([], 1, per_page, 0))
    if query.is_empty:
        if number != 1:
            raise NotFound(_("There is no page %(number)s; pages run from 1 to 1.", number=number))
        return empty
    backend = ready(db.connection())
    if backend is None:
        empty.unavailable = _("Search is not available yet: the site's administrator needs to run "
                              "“flask forum upgrade” and “flask forum reindex”.")
        return empty

    rows, total = _newest_matches(db, backend, viewer, query, filters, MAX_RESULTS + 1,
                                  (max(number, 1) - 1) * per_page, per_page)
    number = check_page_number(number, min(total, MAX_RESULTS), per_page)
    hits = _hits(db, backend, viewer, query, [row.id for row in rows])
    members = _members(db, viewer, query) if number == 1 else []
    entries = _library(db, query, filters) if number == 1 and suggest else []
    results = Results(query, Page(hits, number, per_page, min(total, MAX_RESULTS)), more=total > MAX_RESULTS,
                      members=members, library=entries)
    if suggest and not total and not members and not entries:
        results.suggestion = suggestions.suggestion(
            db.connection(), query, lambda other: search(db, viewer, other, filters, 1, per_page, suggest=False),
            lambda other: bool(_newest_matches(db, backend, viewer, other, filters, 1, 0, 1)[0]))
    return results


def _newest_matches(db: Session, backend: backends.Backend, viewer, query: Query, filters: Filters, cap: int,
                    offset: int, per_page: int) -> tuple[list, int]:
    """A page (`offset`, `per_page`) of the newest `cap` matches the viewer may read, best first, and how many
    of those there are."""
    narrowed_by, narrowing = _narrowing(filters)
    plan, planned = backend.plan(db.connection(), query, narrowed=any(narrowed_by))
    # One statement per shape (the words' kinds, the plan, the filters used, the viewer's policy filters), kept;
    # the words, the plan's and the filters' values, and the page are bound when it runs.
    page_of, count = built_once(
        ("search", backend.name, backend.shape(query), plan, narrowed_by, *policy.filter_shape(viewer)),
        lambda: _ranked(backend, viewer, query, plan, narrowed_by))
    values = {**backend.words(query), **planned, **narrowing, "cap": cap, "offset": offset, "per_page": per_page}
    # Core statements run on the session's connection: the ORM's handling of a statement costs time and does
    # nothing for rows that are not objects.
    connection = db.connection()
    with planned_for_its_values(connection):  # the best reading depends on the words
        rows = connection.execute(page_of, values).all()
        total = rows[0].total if rows else (connection.scalar(count, values) if offset else 0)
    return rows, total


def _ranked(backend: backends.Backend, viewer, query: Query, plan: tuple, narrowed_by: tuple):
    """The statements for a page of ranked results (with the count of all of them) and for that count alone."""
    # On the index's own thread ids, with no join: a common word matches thousands of documents. As common
    # table expressions, made once for a statement that reads the index a partition at a time.
    unreadable = policy.unreadable_threads(viewer).cte("unreadable")
    moderated = policy.moderated_threads(viewer).cte("moderated")
    scope = [documents.c.thread_id.not_in(select(unreadable.c.id)),
             or_(documents.c.hidden.is_(False), documents.c.thread_id.in_(select(moderated.c.id))),
             *_narrowing_clauses(narrowed_by)]

    def newest_first(extra=None, match=None):
        found = (select(documents.c.id.label("id"), backend.score(query).label("score"))
                 .select_from(backend.source())
                 .where(backend.match(query) if match is None else match, *scope))
        if extra is not None:
            found = found.where(extra)
        return found.order_by(backend.recency().desc()).limit(bindparam("cap"))

    candidates = backend.newest(plan, query, newest_first, bindparam("cap")).subquery("candidates")
    page_of = (select(candidates.c.id, func.count().over().label("total"))
               .order_by(candidates.c.score.desc(), candidates.c.id.desc())
               .offset(bindparam("offset")).limit(bindparam("per_page")))
    return page_of, select(func.count()).select_from(candidates)


def _narrowing(filters: Filters) -> tuple[tuple, dict]:
    """Which filters narrow the search (what their WHERE clauses are made from) and the values they bind."""
    author = filters.author.strip()
    narrowed_by = (filters.space is not None, bool(author), filters.since is not None, filters.until is not None,
                   filters.good_practice, filters.chats_only)
    values: dict = {}
    if filters.space is not None:
        values["space_id"] = filters.space.id
    if author:
        values["author_name"], values["author_handle"] = normalise_name(filters.author), handle_key(filters.author)
    if filters.since is not None:
        values["since"] = _uk_midnight(filters.since)
    if filters.until is not None:
        values["until"] = _uk_midnight(filters.until + timedelta(days=1))
    return narrowed_by, values


def _narrowing_clauses(narrowed_by: tuple) -> list:
    """WHERE clauses for the filters (anonymous posts have no author or speaker, so never match one)."""
    space, author, since, until, good_practice, chats_only = narrowed_by
    clauses = []
    if space:
        clauses.append(documents.c.thread_id.in_(select(Thread.id).where(Thread.space_id == bindparam("space_id"))))
    if author:
        name, handle = bindparam("author_name", type_=String()), bindparam("author_handle", type_=String())
        clauses.append(or_(
            documents.c.author_id.in_(select(Member.id).where(Member.name_key == name, Member.state == "approved")),
            documents.c.speaker_id.in_(select(Speaker.id).where(or_(
                func.lower(func.ltrim(Speaker.handle, "@")) == handle, func.lower(Speaker.display_name) == name,
            ))),
        ))
    if since:
        clauses.append(documents.c.created_at >= bindparam("since", type_=UTCDateTime()))
    if until:
        clauses.append(documents.c.created_at < bindparam("until", type_=UTCDateTime()))
    if good_practice:
        clauses.append(documents.c.good_practice.is_(True))
    if chats_only:
        clauses.append(documents.c.chat_id.is_not(None))
    return clauses


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LONDON)


class _Posted:
    """What `policy.byline` reads of a post, from a row of the hits' statement (its author and speaker given)."""

    def __init__(self, row):
        self.anonymous, self.author_id, self.speaker_id, self.removed_at = (
            row.anonymous, row.author_id, row.speaker_id, row.removed_at)
        self.author = None if row.author_state is None else SimpleNamespace(
            id=row.author_id, display_name=row.author_name, state=row.author_state,
            organisation_id=row.organisation_id,
            organisation=None if row.organisation_name is None else SimpleNamespace(name=row.organisation_name))
        self.speaker = None if row.speaker_platform is None else SimpleNamespace(
            display_name=row.speaker_name, handle=row.speaker_handle, platform_name=platform_name(row.speaker_platform))


def _hits(db: Session, backend: backends.Backend, viewer, query: Query, ids: list[int]) -> list[Hit]:
    """The page's posts with what the results show of them, in rank order, and their marked snippets."""
    if not ids:
        return []
    # The index decided what matched; this repeats the policy so a stale entry can never show a post.
    headlined = backend.headlined
    statement = built_once(("search_hits", backend.name, backend.shape(query) if headlined else None,
                            *policy.filter_shape(viewer)), lambda: _hits_statement(viewer, backend, query))
    found = {row.id: row for row in db.connection().execute(
        statement, {**(backend.words(query) if headlined else {}), "ids": ids})}
    shown = [found[i] for i in ids if i in found]
    if headlined:
        marks = {row.id: (row.title_marked or "", headline(row.body_marked)) for row in shown}
    else:
        marks = backend.highlights(db.connection(), query, [row.id for row in shown])
    hits = []
    for row in shown:
        title, snippet = marks.get(row.id, ("", ""))
        hits.append(Hit(
            post_id=row.id, thread_id=row.thread_id, created_at=row.created_at, language=row.language,
            hidden=row.hidden_at is not None, space_name=row.space_name, chat_title=row.chat_title,
            byline=policy.byline(viewer, _Posted(row)),
            title=marked(title) if title else escape(row.thread_title),
            snippet=marked(snippet) if snippet or headlined else escape(plain_text(row.body_html)[:SNIPPET_CHARS]),
        ))
    return hits


def _hits_statement(viewer, backend: backends.Backend, query: Query):
    """The columns the results show of posts by id (an expanding IN), as far as the policy lets the viewer see them,
    with their marked title and snippet when the backend makes them here.

    The chat's title and the organisation's name are subqueries: with two joins fewer, PostgreSQL plans the
    statement in a third of the time (about 2 ms less, each time it is not prepared).
    """
    author, organisation = aliased(Member, name="author"), aliased(Organisation, name="organisation")
    text = [Post.body_html]
    if backend.headlined:  # the thread's title is the opening post's
        title, body = backend.headlines(query, case((Thread.first_post_id == Post.id, Thread.title), else_=""),
                                        Post.body_html)
        text = [title.label("title_marked"), body.label("body_marked")]
    return (
        select(Post.id, Post.thread_id, Post.created_at, Post.language, Post.hidden_at, *text, Post.anonymous,
               Post.author_id, Post.speaker_id, Post.removed_at, Thread.title.label("thread_title"),
               Space.name.label("space_name"),
               select(Chat.title).where(Chat.id == Post.chat_id).scalar_subquery().label("chat_title"),
               author.display_name.label("author_name"), author.state.label("author_state"),
               author.organisation_id.label("organisation_id"),
               select(organisation.name).where(organisation.id == author.organisation_id).scalar_subquery()
               .label("organisation_name"),
               Speaker.display_name.label("speaker_name"), Speaker.handle.label("speaker_handle"),
               Speaker.platform.label("speaker_platform"))
        .join(Thread, Post.thread_id == Thread.id).join(Space, Thread.space_id == Space.id)
        .outerjoin(author, author.id == Post.author_id)
        .outerjoin(Speaker, Speaker.id == Post.speaker_id)
        .where(among_ids(Post.id, "ids"), policy.shown_post_filter(viewer))
    )


def _library(db: Session, query: Query, filters: Filters) -> list[LibraryEntry]:
    """Published library entries (which everyone may read) holding every word in their title or summary;
    none when the search is narrowed to a space, an author or dates, which entries do not have."""
    if filters.space is not None or filters.author.strip() or filters.since or filters.until or filters.chats_only:
        return []
    wanted = [" ".join(item).lower() for item in query.include]
    unwanted = [" ".join(item).lower() for item in query.exclude]
    statement = built_once(("search_library", len(wanted), len(unwanted)),
                           lambda: _library_statement(len(wanted), len(unwanted)))
    return list(db.scalars(statement, {**_likes("wanted", wanted), **_likes("unwanted", unwanted)}).unique())


def _library_statement(wanted: int, unwanted: int):
    text = func.lower(LibraryEntry.title + " " + LibraryEntry.problem + " " + LibraryEntry.approach + " "
                      + LibraryEntry.outcome)
    return (
        select(LibraryEntry).where(LibraryEntry.status == "published",
                                   *[text.contains(_like("wanted", n), escape="/") for n in range(wanted)],
                                   *[~text.contains(_like("unwanted", n), escape="/") for n in range(unwanted)])
        .options(joinedload(LibraryEntry.organisation))
        .order_by(LibraryEntry.created_at.desc(), LibraryEntry.id.desc()).limit(MAX_LIBRARY)
    )


def _members(db: Session, viewer, query: Query) -> list[MemberMatch]:
    """Approved members whose names hold every word searched for; only approved members may look."""
    if not (isinstance(viewer, Member) and viewer.is_authenticated and viewer.is_approved):
        return []
    words = [normalise_name(word) for word in query.words]
    unwanted = [normalise_name(" ".join(item)) for item in query.exclude]
    statement = built_once(("search_members", len(words), len(unwanted)), lambda: (
        select(Member.id, Member.display_name, Organisation.name)
        .outerjoin(Organisation, Member.organisation_id == Organisation.id)
        .where(
            Member.state == "approved", Member.name_key.is_not(None),
            and_(*[Member.name_key.contains(_like("word", n), escape="/") for n in range(len(words))]),
            *[~Member.name_key.contains(_like("unwanted", n), escape="/") for n in range(len(unwanted))],
        ).order_by(Member.display_name, Member.id).limit(MAX_MEMBERS)))
    rows = db.connection().execute(statement, {**_likes("word", words), **_likes("unwanted", unwanted)})
    return [MemberMatch(*row) for row in rows]


def _like(name: str, n: int):
    return bindparam(f"{name}_{n}", type_=String())


def _likes(name: str, texts: list[str]) -> dict:
    """Values for `_like` parameters, escaped as SQLAlchemy's autoescape does (with /), so % and _ are just characters."""
    return {f"{name}_{n}": text.replace("/", "//").replace("%", "/%").replace("_", "/_") for n, text in enumerate(texts)}
