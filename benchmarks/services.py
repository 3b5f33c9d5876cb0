"""Long-running processes a benchmark talks to (backends, an MCP server in http mode), always stopped."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from measure import Skip

STOP_GRACE_SECONDS = 10


@dataclass
class Service:
    """A started process and where it listens."""

    name: str
    process: subprocess.Popen
    url: str
    stderr: tempfile._TemporaryFileWrapper
    # What the process printed on stdout after its announcement, read once it has stopped.
    final_output: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def cpu_seconds(self) -> float | None:
        """User plus system CPU time the process has used so far (Linux /proc), or None where unreadable."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # Fields 14 and 15 of stat(5), counted here from the state field (the 3rd).
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 5) -> str:
        self.stderr.seek(0)
        text = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(text[-lines:])

    def last_json(self) -> dict | None:
        """The last JSON object the process printed on stdout after starting (a final report), if any."""
        for line in reversed(self.final_output):
            if line.startswith("{"):
                return json.loads(line)
        return None


def free_port() -> int:
    """A port that was free a moment ago, for a server that cannot report the one it bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(name: str, command: Sequence[str], env: Mapping[str, str] | None, cwd: str | None) -> Service:
    stderr = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log")
    process = subprocess.Popen(
        [str(part) for part in command],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )
    return Service(name=name, process=process, url="", stderr=stderr)


def _stop(service: Service) -> None:
    process = service.process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stdout:
        service.final_output = process.stdout.read().decode("utf-8", "replace").splitlines()
        process.stdout.close()
    service.stderr.close()


@contextmanager
def announced(
    name: str,
    command: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> Iterator[Service]:
    """A process that prints `{"port": N}` on stdout when it is ready (see backend.py)."""
    service = _start(name, command, env, cwd)
    try:
        ready, _, _ = select.select([service.process.stdout], [], [], timeout)
        line = service.process.stdout.readline().decode() if ready else ""
        if not line.startswith("{"):
            raise Skip(f"{name} did not start within {timeout:.0f} s: {service.log_tail()}")
        service.url = f"http://127.0.0.1:{json.loads(line)['port']}"
        yield service
    finally:
        _stop(service)


@contextmanager
def polled(
    name: str,
    command: Sequence[str],
    *,
    health_url: str,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> Iterator[Service]:
    """A process that is ready once `health_url` answers 200."""
    service = _start(name, command, env, cwd)
    service.url = health_url.rsplit("/", 1)[0]
    try:
        deadline = time.monotonic() + timeout
        while True:
            if not service.running:
                raise Skip(f"{name} exited with code {service.process.returncode}: {service.log_tail()}")
            try:
                if httpx2.get(health_url, timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline:
                raise Skip(f"{name} did not answer {health_url} within {timeout:.0f} s: {service.log_tail()}")
            time.sleep(0.1)
        yield service
    finally:
        _stop(service)
