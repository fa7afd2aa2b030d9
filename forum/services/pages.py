"""Pagination over a known total, so pages never need a second COUNT query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from flask_babel import gettext as _

from forum.errors import NotFound

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of items, and where it sits among the others."""

    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with None for the gaps: 1 … 4 5 [6] 7 8 … 20."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - out[-1] > 1:  # type: ignore[operator]
                out.append(None)
            out.append(n)
        return out


def check_page_number(number: int, total: int, per_page: int) -> int:
    """Return `number` if it is a page that exists (page 1 always does), else raise NotFound."""
    pages = max(1, -(-total // per_page))
    if number < 1 or number > pages:
        raise NotFound(_("There is no page %(number)s; pages run from 1 to %(pages)s.", number=number, pages=pages))
    return number
