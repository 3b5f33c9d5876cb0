"""Post-render stage: checks that read the finished files. Formatting itself runs as Copier tasks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .errors import MCPGenError


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
