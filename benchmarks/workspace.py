"""What every benchmark shares: options, folders, the generators found, clean environments for children."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from measure import Run, Skip, run_measured
from peers import REPO, Generator
from tokens import TokenEstimator

PROBES = Path(__file__).resolve().parent / "probes"
EXAMPLE_SPEC = REPO / "examples" / "todo_backend" / "openapi.json"
EXAMPLE_BACKEND = REPO / "examples" / "todo_backend"
# Settings a generated server reads from the environment: a child gets only the ones a benchmark sets.
SETTING_PREFIXES = ("MCP_", "RETRY_", "BACKEND_", "SERVICE_AUTH_", "REQUEST_TIMEOUT", "LOG_LEVEL", "API_KEY")


@dataclass(frozen=True)
class Spec:
    name: str
    path: Path


@dataclass(frozen=True)
class Options:
    repeat: int
    calls: int
    clients: int
    fault_rate: float
    seed: int
    context_budget: int
    timeout: float


@dataclass
class Context:
    options: Options
    work: Path
    mcpgen: Generator
    mcpgen_modes: dict[str, tuple[str, ...]]
    estimator: TokenEstimator
    peers: dict[str, Generator] = field(default_factory=dict)
    python: str = sys.executable

    def folder(self, *parts: str) -> Path:
        path = self.work.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def env(self, extra: Mapping[str, str] | None = None, pythonpath: Path | None = None) -> dict[str, str]:
        """This process's environment without any generated-server setting, plus `extra`."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(SETTING_PREFIXES) and key != "PYTHONPATH"
        }
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        env.update(extra or {})
        return env

    def probe(
        self,
        script: str,
        *args: str | os.PathLike,
        timeout: float | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Run:
        """Run a probe script in a fresh Python process; BENCH_STARTED_AT marks the moment it was started."""
        child_env = dict(env if env is not None else self.env())
        child_env["BENCH_STARTED_AT"] = repr(time.time())
        run = run_measured(
            [self.python, PROBES / script, *args],
            timeout=timeout or self.options.timeout,
            env=child_env,
            cwd=cwd,
        )
        if not run.ok:
            raise Skip(f"{script} {' '.join(str(a) for a in args[:1])}: {run.failure()}")
        return run
