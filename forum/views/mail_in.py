"""Mail in, on the web: the log of mail received (site moderators), and resuming mail to an address that bounced."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from forum.db import session
from forum.forms import ConfirmForm
from forum.services import inbound_mail
from forum.views import bp
from forum.views._helpers import page_number

MAIL_LOG_PER_PAGE = 50


@bp.get("/moderation/mail")
@login_required
def mail_log():
    """Every message received by email, newest first, with what became of it (site moderators only): a page
    at a time (?page=), all or one outcome (?outcome=, a plain GET form)."""
    outcome = request.args.get("outcome", "")
    if outcome not in inbound_mail.OUTCOMES:
        outcome = ""  # anything else (or nothing) shows every outcome
    entries = inbound_mail.mail_log(session(), current_user, page_number(), MAIL_LOG_PER_PAGE, outcome or None)
    return render_template("forum/moderation/mail_log.html", entries=entries, outcome=outcome,
                           outcomes=inbound_mail.OUTCOMES)


@bp.post("/account/mail/resume")
@login_required
def resume_mail():
    """Send email to the member's address again after it bounced, once they say they have fixed it."""
    form = ConfirmForm()
    if form.validate_on_submit():
        db = session()
        inbound_mail.resume_sending(db, current_user)
        db.commit()
        flash(_("We will send email to your address again. If it bounces again, we will stop again and say so here."),
              "success")
    return redirect(url_for("forum.account"))
