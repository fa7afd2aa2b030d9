"""Importing a transcript in the browser: upload, check the preview (and adjust it), confirm."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from forum import transcripts
from forum.cleantext import clean_line
from forum.db import session
from forum.errors import NotFound, PermissionDenied, TranscriptError, ValidationError
from forum.forms import ConfirmForm, UploadTranscriptForm
from forum.ids import parse_id
from forum.models import Chat, Space
from forum.services import chats, importing, pending_imports
from forum.views import bp
from forum.views._helpers import apply_errors, form_errors, parse_uk_time


def _choices(db, form: UploadTranscriptForm) -> list[Space]:
    spaces = chats.spaces_for_hosting(db, current_user)
    if not spaces:
        raise PermissionDenied("Only space hosts and moderators can import transcripts.")
    ids = [s.id for s in spaces]
    recent = db.scalars(select(Chat).where(Chat.space_id.in_(ids)).order_by(Chat.starts_at.desc()).limit(30))
    form.chat.choices = [("", "A new chat"), *((str(c.id), c.title) for c in recent)]
    form.space.choices = [(str(s.id), s.name) for s in spaces]
    form.format.choices = [("", "Detect it for me"), *((i.name, i.label) for i in transcripts.registered())]
    return spaces


def _options(db, saved: dict, spaces: list[Space]) -> importing.ImportOptions:
    """Rebuild import options from what the host chose (checked again: they may have lost a role since)."""
    allowed = {s.id: s for s in spaces}
    chat = db.get(Chat, saved["chat_id"]) if saved.get("chat_id") else None
    if chat is not None and chat.space_id not in allowed:
        raise PermissionDenied("You can import only into chats in spaces you host.")
    space = allowed.get(chat.space_id if chat else saved.get("space_id"))
    if space is None:
        raise ValidationError("Choose a space", {"space": "Choose the space for the chat's threads"})
    start = parse_uk_time(saved["start"]) if saved.get("start") else (chat.starts_at if chat else None)
    return importing.ImportOptions(
        space=space, chat=chat, format=saved.get("format") or None, hosts=tuple(saved.get("hosts", [])),
        start=start, imported_by=current_user, title=None if chat else saved.get("title"),
        question_titles={int(k): v for k, v in saved.get("titles", {}).items()},
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
                raise ValidationError("Check the start", {"start": "Enter the date and time like 27/11/2026 13:00"})
            importing.preview(db, data, upload.filename, _options(db, saved, spaces))
        except ValidationError as exc:
            apply_errors(form, exc)
        except TranscriptError as exc:
            form.file.errors = [*form.file.errors, f"{upload.filename}: {exc.message}"]
        else:
            config = current_app.config
            kept = pending_imports.keep(db, current_user, clean_line(upload.filename or "") or "transcript", data,
                                        saved, hours=config["FORUM_IMPORT_PENDING_HOURS"],
                                        limit=config["FORUM_IMPORT_PENDING_LIMIT"])
            db.commit()
            if kept.replaced:
                one = len(kept.replaced) == 1
                flash(f"Uploads wait for confirmation {config['FORUM_IMPORT_PENDING_LIMIT']} at a time, so your "
                      f"oldest waiting upload{'' if one else 's'} ({', '.join(kept.replaced)}) "
                      f"{'was' if one else 'were'} discarded to make room for this one.", "info")
            return redirect(url_for("forum.import_preview", token=kept.pending.token))
    errors = form_errors(form)
    return render_template("forum/import/upload.html", form=form, errors=errors), 400 if errors else 200


def _read_upload(upload) -> bytes:
    if upload is None or not getattr(upload, "filename", ""):
        raise ValidationError("Choose a file", {"file": "Choose the transcript file to upload"})
    limit = current_app.config["FORUM_IMPORT_MAX_BYTES"]
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError("The file is too big", {"file": f"The file must be smaller than {limit // 1_000_000} MB"})
    return data


@bp.route("/import/<token>", methods=["GET", "POST"])
@login_required
def import_preview(token: str):
    """Show what the import will create; adjust the format or question titles; confirm to import."""
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
    if request.method == "POST" and confirm.validate_on_submit():
        saved["format"] = request.form.get("format") or None
        saved["titles"] = {str(number): value.strip()[:200] for key, value in request.form.items()
                           if (number := parse_id(key.removeprefix("title_"))) and value.strip()}
        pending.options = saved
        if "confirm" in request.form:
            try:
                summary = importing.import_transcript(db, pending.data, pending.filename, _options(db, saved, spaces))
                db.delete(pending)
                db.commit()
            except (TranscriptError, ValidationError) as exc:
                db.rollback()
                flash(exc.message, "error")
            else:
                flash(f"Imported {summary['posts_imported']} posts into {len(summary['questions'])} threads.", "success")
                return redirect(url_for("forum.chat", chat_id=summary["chat_id"]))
        else:
            db.commit()
        return redirect(url_for("forum.import_preview", token=token))
    try:
        result = importing.preview(db, pending.data, pending.filename, _options(db, saved, spaces))
        problem = None
    except (TranscriptError, ValidationError) as exc:
        result, problem = None, exc.message
    form.format.data = saved.get("format") or ""
    return render_template("forum/import/preview.html", pending=pending, preview=result, problem=problem,
                           form=form, confirm=confirm, titles=saved.get("titles", {}),
                           errors=[("format", problem)] if problem else []), 400 if problem else 200
