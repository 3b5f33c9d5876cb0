"""Post-render stage: checks that read the finished files. Formatting itself runs as Copier tasks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def ruff_findings(project: Path) -> list[str]:
    """`ruff check` over the project; each finding as one line (empty when clean)."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--quiet", "--output-format", "concise", "."],
        cwd=project,
        capture_output=True,
        text=True,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def list_files(project: Path) -> list[str]:
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.parts
    )
