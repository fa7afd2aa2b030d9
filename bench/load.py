"""Load one URL for a fixed time from a second process: wrk when installed, else a small Python loader.

Closed loop: each connection sends its next request when the last answer arrives. Throughput is
requests over the run's time; latency percentiles are over every request in the run.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "wrk_report.lua"
PATHS_LUA = Path(__file__).resolve().parent / "wrk_rush.lua"   # several paths in turn


@dataclass
class LoadResult:
    """What one timed run measured."""

    tool: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int] = field(default_factory=dict)   # connect/read/write/timeout/status (non-2xx/3xx)

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict:
        return asdict(self)


def loader_name() -> str:
    """"wrk" when it is installed (unless BENCH_LOADER=python), else "python"."""
    if os.environ.get("BENCH_LOADER") == "python":
        return "python"
    return "wrk" if shutil.which("wrk") else "python"


def run(url: str, *, seconds: int, connections: int, headers: dict[str, str],
        paths: list[str] | None = None) -> LoadResult:
    """Load `url` with `connections` concurrent connections for `seconds` (requesting `paths` of its
    server in turn instead, when given)."""
    if loader_name() == "wrk":
        return _wrk(url, seconds, connections, headers, paths)
    return _python(url, seconds, connections, headers, paths)


def _wrk(url: str, seconds: int, connections: int, headers: dict[str, str], paths: list[str] | None) -> LoadResult:
    # One wrk thread: the loader shares the machine with the two workers and should take little of it.
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(PATHS_LUA if paths else LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url, *(["--", *paths] if paths else [])], capture_output=True, text=True,
                          timeout=seconds + 60)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    elapsed = data["duration_us"] / 1e6
    latency = data["latency_us"]
    return LoadResult(
        tool="wrk", connections=connections, seconds=round(elapsed, 2), requests=data["requests"],
        rps=round(data["requests"] / elapsed, 1), p50_ms=latency["p50"] / 1000, p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000, max_ms=latency["max"] / 1000,
        errors={k: v for k, v in data["errors"].items() if v},
    )


def _python(url: str, seconds: int, connections: int, headers: dict[str, str],
            paths: list[str] | None = None) -> LoadResult:
    """A fallback for machines without wrk (CI's smoke run): threads in this process, GIL and all."""
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    paths = paths or [parts.path + (f"?{parts.query}" if parts.query else "")]
    latencies: list[float] = []
    errors = {"connect": 0, "read": 0, "status": 0}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(first: int) -> None:
        mine: list[float] = []
        failed = {"connect": 0, "read": 0, "status": 0}
        connection = None
        turn = first
        while time.perf_counter() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            path = paths[turn % len(paths)]
            turn += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except OSError:
                failed["read"] += 1
                connection.close()
                connection = None
                continue
            mine.append(time.perf_counter() - started)
            if response.status >= 400:
                failed["status"] += 1
            if response.getheader("connection", "").lower() == "close":
                connection.close()
                connection = None
        with lock:
            latencies.extend(mine)
            for kind, count in failed.items():
                errors[kind] += count

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000, 2) if latencies else 0.0

    return LoadResult(
        tool="python", connections=connections, seconds=round(elapsed, 2), requests=len(latencies),
        rps=round(len(latencies) / elapsed, 1), p50_ms=pct(50), p90_ms=pct(90), p99_ms=pct(99),
        max_ms=round(latencies[-1] * 1000, 2) if latencies else 0.0, errors={k: v for k, v in errors.items() if v},
    )


if __name__ == "__main__":  # python -m bench.load URL SECONDS CONNECTIONS: a quick manual check
    print(run(sys.argv[1], seconds=int(sys.argv[2]), connections=int(sys.argv[3]), headers={}).as_dict())
