"""What a run records (date, machine, versions), how the targets are judged, and the tables it prints."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from bench.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "thread_ratio": ("Thread page (50 posts) at least 80% of the ceiling's requests per second, visitor (#19)", 0.80),
    "member_ratio": ("Thread page (50 posts) at least 50% of the ceiling, signed in (#19)", 0.50),
    "lists_ratio": ("Home and space pages at least 50% of the ceiling, visitor and signed in (#19)", 0.50),
    "queries": ("At most 8 queries on any page, constant as posts and threads grow", 8),
    "import_rate": ("Import at least 2,000 messages per second", 2000),
    "worker_rss": ("At most 150 MB RSS per worker", 150),
}
PACKAGES = ["flask", "werkzeug", "jinja2", "sqlalchemy", "flask-sqlalchemy", "flask-login", "flask-wtf",
            "flask-limiter", "flask-compress", "gunicorn", "psycopg", "markdown", "bleach", "nh3"]


def header(plan, kind: str, loader: str) -> dict:
    """The start of a result: when, where, with what, and how hard."""
    return {
        "schema": 1, "kind": kind, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(), "versions": versions(loader),
        "settings": {"gunicorn": "2 sync workers (bench/gunicorn_conf.py)", "loader": loader,
                     "connections": plan.connections, "warmup_seconds": plan.warmup, "seconds": plan.seconds,
                     "alone_seconds": plan.alone_seconds, "import_messages": plan.import_messages,
                     "import_repetitions": plan.import_repetitions,
                     "accept_encoding": "gzip, deflate, br"},
        "load_average_start": list(os.getloadavg()),
    }


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor())
    memory = re.search(r"MemTotal:\s+(\d+)", _read("/proc/meminfo"))
    os_name = re.search(r'PRETTY_NAME="([^"]+)"', _read("/etc/os-release"))
    return {"hostname": platform.node(), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gb": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
            "kernel": platform.release(), "os": os_name.group(1) if os_name else platform.platform()}


def versions(loader: str) -> dict:
    import sqlite3

    import forum
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "forum": forum.__version__}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    if loader == "wrk":
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        found["wrk"] = (done.stdout or done.stderr).split("Copyright")[0].strip() or None
    found["commit"] = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain")
    found["uncommitted_changes"] = bool(status) if status is not None else None
    return found


def postgres_version(url: str) -> str | None:
    import psycopg
    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def _git(*args: str) -> str | None:
    # Read-only: GIT_OPTIONAL_LOCKS=0 stops `git status` from refreshing the index.
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def result_name(result: dict) -> str:
    stamp = result["date"].replace(":", "").replace("-", "")[:13]
    return f"{stamp}-{result['machine']['hostname']}.json"


# -- targets ------------------------------------------------------------------------------------------

def evaluate(result: dict) -> list[dict]:
    """Each target, per database: the figure and whether it is met."""
    rows = []
    growth = result.get("query_growth", {})
    constant = all(row["constant"] for row in growth.values()) if growth else None
    for key, (label, limit) in TARGETS.items():
        row = {"key": key, "target": label, "limit": limit}
        for kind, outcome in result.get("databases", {}).items():
            if "pages" not in outcome:
                continue
            pages = outcome["pages"]
            if key in ("thread_ratio", "member_ratio", "lists_ratio"):
                keys = {"thread_ratio": ["thread"], "member_ratio": ["signed_in"],
                        "lists_ratio": ["home", "space", "home_signed_in", "space_signed_in"]}[key]
                ratios = [pages.get(k, {}).get("ratio") for k in keys]
                value = None if None in ratios else min(ratios)
                met = value is not None and value >= limit
            elif key == "queries":
                counts = [p["queries"] for p in pages.values() if p.get("queries") is not None]
                value = max(counts) if counts else None
                met = value is not None and value <= limit and bool(constant)
            elif key == "import_rate":
                value = outcome.get("import", {}).get("messages_per_second")
                met = value is not None and value >= limit
            else:
                value = outcome.get("memory", {}).get("max_peak_rss_mb")
                met = value is not None and value <= limit
            row[kind] = {"value": value, "met": met}
        if key == "queries":
            row["constant"] = constant
        rows.append(row)
    return rows


# -- tables ---------------------------------------------------------------------------------------------

def _f(value, digits: int = 0, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{suffix}"


def database_table(outcome: dict) -> list[str]:
    """A markdown table of one database's pages."""
    lines = ["| Page | req/s | × ceiling | CPU ms/req (× ceiling) | p50 ms | p99 ms | p50 ms, 1 user | queries | KB sent (HTML) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for page in PAGES:
        row = outcome["pages"].get(page.key, {})
        if row.get("status") == "not built":
            lines.append(f"| {page.label} | not built | | | | | | | |")
            continue
        if row.get("rps") is None:
            lines.append(f"| {page.label} | failed ({row.get('status')}) | | | | | | | |")
            continue
        cpu = (row.get("cpu_ms") or 0) + (row.get("db_cpu_ms") or 0)
        lines.append(
            f"| {row['label']} | {_f(row['rps'])} | {_f(row.get('ratio'), 2)} | "
            f"{_f(cpu or None, 1)} ({_f(row.get('cpu_ratio'), 2)}) | {_f(row['p50_ms'], 1)} | "
            f"{_f(row['p99_ms'], 1)} | {_f(row.get('alone_p50_ms'), 1)} | {_f(row.get('queries'))} | "
            f"{_f(row['bytes'] / 1024, 1)} ({_f(row['bytes_uncompressed'] / 1024, 0)}) |")
    return lines


def import_line(outcome: dict) -> str:
    imp = outcome.get("import")
    if not imp:
        return "Import: not measured."
    parts = ", ".join(f"{k} {v:.2f}" for k, v in imp["parts_cpu_seconds"].items())
    return (f"Import of a {imp['messages']:,}-message transcript: **{_f(imp['messages_per_second'])} messages/s** "
            f"({imp['seconds']:.2f} s wall, median of {len(imp['runs_seconds'])}); by CPU time "
            f"{_f(imp['messages_per_cpu_second'])} messages/s ({imp['cpu_seconds']:.2f} s: {parts}).")


def targets_table(result: dict) -> list[str]:
    kinds = [k for k, v in result.get("databases", {}).items() if "pages" in v]
    lines = ["| Target | " + " | ".join(_KIND[k] for k in kinds) + " |", "|---|" + "---|" * len(kinds)]
    for row in result.get("targets", []):
        cells = []
        for kind in kinds:
            cell = row.get(kind, {})
            value = cell.get("value")
            shown = (f"{value:.0%}" if row["key"].endswith("_ratio") and value is not None
                     else f"{_f(value)}{' MB' if row['key'] == 'worker_rss' else ''}")
            if row["key"] == "queries" and row.get("constant") is False:
                shown += ", grows"
            cells.append(f"{'met' if cell.get('met') else '**missed**'} ({shown})")
        lines.append(f"| {row['target']} | " + " | ".join(cells) + " |")
    return lines


_KIND = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def console(result: dict) -> str:
    """The whole result as text for the terminal."""
    out = [f"Afterchat benchmark ({result['kind']}), {result['date']}, {result['machine']['cpu']} "
           f"x{result['machine']['cores']}, load average {result['load_average_start'][0]:.1f} at start"]
    ceiling = result.get("ceiling", {})
    out.append(f"Ceiling: {_f(ceiling.get('rps'))} req/s, {_f(ceiling.get('cpu_ms'), 2)} CPU ms/req "
               f"(runs: {', '.join(_f(r['rps']) for r in ceiling.get('runs', []))})")
    for kind, outcome in result.get("databases", {}).items():
        out.append(f"\n{_KIND[kind]}:")
        if "pages" not in outcome:
            out.append(outcome.get("skipped", "not run"))
            continue
        out += database_table(outcome)
        out.append(import_line(outcome))
        memory = outcome["memory"]
        out.append("Workers' peak RSS: " + ", ".join(f"{m['peak_rss_mb']} MB" for m in memory["workers"]))
    if result.get("targets"):
        out.append("\nTargets:")
        out += targets_table(result)
    if result.get("stage_seconds"):
        out.append("\nTime: " + ", ".join(f"{k} {v:.0f} s" for k, v in result["stage_seconds"].items())
                   + f"; {result.get('duration_seconds', 0):.0f} s in all.")
    return "\n".join(out)


START, END = "<!-- bench:latest:start -->", "<!-- bench:latest:end -->"


def readme_section(result: dict, path: Path) -> str:
    m, v = result["machine"], result["versions"]
    lines = [f"Run of {result['date'][:16].replace('T', ' ')} UTC on {m['cpu']} ({m['cores']} cores, {m['memory_gb']} GB), "
             f"{m['os']}; Python {v['python']}, Flask {v['flask']}, SQLAlchemy {v['sqlalchemy']}, gunicorn {v['gunicorn']}, "
             f"SQLite {v['sqlite']}" + (f", PostgreSQL {v['postgresql']}" if v.get("postgresql") else "")
             + f"; loader {result['settings']['loader']}, {result['settings']['connections']} connections, "
             f"{result['settings']['seconds']} s a page; load average {result['load_average_start'][0]:.1f} at start, "
             f"{result['load_average_end'][0]:.1f} at end. Full figures: `{path}`.", ""]
    ceiling = result["ceiling"]
    lines.append(f"Ceiling (bench/ceiling.py, the same 50 posts from memory): **{_f(ceiling['rps'])} req/s**, "
                 f"{_f(ceiling.get('cpu_ms'), 2)} CPU ms per request (runs: {', '.join(_f(r['rps']) for r in ceiling['runs'])} req/s).")
    for kind, outcome in result["databases"].items():
        lines += ["", f"**{_KIND[kind]}**", ""]
        if "pages" not in outcome:
            lines.append(outcome.get("skipped", "not run"))
            continue
        lines += database_table(outcome)
        lines += ["", import_line(outcome),
                  "Workers' peak RSS: " + ", ".join(f"{m['peak_rss_mb']} MB" for m in outcome["memory"]["workers"]) + "."]
    lines += ["", "**Targets**", ""] + targets_table(result)
    return "\n".join(lines)


def update_readme(result: dict, readme: Path, result_path) -> None:
    """Replace the table between the markers in bench/README.md with this run's."""
    text = readme.read_text()
    if START not in text or END not in text:
        print(f"{readme} has no {START} ... {END} markers; its table was not updated.", file=sys.stderr)
        return
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(f"{before}{START}\n{readme_section(result, result_path)}\n{END}{after}")
