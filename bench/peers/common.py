"""What every benchmarked server shares: a process started on 127.0.0.1, its process tree, the CPU time
of that tree (and of the PostgreSQL backends serving it) read from /proc, and a stop by PID.

Nothing here installs anything; :mod:`.node_oidc` and :mod:`.dot` do, into ``bench/peers/.work/``
(gitignored), from the npm registry and PyPI through their ordinary clients.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (children of every thread), from /proc."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes, all their threads included (/proc/PID/stat
    fields 14 and 15). Processes that have exited count 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15; the first two are cut)
    return total / CLOCK_TICKS


def rss_mb(pids: list[int]) -> list[float]:
    """Resident set size of each process in MB (/proc/PID/statm)."""
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as f:
                out.append(int(f.read().split()[1]) * PAGE_SIZE / 1e6)
        except OSError:
            continue
    return out


def pg_backends(database: str) -> list[int]:
    """PIDs of the PostgreSQL backends connected to ``database`` (their CPU is the server's too)."""
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
                          f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()"],
                         capture_output=True, text=True, check=True)
    return [int(line) for line in out.stdout.split()]


def recreate_pg_database(name: str) -> None:
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
                       check=True, capture_output=True)


def post_token(url: str, authorization: str, body: str, *, timeout: float = 5.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Authorization": authorization, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


@dataclass
class Server:
    """A started server: what wrk needs (``url``, ``authorization``, ``body``) and how to account for it."""

    name: str
    process: subprocess.Popen
    url: str
    authorization: str
    body: str
    pg_database: str | None = None  # the backends of this database count as the server's CPU
    log_path: Path | None = None
    started_at: float = field(default_factory=time.monotonic)
    notes: list[str] = field(default_factory=list)

    def pids(self) -> list[int]:
        pids = process_tree(self.process.pid)
        if self.pg_database:
            pids += pg_backends(self.pg_database)
        return pids

    def wait_for_token(self, *, timeout: float = 60.0) -> float:
        """Poll the token endpoint until it answers 200 with an access token; seconds since start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            status, body = post_token(self.url, self.authorization, self.body, timeout=2)
            if status == 200 and b'"access_token"' in body:
                return time.monotonic() - self.started_at
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} gave no token within {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to the server's own PID (its workers go with it), then SIGKILL to whatever of its
        tree is left after 10 s. Only PIDs of this tree are signalled, each checked by its start time
        so that a PID reused meanwhile by another process is left alone."""
        tree = [(pid, start_time(pid)) for pid in process_tree(self.process.pid)]
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for pid, started in tree:
            if started is not None and start_time(pid) == started:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.process.poll() is None:
            self.process.wait()


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22), None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def spawn(args: list[str], *, env: dict[str, str], log_path: Path, cwd: Path | None = None) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        return subprocess.Popen(args, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                                start_new_session=True)
