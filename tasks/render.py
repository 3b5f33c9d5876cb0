"""Copier task after a render: format the project (`format`), or refresh its mcp-tools.lock (`lock`).

It runs in whatever environment Copier runs in (`uvx copier`, pipx, a project venv), so each step uses what
it finds and says what it skipped; nothing here fails the render. mcpgen itself renders with tasks skipped
and does the same steps with its own ruff and Python.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

FORMAT = [
    ["format", "--quiet", "--no-cache", "."],
    ["check", "--fix", "--quiet", "--no-cache", "--exit-zero", "."],
]


def ruff_command() -> list[str] | None:
    if importlib.util.find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    found = shutil.which("ruff")
    return [found] if found else None


def format_project(project: Path) -> None:
    ruff = ruff_command()
    if ruff is None:
        print(
            "mcpgen task: ruff not found; run `ruff format . && ruff check --fix .` in the project",
            file=sys.stderr,
        )
        return
    for args in [*FORMAT, FORMAT[0]]:
        subprocess.run([*ruff, *args], cwd=project, check=False)


def refresh_lock(project: Path) -> None:
    if not (project / "src" / "surface.py").exists():
        return
    for python in (sys.executable, str(project / ".venv" / "bin" / "python")):
        if Path(python).exists():
            result = subprocess.run(
                [python, "-m", "src.surface", "--write"], cwd=project, capture_output=True
            )
            if result.returncode == 0:
                return
    print(
        "mcpgen task: could not refresh mcp-tools.lock; run `python -m src.surface --write`", file=sys.stderr
    )


def main(step: str) -> int:
    project = Path.cwd()
    if step == "format":
        format_project(project)
    elif step == "lock":
        refresh_lock(project)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "format"))
