"""The one visibility and permission policy: who may see, post in and moderate what.

Every read path asks this module, either one object at a time (`can_view_space`, `can_view_thread`)
or as a SQL filter (`readable_space_filter`, `listed_space_filter`), so that a page, a feed and a
search cannot disagree about what a person may read.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, bindparam, false, literal, not_, or_, select, true
from sqlalchemy.orm import defer, lazyload, object_session
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.local import LocalProxy

from forum.db import built_once, session
from forum.models import Member, Post, Space, SpaceMembership, Speaker, Thread


def _member(viewer) -> Member | None:
    """The viewer as a Member, or None for visitors and anonymous users.

    Flask-Login's `current_user` is resolved here once: every attribute read through the proxy looks the user up
    again (2.6 microseconds against 0.2), and a signed-in page asks the policy about its viewer dozens of times.
    """
    if isinstance(viewer, LocalProxy):
        viewer = viewer._get_current_object()
    return viewer if isinstance(viewer, Member) and viewer.is_authenticated else None


def signed_in_member(viewer) -> Member | None:
    """The viewer as a signed-in Member (the object itself, never `current_user`'s proxy), or None."""
    return _member(viewer)


def space_roles(viewer) -> dict[int, str]:
    """The spaces the viewer belongs to, with their role there; loaded once per viewer object."""
    member = _member(viewer)
    if member is None or member.id is None:
        return {}
    cached = member.__dict__.get("_forum_space_roles")
    if cached is None:
        statement = built_once(("space_roles",), lambda: select(SpaceMembership.space_id, SpaceMembership.role)
                               .where(SpaceMembership.member_id == bindparam("member_id")))
        rows = session().execute(statement, {"member_id": member.id})
        cached = {space_id: role for space_id, role in rows}
        member.__dict__["_forum_space_roles"] = cached
    return cached


_READ_WHEN_ASKED = (Member.bio_source, Member.bio_html, Member.password_hash, Member.status_reason, Member.info_response)


def member_with_roles(db, member_id: int) -> Member | None:
    """A member with the spaces they belong to and their role there (what `space_roles` gives), in one query:
    Flask-Login's loader, for every signed-in request."""
    statement = built_once(("member_with_roles",), lambda: (
        select(Member, SpaceMembership.space_id, SpaceMembership.role)
        .outerjoin(SpaceMembership, SpaceMembership.member_id == Member.id).where(Member.id == bindparam("member_id"))
        # What a request needs to know who is asking; the organisation, the bio, the password's hash and a
        # moderator's reasons load when a page reads them (one statement each): 3% of a signed-in page's CPU (#19).
        .options(lazyload(Member.organisation), *(defer(column) for column in _READ_WHEN_ASKED))))
    rows = db.execute(statement, {"member_id": member_id}).all()
    if not rows:
        return None
    member = rows[0][0]
    member.__dict__["_forum_space_roles"] = {space_id: role for _member, space_id, role in rows if space_id is not None}
    return member


def forget_roles(viewer) -> None:
    """Drop the cached space roles after a membership changes."""
    member = _member(viewer)
    if member is not None:
        member.__dict__.pop("_forum_space_roles", None)


# -- reading ------------------------------------------------------------------------------------------

def can_view_space(viewer, space: Space) -> bool:
    """May the viewer read the threads and posts inside this space?"""
    if space.visibility == "public":
        return True
    member = _member(viewer)
    if member is None or not member.is_approved:
        return False
    if space.visibility == "members" or member.is_moderator:
        return True
    return space.id in space_roles(member)


def can_see_space_exists(viewer, space: Space) -> bool:
    """May the viewer know the space exists (its name and description)?"""
    if can_view_space(viewer, space):
        return True
    member = _member(viewer)
    return space.visibility == "private" and member is not None and member.is_approved


def _values(values) -> list:
    """An IN list as one bound parameter per value, not one "expanding" parameter: SQLAlchemy renders an
    expanding one into the SQL at every execution (and psycopg then parses the new text), while these filters
    go into statements built once per `filter_shape`, whose values are fixed (#19)."""
    return [literal(value) for value in values]


def readable_space_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Space: the spaces whose content the viewer may read."""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return Space.visibility == "public"
    if member.is_moderator:
        return true()
    own = list(space_roles(member))
    return or_(
        Space.visibility.in_(_values(("public", "members"))),
        Space.id.in_(_values(own)) if own else false(),
    )


def listed_space_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Space: the spaces the viewer may see listed (private ones show their name)."""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return Space.visibility == "public"
    return or_(readable_space_filter(member), Space.visibility == "private")


def unreadable_threads(viewer) -> Select:
    """The ids of threads in spaces the viewer may not read, for a NOT IN on a column of thread ids (the search
    index's): a short list, hashed once, where a join to each row's thread and space costs a lookup for each of
    thousands of matching rows. PostgreSQL hashes it while it fits in work_mem x hash_mem_multiplier (some
    250,000 threads at the defaults)."""
    return select(Thread.id).join(Space, Space.id == Thread.space_id).where(not_(readable_space_filter(viewer)))


def moderated_threads(viewer) -> Select:
    """The ids of threads in spaces the viewer moderates."""
    return select(Thread.id).join(Space, Space.id == Thread.space_id).where(moderated_space_filter(viewer))


def can_view_thread(viewer, thread: Thread, space: Space) -> bool:
    """May the viewer read this thread?"""
    return thread.space_id == space.id and can_view_space(viewer, space)


def moderated_space_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Space: the spaces the viewer moderates (everywhere for site moderators)."""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return false()
    if member.is_moderator:
        return true()
    hosted = [space_id for space_id, role in space_roles(member).items() if role == "host"]
    return Space.id.in_(_values(hosted)) if hosted else false()


# -- posts: whether a viewer sees one, and as what ----------------------------------------------------

SHOWN = "shown"      # its words, under the byline the viewer may see
HIDDEN = "hidden"    # only "hidden by a moderator"
DELETED = "deleted"  # only "deleted by its author"


def is_published(post: Post) -> bool:
    """Has the post been let out to every reader of its space (not waiting, not rejected, not removed)?"""
    return not post.awaiting_approval and post.rejected_at is None and post.removed_at is None


def post_state(viewer, post: Post, space: Space) -> str | None:
    """What the viewer sees of a post: SHOWN, a HIDDEN or DELETED placeholder, or None (not even that it exists).

    - In a space the viewer cannot read: None.
    - Removed at its speaker's request (an imported post): None, for everyone, moderators included; the
      speaker asked to be gone, and a placeholder under their thread would still point at them.
    - Waiting for approval, or rejected: its author and the space's moderators see it in full; for
      everyone else it does not exist (no placeholder, no count, no redirect).
    - Deleted by its author: a placeholder for everyone; the words are gone.
    - Hidden by a moderator: the space's moderators see the words; everyone else a placeholder.
    """
    if post.thread_id is None or not can_view_space(viewer, space) or post.removed_at is not None:
        return None
    if post.awaiting_approval or post.rejected_at is not None:
        member = _member(viewer)
        mine = member is not None and post.author_id is not None and member.id == post.author_id
        return SHOWN if mine or can_moderate_space(viewer, space) else None
    if post.is_deleted:
        return DELETED
    if post.is_hidden and not can_moderate_space(viewer, space):
        return HIDDEN
    return SHOWN


def can_view_post_body(viewer, post: Post, space: Space) -> bool:
    """Does the viewer see this post's words (not a placeholder, not nothing)?"""
    return post_state(viewer, post, space) == SHOWN


def can_see_waiting(viewer, author_id: int | None, space: Space) -> bool:
    """May the viewer see a thread or post that waits for approval (its author and moderators may)?"""
    member = _member(viewer)
    return member is not None and ((author_id is not None and member.id == author_id)
                                   or can_moderate_space(member, space))


def can_see_thread_exists(viewer, thread: Thread, space: Space) -> bool:
    """May the viewer learn that this thread exists (read it, follow a link or redirect to it, count it)?

    A thread whose first post waits for approval exists only for its author and the space's moderators.
    """
    if not can_view_thread(viewer, thread, space):
        return False
    return not thread.awaiting_approval or can_see_waiting(viewer, thread.author_id, space)


def filter_shape(viewer, space: Space | None = None) -> tuple:
    """Everything about the viewer (and the space) that this module's SQL filters are made from: a statement
    built from them for one shape serves every request of that shape (forum.db.built_once). A filter that
    comes to read something else about the viewer or the space must add it here."""
    member = _member(viewer)
    who = (VISITOR,) if member is None else (
        member.id, member.is_approved, member.is_moderator, tuple(sorted(space_roles(member).items())))
    return who if space is None else (*who, space.id, space.visibility)


def _viewer_id(viewer) -> int | None:
    member = _member(viewer)
    return member.id if member is not None else None


def listed_post_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Post joined to its Thread and Space: posts the viewer sees at least as a placeholder."""
    viewer_id = _viewer_id(viewer)
    published = and_(Post.awaiting_approval.is_(False), Post.rejected_at.is_(None))
    own = Post.author_id == viewer_id if viewer_id is not None else false()
    return and_(readable_space_filter(viewer), Post.removed_at.is_(None),
                or_(published, own, moderated_space_filter(viewer)))


def listed_posts_in(viewer, space: Space) -> ColumnElement[bool]:
    """A WHERE clause on Post, for posts of one space: those `post_state` gives the viewer (no join needed)."""
    if not can_view_space(viewer, space):
        return false()
    if can_moderate_space(viewer, space):
        return Post.removed_at.is_(None)
    viewer_id = _viewer_id(viewer)
    published = and_(Post.awaiting_approval.is_(False), Post.rejected_at.is_(None))
    return and_(Post.removed_at.is_(None),
                or_(published, Post.author_id == viewer_id) if viewer_id is not None else published)


def class_posts_in(viewer, space: Space) -> ColumnElement[bool]:
    """A WHERE clause on Post, for posts of one space: those every reader of the viewer's `card_class` is given
    (`listed_posts_in` less their own waiting or rejected posts, which `own_unlisted_post_filter` finds)."""
    if not can_view_space(viewer, space):
        return false()
    return and_(Post.removed_at.is_(None), Post.awaiting_approval.is_(False), Post.rejected_at.is_(None))


def own_unlisted_post_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Post: the viewer's own posts that `listed_posts_in` lists for them alone (waiting or
    rejected, not removed); none for visitors."""
    viewer_id = _viewer_id(viewer)
    if viewer_id is None:
        return false()
    return and_(Post.author_id == viewer_id, Post.removed_at.is_(None),
                or_(Post.awaiting_approval.is_(True), Post.rejected_at.is_not(None)))


def shown_post_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Post joined to its Thread and Space: posts whose words the viewer sees."""
    return and_(listed_post_filter(viewer), Post.deleted_at.is_(None),
                or_(Post.hidden_at.is_(None), moderated_space_filter(viewer)))


def published_post_filter() -> ColumnElement[bool]:
    """A WHERE clause on Post: posts every reader of their space sees, which are the ones counts count."""
    return and_(Post.awaiting_approval.is_(False), Post.rejected_at.is_(None), Post.removed_at.is_(None))


def every_reader_post_filter() -> ColumnElement[bool]:
    """A WHERE clause on Post: posts whose words every reader of their space sees (published, not hidden or deleted).

    For what is gathered once and then cut per reader with `post_state` (a chat's recap, #20).
    """
    return and_(published_post_filter(), Post.hidden_at.is_(None), Post.deleted_at.is_(None))


def listed_thread_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Thread joined to its Space: threads the viewer may learn exist."""
    viewer_id = _viewer_id(viewer)
    own = Thread.author_id == viewer_id if viewer_id is not None else false()
    return and_(readable_space_filter(viewer),
                or_(Thread.awaiting_approval.is_(False), own, moderated_space_filter(viewer)))


def class_thread_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Thread joined to its Space: the threads every reader of the viewer's `list_class` may
    learn exist (the published threads of the spaces they may read)."""
    return and_(readable_space_filter(viewer), Thread.awaiting_approval.is_(False))


def own_waiting_thread_filter(viewer) -> ColumnElement[bool]:
    """A WHERE clause on Thread: the viewer's own threads that wait for approval, which `listed_thread_filter`
    lists for them alone."""
    viewer_id = _viewer_id(viewer)
    return and_(Thread.awaiting_approval.is_(True), Thread.author_id == viewer_id) if viewer_id is not None else false()


# -- names: whose name a viewer sees on a post ---------------------------------------------------------

# A byline carries these in the reader's language, as plain text (str() of the lazy string, when it is made).
ANONYMOUS_NAME = _l("A member of this space")
OWN_ANONYMOUS_NAME = _l("You, posting without your name")
FORMER_MEMBER_NAME = _l("Former member")


@dataclass(frozen=True)
class Byline:
    """The author of a post as one viewer may see it: what to print, and nothing more."""

    name: str
    organisation: str | None = None
    member_id: int | None = None     # link to this member's profile
    handle: str | None = None        # an imported speaker's handle on their platform
    platform: str | None = None      # "imported from ..." for unmatched speakers
    anonymous: bool = False


def byline(viewer, post: Post) -> Byline:
    """Whose name the viewer sees on a post: the rule for every role, the post's hosts and moderators included.

    - Posted without a name: "A member of this space" to everyone, hosts and site moderators
      included, who learn the author only through the logged reveal; its own author sees that it is
      theirs. No organisation, profile link or handle ever goes with it.
    - Removed at its speaker's request: no name (the post is not shown either; see `post_state`).
    - By a member: their name, organisation and profile; an erased account is "Former member".
    - Imported from a speaker not matched to a member: the speaker's name, handle and platform.
    - By no one we still know: "Former member".
    Pages load the post's `author` and `speaker` with it; elsewhere they are fetched by key. Search results
    give a row with the post's anonymous, author_id, speaker_id and removed_at, and its author and speaker.
    """
    if post.anonymous:
        if post.author_id is not None and post.author_id == _viewer_id(viewer):
            return Byline(str(OWN_ANONYMOUS_NAME), anonymous=True)
        return Byline(str(ANONYMOUS_NAME), anonymous=True)
    if post.removed_at is not None:
        return Byline(str(FORMER_MEMBER_NAME))
    if post.author_id is not None:
        author = _related(post, "author", Member, post.author_id)
        if author is None or author.state == "deleted":
            return Byline(str(FORMER_MEMBER_NAME))
        organisation = author.organisation.name if author.organisation_id and author.organisation else None
        return Byline(author.display_name, organisation=organisation, member_id=author.id)
    speaker = _related(post, "speaker", Speaker, post.speaker_id)
    if speaker is not None:
        return Byline(speaker.display_name, handle=speaker.handle, platform=speaker.platform_name)
    return Byline(str(FORMER_MEMBER_NAME))


def _related(post: Post, name: str, model, key):
    """A post's related row: as loaded with it, else from its session by key (the identity map first)."""
    if key is None:
        return None
    if name in post.__dict__:
        return post.__dict__[name]
    db = object_session(post)
    return db.get(model, key) if db is not None else None


def editor_name(viewer, post: Post, editor: Member | None) -> str | None:
    """Who the viewer sees replaced a version of a post: the post's own byline when its author edited it."""
    if editor is None:
        return None
    if post.author_id is not None and editor.id == post.author_id:
        return byline(viewer, post).name
    return editor.display_name


def thread_author_id(posts_author_id: int | None, anonymous: bool) -> int | None:
    """The member a thread records as its author: nobody when its first post hides its author's name."""
    return None if anonymous else posts_author_id




# -- writing ------------------------------------------------------------------------------------------

def can_post_in_space(viewer, space: Space) -> bool:
    """May the viewer start threads and reply in this space?"""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return False
    if not can_view_space(member, space):
        return False
    if space.is_closed:
        return member.is_moderator or space.id in space_roles(member)
    return True


def can_reply(viewer, thread: Thread, space: Space) -> bool:
    """May the viewer reply to this thread?"""
    if not can_post_in_space(viewer, space):
        return False
    return not thread.locked or can_moderate_space(viewer, space)


def can_edit_post(viewer, post: Post, space: Space) -> bool:
    """May the viewer edit or delete this post? Its author may, while it stands; so may moderators.

    Only a post whose words the viewer sees: a post hidden by a moderator is not its author's to edit
    (nor to read) until it is restored.
    """
    member = _member(viewer)
    if member is None or post_state(member, post, space) != SHOWN:
        return False
    if can_moderate_space(member, space):
        return True
    return member.is_approved and post.author_id == member.id and can_view_space(member, space)


def can_moderate_space(viewer, space: Space) -> bool:
    """May the viewer moderate inside this space (site moderators everywhere, hosts in their space)?"""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return False
    return member.is_moderator or space_roles(member).get(space.id) == "host"


def moderates_anything(viewer) -> bool:
    """Is the viewer a site moderator, or a host of at least one space?"""
    member = _member(viewer)
    if member is None or not member.is_approved:
        return False
    return member.is_moderator or "host" in space_roles(member).values()


def can_read_mail_log(viewer) -> bool:
    """May the viewer read the log of mail received (senders' addresses, from every space)? Site moderators."""
    member = _member(viewer)
    return member is not None and member.is_moderator


def can_browse_members(viewer) -> bool:
    """May the viewer open the member directory, profiles and the links to them (@mentions)? Approved members."""
    member = _member(viewer)
    return member is not None and member.is_approved


def can_view_profile(viewer, member: Member) -> bool:
    """May the viewer open this member's profile? Approved members see approved members; moderators see any
    account that is not deleted."""
    if not can_browse_members(viewer) or member.state == "deleted":
        return False
    return member.state == "approved" or _member(viewer).is_moderator


# -- classes of viewer: what pages may be shared between people (forum/cache.py) -----------------------

VISITOR = "visitor"      # not signed in: every visitor sees the same page
MEMBER = "member"        # signed in: their name, forms, own waiting posts and marks are on their pages
SEES_MORE = "sees-more"  # hosts and moderators: waiting and hidden posts, moderation links


def list_class(viewer) -> str | None:
    """Which readers see the same lists of spaces and threads as this viewer (the home page's, a space's
    threads), but for what is theirs alone; None: their lists are made for them alone (forum/fragments_lists.py).

    Shared lists show the spaces the viewer may see listed and the threads of `class_thread_filter`, with
    bylines as `byline` gives them to nobody in particular. Readers share them when they may read exactly the
    same spaces: visitors; members not yet approved (the public spaces, but signed in); approved members who
    belong to the same spaces. Hosts and moderators see others' waiting threads: never shared. What stays
    the reader's own is added for each request, or the lists are made for them: how many posts are new to
    them, their own waiting threads (`own_waiting_thread_filter`), and their own posts without their name
    (`listing_is_personal`).
    """
    member = _member(viewer)
    if member is None:
        return VISITOR
    if not member.is_approved:
        return f"{MEMBER}:unapproved"
    if moderates_anything(member):
        return None
    return f"{MEMBER}:approved:{','.join(str(space_id) for space_id in sorted(space_roles(member)))}"


def listing_is_personal(viewer, anonymous_author_ids) -> bool:
    """Does a shared list name this viewer's own post without their name (which only they see as "You,
    posting without your name"), so that it must be made for them?"""
    viewer_id = _viewer_id(viewer)
    return viewer_id is not None and viewer_id in anonymous_author_ids


def viewer_class(viewer) -> str:
    """Which class of reader the viewer is: VISITOR, MEMBER or SEES_MORE."""
    member = _member(viewer)
    if member is None:
        return VISITOR
    return SEES_MORE if moderates_anything(member) else MEMBER


def card_class(viewer, thread: Thread, space: Space) -> str | None:
    """Which readers of this thread see the same card for a post that is not personal to them (forum/cache.py's
    post cards, #19); None: every card is made for this viewer alone.

    A post's card shows its words and byline as `post_state` and `byline` decide, and the actions the
    viewer may take on it. For readers who moderate nothing here these depend only on: being signed in,
    being approved (Report, links to profiles), and being able to reply (Quote). What else depends on
    the reader is personal (`card_is_personal`). Those who moderate the space see more: never shared.
    """
    if not can_view_space(viewer, space):
        return None
    member = _member(viewer)
    if member is None:
        return VISITOR
    if member.is_moderator or can_moderate_space(member, space):
        return None
    return f"{MEMBER}:{'approved' if member.is_approved else 'unapproved'}:{'reply' if can_reply(member, thread, space) else 'read'}"


def own_card_class(viewer, thread: Thread, space: Space) -> str | None:
    """The class of one signed-in reader alone, for the cards that are theirs (`card_is_personal`, saved posts)
    and for every card of those who moderate the space: it names the reader and everything about them a card
    shows (approved, able to reply, moderating here or everywhere), so a stored card is served to them only,
    and a change to any of these makes new cards. None for visitors, who have no cards of their own."""
    member = _member(viewer)
    if member is None or not can_view_space(member, space):
        return None
    return (f"reader:{member.id}:{'approved' if member.is_approved else 'unapproved'}"
            f":{'reply' if can_reply(member, thread, space) else 'read'}"
            f":{'moderates' if can_moderate_space(member, space) else 'member'}"
            f":{'site-moderator' if member.is_moderator else 'not'}")


def card_is_personal(viewer, author_id: int | None, reply_to_author_id: int | None) -> bool:
    """Does a post's card depend on this viewer beyond their `card_class`: their own post (its state when
    waiting, "You, posting without your name", Edit and Delete, no Report), or a reply to one of their posts
    (whose byline and state in "in reply to" are theirs to see)? Saved posts are personal too (the views know)."""
    member_id = _viewer_id(viewer)
    return member_id is not None and member_id in (author_id, reply_to_author_id)


def can_administer(viewer) -> bool:
    """May the viewer manage the site (spaces, settings)?"""
    member = _member(viewer)
    return member is not None and member.is_admin
