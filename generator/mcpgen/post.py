"""Post-render stage: checks that read the finished files. Formatting itself runs as Copier tasks."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import MCPGenError


def format_tree(project: Path) -> None:
    """ruff format, ruff check --fix, ruff format again: what the template's render task does."""
    for args in (
        ["format", "--quiet", "--no-cache", "."],
        ["check", "--fix", "--quiet", "--no-cache", "--exit-zero", "."],
        ["format", "--quiet", "--no-cache", "."],
    ):
        subprocess.run([sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, check=False)


def ruff_findings(project: Path) -> list[str]:
    """`ruff check` over the project; each finding as one line (empty when clean)."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--quiet", "--output-format", "concise", "."],
        cwd=project,
        capture_output=True,
        text=True,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def check_python_parses(project: Path) -> None:
    """Every generated module must parse: spec text reaches code only as literals, and this proves it."""
    for path in sorted(project.rglob("*.py")):
        try:
            ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError) as exc:
            raise MCPGenError(
                f"generated code does not parse: {exc}",
                file=str(path.relative_to(project)),
                hint="this is a bug in mcpgen; report it with the spec",
            ) from exc


def list_files(project: Path) -> list[str]:
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.parts
    )


LOCK_FILE = "mcp-tools.lock"


@dataclass(frozen=True)
class Surface:
    """What tools/list of the generated server weighs, as mcp-tools.lock records it."""

    tools: int
    bytes: int
    tokens: int
    estimator: str


def write_tool_lock(project: Path) -> Surface:
    """Run the project's own `src.surface --write`: the server lists its tools and records them.

    A fresh interpreter, in an environment without the developer's server settings, so it sees what any
    client would see.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "BACKEND_", "SERVICE_AUTH"))}
    result = subprocess.run(
        [sys.executable, "-m", "src.surface", "--write"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the server could not list its tools: {last}")
    data = json.loads((project / LOCK_FILE).read_text(encoding="utf-8"))
    total = data["total"]
    return Surface(total["tools"], total["bytes"], total["tokens"], data["estimator"])
