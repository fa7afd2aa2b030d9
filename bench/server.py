"""Serve an app with gunicorn on 127.0.0.1 for a benchmark, watch its workers' memory, and stop it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "bench" / "gunicorn_conf.py"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET",
          body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request to 127.0.0.1:port: (status, headers with lower-case names, body). No redirects followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        found: dict[str, str] = {}
        for name, value in response.getheaders():
            name = name.lower()
            found[name] = f"{found[name]}\n{value}" if name in found else value
        return response.status, found, response.read()
    finally:
        connection.close()


class Server:
    """A gunicorn master with the bench settings serving `app` ("module:attribute")."""

    def __init__(self, app: str, env: dict[str, str], log_path: Path):
        self.app = app
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self, ready_path: str = "/health", timeout: float = 60) -> None:
        """Start gunicorn and wait until both workers are up and `ready_path` answers (whatever its status).

        Not a page the bench measures: a page asked for here would be kept by one worker, and the first
        measured request, which counts a page's statements as made, would find it made or not by chance."""
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONF), "--bind", f"127.0.0.1:{self.port}", self.app],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=log, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn for {self.app} exited at start:\n{self.log_tail()}")
            try:
                fetch(self.port, ready_path)
                if len(self.workers()) >= 2:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()  # `with` does not call __exit__ when __enter__ fails
        raise RuntimeError(f"gunicorn for {self.app} did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        """The worker processes' ids."""
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def memory(self) -> list[dict]:
        """Each worker's resident memory now, its peak, and its proportional share, in MB."""
        found = []
        for pid in self.workers():
            try:
                status = _fields(Path(f"/proc/{pid}/status").read_text())
                rollup = _fields(Path(f"/proc/{pid}/smaps_rollup").read_text())
            except OSError:
                continue
            found.append({"pid": pid, "rss_mb": _mb(status.get("VmRSS")), "peak_rss_mb": _mb(status.get("VmHWM")),
                          "pss_mb": _mb(rollup.get("Pss"))})
        return found

    def cpu_seconds(self) -> float:
        """The workers' CPU time so far (user and system), in seconds."""
        return process_cpu_seconds(self.workers())

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the master (it stops its workers); kill it and them by id if it does not go."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.workers()
        self.process.send_signal(signal.SIGINT)  # quick shutdown: nothing is in flight by now
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for pid in workers:  # normally gone with the master; kill a straggler, by its id, if still ours
            try:
                if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass


def process_cpu_seconds(pids: list[int]) -> float:
    """The CPU time (user and system) the processes `pids` have used, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state is field 3
        total += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return total / ticks


def _fields(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        found[name.strip()] = value.strip()
    return found


def _mb(value: str | None) -> float | None:
    if not value:
        return None
    return round(int(value.split()[0]) / 1024, 1)  # /proc reports kB
