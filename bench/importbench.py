"""Time the import of a chat transcript through the service, in this process, into the busiest space.

Each repetition imports a new transcript (new message ids, the same regular speakers) into the
space with the most threads of a scratch copy of the data set, exactly as `flask forum
import-transcript` does: `import_transcript` inside `write_transactions()`, then commit. The parts are timed by wrapping the
functions the service calls, so a slow part shows: parse (bytes to messages), segment (messages to
questions), render (markdown to HTML, once per post), build (speakers, threads, posts, flushes and
recounts: the rest of the service) and commit.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager


class _Timer:
    """Wrap a module attribute so each call's wall-clock and CPU time add up in `wall` and `cpu`."""

    def __init__(self, module, name: str):
        self.module, self.name, self.wall, self.cpu = module, name, 0.0, 0.0
        self.original = getattr(module, name)

    def __enter__(self):
        original = self.original

        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - wall
                self.cpu += time.process_time() - cpu

        setattr(self.module, self.name, timed)
        return self

    def __exit__(self, *_exc):
        setattr(self.module, self.name, self.original)


@contextmanager
def _app(database_url: str):
    from forum import create_app
    app = create_app({"FORUM_DATABASE_URL": database_url, "SECRET_KEY": "bench-import"})
    with app.app_context():
        yield app
        app.extensions["forum"].db.session.remove()
        app.extensions["forum"].db.engine.dispose()


def regular_speakers(database_url: str, count: int) -> list[tuple[str, str]]:
    """(handle, user id) of speakers already in the data set: the chat's regulars."""
    from sqlalchemy import select

    from forum.db import session
    from forum.models import Speaker
    with _app(database_url):
        rows = session().execute(
            select(Speaker.handle, Speaker.platform_user_id).where(Speaker.platform == "x")
            .order_by(Speaker.id).limit(count)
        ).all()
    return [(handle, user_id) for handle, user_id in rows]


def run(database_url: str, *, messages: int, repetitions: int, seed: int = 7) -> dict:
    """Import `repetitions` transcripts of `messages` messages; the median run and every run's figures."""
    from sqlalchemy import select

    from bench import transcript
    from forum import markup
    from forum.db import session, write_transactions
    from forum.models import Space
    from forum.services import importing
    from forum.services.spaces import create_space

    regulars = regular_speakers(database_url, 150)
    newcomers = [(f"newcomer_{seed}_{i}", str(900_000 + i)) for i in range(max(10, messages // 20))]
    runs = []
    for rep in range(repetitions):
        data = transcript.tags_csv(messages, seed=seed + rep, speakers=regulars + newcomers,
                                   first_id=1_900_000_000_000_000_000 + rep * 10_000_000)
        with _app(database_url):
            db = session()
            # Into the busiest space, where the chats are: finding an earlier import of the same chat
            # there must not cost more as the space grows.
            space = db.scalar(select(Space).order_by(Space.thread_count.desc()).limit(1)) \
                or create_space(db, slug=f"import-bench-{seed}", name="Import bench")
            db.commit()
            with _Timer(importing, "parse") as parse, _Timer(importing, "segment") as segment, \
                    _Timer(markup, "render") as render:
                started, started_cpu = time.perf_counter(), time.process_time()
                with write_transactions():
                    summary = importing.import_transcript(
                        db, data, "lgovsm-bench.csv", importing.ImportOptions(space=space))
                    built, built_cpu = time.perf_counter(), time.process_time()
                    db.commit()
                finished, finished_cpu = time.perf_counter(), time.process_time()
        total, cpu = finished - started, finished_cpu - started_cpu
        if summary["posts_imported"] <= 0 or len(summary["questions"]) != 3:
            raise RuntimeError(f"the import benchmark's transcript imported wrongly: {summary}")
        runs.append({
            "seconds": round(total, 3),
            "messages_per_second": round(summary["messages_total"] / total, 1),
            # CPU time of this process: steadier than the wall clock on a busy machine (on
            # PostgreSQL the server's own work is not in it).
            "cpu_seconds": round(cpu, 3),
            "messages_per_cpu_second": round(summary["messages_total"] / cpu, 1),
            "messages": summary["messages_total"], "posts_imported": summary["posts_imported"],
            "skipped": summary["skipped"], "speakers": summary["speakers"],
            "speakers_matched": summary["speakers_matched"], "bytes": len(data),
            "parts_seconds": {
                "parse": round(parse.wall - segment.wall, 3),
                "segment": round(segment.wall, 3),
                "render": round(render.wall, 3),
                "build": round(built - started - parse.wall - render.wall, 3),
                "commit": round(finished - built, 3),
            },
            "parts_cpu_seconds": {
                "parse": round(parse.cpu - segment.cpu, 3),
                "segment": round(segment.cpu, 3),
                "render": round(render.cpu, 3),
                "build": round(built_cpu - started_cpu - parse.cpu - render.cpu, 3),
                "commit": round(finished_cpu - built_cpu, 3),
            },
        })
    median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {**median, "runs_seconds": [r["seconds"] for r in runs],
            "spread": round(statistics.pstdev(r["seconds"] for r in runs) / median["seconds"], 3) if len(runs) > 1 else 0.0}


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.importbench`: the import benchmark alone, into a scratch copy of the cached data set."""
    import argparse
    import json
    import os
    import tempfile
    from pathlib import Path

    from bench import dataset, store

    parser = argparse.ArgumentParser(description="Time a transcript import on SQLite (and PostgreSQL).")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="the tiny data set instead of the full one")
    parser.add_argument("--postgres", default="none", help="also on this PostgreSQL server (an admin URL)")
    args = parser.parse_args(argv)
    sizes = dataset.SMOKE if args.smoke else dataset.FULL
    with tempfile.TemporaryDirectory(prefix="afterchat-import-") as work:
        work = Path(work)
        sqlite_path, meta = store.ensure_sqlite(sizes, work / "data" if args.smoke else store.DATA)
        scratch = work / "import.sqlite3"
        store.sqlite_copy(sqlite_path, scratch)
        outcomes = {"sqlite": run(f"sqlite:///{scratch}", messages=args.messages, repetitions=args.repetitions)}
        if args.postgres != "none" and not store.postgres_reachable(args.postgres):
            name = f"afterchat_import_{os.getpid()}"
            pg_url = store.ensure_postgres(sizes, sqlite_path, meta, args.postgres, name, directory=None)
            try:
                outcomes["postgresql"] = run(pg_url, messages=args.messages, repetitions=args.repetitions)
            finally:
                store.drop_database(args.postgres, name)
    for kind, outcome in outcomes.items():
        parts = ", ".join(f"{k} {v:.2f}s" for k, v in outcome["parts_seconds"].items())
        print(f"{kind}: {outcome['messages']} messages in {outcome['seconds']:.2f}s "
              f"(runs {outcome['runs_seconds']}; CPU {outcome['cpu_seconds']:.2f}s): {parts}")
    print(json.dumps({"load_average": os.getloadavg(), **outcomes}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
