"""The search page: words and filters in a GET form, ranked results with marked snippets, pages."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from forum.db import session
from forum.errors import ValidationError
from forum.search import service
from forum.search.forms import SearchForm
from forum.search.query import parse
from forum.views import bp
from forum.views._helpers import apply_errors, form_errors, page_number

PER_PAGE = 20
FIELDS = ("q", "space", "author", "since", "until", "good_practice", "chats")


@bp.get("/search")
def search():
    """Search what the viewer may read; with no ?q= show the empty form."""
    db = session()
    spaces = service.searchable_spaces(db, current_user)
    form = SearchForm(request.args)
    form.set_spaces(spaces)
    query = parse(form.q.data)
    results = None
    if "q" in request.args:
        try:
            filters = form.filters(spaces)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            results = service.search(db, current_user, query, filters, page_number(), PER_PAGE)
    errors = form_errors(form)
    # The page links keep the search and its filters (but only the form's own fields).
    kept = {name: request.args[name] for name in FIELDS if request.args.get(name)}
    return render_template("forum/search.html", form=form, query=query, results=results, errors=errors,
                           kept=kept), 400 if errors else 200
