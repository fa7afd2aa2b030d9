"""The good-practice library: promoting posts and threads, the authors' consent, browsing, tags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum import mail, policy
from forum.db import among_ids, built_once
from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.i18n import in_language
from forum.models import LibraryEntry, LibraryTag, Member, Organisation, Post, Space, Thread
from forum.models.accounts import normalise_name
from forum.services import moderation_log
from forum.services.accounts import find_organisation
from forum.services.pages import Page, check_page_number

PER_PAGE = 20


@dataclass
class Summary:
    """What a moderator writes when promoting something."""

    title: str
    problem: str
    approach: str
    outcome: str
    organisation: str = ""
    tags: list[int] = field(default_factory=list)


def tags(db: Session) -> list[LibraryTag]:
    return list(db.scalars(select(LibraryTag).order_by(LibraryTag.name)))


def summary_source(problem: str, approach: str, outcome: str) -> str:
    """The markdown of an entry's summary: its three parts under their headings."""
    # The headings are stored with the summary, in the language of the moderator who writes it.
    parts = [(_("The problem"), problem), (_("What they did"), approach), (_("What happened"), outcome)]
    return "\n\n".join(f"#### {heading}\n\n{text.strip()}" for heading, text in parts)


def _check(db: Session, summary: Summary) -> tuple[dict[str, str], list[LibraryTag]]:
    errors: dict[str, str] = {}
    if not summary.title or not 3 <= len(summary.title.strip()) <= 200:
        errors["title"] = _("Enter a title of 3 to 200 characters")
    for name, missing in (("problem", _("Describe the problem")), ("approach", _("Describe what they did")),
                          ("outcome", _("Describe what happened"))):
        value = getattr(summary, name) or ""
        if not value.strip():
            errors[name] = missing
        elif len(value) > 5000:
            errors[name] = _("Enter at most 5,000 characters")
    chosen = list(db.scalars(select(LibraryTag).where(LibraryTag.id.in_(summary.tags)))) if summary.tags else []
    if not chosen:
        errors["tags"] = _("Choose at least one service area")
    return errors, chosen


def promote(db: Session, moderator: Member, post: Post, thread: Thread, space: Space, summary: Summary,
            whole_thread: bool, consent_link, site_name: str) -> LibraryEntry:
    """Promote a post (or its whole thread) into the library; from a closed space, only with the author's consent."""
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators curate the library."))
    errors, chosen = _check(db, summary)
    if errors:
        raise ValidationError(_("There is a problem with the summary"), errors)
    entry = LibraryEntry(
        title=summary.title.strip(), problem=summary.problem.strip(), approach=summary.approach.strip(),
        outcome=summary.outcome.strip(),
        organisation=find_organisation(db, summary.organisation), post_id=None if whole_thread else post.id,
        thread_id=thread.id, chat_id=thread.chat_id, created_by_id=moderator.id, tags=chosen,
    )
    entry.set_summary(summary_source(summary.problem, summary.approach, summary.outcome))
    author = db.get(Member, post.author_id) if post.author_id else None
    if space.is_closed:
        if author is None or not author.email:
            raise ValidationError(
                _("This post's author can't be asked for consent, so it can't leave its private space."))
        entry.status, entry.consent_member_id = "awaiting_consent", author.id
    elif space.visibility == "public" and author is not None and not post.anonymous:
        entry.credited_member_id = author.id  # already public under their name
    db.add(entry)
    db.flush()
    if entry.status == "awaiting_consent":
        # The email asks for consent without repeating what was said in the private space.
        with in_language(author.language):
            mail.queue(db, author.email, _("May we add your post to the %(site)s library?", site=site_name), _(
                "Hello %(name)s,\n\nA moderator would like to add something you wrote to the good-practice "
                "library, where everyone can read it. Nothing is published unless you agree. Decide here:\n\n"
                "%(link)s", name=author.display_name, link=consent_link(entry)) + "\n")
    moderation_log.record(db, moderator, "promote", "library", entry.id, None, post=post.id, thread=thread.id)
    return entry


def consent(db: Session, entry: LibraryEntry, member: Member, agree: bool, credit: bool = False) -> None:
    """The author agrees to publish (named as its author, if they choose), or declines (the entry is removed)."""
    if entry.status != "awaiting_consent" or entry.consent_member_id != member.id:
        raise NotFound(_("There is nothing waiting for your consent here."))
    if agree:
        entry.status = "published"
        entry.credited_member_id = member.id if credit else None
    else:
        db.delete(entry)


def credited_name(db: Session, entry: LibraryEntry) -> str | None:
    """The name of the person an entry credits, while they are a member in good standing."""
    if entry.credited_member_id is None:
        return None
    member = db.get(Member, entry.credited_member_id)
    return member.display_name if member is not None and member.state == "approved" else None


def get_entry(db: Session, entry_id: int, viewer=None) -> LibraryEntry:
    """A published entry (its consenting author and moderators also see one awaiting consent)."""
    entry = db.get(LibraryEntry, entry_id)
    if entry is None:
        raise NotFound(_("There is no library entry at this address."))
    if entry.status != "published":
        member_id = getattr(viewer, "id", None) if getattr(viewer, "is_authenticated", False) else None
        if member_id != entry.consent_member_id and not getattr(viewer, "is_moderator", False):
            raise NotFound(_("There is no library entry at this address."))
    return entry


def browse(db: Session, number: int, tag: str | None = None, sector: str | None = None,
           organisation: str | None = None) -> Page[LibraryEntry]:
    """Published entries, newest first, filtered by service area, sector and organisation."""
    query = select(LibraryEntry).where(LibraryEntry.status == "published")
    if tag:
        query = query.where(LibraryEntry.tags.any(LibraryTag.slug == tag))
    if sector or organisation:
        query = query.join(Organisation, LibraryEntry.organisation_id == Organisation.id)
        if sector:
            query = query.where(Organisation.sector == sector)
        if organisation:
            query = query.where(Organisation.name_key.contains(normalise_name(organisation), autoescape=True))
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    number = check_page_number(number, total, PER_PAGE)
    entries = db.scalars(query.order_by(LibraryEntry.created_at.desc(), LibraryEntry.id.desc())
                         .offset((number - 1) * PER_PAGE).limit(PER_PAGE)).unique().all()
    return Page(list(entries), number, PER_PAGE, total)


def promoted_post_ids(db: Session, post_ids: list[int]) -> set[int]:
    """Which of these posts are in the library (for the "good practice" mark)."""
    if not post_ids:
        return set()
    statement = built_once(("promoted_post_ids",), lambda: select(LibraryEntry.post_id).where(
        among_ids(LibraryEntry.post_id, "post_ids"), LibraryEntry.status == "published"))
    return set(db.scalars(statement, {"post_ids": post_ids}))


def add_tag(db: Session, moderator: Member, name: str) -> LibraryTag:
    """Add a service area to the list."""
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators edit the service areas."))
    name = " ".join((name or "").split())
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug or len(name) > 80:
        raise ValidationError(_("Check the name"), {"name": _("Enter a service area's name, at most 80 characters")})
    if db.scalar(select(LibraryTag).where(LibraryTag.slug == slug)) is not None:
        raise ValidationError(_("Check the name"), {"name": _("That service area is already on the list")})
    tag = LibraryTag(slug=slug, name=name)
    db.add(tag)
    db.flush()
    return tag


def rename_tag(db: Session, moderator: Member, tag: LibraryTag, name: str) -> None:
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators edit the service areas."))
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise ValidationError(_("Check the name"), {"name": _("Enter a service area's name, at most 80 characters")})
    tag.name = name


def readable_source(viewer, thread: Thread | None, space: Space | None) -> bool:
    """May the viewer follow the entry's links to its source (the source keeps its own rules)?"""
    return thread is not None and space is not None and policy.can_see_thread_exists(viewer, thread, space)
