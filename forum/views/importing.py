"""Importing a transcript in the browser: upload, check the preview (and adjust it), confirm."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from forum import transcripts
from forum.cleantext import clean_line
from forum.db import session
from forum.errors import NotFound, PermissionDenied, TranscriptError, ValidationError
from forum.forms import ConfirmForm, UploadTranscriptForm, choices
from forum.ids import parse_id
from forum.models import Chat, Space
from forum.services import chats, importing, library, pending_imports, topics
from forum.services import import_preview as previews
from forum.transcripts.segment import Adjustments
from forum.views import LONDON, bp
from forum.views._helpers import apply_errors, form_errors, parse_uk_time

DEFAULT_MINUTES = 60
LONGEST_MINUTES = 24 * 60
# Choosing one chat from a file of many keeps the messages from a little before its start to a little after it.
WINDOW_BEFORE = timedelta(minutes=15)
WINDOW_AFTER = timedelta(minutes=30)
# What the host chose that names the messages of one reading of the file: a new format, channel or chat forgets it.
READING = ("format", "channel", "window", "hashtag")
ADJUSTMENTS = ("starts", "wrap_up", "leave_out", "speakers")


@bp.app_template_filter("forum_source_name")
def forum_source_name(format_name: str) -> str:
    """Where an import came from, for a sentence: "WhatsApp", "a plain chat log"."""
    return importing.source_name(format_name)


def _choices(db, form: UploadTranscriptForm) -> list[Space]:
    spaces = chats.spaces_for_hosting(db, current_user)
    if not spaces:
        raise PermissionDenied(_("Only space hosts and moderators can import transcripts."))
    ids = [s.id for s in spaces]
    recent = db.scalars(select(Chat).where(Chat.space_id.in_(ids)).order_by(Chat.starts_at.desc()).limit(30))
    form.chat.choices = choices({str(c.id): c.title for c in recent}, _("A new chat"))
    form.space.choices = choices({str(s.id): s.name for s in spaces})
    form.format.choices = choices({i.name: i.label for i in transcripts.registered()}, _("Detect it for me"))
    return spaces


def _options(db, saved: dict, spaces: list[Space]) -> importing.ImportOptions:
    """Rebuild import options from what the host chose (checked again: they may have lost a role since)."""
    allowed = {s.id: s for s in spaces}
    chat = db.get(Chat, saved["chat_id"]) if saved.get("chat_id") else None
    if chat is not None and chat.space_id not in allowed:
        raise PermissionDenied(_("You can import only into chats in spaces you host."))
    space = allowed.get(chat.space_id if chat else saved.get("space_id"))
    if space is None:
        raise ValidationError(_("Choose a space"), {"space": _("Choose the space for the chat's threads")})
    start = parse_uk_time(saved["start"]) if saved.get("start") else (chat.starts_at if chat else None)
    minutes = saved.get("minutes") or (chat.duration_minutes if chat else DEFAULT_MINUTES)
    window = None
    if saved.get("window"):
        begins = datetime.fromisoformat(saved["window"]["start"])
        window = (begins - WINDOW_BEFORE, begins + timedelta(minutes=saved["window"]["minutes"]) + WINDOW_AFTER)
    return importing.ImportOptions(
        space=space, chat=chat, format=saved.get("format") or None, hosts=tuple(saved.get("hosts", [])),
        start=start, imported_by=current_user, title=None if chat else saved.get("title"),
        question_titles={int(k): v for k, v in saved.get("titles", {}).items()},
        channel=saved.get("channel") or None, spread=timedelta(minutes=minutes), window=window,
        hashtag=saved.get("hashtag") or None,
        adjust=Adjustments(starts={int(k): v for k, v in saved.get("starts", {}).items()},
                           wrap_up=saved.get("wrap_up"), leave_out=frozenset(saved.get("leave_out", []))),
        speaker_choices=dict(saved.get("speakers", {})),
    )


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload():
    """Upload a transcript; if it can be read, go on to its preview."""
    db = session()
    form = UploadTranscriptForm()
    spaces = _choices(db, form)
    if request.method == "GET" and request.args.get("chat"):
        form.chat.data = request.args["chat"]
    if form.validate_on_submit():
        upload = form.file.data
        saved = {"chat_id": parse_id(form.chat.data), "space_id": parse_id(form.space.data),
                 "format": form.format.data or None, "start": (form.start.data or "").strip(),
                 "hosts": [h.strip() for h in (form.hosts.data or "").split(",") if h.strip()], "titles": {}}
        try:
            data = _read_upload(upload)
            if saved["start"] and parse_uk_time(saved["start"]) is None:
                raise ValidationError(_("Check the start"), {"start": _("Enter the date and time like 27/11/2026 13:00")})
            previews.build(db, data, upload.filename, _options(db, saved, spaces))
        except ValidationError as exc:
            apply_errors(form, exc)
        except TranscriptError as exc:
            form.file.errors = [*form.file.errors, _("%(filename)s: %(problem)s", filename=upload.filename, problem=exc.message)]
        else:
            config = current_app.config
            kept = pending_imports.keep(db, current_user, clean_line(upload.filename or "") or "transcript", data,
                                        saved, hours=config["FORUM_IMPORT_PENDING_HOURS"],
                                        limit=config["FORUM_IMPORT_PENDING_LIMIT"])
            db.commit()
            if kept.replaced:
                flash(ngettext("Uploads wait for confirmation %(limit)s at a time, so your oldest waiting upload "
                               "(%(names)s) was discarded to make room for this one.",
                               "Uploads wait for confirmation %(limit)s at a time, so your oldest waiting uploads "
                               "(%(names)s) were discarded to make room for this one.",
                               len(kept.replaced), limit=config["FORUM_IMPORT_PENDING_LIMIT"],
                               names=", ".join(kept.replaced)), "info")
            return redirect(url_for("forum.import_preview", token=kept.pending.token))
    errors = form_errors(form)
    return render_template("forum/import/upload.html", form=form, errors=errors), 400 if errors else 200


def _read_upload(upload) -> bytes:
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationError(_("Choose a file"), {"file": _("Choose the transcript file to upload")})
    limit = current_app.config["FORUM_IMPORT_MAX_BYTES"]
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is too big"), {
            "file": _("The file must be smaller than %(megabytes)s MB", megabytes=limit // 1_000_000)})
    return data


@bp.route("/import/<token>", methods=["GET", "POST"])
@login_required
def import_preview(token: str):
    """Show what the import will create; adjust it (boundaries, speakers, times, the chat); confirm to import."""
    db = session()
    try:
        pending = pending_imports.find(db, current_user, token)
    except (NotFound, pending_imports.UploadExpired) as exc:
        return render_template("forum/import/gone.html", code=exc.status, message=exc.message,
                               chat_id=getattr(exc, "chat_id", None)), exc.status
    form = UploadTranscriptForm()
    spaces = _choices(db, form)
    confirm = ConfirmForm()
    saved = dict(pending.options)
    if request.method == "GET":
        return _show(db, pending, saved, spaces, form, confirm)
    if not confirm.validate_on_submit():
        return _show(db, pending, saved, spaces, form, confirm, errors={"main-content": form_errors(confirm)[0][1]})
    chosen, errors = _read_choices(request.form, saved)
    if errors:
        return _show(db, pending, saved, spaces, form, confirm, errors=errors, typed=request.form)
    options = _options(db, chosen, spaces)
    try:
        preview = previews.build(db, pending.data, pending.filename, options)
    except ValidationError as exc:
        db.rollback()
        return _show(db, pending, saved, spaces, form, confirm, errors=exc.errors or {"main-content": exc.message},
                     typed=request.form)
    except TranscriptError:
        db.rollback()
        preview = None  # a wrong format, say: kept, so that the preview says what is wrong and it can be changed
    pending.options = chosen
    if "confirm" not in request.form:
        db.commit()
        return redirect(url_for("forum.import_preview", token=token))
    if preview is None or preview.ask is not None:
        db.commit()
        return _show(db, pending, chosen, spaces, form, confirm,
                     errors={"main-content": _("Answer the questions on this page before importing")})
    try:
        summary = importing.import_transcript(db, pending.data, pending.filename, options)
        if "topics" in chosen and summary["chat_id"]:  # the service areas the host ticked (#20)
            topics.add_chat_topics(db, db.get(Chat, summary["chat_id"]), set(chosen["topics"]))
        db.delete(pending)
        db.commit()
    except (TranscriptError, ValidationError) as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("forum.import_preview", token=token))
    if summary["posts_imported"]:
        flash(ngettext("Imported %(num)s post into %(threads)s.", "Imported %(num)s posts into %(threads)s.",
                       summary["posts_imported"], threads=importing.describe_threads(summary)), "success")
    else:
        flash(_("Nothing new to import: every message in the file was imported before."), "info")
    return redirect(url_for("forum.chat", chat_id=summary["chat_id"]))


def _show(db, pending, saved: dict, spaces, form, confirm, errors: dict[str, str] | None = None, typed=None):
    """Render the preview of what the saved choices would import, with any errors of the choices just sent."""
    errors = dict(errors or {})
    try:
        preview = previews.build(db, pending.data, pending.filename, _options(db, saved, spaces))
        problem = None
    except (TranscriptError, ValidationError) as exc:
        preview, problem = None, exc.message
        errors.setdefault("format", problem)
    form.format.data = saved.get("format") or ""
    fields = {"start": saved.get("start") or "", "minutes": str(saved.get("minutes") or ""),
              "window_at": "", "window_minutes": str((saved.get("window") or {}).get("minutes") or DEFAULT_MINUTES)}
    if typed is not None:
        fields.update({name: typed.get(name, value) for name, value in fields.items()})
    return render_template(
        "forum/import/preview.html", pending=pending, preview=preview, problem=problem, form=form, confirm=confirm,
        titles=saved.get("titles", {}), fields=fields, chosen=saved, default_minutes=DEFAULT_MINUTES,
        topic_tags=library.tags(db),
        errors=[(_field_id(name), message) for name, message in errors.items()],
        error_for=errors,
    ), 400 if errors else 200


def _field_id(name: str) -> str:
    """The id of the element an error links to."""
    return {"leave_out": "threads", "speakers": "speakers"}.get(name, name)


def _read_choices(form, saved: dict) -> tuple[dict, dict[str, str]]:
    """What the host chose on the preview page, merged into what they chose before; and what is wrong with it."""
    chosen, errors = dict(saved), {}
    if "format" in form:
        chosen["format"] = form["format"] or None
    if "channel" in form:
        chosen["channel"] = clean_line(form["channel"]) or None
    if "start" in form:
        text = clean_line(form["start"]).strip()
        if text and parse_uk_time(text) is None:
            errors["start"] = _("Enter the date and time like 27/11/2026 13:00")
        chosen["start"] = text
    if "minutes" in form:
        chosen["minutes"] = _minutes(form["minutes"], "minutes", errors)
    if "window_shown" in form:
        _read_window(form, chosen, errors)
    if "topics_shown" in form:  # the chat's service areas (#20)
        chosen["topics"] = sorted({tag_id for value in form.getlist("chat_tags") if (tag_id := parse_id(value))})
    chosen["titles"] = {**saved.get("titles", {}), **{
        str(number): clean_line(value).strip()[:200] for key, value in form.items()
        if key.startswith("title_") and (number := parse_id(key.removeprefix("title_"))) and value.strip()}}
    if any(chosen.get(key) != saved.get(key) for key in READING):
        for key in ADJUSTMENTS:  # they name the messages and speakers of another reading of the file
            chosen.pop(key, None)
        return chosen, errors
    # A boundary left where the preview showed it stays automatic: only a move is the host's choice.
    starts = {number: clean_line(value) for key, value in form.items()
              if key.startswith("start_") and (number := key.removeprefix("start_")).isdigit()
              and value != form.get(f"shown_start_{number}")}
    if starts:
        chosen["starts"] = {**saved.get("starts", {}), **starts}
    if "wrap_up" in form and form["wrap_up"] != form.get("shown_wrap_up"):
        chosen["wrap_up"] = clean_line(form["wrap_up"]) or None
    if "leave_out_shown" in form:
        chosen["leave_out"] = sorted({clean_line(ref) for ref in form.getlist("leave_out") if ref})
    speakers = {}
    for key, value in form.items():
        if key.startswith("speaker_"):
            member_id = parse_id(value) if value != "none" else None
            if value != "none" and member_id is None:
                errors[key] = _("Choose a member from the list, or “Not a member”")
            speakers[clean_line(key.removeprefix("speaker_"))] = member_id
    if speakers:
        chosen["speakers"] = speakers
    return chosen, errors


def _read_window(form, chosen: dict, errors: dict[str, str]) -> None:
    """Which chat of a file of many: an hour from the list, or a typed day and time; and a hashtag."""
    typed = clean_line(form.get("window_at", "")).strip()
    picked = form.get("window_hour", "")
    begins = None
    if typed:
        begins = parse_uk_time(typed)
        if begins is None:
            errors["window_at"] = _("Enter the chat's day and start time like 14/01/2011 13:00")
    elif picked:
        try:
            begins = datetime.fromisoformat(picked)
        except ValueError:
            errors["window_hour"] = _("Choose one of the hours listed")
    minutes = _minutes(form.get("window_minutes", ""), "window_minutes", errors)
    hashtag = clean_line(form.get("hashtag", "")).strip() or None
    if begins is None and hashtag is None and not errors:
        errors["window_hour"] = _("Choose the chat's hour, type its day and start time, or choose its hashtag")
    chosen["window"] = ({"start": begins.astimezone(timezone.utc).isoformat(), "minutes": minutes or DEFAULT_MINUTES}
                        if begins is not None else None)
    chosen["hashtag"] = hashtag


def _minutes(text: str, name: str, errors: dict[str, str]) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    number = parse_id(text)
    if number is None or not 1 <= number <= LONGEST_MINUTES:
        errors[name] = _("Enter the chat's length in minutes, from 1 to %(most)s", most=LONGEST_MINUTES)
        return None
    return number
