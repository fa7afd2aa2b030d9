"""The chat-hour rush: `make bench-rush` (`python -m bench.rush`); `--smoke` for a few seconds on the tiny data set.

At lunchtime on a chat day the newest chat's question threads and the home page are read by many
people at once while members reply. On PostgreSQL and Redis, a scratch copy of the full data set
is served by one app host and then by two (each host a gunicorn with bench/gunicorn_conf.py's
workers, all sharing the database, Redis and the secret key, as docs/deploy.md sets them up):

- readers: wrk, READERS connections in all (split evenly between the hosts, as a round-robin
  balancer would), requesting the home page and the first and last page of each of the newest
  chat's question threads in turn, for SECONDS, as visitors with a browser's Accept-Encoding;
- repliers: MEMBERS members, signed in through the real form, each in a loop: GET a question
  thread's page, take the reply form's hidden fields (CSRF token, submission key), POST a reply
  with its own text, and then, as a visitor on the *other* host, follow the redirect's link and
  check the reply is on the page; then a pause of up to two seconds before the next.

It reports the readers' throughput and latency (p50, p90, p99, max) and errors; each reply's POST
latency; and each reply's visibility lag: from its POST returning to the first page view (sent
after that moment) that shows it. Expected: no errors, and every reply visible within 1 s. At the
end the database is checked: every accepted reply saved exactly once, the threads' counters right.
With `--nginx` the two hosts sit behind nginx on a loopback port (the configuration in
docs/deploy.md) and every request goes through it.

Exit status 1 when the harness broke or the forum answered with errors or lost replies; timings never
fail it. Results: bench/results/<date>-<host>-rush.json and the table in bench/README.md (not with
--smoke, whose JSON goes to $TMPDIR).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench import dataset, load, report, store
from bench.concurrency import Browser
from bench.run import HEADERS
from bench.server import Server, free_port

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
START, END = "<!-- bench:rush:start -->", "<!-- bench:rush:end -->"
# Every generated member but the bench reader has this password (bench/dataset.py, `other_hash`).
MEMBER_PASSWORD = "not-a-bench-password"
NO_LIMITS = "1000000 per minute"  # every request comes from 127.0.0.1: real limits would refuse the rush
VISIBLE_WITHIN = 1.0
_REPLY_FORM = re.compile(r'<form[^>]*action="[^"]*/threads/\d+/reply"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input\b[^>]*type="hidden"[^>]*>', re.I)
_ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


@dataclass(frozen=True)
class Plan:
    sizes: dataset.Sizes
    seconds: int
    warmup: int
    readers: int
    members: int


FULL = Plan(dataset.FULL, seconds=60, warmup=3, readers=200, members=20)
SMOKE = Plan(dataset.SMOKE, seconds=3, warmup=0, readers=8, members=2)


# -- the members ---------------------------------------------------------------------------------------

@dataclass
class Replies:
    """What the members did and saw."""

    accepted: list[str] = field(default_factory=list)      # texts answered with a redirect to the post
    errors: list[str] = field(default_factory=list)
    post_seconds: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)        # POST returned -> first page view sent that shows it
    seen_after: list[float] = field(default_factory=list)  # POST returned -> that page view answered
    invisible: list[str] = field(default_factory=list)     # not on the page within 10 s
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, **items) -> None:
        with self.lock:
            for name, value in items.items():
                getattr(self, name).append(value)

    def summary(self, seconds: float) -> dict:
        return {
            "accepted": len(self.accepted), "per_second": round(len(self.accepted) / seconds, 2) if seconds else None,
            "errors": len(self.errors), "first_errors": self.errors[:5],
            "post_p50_ms": _ms(_pct(self.post_seconds, 50)), "post_p99_ms": _ms(_pct(self.post_seconds, 99)),
            "post_max_ms": _ms(max(self.post_seconds, default=None)),
            "checked": len(self.lags), "invisible": len(self.invisible),
            "worst_lag_ms": _ms(max(self.lags, default=None)),
            "over_1s": sum(1 for lag in self.lags if lag > VISIBLE_WITHIN),
            "seen_p50_ms": _ms(_pct(self.seen_after, 50)), "seen_max_ms": _ms(max(self.seen_after, default=None)),
        }


def reply_form(body: str) -> list[tuple[str, str]] | None:
    """The hidden fields of the page's reply form (CSRF token, submission key), or None without one."""
    import html

    form = _REPLY_FORM.search(body)
    if form is None:
        return None
    fields = [dict(_ATTRIBUTE.findall(tag)) for tag in _HIDDEN.findall(form.group(1))]
    return [(f["name"], html.unescape(f.get("value", ""))) for f in fields if "name" in f]


def member(index: int, email: str, write: str, read: str, threads: list[int], run: str, stop: threading.Event,
           ready: threading.Barrier, replies: Replies) -> None:
    """One member: sign in on `write`, then reply and check each reply as a visitor on `read`, until `stop`."""
    browser, visitor = Browser(write), Browser(read)
    try:
        page, hidden = browser.form("/login")
        answer = browser.request("/login", [*hidden, ("email", email), ("password", MEMBER_PASSWORD)])
        if answer.status != 302:
            replies.note(errors=f"{email}: signing in answered {answer.status}")
            return
    except OSError as exc:
        replies.note(errors=f"{email}: signing in failed: {exc!r}")
        return
    finally:
        ready.wait()
    rng = random.Random(index)
    count = 0
    while not stop.is_set():
        count += 1
        thread_id = threads[(index + count) % len(threads)]
        text = f"Rush {run} reply {index}-{count}: in our council the comms team answers out of hours."
        try:
            page = browser.request(f"/threads/{thread_id}")
            hidden = reply_form(page.body) if page.status == 200 else None
            if hidden is None:
                replies.note(errors=f"GET /threads/{thread_id}: {page.status}, no reply form")
                stop.wait(1)
                continue
            started = time.monotonic()
            answer = browser.request(f"/threads/{thread_id}/reply", [*hidden, ("body", text), ("submit", "Post reply")])
            returned = time.monotonic()
        except OSError as exc:
            replies.note(errors=f"{email}: {exc!r}")
            continue
        if not (answer.status in (302, 303) and answer.location and "/posts/" in answer.location):
            replies.note(errors=f"POST /threads/{thread_id}/reply: {answer.status} {answer.body[:200]!r}")
            continue
        replies.note(accepted=text, post_seconds=returned - started)
        check_visible(visitor, answer.location, text, returned, replies)
        stop.wait(rng.uniform(0, 2))


def check_visible(visitor: Browser, location: str, text: str, returned: float, replies: Replies) -> None:
    """Follow the reply's link as a visitor until its page shows the reply; note how long after its POST."""
    path = re.sub(r"^https?://[^/]+", "", location)
    while True:
        sent = time.monotonic()
        try:
            found = visitor.request(path)
            if found.status in (301, 302, 303) and found.location:
                found = visitor.request(re.sub(r"^https?://[^/]+", "", found.location).split("#")[0])
        except OSError as exc:
            replies.note(errors=f"visitor GET {path}: {exc!r}")
            return
        if found.status == 200 and text in found.body:
            replies.note(lags=sent - returned, seen_after=time.monotonic() - returned)
            return
        if found.status >= 400 and found.status != 404:
            replies.note(errors=f"visitor GET {path}: {found.status}")
            return
        if time.monotonic() - returned > 10:
            replies.note(invisible=text)
            return
        time.sleep(0.05)


# -- one run ----------------------------------------------------------------------------------------------

def targets(url: str, targets_: dict, members: int) -> dict:
    """The newest chat's question threads (with their last pages), and members who may reply there."""
    import psycopg

    per_page = 50  # FORUM_POSTS_PER_PAGE's default
    with psycopg.connect(url) as connection:
        chat_id = connection.execute("SELECT chat_id FROM forum_thread WHERE id = %s", [targets_["thread_id"]]).fetchone()[0]
        threads = connection.execute(
            "SELECT id, post_count FROM forum_thread WHERE chat_id = %s AND question_number > 0 AND NOT locked "
            "ORDER BY question_number", [chat_id]).fetchall()
        emails = [email for (email,) in connection.execute(
            "SELECT email FROM forum_member WHERE state = 'approved' AND email IS NOT NULL AND email <> %s "
            "ORDER BY id LIMIT %s", [dataset.BENCH_EMAIL, members])]
    paths = ["/"]
    for thread_id, posts in threads:
        paths.append(f"/threads/{thread_id}")
        if posts > per_page:
            paths.append(f"/threads/{thread_id}?page={-(-posts // per_page)}")
    return {"chat_id": chat_id, "threads": [thread_id for thread_id, _ in threads], "paths": paths, "emails": emails}


NGINX_CONF = """\
# The proxy of docs/deploy.md, on a loopback port in front of the app hosts (written by bench/rush.py).
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;

    upstream afterchat {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 21m;
        location / {{
            proxy_pass http://afterchat;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host "";
            proxy_next_upstream error timeout;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


class Nginx:
    """nginx on a free loopback port, balancing over `ports` (round robin), in the foreground of its own group."""

    def __init__(self, ports: list[int], work: Path):
        self.port, self.work = free_port(), work
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in ports)
        self.conf = work / "nginx.conf"
        self.conf.write_text(NGINX_CONF.format(work=work, servers=servers, port=self.port))
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Nginx:
        self.process = subprocess.Popen(["nginx", "-p", str(self.work), "-c", str(self.conf)], cwd=self.work,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        from bench.server import fetch
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                if fetch(self.port, "/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not answer within 10 s")

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=10)


def rush(url: str, hosts: int, plan: Plan, data_targets: dict, redis_url: str | None, work: Path,
         nginx: bool = False) -> dict:
    """Serve `url` from `hosts` app hosts, run the rush, and return what was measured."""
    found = targets(url, data_targets, plan.members)
    secret = secrets.token_hex(32)
    run = uuid.uuid4().hex[:8]
    servers = []
    for n in range(hosts):
        env = {"FORUM_DATABASE_URL": url, "FORUM_SECRET_KEY": secret, "FORUM_BASE_URL": "http://forum.example.test",
               "FORUM_INSTANCE_PATH": str(work / f"instance-{n}"), "FORUM_RATELIMIT_SIGNIN": NO_LIMITS,
               "FORUM_RATELIMIT_POSTING": NO_LIMITS, **({"FORUM_REDIS_URL": redis_url} if redis_url else {}),
               **({"FORUM_PROXY_COUNT": "1"} if nginx else {})}
        servers.append(Server("wsgi:app", env, work / f"host-{n}.log"))
    outcome: dict = {"hosts": hosts, "workers_per_host": 2, "via": "nginx" if nginx else "direct",
                     "paths": found["paths"], "members": len(found["emails"]), "readers": plan.readers,
                     "seconds": plan.seconds, "load_average_start": list(os.getloadavg())}
    try:
        for server in servers:
            server.start()
        with (Nginx([s.port for s in servers], work) if nginx else _Nothing()) as proxy:
            bases = [f"http://127.0.0.1:{proxy.port}"] if nginx else [f"http://127.0.0.1:{s.port}" for s in servers]
            outcome.update(_load(bases, found, plan, run))
        outcome["host_logs"] = [s.log_tail(10) for s in servers if "Traceback" in s.log_tail(200)]
    finally:
        for server in servers:
            server.stop()
    outcome["load_average_end"] = list(os.getloadavg())
    outcome["verify"] = verify(url, found["threads"], run, outcome.pop("_accepted"))
    return outcome


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return None


def _load(bases: list[str], found: dict, plan: Plan, run: str) -> dict:
    """Readers and repliers at once, for plan.seconds."""
    if plan.warmup:
        warm = [threading.Thread(target=load.run, args=(base + "/",), kwargs=dict(
            seconds=plan.warmup, connections=8, headers=HEADERS, paths=found["paths"])) for base in bases]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
    replies, stop = Replies(), threading.Event()
    ready = threading.Barrier(len(found["emails"]) + 1)
    members = [threading.Thread(target=member, daemon=True, args=(
        n, email, bases[n % len(bases)], bases[(n + 1) % len(bases)], found["threads"], run, stop, ready, replies))
        for n, email in enumerate(found["emails"])]
    for thread in members:
        thread.start()
    ready.wait()  # every member signed in: the rush starts
    readings: list = [None] * len(bases)
    share = plan.readers // len(bases)

    def read(n: int) -> None:
        try:
            readings[n] = load.run(bases[n] + "/", seconds=plan.seconds, connections=share, headers=HEADERS,
                                   paths=found["paths"])
        except Exception as exc:  # noqa: BLE001  (reported, and the run fails)
            readings[n] = exc

    started = time.monotonic()
    loaders = [threading.Thread(target=read, args=(n,)) for n in range(len(bases))]
    for thread in loaders:
        thread.start()
    for thread in loaders:
        thread.join()
    stop.set()
    for thread in members:
        thread.join(timeout=60)
    seconds = time.monotonic() - started
    broken = [r for r in readings if isinstance(r, Exception)]
    if broken:
        raise RuntimeError(f"the readers' loader failed: {broken[0]}")
    return {"readers_result": _readers(readings), "replies": replies.summary(seconds),
            "_accepted": list(replies.accepted)}


def _readers(results: list[load.LoadResult]) -> dict:
    """The readers' figures; with several loaders, totals, and the worst of their percentiles."""
    errors: dict[str, int] = {}
    for result in results:
        for kind, count in result.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    return {
        "tool": results[0].tool, "connections": sum(r.connections for r in results),
        "requests": sum(r.requests for r in results), "rps": round(sum(r.rps for r in results), 1),
        "p50_ms": max(r.p50_ms for r in results), "p90_ms": max(r.p90_ms for r in results),
        "p99_ms": max(r.p99_ms for r in results), "max_ms": max(r.max_ms for r in results), "errors": errors,
        "per_loader": [r.as_dict() for r in results] if len(results) > 1 else None,
    }


def verify(url: str, threads: list[int], run: str, accepted: list[str]) -> dict:
    """Every accepted reply saved once and nothing else of this run's; the threads' counters right."""
    import psycopg

    with psycopg.connect(url) as connection:
        saved = [body for (body,) in connection.execute(
            "SELECT body_source FROM forum_post WHERE body_source LIKE %s", [f"Rush {run} %"])]
        counters = connection.execute(
            "SELECT t.id, t.post_count, (SELECT count(*) FROM forum_post p WHERE p.thread_id = t.id) "
            "FROM forum_thread t WHERE t.id = ANY(%s)", [threads]).fetchall()
    seen: dict[str, int] = {}
    for body in saved:
        seen[body] = seen.get(body, 0) + 1
    return {"saved": len(saved), "missing": sum(1 for text in accepted if text not in seen),
            "duplicated": sum(1 for count in seen.values() if count > 1),
            "unexpected": sum(1 for text in seen if text not in set(accepted)),
            "counters_right": all(counter == actual for _, counter, actual in counters)}


# -- the command line -------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the tiny data set, a few seconds a run (CI)")
    parser.add_argument("--hosts", default="1,2", help="app host counts to run, e.g. 1,2 (default) or 2")
    parser.add_argument("--seconds", type=int, help="override the measured seconds")
    parser.add_argument("--readers", type=int, help="override the readers' connections")
    parser.add_argument("--members", type=int, help="override the number of members replying")
    parser.add_argument("--nginx", action="store_true", help="put the hosts behind nginx (must be installed)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
                        help="the Redis the hosts share for rate limits ('none': each process counts alone)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-readme", action="store_true", help="do not update bench/README.md's rush table")
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    plan = Plan(plan.sizes, seconds=args.seconds or plan.seconds, warmup=plan.warmup,
                readers=args.readers or plan.readers, members=args.members or plan.members)
    loader = load.loader_name()
    result = {"kind": "rush-smoke" if args.smoke else "rush", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": report.machine(), "versions": report.versions(loader), "loader": loader, "runs": [],
              "problems": []}
    unreachable = store.postgres_reachable(args.postgres)
    if unreachable:
        print(f"The rush needs PostgreSQL; skipped: {unreachable}")
        return 0 if args.smoke else 1
    if args.nginx and not shutil.which("nginx"):
        print("--nginx: nginx is not installed (apt-get install nginx)", file=sys.stderr)
        return 1
    redis_url = None if args.redis == "none" else args.redis
    if redis_url and _redis_problem(redis_url):
        result["problems"].append(f"Redis at {redis_url}: {_redis_problem(redis_url)}; limits counted per process")
        redis_url = None
    result["redis"] = redis_url
    work = Path(tempfile.mkdtemp(prefix="afterchat-rush-"))
    try:
        sqlite_path, meta = store.ensure_sqlite(plan.sizes, work / "data" if args.smoke else store.DATA)
        template = f"afterchat_rush_smoke_{os.getpid()}" if args.smoke else "afterchat_bench"
        store.ensure_postgres(plan.sizes, sqlite_path, meta, args.postgres, template,
                              directory=None if args.smoke else store.DATA)
        result["versions"]["postgresql"] = report.postgres_version(store.database_url(args.postgres, template))
        for hosts in [int(n) for n in args.hosts.split(",")]:
            scratch = f"{template}_rush"
            url = store.create_database(args.postgres, scratch, template=template)  # the same start every run
            try:
                print(f"\n== {hosts} app host{'s' if hosts > 1 else ''}"
                      f"{' behind nginx' if args.nginx and hosts > 1 else ''}: {plan.readers} readers, "
                      f"{plan.members} members replying, {plan.seconds} s ==", flush=True)
                outcome = rush(url, hosts, plan, meta["targets"], redis_url, work, nginx=args.nginx and hosts > 1)
                print(line(outcome), flush=True)
                result["runs"].append(outcome)
            finally:
                store.drop_database(args.postgres, scratch)
        if args.smoke:
            store.drop_database(args.postgres, template)
    except Exception:  # the harness broke: say where, still write what was measured
        result["problems"].append(traceback.format_exc())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for outcome in result["runs"]:
        result["problems"] += problems(outcome)
    out = args.out or (Path(tempfile.gettempdir()) / "afterchat-rush-smoke.json" if args.smoke
                       else ROOT / "bench" / "results" / report.result_name(result).replace(".json", "-rush.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(f"\nResults: {out}")
    if not args.smoke and not args.no_readme and result["runs"]:
        update_readme(result, out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)
        print("bench/README.md's rush table is updated.")
    if result["problems"]:
        print("\nProblems:\n" + "\n".join(result["problems"]), file=sys.stderr)
        return 1
    return 0


def problems(outcome: dict) -> list[str]:
    """What went wrong in a run, beyond timings: errors, lost or duplicated replies, replies never shown."""
    found = []
    name = f"{outcome['hosts']} host(s)"
    # A reader still waiting after wrk's 10 s has given up: reported as a figure (a timing), not a broken run.
    errors = {kind: count for kind, count in outcome["readers_result"]["errors"].items() if kind != "timeout"}
    if errors:
        found.append(f"{name}: readers' errors {errors}")
    if outcome["replies"]["errors"]:
        found.append(f"{name}: {outcome['replies']['errors']} reply errors, first: {outcome['replies']['first_errors']}")
    if outcome["replies"]["invisible"]:
        found.append(f"{name}: {outcome['replies']['invisible']} replies never showed to a visitor")
    verdict = outcome["verify"]
    if verdict["missing"] or verdict["duplicated"] or verdict["unexpected"] or not verdict["counters_right"]:
        found.append(f"{name}: the database does not match what was accepted: {verdict}")
    return found


def line(outcome: dict) -> str:
    readers, replies = outcome["readers_result"], outcome["replies"]
    return (f"readers: {readers['requests']} requests, {readers['rps']} req/s, p50 {readers['p50_ms']:.0f} ms, "
            f"p99 {readers['p99_ms']:.0f} ms, max {readers['max_ms']:.0f} ms, errors {readers['errors'] or 0}\n"
            f"replies: {replies['accepted']} ({replies['per_second']}/s), errors {replies['errors']}, POST p50 "
            f"{replies['post_p50_ms']} ms, p99 {replies['post_p99_ms']} ms; visible to a visitor on the next page "
            f"view: worst lag {replies['worst_lag_ms']} ms ({replies['over_1s']} over 1 s, {replies['invisible']} never); "
            f"seen after p50 {replies['seen_p50_ms']} ms, max {replies['seen_max_ms']} ms\n"
            f"load average {outcome['load_average_start'][0]:.1f} at start, {outcome['load_average_end'][0]:.1f} at end; "
            f"database: {outcome['verify']}")


def readme_section(result: dict, path) -> str:
    m, v = result["machine"], result["versions"]
    lines = [f"Run of {result['date'][:16].replace('T', ' ')} UTC on {m['cpu']} ({m['cores']} cores), PostgreSQL "
             f"{v.get('postgresql')}, Redis {'shared by the hosts' if result['redis'] else 'not used'}; loader "
             f"{result['loader']}. Full figures: `{path}`.", "",
             "| App hosts | Readers' req/s | p50 ms | p99 ms | max ms | Errors | Gave up (> 10 s) | Replies (per s) "
             "| Reply POST p50 / p99 ms | Worst visibility lag ms (over 1 s) | Load average start / end |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for outcome in result["runs"]:
        readers, replies = outcome["readers_result"], outcome["replies"]
        timeouts = readers["errors"].get("timeout", 0)
        errors = sum(readers["errors"].values()) - timeouts + replies["errors"]
        lines.append(
            f"| {outcome['hosts']} ({outcome['hosts'] * outcome['workers_per_host']} workers"
            f"{', via nginx' if outcome['via'] == 'nginx' else ''}) | {readers['rps']:.0f} | {readers['p50_ms']:.0f} "
            f"| {readers['p99_ms']:.0f} | {readers['max_ms']:.0f} | {errors} | {timeouts} | {replies['accepted']} "
            f"({replies['per_second']}) | {replies['post_p50_ms']} / {replies['post_p99_ms']} | "
            f"{replies['worst_lag_ms']} ({replies['over_1s']}) | {outcome['load_average_start'][0]:.1f} / "
            f"{outcome['load_average_end'][0]:.1f} |")
    return "\n".join(lines)


def update_readme(result: dict, path) -> None:
    text = README.read_text()
    if START not in text or END not in text:
        print(f"{README} has no {START} ... {END} markers; its rush table was not updated.", file=sys.stderr)
        return
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{readme_section(result, path)}\n{END}{after}")


def _redis_problem(url: str) -> str | None:
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001  (any failure: no Redis)
        return type(exc).__name__
    return None


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


if __name__ == "__main__":
    sys.exit(main())
