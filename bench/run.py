"""Run the benchmarks: `python -m bench.run` (`make bench`) or `python -m bench.run --smoke` (`make bench-smoke`).

For SQLite, and PostgreSQL where it answers: serve the data set with gunicorn (bench/gunicorn_conf.py),
load each page from wrk for a fixed time, read its SQL count and the workers' memory, then time a
transcript import. The ceiling app is loaded before, between and after, and each page's throughput is
reported as a share of it. Timings never fail the run: the exit status is 1 only when the harness
itself is broken (a page that does not answer 200, a crash).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench import dataset, importbench, load, queries, report, store
from bench.pages import PAGES
from bench.server import Server, fetch, process_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
# What a browser on a council PC sends; the responses are compressed as members receive them.
HEADERS = {"User-Agent": "Mozilla/5.0 (afterchat-bench)", "Accept": "text/html",
           "Accept-Encoding": "gzip, deflate, br"}


@dataclass(frozen=True)
class Plan:
    """How long and how hard a run loads each page."""

    sizes: dataset.Sizes
    warmup: int            # seconds of load before measuring, so both workers have loaded everything
    seconds: int           # the measured run, at `connections` connections
    alone_seconds: int     # a second run with one connection: latency with nobody else about (0: skip)
    connections: int
    import_messages: int
    import_repetitions: int
    ceiling_runs: str      # "around" (before, between, after the databases) or "once"


FULL = Plan(dataset.FULL, warmup=2, seconds=15, alone_seconds=4, connections=8,
            import_messages=5000, import_repetitions=3, ceiling_runs="around")
SMOKE = Plan(dataset.SMOKE, warmup=0, seconds=1, alone_seconds=0, connections=4,
             import_messages=200, import_repetitions=1, ceiling_runs="once")


class Stages:
    """Where a run's time goes, stage by stage (reported as stage_seconds)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str):
        import contextlib

        @contextlib.contextmanager
        def timed():
            started = time.perf_counter()
            try:
                yield
            finally:
                self.seconds[name] = round(self.seconds.get(name, 0) + time.perf_counter() - started, 1)
        return timed()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the tiny data set, ~1 s a page (CI)")
    parser.add_argument("--out", type=Path, help="where to write the JSON (default: bench/results/, or a temp file with --smoke)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
                        help="a PostgreSQL URL to create the bench databases from; 'none' to skip PostgreSQL")
    parser.add_argument("--seconds", type=int, help="override the measured seconds per page")
    parser.add_argument("--rebuild-data", action="store_true",
                        help="make the data set again even if the cached one looks current (e.g. after changing indexing code)")
    parser.add_argument("--no-readme", action="store_true", help="do not update bench/README.md's table")
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    if args.seconds:
        plan = Plan(**{**plan.__dict__, "seconds": args.seconds})
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="afterchat-bench-"))
    problems: list[str] = []
    result = report.header(plan, "smoke" if args.smoke else "full", load.loader_name())
    stages = Stages()
    try:
        run_all(plan, args, workdir, result, problems, stages)
    except Exception:  # the harness broke: say where, still write what was measured
        problems.append(traceback.format_exc())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["problems"] = problems
    result["stage_seconds"] = stages.seconds
    result["duration_seconds"] = round(time.perf_counter() - started, 1)
    result["load_average_end"] = list(os.getloadavg())
    # A broken run's figures are kept for diagnosis, but out of bench/results/.
    out = args.out or (Path(tempfile.gettempdir()) / "afterchat-bench-smoke.json" if args.smoke
                       else Path(tempfile.gettempdir()) / "afterchat-bench-broken.json" if problems
                       else ROOT / "bench" / "results" / report.result_name(result))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print()
    print(report.console(result))
    print(f"\nResults: {out}")
    if not args.smoke and not args.no_readme and not problems:
        report.update_readme(result, ROOT / "bench" / "README.md", out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)
        print("bench/README.md's table is updated.")
    if problems:
        print("\nThe harness is broken:\n" + "\n".join(problems), file=sys.stderr)
        return 1
    return 0


def run_all(plan: Plan, args, workdir: Path, result: dict, problems: list[str], stages: Stages) -> None:
    data_dir = workdir / "data" if args.smoke else store.DATA
    with stages("data set (SQLite)"):
        sqlite_path, meta = store.ensure_sqlite(plan.sizes, data_dir, force=args.rebuild_data)
    targets = meta["targets"]
    result["dataset"] = {"name": plan.sizes.name, "sizes": meta["sizes"], "counts": meta["counts"],
                         "fingerprint": meta["fingerprint"], "generated_now": meta["generated_now"],
                         "generation_seconds": meta.get("generation_seconds"),
                         "targets": {k: v for k, v in targets.items() if k not in ("ceiling_posts", "member_password")}}
    databases: dict[str, str | None] = {"sqlite": f"sqlite:///{sqlite_path}"}
    pg_name = f"afterchat_bench_smoke_{os.getpid()}" if args.smoke else "afterchat_bench"
    skipped = "skipped (--postgres none)" if args.postgres == "none" else store.postgres_reachable(args.postgres)
    result.setdefault("databases", {})
    ceilings: list[dict] = []
    try:
        if skipped:
            result["databases"]["postgresql"] = {"skipped": f"not reachable: {skipped}"}
            databases["postgresql"] = None
        else:
            with stages("data set (PostgreSQL)"):
                databases["postgresql"] = store.ensure_postgres(
                    plan.sizes, sqlite_path, meta, args.postgres, pg_name, directory=None if args.smoke else data_dir,
                    force=args.rebuild_data)
            result["versions"]["postgresql"] = report.postgres_version(databases["postgresql"])
        ceiling_posts = workdir / "ceiling_posts.json"
        ceiling_posts.write_text(json.dumps(targets["ceiling_posts"]))
        with stages("ceiling"):
            ceilings.append(run_ceiling(plan, ceiling_posts, workdir, problems))
        for kind, url in databases.items():
            if url is None:
                continue
            print(f"\n== {kind} ==")
            drift = store.schema_drift(url)
            if drift:
                problems.append(f"{kind}: the data set lacks {', '.join(drift[:8])}: the models changed after it was "
                                "built (a migration is missing or was edited; run again, or with --rebuild-data)")
                result["databases"][kind] = {"skipped": "schema out of date: " + ", ".join(drift[:8])}
                continue
            with stages(f"pages ({kind})"):
                outcome = bench_database(kind, url, plan, targets, workdir, problems)
            if plan.ceiling_runs == "around":
                with stages("ceiling"):
                    ceilings.append(run_ceiling(plan, ceiling_posts, workdir, problems))
            outcome["ceiling_rps"] = _mean([c["rps"] for c in ceilings[-2:]])
            with stages(f"import ({kind})"):
                outcome["import"] = bench_import(kind, url, sqlite_path, plan, args, workdir, pg_name, problems)
            result["databases"][kind] = outcome
    finally:
        if args.smoke and not skipped:
            store.drop_database(args.postgres, pg_name)
    result["ceiling"] = {"runs": ceilings, "rps": _mean([c["rps"] for c in ceilings]),
                         "cpu_ms": _mean([c["cpu_ms"] for c in ceilings if c.get("cpu_ms")], 2)}
    for kind, outcome in result["databases"].items():
        for page in outcome.get("pages", {}).values():
            if page.get("rps") and outcome.get("ceiling_rps"):
                page["ratio"] = round(page["rps"] / outcome["ceiling_rps"], 3)
            if page.get("cpu_ms") and result["ceiling"]["cpu_ms"]:
                # The same comparison by CPU per request (workers and database): steadier on a busy machine.
                page["cpu_ratio"] = round(result["ceiling"]["cpu_ms"] / (page["cpu_ms"] + (page.get("db_cpu_ms") or 0)), 3)

    print("\n== queries per page, tiny vs full data set ==")
    with stages("queries"):
        result["query_growth"] = query_growth(plan, sqlite_path, targets, workdir, args)
    result["targets"] = report.evaluate(result)


def run_ceiling(plan: Plan, posts_path: Path, workdir: Path, problems: list[str]) -> dict:
    """Load the ceiling app once."""
    env = {"BENCH_CEILING_POSTS": str(posts_path)}
    with Server("bench.ceiling:app", env, workdir / "ceiling.log") as server:
        status, headers, body = fetch(server.port, "/", HEADERS)
        if status != 200:
            problems.append(f"the ceiling app answered {status}")
        measured = _load(server, "/", {}, plan, alone=bool(plan.alone_seconds))
        print(f"ceiling: {measured['rps']:.0f} req/s, p50 {measured['p50_ms']:.1f} ms, p99 {measured['p99_ms']:.1f} ms")
        return {**measured, "bytes": len(body), "encoding": headers.get("content-encoding"),
                "memory": server.memory()}


def bench_database(kind: str, url: str, plan: Plan, targets: dict, workdir: Path, problems: list[str]) -> dict:
    """Serve the data set from `url` and load every page."""
    env = {"FORUM_DATABASE_URL": url, "FORUM_SECRET_KEY": secrets.token_hex(32), "FORUM_QUERY_COUNT": "1",
           "FORUM_INSTANCE_PATH": str(workdir / f"instance-{kind}")}
    pages: dict[str, dict] = {}
    with Server("wsgi:app", env, workdir / f"forum-{kind}.log") as cached, \
            Server("wsgi:app", {**env, "FORUM_PAGE_CACHE": "false"}, workdir / f"forum-{kind}-uncached.log") as uncached:
        cookie = sign_in(cached.port, targets["member_email"], targets["member_password"])
        for page in PAGES:
            if not page.built:
                pages[page.key] = {"label": page.label, "status": "not built"}
                print(f"{page.label}: not built")
                continue
            server = cached if page.cached else uncached
            path = page.path(targets)
            headers = {"Cookie": cookie} if page.signed_in else {}
            status, found, body = fetch(server.port, path, {**HEADERS, **headers})
            if page.signed_in and status == 200:  # counted as a member's second view (bench/queries.py)
                status, found, body = fetch(server.port, path, {**HEADERS, **headers})
            if status != 200:
                problems.append(f"{kind}: {page.key} page {path} answered {status}:\n{server.log_tail()}")
                pages[page.key] = {"label": page.label, "path": path, "status": status}
                continue
            if "set-cookie" in found:
                problems.append(f"{kind}: {page.key} page sets a cookie on every request; the load would not be steady")
            plain = _decompress(body, found.get("content-encoding"))
            if plain is None:  # an encoding this process cannot read: ask for the page uncompressed
                _, _, plain = fetch(server.port, path, {**HEADERS, **headers, "Accept-Encoding": "identity"})
            measured = _load(server, path, headers, plan, alone=bool(plan.alone_seconds),
                             database=url if kind == "postgresql" else None)
            if page.signed_in:
                # A member's statements counted once the load has been through every worker: a second view on a
                # worker whose in-process store has not kept the page yet runs the first view's statements.
                # (A visitor's page is counted as made, by its first request, above.)
                _, steady, _ = fetch(server.port, path, {**HEADERS, **headers})
                if "x-forum-queries" in steady:
                    found = {**found, "x-forum-queries": steady["x-forum-queries"]}
            if measured["errors"]:
                problems.append(f"{kind}: {page.key} page had errors under load: {measured['errors']}")
            pages[page.key] = {"label": page.label, "path": path, "status": status,
                               "queries": int(found["x-forum-queries"]) if "x-forum-queries" in found else None,
                               "bytes": len(body), "bytes_uncompressed": len(plain),
                               "encoding": found.get("content-encoding"), **measured}
            print(f"{page.label}: {measured['rps']:.0f} req/s, p50 {measured['p50_ms']:.1f} ms, "
                  f"p99 {measured['p99_ms']:.1f} ms, {pages[page.key]['queries']} queries, {len(body) / 1024:.1f} KB")
        memory = cached.memory()
    print("workers' peak RSS: " + ", ".join(f"{m['peak_rss_mb']} MB" for m in memory))
    return {"pages": pages, "memory": {"workers": memory,
                                       "max_peak_rss_mb": max((m["peak_rss_mb"] or 0 for m in memory), default=None)}}


def _load(server: Server, path: str, headers: dict, plan: Plan, alone: bool, database: str | None = None) -> dict:
    url = f"http://127.0.0.1:{server.port}{path}"
    headers = {**HEADERS, **headers}
    if plan.warmup:
        load.run(url, seconds=plan.warmup, connections=plan.connections, headers=headers)
    backends = postgres_backends(database) if database else []
    cpu, db_cpu = server.cpu_seconds(), process_cpu_seconds(backends)
    main = load.run(url, seconds=plan.seconds, connections=plan.connections, headers=headers)
    cpu, db_cpu = server.cpu_seconds() - cpu, process_cpu_seconds(backends) - db_cpu
    measured = {"rps": main.rps, "p50_ms": main.p50_ms, "p90_ms": main.p90_ms, "p99_ms": main.p99_ms,
                "max_ms": main.max_ms, "requests": main.requests, "seconds": main.seconds,
                "connections": main.connections, "errors": main.errors,
                # CPU per request: the workers' own, and PostgreSQL's backends' (SQLite runs inside the workers).
                "cpu_ms": round(cpu * 1000 / main.requests, 2) if main.requests else None,
                "db_cpu_ms": round(db_cpu * 1000 / main.requests, 2) if main.requests and backends else None}
    if alone:
        single = load.run(url, seconds=plan.alone_seconds, connections=1, headers=headers)
        measured.update(alone_rps=single.rps, alone_p50_ms=single.p50_ms, alone_p99_ms=single.p99_ms)
        if single.errors:
            measured["errors"] = {**main.errors, **{f"alone_{k}": v for k, v in single.errors.items()}}
    return measured


def postgres_backends(url: str) -> list[int]:
    """The process ids of the PostgreSQL backends serving the workers (the pools keep them open)."""
    import psycopg
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid()").fetchall()
    return [pid for (pid,) in rows]


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in once through the real form (CSRF token and all); the session cookie to send with requests."""
    headers = {"User-Agent": HEADERS["User-Agent"]}
    status, found, body = fetch(port, "/login", headers)
    token = queries.CSRF.search(body)
    if status != 200 or token is None:
        raise RuntimeError(f"GET /login answered {status} without a csrf_token field")
    cookie = _cookie(found) or ""
    form = urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": password}).encode()
    status, found, _ = fetch(port, "/login", {**headers, "Cookie": cookie,
                                              "Content-Type": "application/x-www-form-urlencoded"}, "POST", form)
    if status != 302 or not _cookie(found):
        raise RuntimeError(f"signing in answered {status}; expected a redirect with a session cookie")
    cookie = _cookie(found)
    # As a browser would: the next page shows "Signed in" once and stores the CSRF token in the session.
    for _ in range(2):
        _, found, _ = fetch(port, "/", {**headers, "Cookie": cookie})
        cookie = _cookie(found) or cookie
    return cookie


def _decompress(body: bytes, encoding: str | None) -> bytes | None:
    """The body as it was before Content-Encoding, or None if this process cannot decode it."""
    import zlib
    if not encoding or encoding == "identity":
        return body
    try:
        if encoding == "br":
            import brotli
            return brotli.decompress(body)
        if encoding in ("gzip", "deflate"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
    except Exception:  # not what the header said: measure it the other way
        return None
    return None


def _cookie(headers: dict[str, str]) -> str | None:
    for line in headers.get("set-cookie", "").split("\n"):
        match = re.match(r"\s*(session=[^;]*)", line)
        if match:
            return match.group(1)
    return None


def bench_import(kind: str, url: str, sqlite_path: Path, plan: Plan, args, workdir: Path, pg_name: str,
                 problems: list[str]) -> dict:
    """Import a transcript into a scratch copy of the data set, so the cached one never changes."""
    if kind == "sqlite":
        scratch = workdir / "import.sqlite3"
        store.sqlite_copy(sqlite_path, scratch)
        scratch_url = f"sqlite:///{scratch}"
    else:
        scratch_name = f"{pg_name}_import"
        scratch_url = store.create_database(args.postgres, scratch_name, template=pg_name)
    try:
        outcome = importbench.run(scratch_url, messages=plan.import_messages, repetitions=plan.import_repetitions)
    finally:
        if kind == "sqlite":
            store.remove(workdir / "import.sqlite3")
        else:
            store.drop_database(args.postgres, scratch_name)
    parts = ", ".join(f"{k} {v:.2f}s" for k, v in outcome["parts_seconds"].items())
    print(f"import: {outcome['messages_per_second']:.0f} messages/s ({outcome['messages']} in {outcome['seconds']:.2f}s: {parts})")
    return outcome


def query_growth(plan: Plan, sqlite_path: Path, targets: dict, workdir: Path, args) -> dict:
    """Each page's query count on the tiny data set and on this run's: equal means constant."""
    large = queries.count(f"sqlite:///{sqlite_path}", targets)
    if plan.sizes.name == dataset.SMOKE.name:
        small = large
    else:
        small_path, small_meta = store.ensure_sqlite(dataset.SMOKE, store.DATA)
        small = queries.count(f"sqlite:///{small_path}", small_meta["targets"])
    growth = {key: {"tiny": small.get(key), "full": large.get(key), "constant": small.get(key) == large.get(key)}
              for key in large}
    for key, row in growth.items():
        print(f"{key}: {row['tiny']} -> {row['full']}{'' if row['constant'] else '  GROWS'}")
    return growth


def _mean(values: list[float], digits: int = 1) -> float | None:
    return round(sum(values) / len(values), digits) if values else None


if __name__ == "__main__":
    sys.exit(main())
