"""Chat sessions: the list, a chat's page, creating and editing, proposed questions, calendar files."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from forum import cache as page_cache
from forum import calendar, policy
from forum.db import session, utcnow
from forum.errors import NotFound, PermissionDenied
from forum.forms import ChatForm, ConfirmForm, ProposeQuestionForm, QuestionDecisionForm, choices
from forum.ids import parse_id
from forum.models import ProposedQuestion, Space
from forum.limits import limiter, posting_limit
from forum.services import chats, open_questions, recaps
from forum.views import bp
from forum.addresses import external_url, recap_links, site_name
from forum.views._helpers import LONDON, attempt, first_error, form_errors, parse_uk_time


@bp.get("/chats")
@page_cache.page(lambda: [page_cache.LATEST])
def chat_list():
    """Upcoming chats, soonest first, and past ones."""
    db = session()
    return render_template("forum/chats/index.html", upcoming=chats.chats_for(db, current_user, upcoming=True),
                           past=chats.chats_for(db, current_user, upcoming=False),
                           can_create=bool(chats.spaces_for_hosting(db, current_user)))


@bp.get("/chats/<forum_id:chat_id>")
@page_cache.page(lambda chat_id: [page_cache.LATEST])
def chat(chat_id: int):
    """A chat's page: when, who hosts, the questions, and after the chat its threads and how it went."""
    return _chat_page(session(), chat_id)


def _chat_page(db, chat_id: int, propose_form: ProposeQuestionForm | None = None):
    """Render a chat's page; with `propose_form`, the proposal that was refused, with its errors (400)."""
    found, space = chats.get_chat(db, current_user, chat_id)
    manage = chats.can_manage(current_user, found, space)
    questions, my_votes = chats.questions(db, found, current_user)
    errors = form_errors(propose_form) if propose_form else []
    after = recaps.recap(db, found, space, current_user, in_full=False) if found.status == "imported" else None
    return render_template(
        "forum/chats/chat.html", chat=found, space=space, questions=questions, can_manage=manage, after=after,
        next_chat=open_questions.next_chat(db, found) if manage and after else None,
        carried_credit=open_questions.credits(db, current_user, questions),
        my_votes=my_votes, glance=chats.glance(db, found, current_user),
        can_propose=found.status == "upcoming" and policy.can_post_in_space(current_user, space),
        # Made only when shown: a form makes a CSRF token, which keeps a visitor's page out of the page cache.
        propose_form=propose_form or (ProposeQuestionForm() if found.status == "upcoming"
                                      and policy.can_post_in_space(current_user, space) else None), errors=errors,
        decision_forms={q.id: QuestionDecisionForm(prefix=f"q{q.id}") for q in questions} if manage else {},
    ), 400 if errors else 200


def _chat_form(db, form: ChatForm) -> list[Space]:
    spaces = chats.spaces_for_hosting(db, current_user)
    form.space.choices = choices({str(s.id): s.name for s in spaces})
    return spaces


def _details(db, form: ChatForm) -> chats.ChatDetails:
    space = db.get(Space, space_id) if (space_id := parse_id(form.space.data)) else None
    return chats.ChatDetails(
        title=form.title.data or "", space=space, starts_at=parse_uk_time(form.starts_at.data),
        duration_minutes=form.duration_minutes.data, hashtag=form.hashtag.data or "",
        description=form.description.data or "", hosts=form.hosts.data or "",
    )


@bp.route("/chats/new", methods=["GET", "POST"])
@login_required
def new_chat():
    """Create a chat (space hosts and moderators)."""
    db = session()
    form = ChatForm()
    if not _chat_form(db, form):
        raise PermissionDenied(_("Only space hosts and moderators can create chats."))
    if form.validate_on_submit():
        done = attempt(db, form, lambda: chats.save_chat(db, current_user, _details(db, form)))
        if done:
            created = done.value
            flash(_("The chat was created."), "success")
            return redirect(url_for("forum.chat", chat_id=created.id))
    errors = form_errors(form)
    return render_template("forum/chats/form.html", form=form, chat=None, errors=errors), 400 if errors else 200


@bp.route("/chats/<forum_id:chat_id>/edit", methods=["GET", "POST"])
@login_required
def edit_chat(chat_id: int):
    """Change a chat's details."""
    db = session()
    found, space = chats.get_chat(db, current_user, chat_id)
    if not chats.can_manage(current_user, found, space):
        raise PermissionDenied(_("Only the chat's hosts and moderators can change it."))
    if request.method == "GET":
        local = found.starts_at.astimezone(LONDON) if found.starts_at else None
        form = ChatForm(data={
            "title": found.title, "space": str(found.space_id), "duration_minutes": found.duration_minutes,
            "starts_at": local.strftime("%d/%m/%Y %H:%M") if local else "", "hashtag": found.hashtag or "",
            "description": found.description, "hosts": ", ".join(h.display_name for h in found.hosts),
        })
    else:
        form = ChatForm()
    _chat_form(db, form)
    if form.validate_on_submit():
        if attempt(db, form, lambda: chats.save_chat(db, current_user, _details(db, form), found)):
            flash(_("The chat was saved."), "success")
            return redirect(url_for("forum.chat", chat_id=found.id))
    errors = form_errors(form)
    return render_template("forum/chats/form.html", form=form, chat=found, errors=errors), 400 if errors else 200


@bp.post("/chats/<forum_id:chat_id>/questions")
@login_required
def propose_question(chat_id: int):
    """Propose a question for a coming chat."""
    db = session()
    found, space = chats.get_chat(db, current_user, chat_id)
    form = ProposeQuestionForm()
    if form.validate_on_submit():
        if attempt(db, form, lambda: chats.propose(db, found, space, current_user, form.text.data or "")):
            flash(_("Your question was added. Members can vote for it now."), "success")
            return redirect(url_for("forum.chat", chat_id=found.id, _anchor="questions"))
    return _chat_page(db, found.id, form)


def _question(db, question_id: int):
    question = db.get(ProposedQuestion, question_id)
    if question is None:
        raise NotFound(_("There is no such question."))
    found, space = chats.get_chat(db, current_user, question.chat_id)
    return question, found, space


@bp.post("/questions/<forum_id:question_id>/vote")
@login_required
def vote_question(question_id: int):
    """Vote for a question, or take the vote back."""
    db = session()
    question, found, space = _question(db, question_id)
    if ConfirmForm().validate_on_submit():
        chats.vote(db, question, space, current_user, on=request.form.get("vote") != "off")
        db.commit()
    return redirect(url_for("forum.chat", chat_id=found.id, _anchor=f"question-{question.id}"))


@bp.post("/questions/<forum_id:question_id>/decide")
@login_required
def decide_question(question_id: int):
    """A host chooses a question and its place, or sets it aside."""
    db = session()
    question, found, space = _question(db, question_id)
    form = QuestionDecisionForm(prefix=f"q{question.id}")
    if form.validate_on_submit():
        status = "chosen" if form.choose.data else "not_chosen" if form.reject.data else "proposed"
        if not attempt(db, form, lambda: chats.decide_question(db, question, found, space, current_user, status,
                                                               form.position.data)):
            flash(first_error(form), "error")
    return redirect(url_for("forum.chat", chat_id=found.id, _anchor=f"question-{question.id}"))


def _ics(events: list, name: str, filename: str) -> Response:
    return Response(calendar.calendar(events, name), mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _events(db, found_chats: list) -> list:
    """The chats' calendar events; an imported chat's leads to its threads (those the viewer may see) and recap."""
    now = utcnow()
    threads = chats.question_threads(db, current_user, [c.id for c in found_chats if c.status == "imported"])
    events = []
    for found in found_chats:
        url = external_url("forum.chat", chat_id=found.id)
        afterwards = None
        if found.status == "imported":
            afterwards = calendar.Afterwards(
                [(t.title, external_url("forum.thread", thread_id=t.id)) for t in threads.get(found.id, [])],
                external_url("forum.chat", chat_id=found.id) + "/recap")
        events.append(calendar.event(found, url, urlsplit(url).hostname or "afterchat", now, afterwards))
    return events


@bp.get("/chats/<forum_id:chat_id>.ics")
def chat_ics(chat_id: int):
    """One chat as a calendar entry."""
    db = session()
    found, _space = chats.get_chat(db, current_user, chat_id)
    if found.starts_at is None:
        raise NotFound(_("This chat has no date yet."))
    return _ics(_events(db, [found]), found.title, f"chat-{found.id}.ics")


@bp.get("/chats.ics")
def chats_ics():
    """Upcoming and recently imported chats the viewer may read (visitors: public ones), as a feed Outlook can
    subscribe to."""
    db = session()
    return _ics(_events(db, chats.calendar_chats(db, current_user)), _("%(site)s chats", site=site_name()), "chats.ics")



# -- after the chat: its recap, the questions left open, the host's checklist (#20) ----------------------------------


@bp.get("/chats/<forum_id:chat_id>/recap")
def chat_recap(chat_id: int):
    """The recap of an imported chat, as the viewer may read it."""
    db = session()
    found, space = chats.get_chat(db, current_user, chat_id)
    return render_template("forum/chats/recap.html", chat=found, space=space,
                           recap=recaps.recap(db, found, space, current_user),
                           can_manage=chats.can_manage(current_user, found, space))


@bp.post("/chats/<forum_id:chat_id>/recap/send")
@login_required
@limiter.limit(posting_limit)
def send_recap(chat_id: int):
    """A host sends the chat's recap to those who get it (once per chat)."""
    db = session()
    found, space = chats.get_chat(db, current_user, chat_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        done = attempt(db, form, lambda: recaps.send_by_host(db, found, space, current_user, recap_links(),
                                                             site_name()))
        if done:
            flash(ngettext("The recap was sent to %(num)s member.", "The recap was sent to %(num)s members.",
                           done.value), "success")
        else:
            flash(first_error(form), "error")
    else:
        flash(first_error(form), "error")
    return redirect(url_for("forum.chat", chat_id=found.id, _anchor="after-the-chat"))


@bp.post("/chats/<forum_id:chat_id>/titles-checked")
@login_required
def titles_checked(chat_id: int):
    """A host says the chat's thread titles are checked (a line of the after-chat checklist)."""
    db = session()
    found, space = chats.get_chat(db, current_user, chat_id)
    if not chats.can_manage(current_user, found, space):
        raise PermissionDenied(_("Only the chat's hosts can tick off its checklist."))
    if ConfirmForm().validate_on_submit():
        found.titles_checked_at = found.titles_checked_at or utcnow()
        db.commit()
        flash(_("The titles are marked as checked."), "success")
    return redirect(url_for("forum.chat", chat_id=found.id, _anchor="after-the-chat"))


@bp.post("/chats/<forum_id:chat_id>/open-questions/<forum_id:post_id>/carry")
@login_required
@limiter.limit(posting_limit)
def carry_question(chat_id: int, post_id: int):
    """A host carries a question left open into the next chat's proposed questions."""
    db = session()
    found, space = chats.get_chat(db, current_user, chat_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        done = attempt(db, form, lambda: open_questions.carry(db, found, space, current_user, post_id))
        if done:
            flash(_("The question was added to the next chat's proposed questions, credited to its asker."), "success")
            return redirect(url_for("forum.chat", chat_id=done.value.chat_id, _anchor=f"question-{done.value.id}"))
    flash(first_error(form), "error")
    return redirect(url_for("forum.chat", chat_id=found.id, _anchor="open-questions"))
