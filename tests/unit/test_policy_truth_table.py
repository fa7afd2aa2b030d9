"""The policy's truth table: every post state, every role, every decision, one row each.

Pure: the models are built in memory and each member's space roles are given, so nothing touches a
database. The table is written out in full on purpose: a change to a rule must change a row here.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from forum import policy
from forum.models import Member, Organisation, Post, Space, Speaker, Thread

NOW = datetime(2020, 1, 1, tzinfo=timezone.utc)  # a value for timestamps; no rule compares it with now
SPACE_ID, OTHER_SPACE_ID = 10, 20
AUTHOR_ID = 7


def member(member_id: int, *, state="approved", role="member", roles=None, name=None) -> Member:
    found = Member(id=member_id, state=state, role=role, display_name=name or f"Member {member_id}",
                   organisation_id=None, session_version=1)
    found.__dict__["_forum_space_roles"] = dict(roles or {})
    return found


AUTHOR = member(AUTHOR_ID, roles={SPACE_ID: "member"}, name="Ada Author")
AUTHOR.organisation_id = 99
AUTHOR.__dict__["organisation"] = Organisation("Ada's Council")

ROLES = {
    "visitor": None,
    "pending": member(1, state="pending"),
    "outsider": member(2),
    "ex_member": member(3),                      # removed from the space: no role left there
    "suspended": member(4, state="suspended", roles={SPACE_ID: "member"}),
    "other_host": member(5, roles={OTHER_SPACE_ID: "host"}),
    "member": member(6, roles={SPACE_ID: "member"}),
    "author": AUTHOR,
    "host": member(8, roles={SPACE_ID: "host"}),
    "moderator": member(9, role="moderator"),
}


def post(**flags) -> Post:
    made = Post(id=100, thread_id=50, author_id=AUTHOR_ID, body_source="words", body_html="<p>words</p>",
                anonymous=False, awaiting_approval=False, created_at=NOW)
    made.__dict__["author"] = AUTHOR
    made.__dict__["speaker"] = None
    for name, value in flags.items():
        setattr(made, name, value)
    return made


def imported(removed: bool) -> Post:
    made = post(author_id=None, speaker_id=3, removed_at=NOW if removed else None)
    made.__dict__["author"] = None
    made.__dict__["speaker"] = Speaker(id=3, platform="x", speaker_key="handle:sp", display_name="Sam Speaker",
                                       handle="samspeaks", hidden_at=NOW if removed else None)
    return made


STATES = {
    "published": lambda: post(),
    "hidden": lambda: post(hidden_at=NOW),
    "waiting": lambda: post(awaiting_approval=True, hidden_at=NOW),
    "rejected": lambda: post(rejected_at=NOW, hidden_at=NOW),
    "deleted": lambda: post(deleted_at=NOW, body_source="", body_html=""),
    "anonymous": lambda: post(anonymous=True),
    "imported": lambda: imported(removed=False),
    "removed": lambda: imported(removed=True),
}

S, H, D, N = policy.SHOWN, policy.HIDDEN, policy.DELETED, None
ROLE_ORDER = list(ROLES)

# post_state in a PRIVATE space, by role in ROLE_ORDER:
#                 visitor pending outsider ex_member suspended other_host member author host moderator
PRIVATE_STATE = {
    "published": (N, N, N, N, N, N, S, S, S, S),
    "hidden":    (N, N, N, N, N, N, H, H, S, S),
    "waiting":   (N, N, N, N, N, N, N, S, S, S),
    "rejected":  (N, N, N, N, N, N, N, S, S, S),
    "deleted":   (N, N, N, N, N, N, D, D, D, D),
    "anonymous": (N, N, N, N, N, N, S, S, S, S),
    "imported":  (N, N, N, N, N, N, S, S, S, S),
    "removed":   (N, N, N, N, N, N, N, N, N, N),
}
# post_state in a PUBLIC space: anyone reads what is published; the same rules for the rest.
PUBLIC_STATE = {
    "published": (S, S, S, S, S, S, S, S, S, S),
    "hidden":    (H, H, H, H, H, H, H, H, S, S),
    "waiting":   (N, N, N, N, N, N, N, S, S, S),
    "rejected":  (N, N, N, N, N, N, N, S, S, S),
    "deleted":   (D, D, D, D, D, D, D, D, D, D),
    "anonymous": (S, S, S, S, S, S, S, S, S, S),
    "imported":  (S, S, S, S, S, S, S, S, S, S),
    "removed":   (N, N, N, N, N, N, N, N, N, N),
}

ANON, MINE, FORMER = policy.ANONYMOUS_NAME, policy.OWN_ANONYMOUS_NAME, policy.FORMER_MEMBER_NAME
# The name on the byline, whatever the space: only the author sees that an anonymous post is theirs,
# and nobody, hosts and moderators included, sees the name behind it.
BYLINE = {
    "published": ("Ada Author",) * 10,
    "anonymous": (ANON,) * 7 + (MINE, ANON, ANON),
    "imported": ("Sam Speaker",) * 10,
    "removed": (FORMER,) * 10,
}


def space(visibility: str) -> Space:
    return Space(id=SPACE_ID, slug="s", name="S", visibility=visibility, anonymous_posting=True)


@pytest.mark.parametrize("visibility, table", [("private", PRIVATE_STATE), ("public", PUBLIC_STATE),
                                               ("secret", PRIVATE_STATE)])
@pytest.mark.parametrize("state", list(STATES))
def test_what_each_role_sees_of_a_post(visibility, table, state):
    where = space(visibility)
    seen = tuple(policy.post_state(ROLES[role], STATES[state](), where) for role in ROLE_ORDER)
    assert seen == table[state], dict(zip(ROLE_ORDER, seen))
    # The words are readable exactly where the state is SHOWN.
    assert tuple(policy.can_view_post_body(ROLES[r], STATES[state](), where) for r in ROLE_ORDER) == \
        tuple(s == S for s in table[state])


@pytest.mark.parametrize("state", list(BYLINE))
def test_whose_name_each_role_sees(state):
    names = tuple(policy.byline(ROLES[role], STATES[state]()).name for role in ROLE_ORDER)
    assert names == BYLINE[state], dict(zip(ROLE_ORDER, names))


def test_an_anonymous_byline_carries_no_organisation_profile_or_handle():
    for role in ROLE_ORDER:
        seen = policy.byline(ROLES[role], post(anonymous=True))
        assert (seen.organisation, seen.member_id, seen.handle, seen.platform) == (None, None, None, None), role


def test_a_members_byline_names_their_organisation_and_an_unmatched_speaker_their_platform():
    assert policy.byline(None, post()) == policy.Byline("Ada Author", organisation="Ada's Council", member_id=AUTHOR_ID)
    assert policy.byline(None, imported(removed=False)) == policy.Byline("Sam Speaker", handle="samspeaks",
                                                                         platform="X (Twitter)")


def test_an_erased_account_is_a_former_member():
    erased = post()
    erased.__dict__["author"] = member(AUTHOR_ID, state="deleted", name="Former member")
    assert policy.byline(ROLES["moderator"], erased).name == FORMER


def test_who_edited_an_anonymous_post_is_as_anonymous_as_the_post():
    anonymous = post(anonymous=True)
    assert policy.editor_name(ROLES["host"], anonymous, AUTHOR) == ANON
    assert policy.editor_name(ROLES["host"], post(), AUTHOR) == "Ada Author"
    assert policy.editor_name(ROLES["host"], anonymous, ROLES["moderator"]) == "Member 9"


# Whether a thread waiting for approval exists, by role (visitor ... moderator), in a public space.
WAITING_THREAD = (False,) * 7 + (True, True, True)


def test_a_thread_waiting_for_approval_exists_only_for_its_author_and_moderators():
    thread = Thread(id=50, space_id=SPACE_ID, title="t", author_id=AUTHOR_ID, awaiting_approval=True)
    seen = tuple(policy.can_see_thread_exists(ROLES[r], thread, space("public")) for r in ROLE_ORDER)
    assert seen == WAITING_THREAD, dict(zip(ROLE_ORDER, seen))
    thread.awaiting_approval = False
    assert all(policy.can_see_thread_exists(ROLES[r], thread, space("public")) for r in ROLE_ORDER)


def test_a_split_thread_never_takes_an_anonymous_posts_author():
    assert policy.thread_author_id(AUTHOR_ID, anonymous=True) is None
    assert policy.thread_author_id(AUTHOR_ID, anonymous=False) == AUTHOR_ID


# Writing and moderating, by role (visitor ... moderator), in a private space, an open thread and a locked one.
T, F = True, False
#                     visitor pending outsider ex_member suspended other_host member author host moderator
MAY_POST =            (F, F, F, F, F, F, T, T, T, T)
MAY_REPLY_LOCKED =    (F, F, F, F, F, F, F, F, T, T)
MAY_MODERATE =        (F, F, F, F, F, F, F, F, T, T)
MODERATES_SOMETHING = (F, F, F, F, F, T, F, F, T, T)
MAY_EDIT_OWN_POST =   (F, F, F, F, F, F, F, T, T, T)


def test_who_may_post_reply_moderate_and_edit():
    where = space("private")
    open_thread = Thread(id=50, space_id=SPACE_ID, title="t", author_id=AUTHOR_ID, locked=False)
    locked = Thread(id=51, space_id=SPACE_ID, title="t", author_id=AUTHOR_ID, locked=True)
    rows = {
        "post": tuple(policy.can_post_in_space(ROLES[r], where) for r in ROLE_ORDER),
        "reply": tuple(policy.can_reply(ROLES[r], open_thread, where) for r in ROLE_ORDER),
        "reply_locked": tuple(policy.can_reply(ROLES[r], locked, where) for r in ROLE_ORDER),
        "moderate": tuple(policy.can_moderate_space(ROLES[r], where) for r in ROLE_ORDER),
        "moderates_something": tuple(policy.moderates_anything(ROLES[r]) for r in ROLE_ORDER),
        "edit": tuple(policy.can_edit_post(ROLES[r], post(), where) for r in ROLE_ORDER),
    }
    assert rows == {"post": MAY_POST, "reply": MAY_POST, "reply_locked": MAY_REPLY_LOCKED,
                    "moderate": MAY_MODERATE, "moderates_something": MODERATES_SOMETHING,
                    "edit": MAY_EDIT_OWN_POST}


def test_only_site_moderators_read_the_mail_log():
    # Senders' addresses from every space: not for hosts of one space (other_host, host), nor anyone else.
    assert [policy.can_read_mail_log(ROLES[r]) for r in ROLE_ORDER] == [r == "moderator" for r in ROLE_ORDER]
    assert policy.can_read_mail_log(member(11, role="admin"))
    assert not policy.can_read_mail_log(member(12, role="moderator", state="suspended"))


def test_only_an_approved_admin_administers():
    assert [policy.can_administer(ROLES[r]) for r in ROLE_ORDER] == [False] * 10
    assert policy.can_administer(member(11, role="admin"))
    assert not policy.can_administer(member(12, role="admin", state="suspended"))
