"""The one interface both search backends implement, and the choice between them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, inspect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, Select

from forum.search.documents import Document, documents
from forum.search.query import Query


class Backend:
    """Where the words live and how they are matched, ranked and highlighted; documents are shared."""

    name = "none"
    tables: tuple[str, ...] = (documents.name,)
    headlined = False  # are matches marked by `headlines`, in the statement reading the posts (or by `highlights`)?

    def installed(self, connection: Connection) -> bool:
        """Are this backend's tables there (migration 0010 has run)?"""
        names = inspect(connection).get_table_names()
        return all(table in names for table in self.tables)

    # -- writing ------------------------------------------------------------------------------------
    def write(self, connection: Connection, docs: Sequence[Document]) -> None:
        """Store documents whose ids are not in the index (delete them first to replace them)."""
        raise NotImplementedError

    def delete(self, connection: Connection, ids: Sequence[int]) -> None:
        """Remove documents by id; ids not in the index are ignored."""
        raise NotImplementedError

    def clear(self, connection: Connection) -> None:
        """Remove every document."""
        raise NotImplementedError

    def optimise(self, connection: Connection) -> None:
        """Tidy the index after a rebuild (merge segments, refresh planner statistics)."""

    # -- reading ------------------------------------------------------------------------------------
    # Statements are made once per shape and kept (forum.db.built_once): `match`, `score` and `highlights` make
    # SQL that depends on `shape(query)` alone, with the words as bound parameters whose values `words(query)`
    # gives; `plan` chooses how to find the newest matches and says what its statement depends on.
    def source(self) -> FromClause:
        """`documents`, joined to wherever the words are kept."""
        raise NotImplementedError

    def shape(self, query: Query) -> tuple:
        """What the SQL of `match`, `score` and `highlights` depends on for `query`, its words aside."""
        return ()

    def words(self, query: Query) -> dict:
        """The values of the bound parameters that `match`, `score` and `highlights` make for `query`."""
        raise NotImplementedError

    def match(self, query: Query) -> ColumnElement[bool]:
        """A WHERE clause: the document has every included word and phrase and none excluded."""
        raise NotImplementedError

    def score(self, query: Query) -> ColumnElement:
        """How well a matching document fits the query: higher is better."""
        raise NotImplementedError

    def recency(self) -> ColumnElement:
        """A column whose descending order the index can follow cheaply: newest documents first."""
        return documents.c.id

    def plan(self, connection: Connection, query: Query, narrowed: bool = False) -> tuple[tuple, dict]:
        """How to find the newest matches of `query`: a key naming the plan (what `newest` makes depends on it
        and on `shape(query)`) and the values its statement binds. `narrowed` says the search has filters beyond
        the words and the viewer's spaces (a space, an author, dates...)."""
        return (), {}

    def newest(self, plan: tuple, query: Query, candidates: Callable[..., Select], limit: int) -> Select:
        """The newest `limit` matches with their scores, found as `plan` says: `candidates(extra=None, match=None)`
        builds the newest-first query, limited (`extra` another WHERE clause, `match` one instead of `match`)."""
        return candidates()

    def headlines(self, query: Query, title: ColumnElement, html: ColumnElement) -> tuple[ColumnElement, ...]:
        """Columns for the statement that reads the posts found: the title and a snippet of the post's HTML with
        matches marked START...STOP (made from the HTML's text, its entities not yet read), when `headlined`."""
        raise NotImplementedError

    def highlights(self, connection: Connection, query: Query, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """For the posts with these ids, their documents' title and a snippet of their text with matches marked
        START...STOP, when not `headlined`."""
        raise NotImplementedError


_BACKENDS: dict[str, Backend] = {}


def register(dialect: str, backend: Backend) -> None:
    """Make `backend` the search backend for databases of this SQLAlchemy dialect."""
    _BACKENDS[dialect] = backend


def for_connection(connection: Connection) -> Backend | None:
    """The backend for the database behind `connection`, or None when search does not support it."""
    from forum.search import postgres, sqlite  # noqa: F401  (each registers itself; late, as they import this)
    return _BACKENDS.get(connection.dialect.name)
