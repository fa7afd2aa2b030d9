"""Search the forum as a viewer may: permission checks inside the query, a fixed number of queries a page.

Results are posts (imported chat posts included), best match first; member names are matched too,
for approved members (the directory is theirs). A common word can match most of the forum, so the
ranked list is the MAX_RESULTS newest matches put in order of relevance, and the count says "more than"
beyond that: every page then costs about the same, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from forum import policy
from forum.errors import NotFound
from forum.models import Chat, LibraryEntry, Member, Organisation, Post, Space, Speaker, Thread
from forum.models.accounts import handle_key, normalise_name
from forum.search import backend as backends
from forum.search import suggest as suggestions
from forum.search.documents import documents
from forum.search.indexing import ready
from forum.search.query import Query
from forum.search.text import marked, plain_text
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


@dataclass
class Hit:
    """One post found: where it is, who wrote it, and its title and snippet with matches marked."""

    post: Post
    thread: Thread
    space: Space
    chat: Chat | None
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

    narrowing = _narrowing(filters)
    scope = [policy.readable_space_filter(viewer), or_(documents.c.hidden.is_(False), policy.moderated_space_filter(viewer)),
             *narrowing]

    def newest_first(extra=None, match=None):
        found = (select(documents.c.id.label("id"), backend.score(query).label("score"))
                 .select_from(backend.source().join(Thread, Thread.id == documents.c.thread_id)
                              .join(Space, Space.id == Thread.space_id))
                 .where(backend.match(query) if match is None else match, *scope))
        if extra is not None:
            found = found.where(extra)
        return found.order_by(backend.recency().desc()).limit(MAX_RESULTS + 1)

    candidates = backend.newest(db.connection(), query, newest_first, MAX_RESULTS + 1,
                                narrowed=bool(narrowing)).subquery("candidates")
    rows = db.execute(
        select(candidates.c.id, func.count().over().label("total"))
        .order_by(candidates.c.score.desc(), candidates.c.id.desc())
        .offset((max(number, 1) - 1) * per_page).limit(per_page)
    ).all()
    total = rows[0].total if rows else (db.scalar(select(func.count()).select_from(candidates)) if number > 1 else 0)
    number = check_page_number(number, min(total, MAX_RESULTS), per_page)
    hits = _hits(db, backend, viewer, query, [row.id for row in rows])
    members = _members(db, viewer, query) if number == 1 else []
    entries = _library(db, query, filters) if number == 1 and suggest else []
    results = Results(query, Page(hits, number, per_page, min(total, MAX_RESULTS)), more=total > MAX_RESULTS,
                      members=members, library=entries)
    if suggest and not total and not members and not entries:
        results.suggestion = suggestions.suggestion(
            db.connection(), query, lambda other: search(db, viewer, other, filters, 1, per_page, suggest=False))
    return results


def _narrowing(filters: Filters) -> list:
    """WHERE clauses for the filters (anonymous posts have no author or speaker, so never match one)."""
    clauses = []
    if filters.space is not None:
        clauses.append(Thread.space_id == filters.space.id)
    if filters.author.strip():
        name, handle = normalise_name(filters.author), handle_key(filters.author)
        clauses.append(or_(
            documents.c.author_id.in_(select(Member.id).where(Member.name_key == name, Member.state == "approved")),
            documents.c.speaker_id.in_(select(Speaker.id).where(or_(
                func.lower(func.ltrim(Speaker.handle, "@")) == handle, func.lower(Speaker.display_name) == name,
            ))),
        ))
    if filters.since is not None:
        clauses.append(documents.c.created_at >= _uk_midnight(filters.since))
    if filters.until is not None:
        clauses.append(documents.c.created_at < _uk_midnight(filters.until + timedelta(days=1)))
    if filters.good_practice:
        clauses.append(documents.c.good_practice.is_(True))
    if filters.chats_only:
        clauses.append(documents.c.chat_id.is_not(None))
    return clauses


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LONDON)


def _hits(db: Session, backend: backends.Backend, viewer, query: Query, ids: list[int]) -> list[Hit]:
    """Load the page's posts with everything they show, in rank order, and their marked snippets."""
    if not ids:
        return []
    # The index decided what matched; this repeats the policy so a stale entry can never show a post.
    rows = db.execute(
        select(Post, Thread, Space, Chat)
        .join(Thread, Post.thread_id == Thread.id).join(Space, Thread.space_id == Space.id)
        .outerjoin(Chat, Post.chat_id == Chat.id)
        .where(Post.id.in_(ids), policy.shown_post_filter(viewer))
        .options(joinedload(Post.author).joinedload(Member.organisation), joinedload(Post.speaker))
    ).unique().all()
    found = {row.Post.id: row for row in rows}
    shown = [found[i] for i in ids if i in found]
    marks = backend.highlights(db.connection(), query, [
        (row.Post.id, row.Thread.title if row.Thread.first_post_id == row.Post.id else "",
         plain_text(row.Post.body_html) if backend.needs_text else "")
        for row in shown
    ])
    hits = []
    for row in shown:
        title, snippet = marks.get(row.Post.id, ("", ""))
        hits.append(Hit(
            post=row.Post, thread=row.Thread, space=row.Space, chat=row.Chat,
            title=marked(title) if title else escape(row.Thread.title),
            snippet=marked(snippet) if snippet else escape(plain_text(row.Post.body_html)[:SNIPPET_CHARS]),
        ))
    return hits


def _library(db: Session, query: Query, filters: Filters) -> list[LibraryEntry]:
    """Published library entries (which everyone may read) holding every word in their title or summary;
    none when the search is narrowed to a space, an author or dates, which entries do not have."""
    if filters.space is not None or filters.author.strip() or filters.since or filters.until or filters.chats_only:
        return []
    text = func.lower(LibraryEntry.title + " " + LibraryEntry.problem + " " + LibraryEntry.approach + " "
                      + LibraryEntry.outcome)
    wanted = [" ".join(item).lower() for item in query.include]
    unwanted = [" ".join(item).lower() for item in query.exclude]
    return list(db.scalars(
        select(LibraryEntry).where(LibraryEntry.status == "published",
                                   *[text.contains(word, autoescape=True) for word in wanted],
                                   *[~text.contains(word, autoescape=True) for word in unwanted])
        .options(joinedload(LibraryEntry.organisation))
        .order_by(LibraryEntry.created_at.desc(), LibraryEntry.id.desc()).limit(MAX_LIBRARY)
    ).unique())


def _members(db: Session, viewer, query: Query) -> list[MemberMatch]:
    """Approved members whose names hold every word searched for; only approved members may look."""
    if not (isinstance(viewer, Member) and viewer.is_authenticated and viewer.is_approved):
        return []
    words = [normalise_name(word) for word in query.words]
    unwanted = [normalise_name(" ".join(item)) for item in query.exclude]
    rows = db.execute(
        select(Member.id, Member.display_name, Organisation.name)
        .outerjoin(Organisation, Member.organisation_id == Organisation.id)
        .where(
            Member.state == "approved", Member.name_key.is_not(None),
            and_(*[Member.name_key.contains(word, autoescape=True) for word in words]),
            *[~Member.name_key.contains(word, autoescape=True) for word in unwanted],
        ).order_by(Member.display_name, Member.id).limit(MAX_MEMBERS)
    )
    return [MemberMatch(*row) for row in rows]
