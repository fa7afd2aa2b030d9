"""Profile one page (or the import) on the full data set with py-spy: `make bench-profile PAGE=thread`.

A child process serves the page to itself in a loop (Flask's test client, so no network in the
samples), py-spy samples it after a warm-up, and the functions that take the time are printed,
inclusive and self. The raw samples stay in bench/data/ (`py-spy` "raw" format, one stack a line:
feed them to flamegraph.pl or speedscope to browse).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import time
from pathlib import Path

from bench import dataset, store
from bench.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
PY_SPY = ROOT / "bench" / ".venv" / "bin" / "py-spy"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="a page key (" + ", ".join(p.key for p in PAGES if p.built) + ") or 'import'")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--database", help="a database URL (default: the cached SQLite data set)")
    parser.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path, meta = store.ensure_sqlite(dataset.FULL)
    url = args.database or f"sqlite:///{path}"
    if args.loop:
        return _loop(args.page, url, meta["targets"], args.seconds)
    if not PY_SPY.exists():
        print(f"py-spy is not installed at {PY_SPY}: run `make bench/.venv/.installed`", file=sys.stderr)
        return 2
    out = store.DATA / f"profile-{args.page}.txt"
    child = subprocess.Popen([sys.executable, "-m", "bench.profile", args.page, "--loop", "--seconds",
                              str(args.seconds + 15), "--database", url], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        ready = child.stdout.readline()  # the child says "ready" once warmed up
        if not ready.startswith("ready"):
            raise RuntimeError("the profiled process did not start")
        subprocess.run([str(PY_SPY), "record", "--pid", str(child.pid), "--duration", str(args.seconds),
                        "--rate", "250", "--format", "raw", "--output", str(out)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        child.terminate()
        child.wait()
    anchor = "import_transcript" if args.page == "import" else "Flask.wsgi_app"
    print(summarise(out, anchor))
    print(f"\nRaw samples: {out}")
    return 0


def _loop(page_key: str, url: str, targets: dict, seconds: int) -> int:
    """Run the page (or imports) over and over; say "ready" after a few seconds of warm-up."""
    deadline = time.monotonic() + seconds
    if page_key == "import":
        from bench import importbench
        print("ready", flush=True)
        scratch = store.DATA / "profile-import.sqlite3"
        store.sqlite_copy(Path(url.removeprefix("sqlite:///")), scratch)
        try:
            seed = 100
            while time.monotonic() < deadline:
                importbench.run(f"sqlite:///{scratch}", messages=5000, repetitions=1, seed=seed)
                seed += 1
        finally:
            store.remove(scratch)
        return 0
    from bench.queries import CSRF
    from forum import create_app

    page = next(p for p in PAGES if p.key == page_key)
    app = create_app({"FORUM_DATABASE_URL": url, "SECRET_KEY": "bench-profile"})
    client = app.test_client()
    if page.signed_in:
        token = CSRF.search(client.get("/login").data).group(1).decode()
        client.post("/login", data={"csrf_token": token, "email": targets["member_email"],
                                    "password": targets["member_password"]})
        client.get("/")
    headers = {"Accept-Encoding": "gzip, deflate, br"}
    path = page.path(targets)
    warm = time.monotonic() + 3
    while time.monotonic() < warm:
        client.get(path, headers=headers)
    print("ready", flush=True)
    while time.monotonic() < deadline:
        client.get(path, headers=headers)
    return 0


def summarise(path: Path, anchor: str, top: int = 45) -> str:
    """The functions under `anchor` by inclusive and by self share of the samples."""
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        start = next((i for i, frame in enumerate(frames) if anchor in frame), None)
        if start is None or not count.isdigit():
            continue
        n = int(count)
        total += n
        names = [re.sub(r":\d+\)$", ")", frame) for frame in frames[start:]]
        own[names[-1]] += n
        for name in set(names):
            inclusive[name] += n
    if not total:
        return f"No samples under {anchor}."
    lines = [f"{total} samples under {anchor}", "", "Inclusive:"]
    lines += [f"{n / total:6.1%}  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "Self:"]
    lines += [f"{n / total:6.1%}  {name}" for name, n in own.most_common(25)]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
