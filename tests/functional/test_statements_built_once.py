"""Statements built once per shape (forum.db.built_once, #19): a statement made from the policy's filters is
kept for `policy.filter_shape(viewer, space)`, so two viewers of one shape must get the very same SQL from
every filter, and a statement kept for one shape must never serve another.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from forum import policy
from forum.db import built_once
from forum.models import Member, Space, SpaceMembership
from forum.services import read_state
from tests.factories import db_session, make_member, make_space

FILTERS = {
    "readable_space_filter": lambda viewer, space: policy.readable_space_filter(viewer),
    "listed_space_filter": lambda viewer, space: policy.listed_space_filter(viewer),
    "moderated_space_filter": lambda viewer, space: policy.moderated_space_filter(viewer),
    "listed_post_filter": lambda viewer, space: policy.listed_post_filter(viewer),
    "listed_posts_in": policy.listed_posts_in,
    "shown_post_filter": lambda viewer, space: policy.shown_post_filter(viewer),
    "listed_thread_filter": lambda viewer, space: policy.listed_thread_filter(viewer),
    "counted (read marks)": lambda viewer, space: read_state._counted(viewer) if isinstance(viewer, Member) else None,
}


def _sql(clause) -> str:
    if clause is None:
        return ""
    return "\n".join(str(clause.compile(dialect=d, compile_kwargs={"literal_binds": True}))
                     for d in (sqlite.dialect(), postgresql.dialect()))


def test_viewers_of_one_shape_get_the_same_sql_from_every_filter(app):
    public, members, private = (make_space(app, visibility=v) for v in ("public", "members", "private"))
    other_private = make_space(app, visibility="private")
    people = [make_member(app, state="pending"), make_member(app, confirmed=False, state="pending"),
              make_member(app), make_member(app), make_member(app, role="moderator"), make_member(app, state="suspended")]
    member_of, host_of, both = make_member(app), make_member(app), make_member(app)
    with app.app_context():
        db = db_session(app)
        db.add_all([SpaceMembership(space_id=private.id, member_id=member_of.id, role="member"),
                    SpaceMembership(space_id=private.id, member_id=host_of.id, role="host"),
                    SpaceMembership(space_id=private.id, member_id=both.id, role="member"),
                    SpaceMembership(space_id=other_private.id, member_id=both.id, role="member")])
        db.commit()
        viewers = [None, *(db.get(Member, m.id) for m in [*people, member_of, host_of, both])]
        spaces = [db.get(Space, s.id) for s in (public, members, private, other_private)]
        seen: dict[tuple, dict[str, str]] = {}
        shapes = set()
        for viewer in viewers:
            for space in spaces:
                shape = policy.filter_shape(viewer, space)
                shapes.add(shape)
                made = {name: _sql(make(viewer, space)) for name, make in FILTERS.items()}
                if isinstance(viewer, Member):  # what the read marks add: the member's join date
                    shape = (*shape, viewer.created_at)
                assert seen.setdefault(shape, made) == made, (shape, viewer, space)
        assert len(shapes) == len(viewers) * len(spaces)  # these viewers differ in what the filters read


def test_a_statement_is_built_once_per_key(app):
    calls = []

    def make():
        calls.append(1)
        return object()

    first = built_once(("test_a_statement_is_built_once_per_key", 1), make)
    assert built_once(("test_a_statement_is_built_once_per_key", 1), make) is first
    assert built_once(("test_a_statement_is_built_once_per_key", 2), make) is not first
    assert len(calls) == 2
