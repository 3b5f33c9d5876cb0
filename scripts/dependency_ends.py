"""The generated example project in fresh environments at both ends of its dependency ranges.

For each case (the bundled example in `all` mode and in `discover` mode) and each end
(`uv pip install --resolution lowest-direct` and `--resolution highest`), a new virtual environment gets the
project with its test extra, and the project's own suite runs there: its first-call test starts the installed
console script. At the highest end the `all` case also runs every test file alone, since a file that passes
only after others prepared what it needs hides a server that fails. Prints the versions each end resolved to;
exits 1 when anything fails.

    python scripts/dependency_ends.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "todo_backend" / "openapi.json"
ENDS = ("lowest-direct", "highest")
CASES = {"all": ["--tools", "all"], "discover": ["--tools", "discover"]}
SHOWN = ("fastmcp", "mcp", "pydantic", "pydantic-core", "pydantic-settings", "httpx2", "starlette")


@dataclass
class Outcome:
    case: str
    end: str
    step: str
    ok: bool
    summary: str
    seconds: float


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without what a developer's shell might set for a server or another venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MCP_", "BACKEND_", "SERVICE_AUTH", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    env.update(extra)
    return env


def run(command: list[str], cwd: Path, timeout: int, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=clean_env(**env)
    )


def generate(case: str, into: Path) -> Path:
    project = into / f"todo-{case}"
    done = run(
        [sys.executable, "-m", "mcpgen", "from-openapi", str(EXAMPLE), "-o", str(project), *CASES[case]],
        ROOT,
        300,
    )
    if done.returncode != 0:
        raise SystemExit(f"generating the {case} case failed:\n{done.stderr[-3000:]}")
    return project


def install(project: Path, end: str, venv: Path) -> tuple[bool, str]:
    uv = shutil.which("uv")
    if uv is None:
        raise SystemExit("uv is not installed: pip install uv (mcpgen's test extra has it)")
    created = run([uv, "venv", "-q", "--python", sys.executable, str(venv)], project, 300)
    if created.returncode != 0:
        return False, created.stderr[-2000:]
    installed = run(
        [uv, "pip", "install", "-q", "--resolution", end, "-e", ".[test]"],
        project,
        900,
        VIRTUAL_ENV=str(venv),
    )
    if installed.returncode != 0:
        return False, installed.stderr[-3000:]
    listed = run([uv, "pip", "list", "--format", "freeze"], project, 120, VIRTUAL_ENV=str(venv))
    versions = dict(line.split("==", 1) for line in listed.stdout.splitlines() if "==" in line)
    return True, ", ".join(f"{name} {versions.get(name, '?')}" for name in SHOWN)


def pytest(project: Path, venv: Path, *paths: str) -> tuple[bool, str]:
    python = venv / "bin" / "python"
    done = run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths],
        project,
        1200,
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0:
        return False, done.stdout[-6000:] + done.stderr[-2000:]
    return True, last


def test_files(project: Path) -> list[str]:
    return sorted(str(path.relative_to(project)) for path in (project / "tests").rglob("test_*.py"))


def check(case: str, end: str, workdir: Path) -> list[Outcome]:
    project = generate(case, workdir / end)
    venv = workdir / end / f".venv-{case}"
    started = time.perf_counter()
    ok, versions = install(project, end, venv)
    outcomes = [Outcome(case, end, "install", ok, versions, time.perf_counter() - started)]
    if not ok:
        return outcomes
    started = time.perf_counter()
    ok, summary = pytest(project, venv)
    outcomes.append(Outcome(case, end, "suite", ok, summary, time.perf_counter() - started))
    if case == "all" and end == "highest":
        started = time.perf_counter()
        failed = []
        for path in test_files(project):
            alone, report = pytest(project, venv, path)
            if not alone:
                failed.append(f"{path}:\n{report}")
        summary = "every file passes alone" if not failed else "\n".join(failed)
        outcomes.append(
            Outcome(case, end, "each file alone", not failed, summary, time.perf_counter() - started)
        )
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (default: a temporary one)"
    )
    options = parser.parse_args(argv)
    workdir = options.keep or Path(tempfile.mkdtemp(prefix="mcpgen-ends-"))
    outcomes: list[Outcome] = []
    try:
        for end in ENDS:
            for case in CASES:
                for outcome in check(case, end, workdir):
                    outcomes.append(outcome)
                    mark = "ok  " if outcome.ok else "FAIL"
                    print(
                        f"{mark} {outcome.case:8} {outcome.end:13} {outcome.step:15} {outcome.seconds:6.1f}s"
                    )
                    print(f"     {outcome.summary}" if outcome.ok else outcome.summary, flush=True)
    finally:
        if options.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(outcome.ok for outcome in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
