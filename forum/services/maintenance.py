"""Keeping stored data in step with the code: re-rendering stored HTML."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import markup
from forum.models import Member, Post

BATCH = 500


def rerender(db: Session) -> int:
    """Re-render every post's and member bio's HTML from its source; return how many changed."""
    changed = 0
    for model, source, html in ((Post, "body_source", "body_html"), (Member, "bio_source", "bio_html")):
        last_id = 0
        while True:
            rows = db.scalars(select(model).where(model.id > last_id).order_by(model.id).limit(BATCH)).all()
            if not rows:
                break
            for row in rows:
                fresh = markup.render(getattr(row, source)) if getattr(row, source) else ""
                if fresh != getattr(row, html):
                    setattr(row, html, fresh)
                    changed += 1
            last_id = rows[-1].id
            db.flush()
    return changed
