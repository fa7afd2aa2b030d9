"""What one page costs in-process, with and without the page cache: `python -m bench.page_cost`.

Flask's test client requests each page of bench/pages.py over and over in this process (no server,
no network, no other worker), on a scratch copy of the full SQLite data set, and reports this
process's CPU time per request (`time.process_time`, the median of `--rounds` rounds of `--requests`
requests): for a visitor with FORUM_PAGE_CACHE off (every page made), for a visitor with it on (the
page from the cache, compressed once), for a visitor's conditional GET (a 304), and for a signed-in
member (never cached). CPU time, unlike requests a second, hardly moves when other work shares the
machine. `--profile PAGE` prints cProfile's top functions for that page instead (`visitor`,
`member`, `hit`).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import dataset, store
from bench.pages import PAGES

HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def _app(url: str, cache: bool):
    from forum import create_app
    return create_app({"FORUM_DATABASE_URL": url, "SECRET_KEY": "bench-page-cost", "FORUM_PAGE_CACHE": cache})


def _member(app, targets: dict):
    from bench.queries import CSRF
    client = app.test_client()
    token = CSRF.search(client.get("/login").data).group(1).decode()
    client.post("/login", data={"csrf_token": token, "email": targets["member_email"],
                                "password": targets["member_password"]})
    return client


def _cpu_ms(request, requests: int, rounds: int) -> float:
    for _ in range(min(requests, 10)):
        request()  # warm: templates compiled, the page cached
    samples = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            request()
        samples.append((time.process_time() - started) * 1000 / requests)
    return round(statistics.median(samples), 2)


def measure(url: str, targets: dict, requests: int, rounds: int) -> dict:
    results: dict[str, dict] = {}
    uncached, cached = _app(url, False), _app(url, True)
    visitor_off, visitor_on = uncached.test_client(), cached.test_client()
    member = _member(cached, targets)
    for page in PAGES:
        if not page.built or page.signed_in or not page.cached:
            continue  # signed in and cache off: this script measures both for every visitor page
        path = page.path(targets)
        row = results.setdefault(page.key, {"label": page.label, "path": path})
        row["visitor_uncached"] = _cpu_ms(lambda: _ok(visitor_off.get(path, headers=HEADERS)), requests, rounds)
        row["visitor_cached"] = _cpu_ms(lambda: _ok(visitor_on.get(path, headers=HEADERS)), requests, rounds)
        etag = visitor_on.get(path, headers=HEADERS).headers.get("ETag")
        if etag:
            row["visitor_304"] = _cpu_ms(
                lambda: _ok(visitor_on.get(path, headers={**HEADERS, "If-None-Match": etag}), 304), requests, rounds)
        row["member"] = _cpu_ms(lambda: _ok(member.get(path, headers=HEADERS)), requests, rounds)
    return results


def _ok(response, status: int = 200):
    assert response.status_code == status, response.status_code
    return response


def profile(url: str, targets: dict, page_key: str, who: str, requests: int) -> str:
    page = next(p for p in PAGES if p.key == page_key)
    app = _app(url, who != "visitor")  # a member's pages use the kept parts, as in production
    client = _member(app, targets) if who == "member" else app.test_client()
    path = page.path(targets)
    for _ in range(10):
        client.get(path, headers=HEADERS)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path, headers=HEADERS)
    profiler.disable()
    out = tempfile.SpooledTemporaryFile(mode="w+")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    out.seek(0)
    return out.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database URL (default: a scratch copy of the cached SQLite data set)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", metavar="PAGE", help="cProfile one page instead (with --who)")
    parser.add_argument("--who", default="member", choices=["visitor", "member", "hit"])
    parser.add_argument("--out", help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    path, meta = store.ensure_sqlite(dataset.FULL)
    scratch = None
    url = args.database
    if url is None:
        scratch = store.DATA / "page-cost.sqlite3"
        store.sqlite_copy(path, scratch)  # a member's views write (read marks): never into the cached data set
        url = f"sqlite:///{scratch}"
    try:
        if args.profile:
            print(profile(url, meta["targets"], args.profile, args.who, args.requests))
            return 0
        results = measure(url, meta["targets"], args.requests, args.rounds)
    finally:
        if scratch is not None:
            store.remove(scratch)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"CPU ms per request, in-process (median of {args.rounds} x {args.requests}); load average {' '.join(load)}")
    print(f"{'page':32} {'visitor, made':>14} {'visitor, cache':>15} {'304':>7} {'member':>8}")
    for row in results.values():
        print(f"{row['label']:32} {row['visitor_uncached']:>14} {row['visitor_cached']:>15} "
              f"{row.get('visitor_304', '-'):>7} {row['member']:>8}")
    if args.out:
        Path(args.out).write_text(json.dumps({"load_average": load, "pages": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
