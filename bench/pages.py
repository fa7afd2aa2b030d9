"""The pages the benchmark loads, each found in the data set's targets.

To benchmark a page that is not built yet, it stays in the list with `built=False` and is reported
as "not built". When it exists, delete `built=False` from its line: that is the whole change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """A page to load: its key in the results, its label in the table, and how to find its path."""

    key: str
    label: str
    path: Callable[[dict], str]
    signed_in: bool = False
    built: bool = True
    cached: bool = True  # False: served by a second server with FORUM_PAGE_CACHE=false (the page made each time)


def _last_page(targets: dict) -> str:
    pages = -(-targets["big_thread_posts"] // 50)
    return f"/threads/{targets['big_thread_id']}?page={pages}"


PAGES = [
    Page("home", "Home page", lambda t: "/"),
    Page("space", "Space page (30 threads)", lambda t: f"/spaces/{t['space_slug']}"),
    Page("thread", "Thread page (50 posts)", lambda t: f"/threads/{t['thread_id']}"),
    Page("thread_uncached", "Thread page (50 posts), page cache off", lambda t: f"/threads/{t['thread_id']}",
         cached=False),
    Page("thread_last", "Last page of the long thread", _last_page),
    Page("signed_in", "Thread page, signed in", lambda t: f"/threads/{t['thread_id']}", signed_in=True),
    Page("home_signed_in", "Home page, signed in", lambda t: "/", signed_in=True),
    Page("space_signed_in", "Space page, signed in", lambda t: f"/spaces/{t['space_slug']}", signed_in=True),
    Page("search", "Search", lambda t: "/search?q=social+media+policy"),
]
