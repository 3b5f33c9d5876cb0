"""Running one command in isolation and measuring it: wall time, peak RSS, output; and latency statistics."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parent / "launcher.py"


class Skip(Exception):
    """Something a benchmark needs is missing (a spec, npm, a peer that failed to install); says what."""


@dataclass(frozen=True)
class Run:
    """One finished command."""

    command: tuple[str, ...]
    returncode: int
    wall_seconds: float
    # User and system CPU time of the command and its descendants: less disturbed than wall time when other
    # work shares the machine.
    cpu_seconds: float
    # The largest peak resident set of any process in the command's tree (the command and every descendant
    # it waited for), in bytes; 0 when the command was killed before it could be read.
    peak_rss: int
    stdout: str
    stderr: str
    timed_out: bool

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def failure(self) -> str:
        """One line saying how the command failed, with the last line of its error output."""
        name = Path(self.command[0]).name
        if self.timed_out:
            return f"{name} timed out after {self.wall_seconds:.0f} s"
        last = next((line for line in reversed(self.stderr.splitlines()) if line.strip()), "")
        return f"{name} exited with code {self.returncode}: {last.strip()[:300]}"

    def json_line(self) -> dict:
        """The last stdout line that is a JSON object: how probe scripts report what they measured."""
        for line in reversed(self.stdout.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    continue
        raise ValueError(f"{Path(self.command[0]).name} printed no JSON result; {self.failure()}")


def run_measured(
    command: Sequence[str | os.PathLike],
    *,
    timeout: float,
    cwd: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
) -> Run:
    """Run `command` to completion through launcher.py; its whole process group is killed after `timeout` s.

    The launcher times the command and reads its tree's peak RSS (see launcher.py for why it is needed).
    """
    args = tuple(str(part) for part in command)
    with (
        tempfile.TemporaryDirectory(prefix="bench-run-") as scratch,
        open(Path(scratch) / "out", "w+b") as out,
        open(Path(scratch) / "err", "w+b") as err,
    ):
        measured = Path(scratch) / "measured.json"
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", str(LAUNCHER), str(measured), *args],
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        except OSError as error:
            raise Skip(f"cannot start {args[0]}: {error}") from None
        try:
            process.wait(timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        with contextlib.suppress(ProcessLookupError):
            # Whatever the command left running in its group (a server it started) goes with it.
            os.killpg(process.pid, signal.SIGKILL)
        wall = time.perf_counter() - started
        figures = json.loads(measured.read_text()) if measured.exists() else {}
        out.seek(0)
        err.seek(0)
        return Run(
            command=args,
            returncode=process.returncode,
            wall_seconds=figures.get("wall_seconds", wall),
            cpu_seconds=figures.get("cpu_seconds", 0.0),
            peak_rss=figures.get("peak_rss", 0),
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=timed_out,
        )


def run_checked(command: Sequence[str | os.PathLike], *, timeout: float, what: str, **kwargs) -> Run:
    """`run_measured`, raising Skip with `what` and the reason when the command fails."""
    run = run_measured(command, timeout=timeout, **kwargs)
    if not run.ok:
        raise Skip(f"{what}: {run.failure()}")
    return run


@dataclass(frozen=True)
class Latency:
    """Percentiles of a list of durations, in seconds."""

    count: int
    p50: float
    p99: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        if not seconds:
            raise ValueError("no durations to summarise")
        ordered = sorted(seconds)
        # Nearest rank: with 200 samples p99 is the second slowest call, a value that was observed.
        p99 = ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]
        return cls(count=len(ordered), p50=statistics.median(ordered), p99=p99)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
