"""Search latency over the benchmark data set: p50/p95 of one- and two-word queries, SQLite and PostgreSQL.

    .venv/bin/python -m bench.search_bench [--postgres URL|none] [--repeat 3] [--json PATH]

Uses the full data set (250,000 posts) that `bench.store` builds and caches, rebuilding the search
index where it is missing. Times the search service as the /search view calls it (the ranked page,
snippets and member names: every SQL statement of a results page) in-process, and the whole page
through the test client (routing, template, compression off), for a visitor and for a signed-in
member of the private space. For each set it reports wall-clock p50/p95 over every run, p50/p95 of
each query's best run, and the CPU time a search used (this process plus, on PostgreSQL, the
server's backend), which other load on the machine does not inflate. Queries are drawn, with a
fixed seed, from the posts themselves:

- one word, weighted by how often words occur (the common words that match a third of the forum);
- one word, uniformly from the vocabulary (what a person looking for something specific types);
- two words that occur together in one post (a remembered phrase, not quoted);
- a few fixed ones, such as "budget simulators" and "social media policy".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from bench import dataset, store

ROOT = Path(__file__).resolve().parent.parent
OWN = store.DATA / "search"   # a cache of our own when the shared one is stale: never written under the harness
PG_NAME = "afterchat_bench_search"
FIXED = ["budget", "budget simulators", "social media", "social media policy", '"social media policy"',
         "chief executive", "lgovsm", "winter gritting", "budget -council", "simulator"]
SEED = 2024


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def data_set() -> tuple[Path, dict]:
    """The full data set: the shared cache if it is fresh, else one built (once) in bench/data/search."""
    sizes = dataset.FULL
    shared = store.DATA / f"{sizes.name}.sqlite3"
    meta_path = store.DATA / f"{sizes.name}.json"
    if shared.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("fingerprint") == store.source_fingerprint(sizes):
            return shared, meta
    return store.ensure_sqlite(sizes, directory=OWN, log=log)


def ensure_index(url: str) -> None:
    """Rebuild the search index when it does not hold one document per post."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        posts = connection.scalar(text("SELECT count(*) FROM forum_post WHERE deleted_at IS NULL"))
        docs = connection.scalar(text("SELECT count(*) FROM forumsearch_document"))
    engine.dispose()
    if posts != docs:
        log(f"  the index holds {docs:,} documents for {posts:,} posts: rebuilding it")
        store.rebuild_derived(url, log)


def queries(sqlite_path: Path) -> dict[str, list[str]]:
    """The query sets, drawn with a fixed seed from the posts' words."""
    import sqlite3

    from forum.search.query import STOPWORDS, tokens

    rng = random.Random(SEED)
    connection = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        # The 5,000 posts are drawn here, with the seed: SQLite's random() cannot be seeded, and drew other
        # queries each run.
        ids = [row[0] for row in connection.execute("SELECT id FROM forumsearch_document ORDER BY id")]
        chosen = rng.sample(ids, min(5000, len(ids)))
        bodies = [row[0] for row in connection.execute(
            f"SELECT body FROM forumsearch_text WHERE rowid IN ({','.join('?' * len(chosen))}) ORDER BY rowid", chosen)]
    finally:
        connection.close()
    words_of = [[t for t in tokens(body) if len(t) >= 3 and t.isalpha() and t not in STOPWORDS] for body in bodies]
    counts = Counter(t for words in words_of for t in words)
    vocabulary = sorted(counts)
    by_frequency = rng.choices(list(counts), weights=list(counts.values()), k=100)
    uniform = rng.sample(vocabulary, min(100, len(vocabulary)))
    pairs = []
    while len(pairs) < 100:
        words = list(dict.fromkeys(rng.choice(words_of)))
        if len(words) >= 2:
            pairs.append(" ".join(rng.sample(words, 2)))
    return {"one word, by frequency": by_frequency, "one word, from the vocabulary": uniform,
            "two words from one post": pairs, "fixed": FIXED}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure(url: str, query_sets: dict[str, list[str]], repeat: int, pages: bool) -> dict:
    """Time every query for a visitor and the bench member; return p50/p95/max per set and viewer."""
    from sqlalchemy import select

    from forum import create_app
    from forum.models import Member
    from forum.search import service
    from forum.search.query import parse

    app = create_app({"FORUM_DATABASE_URL": url, "SECRET_KEY": "bench-search", "TESTING": True,
                      "FORUM_RATELIMIT_SIGNIN": "10000 per minute"})
    results: dict = {}
    try:
        with app.app_context():
            db = app.extensions["forum"].db.session
            member = db.scalar(select(Member).where(Member.email == dataset.BENCH_EMAIL))
            db.expunge(member)
            for viewer_name, viewer in (("visitor", None), ("member", member)):
                for set_name, texts in query_sets.items():
                    samples, cpu, matches, worst = [], [], [], (0.0, "")
                    best: dict[str, float] = {}
                    for round_ in range(repeat + 1):
                        for q in texts:
                            db.commit()  # a fresh transaction per search, ended as a request that only read is (forum.db.end_reads_with_commit)
                            server = _server_clock(db)
                            server_before = server()
                            started, started_cpu = time.perf_counter(), time.process_time()
                            found = service.search(db, viewer, parse(q), service.Filters(), 1, 20)
                            elapsed = (time.perf_counter() - started) * 1000
                            spent = (time.process_time() - started_cpu) * 1000 + (server() - server_before) / 1e6
                            if round_:  # round 0 warms the caches
                                samples.append(elapsed)
                                cpu.append(spent)
                                best[q] = min(best.get(q, elapsed), elapsed)
                                worst = max(worst, (elapsed, q))
                            else:
                                matches.append(found.page.total)
                    results.setdefault(viewer_name, {})[set_name] = _summary(samples, cpu, list(best.values()),
                                                                             matches, worst)
                    figures = results[viewer_name][set_name]
                    log(f"  {viewer_name:8} {set_name:30} p50 {figures['p50_ms']:6.1f}  p95 {figures['p95_ms']:6.1f}"
                        f"  max {worst[0]:6.1f} ms ({worst[1]!r});  best of {repeat} per query: p50"
                        f" {figures['best_p50_ms']:5.1f}  p95 {figures['best_p95_ms']:5.1f} ms;  CPU: p50"
                        f" {figures['cpu_p50_ms']:5.1f}  p95 {figures['cpu_p95_ms']:5.1f} ms")
        if pages:
            results["pages"] = _pages(app, query_sets)
    finally:
        with app.app_context():
            app.extensions["forum"].db.engine.dispose()
    return results


def _server_clock(db):
    """A function giving the CPU nanoseconds used so far by the PostgreSQL backend serving `db` (0 on SQLite)."""
    connection = db.connection()
    if connection.dialect.name != "postgresql":
        return lambda: 0
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    path = Path(f"/proc/{pid}/schedstat")  # the server runs on this machine in the benchmark set-up
    if not path.exists():
        return lambda: 0
    return lambda: int(path.read_text().split()[0])


def _summary(samples: list[float], cpu: list[float], best: list[float], matches: list[int],
             worst: tuple[float, str]) -> dict:
    return {
        "queries": len(matches), "samples": len(samples),
        "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 95), 1),
        # Each query's fastest run: what it costs when nothing else on the machine gets in the way.
        "best_p50_ms": round(statistics.median(best), 1), "best_p95_ms": round(percentile(best, 95), 1),
        # CPU time the search used, in this process and (PostgreSQL) in the server's backend: its cost with
        # the time spent waiting for a CPU taken out, so it does not depend on what else the machine runs.
        "cpu_p50_ms": round(statistics.median(cpu), 1), "cpu_p95_ms": round(percentile(cpu, 95), 1),
        "max_ms": round(worst[0], 1), "slowest": worst[1],
        "median_results": statistics.median(matches), "no_results": sum(1 for m in matches if m == 0),
        "capped": sum(1 for m in matches if m >= service_cap()),
    }


def service_cap() -> int:
    from forum.search.service import MAX_RESULTS
    return MAX_RESULTS


def _pages(app, query_sets: dict[str, list[str]]) -> dict:
    """The whole /search page through the test client: one pass over every query after a warm-up."""
    import re

    visitor, member = app.test_client(), app.test_client()
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', member.get("/login").data).group(1).decode()
    signed = member.post("/login", data={"csrf_token": token, "email": dataset.BENCH_EMAIL,
                                         "password": dataset.BENCH_PASSWORD})
    if signed.status_code != 302:
        raise RuntimeError(f"signing in the bench member answered {signed.status_code}")
    out = {}
    every = [q for texts in query_sets.values() for q in texts]
    for name, client in (("visitor", visitor), ("member", member)):
        for q in every[:20]:
            client.get("/search", query_string={"q": q})
        samples = []
        for q in every:
            started = time.perf_counter()
            response = client.get("/search", query_string={"q": q})
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"/search?q={q} answered {response.status_code}")
        out[name] = {"requests": len(samples), "p50_ms": round(statistics.median(samples), 1),
                     "p95_ms": round(percentile(samples, 95), 1), "max_ms": round(max(samples), 1)}
        log(f"  {name:8} {'whole page, every query':32} p50 {out[name]['p50_ms']:6.1f} ms"
            f"  p95 {out[name]['p95_ms']:6.1f} ms  max {out[name]['max_ms']:6.1f} ms")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"),
                        help="a PostgreSQL URL to create the bench database from; 'none' to skip PostgreSQL")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds over every query (after one warm-up)")
    parser.add_argument("--no-pages", action="store_true", help="time only the search service, not whole pages")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    sqlite_path, meta = data_set()
    log(f"Data set: {sqlite_path} ({meta['counts']['forum_post']:,} posts)")
    query_sets = queries(sqlite_path)
    report = {"posts": meta["counts"]["forum_post"], "repeat": args.repeat, "cpus": os.cpu_count(),
              "load_average_start": os.getloadavg(), "queries": query_sets, "backends": {}}

    work = Path(os.environ.get("TMPDIR", "/tmp")) / "afterchat-search-bench.sqlite3"
    store.sqlite_copy(sqlite_path, work)  # searches never write, but the harness's cache stays untouched
    try:
        url = f"sqlite:///{work}"
        ensure_index(url)
        log("SQLite (FTS5):")
        report["backends"]["sqlite"] = measure(url, query_sets, args.repeat, not args.no_pages)
    finally:
        store.remove(work)

    if args.postgres.lower() != "none":
        problem = store.postgres_reachable(args.postgres)
        if problem:
            log(f"PostgreSQL skipped: {problem}")
        else:
            url = store.ensure_postgres(dataset.FULL, sqlite_path, meta, args.postgres, PG_NAME, directory=OWN,
                                        log=log)
            ensure_index(url)
            log("PostgreSQL (tsvector, GIN):")
            report["backends"]["postgresql"] = measure(url, query_sets, args.repeat, not args.no_pages)

    report["load_average_end"] = os.getloadavg()
    log(f"Load average at the start {report['load_average_start'][0]:.1f}, at the end "
        f"{report['load_average_end'][0]:.1f} on {os.cpu_count()} CPUs: other work on the machine adds to wall times.")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    shown = ("p50_ms", "p95_ms", "max_ms", "best_p50_ms", "best_p95_ms")
    print(json.dumps({backend: {viewer: {name: {k: v for k, v in figures.items() if k in shown}
                                          for name, figures in sets.items()}
                                for viewer, sets in results.items()}
                      for backend, results in report["backends"].items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
