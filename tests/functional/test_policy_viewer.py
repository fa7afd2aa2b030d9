"""The policy asked about Flask-Login's `current_user`, as views ask it: the proxy is resolved to the member."""

from __future__ import annotations

from flask_login import current_user, login_user

from forum import policy
from forum.models import Member, Space
from tests.factories import make_member, make_space


def test_the_policy_reads_current_user_as_the_member_it_stands_for(app):
    member, outsider = make_member(app), make_member(app)
    private = make_space(app, visibility="private", members=[member])
    with app.test_request_context("/"):
        db = app.extensions["forum"].db.session
        signed_in, space = db.get(Member, member.id), db.get(Space, private.id)
        assert policy.signed_in_member(current_user) is None  # nobody has signed in yet
        assert not policy.can_view_space(current_user, space)
        login_user(signed_in)
        # The member object itself, so what the policy reads of it next is not looked up through the proxy again.
        assert policy.signed_in_member(current_user) is signed_in
        assert policy.can_view_space(current_user, space)
    with app.test_request_context("/"):
        db = app.extensions["forum"].db.session
        login_user(db.get(Member, outsider.id))
        assert not policy.can_view_space(current_user, db.get(Space, private.id))
