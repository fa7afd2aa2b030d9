"""The recap of an imported chat, for those who missed it: on its page and by email, once per chat (#20).

No summaries are written: the recap is the structure the import kept. For each question, the answers
that drew most replies and quotes, how many people answered and from how many organisations; the
links shared; who took part for the first time; the questions left open.

What goes in is gathered once per chat (`gather`, a fixed number of queries) and then cut to what one
reader may see (`for_viewer`), post by post and name by name through the policy, so the page and every
recipient's email show only what that person may read. An email about a chat in a private or secret
space carries only a link, as every email about a closed space does (services/notifications.py).
Each recipient's email is written in their saved language (#24).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_date, gettext as _, ngettext
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload

from forum import i18n, mail, markup, policy
from forum.db import utcnow
from forum.errors import PermissionDenied, ValidationError
from forum.i18n import in_language
from forum.models import Chat, Member, Post, ProposedQuestion, Space, Thread, Watch
from forum.models.accounts import RECAP_CHOICES
from forum.services import links, open_questions
from forum.times import LONDON

TOP_ANSWERS = 3     # answers shown in full under each question
MAX_LINKS = 30      # links listed in a recap


@dataclass
class Links:
    """Absolute links for the recap email, built by the caller from FORUM_BASE_URL (never the request's Host)."""

    recap: Callable[[int], str]
    thread: Callable[[int], str]
    post: Callable[[int], str]
    settings: str
    unsubscribe: Callable[[Member], str]
    # The member's reply address for a thread (forum.mail_tokens.reply_address); None: no reply by email (#21).
    reply_to: Callable[[int, int], str | None] = lambda member_id, thread_id: None


@dataclass
class Answer:
    post: Post
    byline: policy.Byline
    replies: int
    quotes: int

    @property
    def drew(self) -> int:
        return self.replies + self.quotes


@dataclass
class QuestionRecap:
    thread: Thread
    space: Space
    answers: list[Answer]   # the ones that drew most replies and quotes, at most TOP_ANSWERS
    people: int             # how many people answered
    organisations: int      # from how many organisations (of those whose organisation shows)
    posts: int              # answers in all


@dataclass
class OpenQuestion:
    post: Post
    thread: Thread
    byline: policy.Byline
    text: str
    answered_since: bool = False          # answered after the recap went out
    carried_to: ProposedQuestion | None = None


@dataclass
class Recap:
    chat: Chat
    space: Space
    questions: list[QuestionRecap]
    links: list[links.SharedLink]
    first_timers: list[policy.Byline]
    open_questions: list[OpenQuestion]
    people: int = 0
    imported: bool = False

    @property
    def candidates(self) -> list[Answer]:
        """The most-quoted and replied-to answers of the whole chat: candidates for the library."""
        every = [a for q in self.questions for a in q.answers]
        return sorted(every, key=lambda a: (-a.drew, a.post.created_at, a.post.id))[:TOP_ANSWERS]


@dataclass
class Material:
    """Everything a chat's recap may draw on, gathered once; cut per reader by `for_viewer`."""

    chat: Chat
    space: Space
    threads: list[tuple[Thread, Space]]
    posts: list[Post]                       # what every reader of the threads' spaces sees, in time order
    quoted_from_elsewhere: list[Post]       # posts outside the chat's threads quoting one of its posts
    spaces_of: dict[int, Space]             # thread id -> its space
    elsewhere_threads: dict[int, Thread] = field(default_factory=dict)  # the quoting posts' threads
    earlier_speakers: set[int] = field(default_factory=set)
    earlier_members: set[int] = field(default_factory=set)
    carried: dict[int, ProposedQuestion] = field(default_factory=dict)
    first_timers_known: bool = True
    message_urls: set[str] = field(default_factory=set)  # the chat's own messages' addresses (quoted on X)


def gather(db: Session, chat: Chat, space: Space, *, first_timers: bool = True) -> Material:
    """Load what the recap may draw on: one query for the posts (with their threads, spaces, authors and the
    proposals made from them) and, for first-timers, one more; however long the chat."""
    quoted = aliased(Post)
    in_chat = select(quoted.id).join(Thread, quoted.thread_id == Thread.id).where(Thread.chat_id == chat.id)
    rows = db.execute(
        select(Post, Thread, Space, ProposedQuestion).join(Thread, Post.thread_id == Thread.id)
        .join(Space, Thread.space_id == Space.id)
        .outerjoin(ProposedQuestion, ProposedQuestion.source_post_id == Post.id)
        .where(policy.every_reader_post_filter(), or_(Thread.chat_id == chat.id, Post.quote_of_id.in_(in_chat)))
        .options(joinedload(Post.author).joinedload(Member.organisation), joinedload(Post.speaker))
        .order_by(Post.created_at, Post.id)
    ).unique().all()
    threads: dict[int, tuple[Thread, Space]] = {}
    spaces_of: dict[int, Space] = {}
    posts: list[Post] = []
    elsewhere: list[Post] = []
    elsewhere_threads: dict[int, Thread] = {}
    carried: dict[int, ProposedQuestion] = {}
    seen_posts: set[int] = set()
    for post, thread, thread_space, proposal in rows:
        spaces_of[thread.id] = thread_space
        if proposal is not None:
            carried.setdefault(post.id, proposal)
        if post.id in seen_posts:
            continue
        seen_posts.add(post.id)
        if thread.chat_id == chat.id:
            threads.setdefault(thread.id, (thread, thread_space))
            posts.append(post)
        else:
            elsewhere.append(post)
            elsewhere_threads[thread.id] = thread
    ordered = sorted(threads.values(), key=lambda pair: (pair[0].question_number is None,
                                                          pair[0].question_number or 0, pair[0].id))
    material = Material(chat, space, ordered, posts, elsewhere, spaces_of, elsewhere_threads, carried=carried)
    spoke = [p for p in posts if p.import_id is not None and p.chat_id == chat.id]
    if first_timers:
        material.message_urls = {found[0] for (url,) in db.execute(
            select(Post.source_url).where(Post.chat_id == chat.id, Post.source_url.is_not(None)))
            if (found := links.normalise(url))}
    if spoke and first_timers:
        # "First time": no words in an earlier chat of the same space (the chat series everyone here can read).
        speakers = {p.speaker_id for p in spoke if p.speaker_id}
        members = {p.author_id for p in spoke if p.author_id}
        started = min(p.created_at for p in spoke)
        earlier = db.execute(
            select(Post.speaker_id, Post.author_id).join(Chat, Post.chat_id == Chat.id)
            .where(Chat.space_id == chat.space_id, Chat.id != chat.id, Post.import_id.is_not(None),
                   Post.created_at < started,
                   or_(Post.speaker_id.in_(speakers or {0}), Post.author_id.in_(members or {0}))).distinct()
        ).all()
        material.earlier_speakers = {s for s, _ in earlier if s}
        material.earlier_members = {m for _, m in earlier if m}
    else:
        material.first_timers_known = False
    return material


def _person(post: Post) -> tuple[str, int]:
    """Who wrote a post, for counting people: an anonymous post counts alone, so counts say nothing about who."""
    if post.anonymous:
        return ("post", post.id)
    return ("member", post.author_id) if post.author_id else ("speaker", post.speaker_id or 0)


def for_viewer(material: Material, viewer, *, shared: list[links.SharedLink] = (), for_email: bool = False) -> Recap:
    """The recap as one reader may see it: only threads, posts and names the policy shows them.

    With `for_email`, threads in a private or secret space are left out whoever reads: email about a
    closed space carries only a link.
    """
    chat = material.chat
    threads = [(t, s) for t, s in material.threads if policy.can_see_thread_exists(viewer, t, s)
               and not (for_email and s.is_closed)]
    allowed = {t.id for t, _ in threads}

    def seen(post: Post) -> bool:
        space = material.spaces_of.get(post.thread_id)
        return space is not None and policy.post_state(viewer, post, space) == policy.SHOWN

    posts = [p for p in material.posts if p.thread_id in allowed and seen(p)]
    others = [p for p in material.quoted_from_elsewhere if seen(p)
              and policy.can_see_thread_exists(viewer, material.elsewhere_threads[p.thread_id],
                                               material.spaces_of[p.thread_id])]
    answers_to = open_questions.answered_ids(posts, others)
    by_thread: dict[int, list[Post]] = {}
    for post in posts:
        by_thread.setdefault(post.thread_id, []).append(post)

    questions = []
    for thread, space in threads:
        if not thread.question_number:
            continue
        answers = [p for p in by_thread.get(thread.id, []) if p.id != thread.first_post_id]
        ranked = []
        for post in answers:
            given = answers_to.get(post.id, [])
            replies = sum(1 for p in given if p.reply_to_id == post.id)
            ranked.append(Answer(post, policy.byline(viewer, post), replies, len(given) - replies))
        top = sorted((a for a in ranked if a.drew), key=lambda a: (-a.drew, a.post.created_at, a.post.id))
        organisations = {a.byline.organisation for a in ranked if a.byline.organisation and not a.byline.anonymous}
        questions.append(QuestionRecap(thread, space, top[:TOP_ANSWERS], len({_person(p) for p in answers}),
                                       len(organisations), len(answers)))

    first: dict[tuple[str, int], policy.Byline] = {}
    spoke = [p for p in posts if p.import_id is not None and p.chat_id == chat.id]
    for post in spoke if material.first_timers_known else []:
        if post.anonymous or (post.author_id and post.author_id in material.earlier_members) \
                or (post.speaker_id and post.speaker_id in material.earlier_speakers):
            continue
        first.setdefault(_person(post), policy.byline(viewer, post))

    cutoff = chat.recap_sent_at or utcnow()
    thread_of = {t.id: t for t, _ in threads}
    still_open = []
    for post in posts:
        thread = thread_of[post.thread_id]
        if not open_questions.is_open_candidate(post, thread):
            continue
        replies = answers_to.get(post.id, [])
        if any(p.created_at <= cutoff for p in replies):
            continue
        still_open.append(OpenQuestion(post, thread, policy.byline(viewer, post),
                                       open_questions.question_text(post.body_source), bool(replies),
                                       material.carried.get(post.id)))
    # The links shared (services/links.py, as the viewer may see them): of the posts above, as hidden posts are
    # left out for everyone here; not the chat's own messages that others quoted on X.
    shown_ids = {p.id for p in posts}
    listed = sorted((link for link in shared if link.post_id in shown_ids and link.url not in material.message_urls),
                    key=lambda link: (-link.here, link.shared_at))[:MAX_LINKS]
    return Recap(chat, material.space, questions, listed, list(first.values()),
                 still_open, people=len({_person(p) for p in spoke}), imported=chat.status == "imported")


def recap(db: Session, chat: Chat, space: Space, viewer, *, in_full: bool = True) -> Recap:
    """The chat's recap as the viewer may see it (the chat's page needs neither first-timers nor links)."""
    shared = links.chat_links(db, viewer, chat) if in_full else []
    return for_viewer(gather(db, chat, space, first_timers=in_full), viewer, shared=shared)


# -- who gets it, and sending it once ---------------------------------------------------------------------------------

def set_choice(db: Session, member: Member, choice: str) -> None:
    """A member's choice of recap emails: for chats in spaces they watch, for every chat, or never (none given:
    unchanged, as from a form that does not show the choice)."""
    if not choice:
        return
    if choice not in RECAP_CHOICES:
        raise ValidationError(_("Choose which chat recaps to get"),
                              {"recap_email": _("Choose which chat recaps to get")})
    member.recap_email = choice


def unsubscribe(db: Session, member: Member) -> None:
    """Stop recap emails (the one-click link in each recap)."""
    member.recap_email = "none"


def recipients(db: Session, chat: Chat, space: Space) -> list[Member]:
    """The members who get this chat's recap: they want it (by default, those who watch its space), have email
    on, and may read the chat's space."""
    watching = select(Watch.member_id).where(Watch.kind == "space", Watch.target_id == space.id)
    wanted = db.scalars(select(Member).where(
        Member.state == "approved", Member.email.is_not(None), Member.email_frequency != "none",
        or_(Member.recap_email == "all", and_(Member.recap_email == "watched", Member.id.in_(watching))),
    ).order_by(Member.id)).all()
    return [member for member in wanted if policy.can_view_space(member, space)]


def _claim(db: Session, chat: Chat, now: datetime) -> bool:
    """Mark the chat's recap as sent, if it was not: one UPDATE, so two senders (a double click, two hosts' cron
    jobs) never both send it. The second waits on the row (PostgreSQL) or the write lock (SQLite), then finds
    it sent. The mail goes in the same transaction, so a rollback takes the mark back with it."""
    done = db.execute(update(Chat).where(Chat.id == chat.id, Chat.recap_sent_at.is_(None), Chat.status == "imported")
                      .values(recap_sent_at=now).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        return False
    chat.recap_sent_at = now
    return True


def send(db: Session, chat: Chat, space: Space, to: Links, site_name: str, now: datetime | None = None) -> int | None:
    """Queue the chat's recap for everyone who should get it, once per chat; the number queued, or None when
    the recap had been sent already (or the chat is not imported)."""
    now = now or utcnow()
    if not _claim(db, chat, now):
        return None
    material = gather(db, chat, space)
    sent = 0
    for member in recipients(db, chat, space):
        policy.forget_roles(member)
        with in_language(member.language):
            subject, body, reply_to = _email(db, material, member, to, site_name)
            body += _footer(member, to)
        headers = {"List-Unsubscribe": f"<{to.unsubscribe(member)}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        if reply_to:
            headers["Reply-To"] = reply_to
        mail.queue(db, member.email, subject, body, headers)
        sent += 1
    return sent


def send_by_host(db: Session, chat: Chat, space: Space, host, to: Links, site_name: str) -> int:
    """A host's "Send the recap" button."""
    from forum.services import chats

    if not chats.can_manage(host, chat, space):
        raise PermissionDenied(_("Only the chat's hosts can send its recap."))
    if chat.status != "imported":
        raise ValidationError(_("Import the chat's transcript first: the recap is made from it."))
    sent = send(db, chat, space, to, site_name)
    if sent is None:
        raise ValidationError(_("The recap of this chat has already been sent; it goes once per chat."))
    return sent


def due(db: Session) -> list[tuple[Chat, Space]]:
    """Imported chats whose recap has not gone yet, oldest first (for `flask forum send-recaps`)."""
    rows = db.execute(select(Chat, Space).join(Space, Chat.space_id == Space.id)
                      .where(Chat.status == "imported", Chat.recap_sent_at.is_(None)).order_by(Chat.id)).all()
    return [(row.Chat, row.Space) for row in rows]


def _opening(chat: Chat) -> str:
    """The recap email's first sentence: which chat, and on which day (in UK time, in the reader's language)."""
    if chat.starts_at is None:
        return _("Here is the recap of %(chat)s, for everyone who could not be there.", chat=chat.title)
    day = format_date(chat.starts_at.astimezone(LONDON).date(), "d MMMM y")
    return _("Here is the recap of %(chat)s on %(date)s, for everyone who could not be there.",
             chat=chat.title, date=day)


def _answered(question: QuestionRecap) -> str:
    """How many people answered a question, and from how many organisations."""
    people = ngettext("%(num)s person", "%(num)s people", question.people)
    if not question.organisations:
        # Translators: %(people)s is e.g. "3 people".
        return _("%(people)s answered.", people=people)
    organisations = ngettext("%(num)s organisation", "%(num)s organisations", question.organisations)
    # Translators: %(people)s is e.g. "3 people", %(organisations)s e.g. "2 organisations".
    return _("%(people)s answered, from %(organisations)s.", people=people, organisations=organisations)


def _drew(answer: Answer) -> str:
    """What an answer drew, e.g. "2 replies, 1 quote"."""
    counts = []
    if answer.replies:
        counts.append(ngettext("%(num)s reply", "%(num)s replies", answer.replies))
    if answer.quotes:
        counts.append(ngettext("%(num)s quote", "%(num)s quotes", answer.quotes))
    return ", ".join(counts)


def _email(db: Session, material: Material, member: Member, to: Links, site_name: str) -> tuple[str, str, str | None]:
    """One recipient's recap email (subject, text, Reply-To): what they may read of it; about a closed space, only a link.

    A recap covers a thread per question and an email has one Reply-To, so each question's own reply
    address is printed under it, and the Reply-To is set only when there is one question (#21).
    """
    url = to.recap(material.chat.id)
    hello = _("Hello %(name)s,", name=member.display_name) + "\n\n"
    if material.space.is_closed:
        return (_("A chat recap for you on %(site)s", site=site_name),
                hello + _("The recap of a chat in a private space is ready for you to read:") + f"\n\n{url}", None)
    found = for_viewer(material, member, shared=links.chat_links(db, member, material.chat), for_email=True)
    chat = material.chat
    addresses = {q.thread.id: to.reply_to(member.id, q.thread.id) if policy.can_reply(member, q.thread, q.space)
                 else None for q in found.questions}
    reply_to = next(iter(addresses.values())) if len(addresses) == 1 else None
    lines = [_opening(chat), ""]
    if reply_to:
        lines += [_("Reply to this email to post your reply in the question's thread, as you."), ""]
    elif any(addresses.values()):
        lines += [_("To answer a question by email, write to the address under it: your reply is posted as you."), ""]
    for question in found.questions:
        lines += [question.thread.title, _answered(question)]
        if question.answers:
            lines.append(_("The answers that drew most replies and quotes:"))
        for answer in question.answers:
            who = answer.byline.name + (f" ({answer.byline.organisation})" if answer.byline.organisation else "")
            lines += [f"- {who}, {_drew(answer)}:", "  " + markup.render_plain(answer.post.body_source)]
        lines.append(_("Read the whole thread: %(url)s", url=to.thread(question.thread.id)))
        if addresses.get(question.thread.id) and not reply_to:
            lines.append(_("Reply by email: %(address)s", address=addresses[question.thread.id]))
        lines.append("")
    if found.links:
        lines.append(_("Links shared:"))
        lines += ["- " + _("%(url)s (shared by %(name)s in %(thread)s)", url=link.shown_url, name=link.shared_by.name,
                           thread=link.thread_title) for link in found.links]
        lines.append("")
    if found.first_timers:
        lines += [_("Taking part for the first time: %(names)s.", names=i18n.format_list(b.name for b in found.first_timers)),
                  ""]
    if found.open_questions:
        lines.append(_("Questions left open: can you answer one?"))
        lines += ["- " + _("%(question)s (asked by %(name)s): %(url)s", question=q.text, name=q.byline.name,
                           url=to.post(q.post.id)) for q in found.open_questions]
        lines.append("")
    lines.append(_("The recap on the web: %(url)s", url=url))
    return _("Recap: %(chat)s", chat=chat.title)[:300], hello + "\n".join(lines), reply_to


def _footer(member: Member, to: Links) -> str:
    return "\n".join(("\n\n--", _("You get chat recaps because of your settings: %(settings)s", settings=to.settings),
                      _("Stop chat recaps with one click: %(link)s", link=to.unsubscribe(member)), ""))
