"""Render stage: Copier answers → a project tree in a temporary folder, through this repo's own copier.yml.

Copier renders from a throwaway git repo made from the packaged template and tagged with the package
version, so that the project records `_commit` and can later be upgraded with `copier update`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .errors import MCPGenError

ANSWERS_FILE = ".copier-answers.yml"
DEFAULT_TEMPLATE_SRC = "https://github.com/mcpgen/mcpgen.git"
_GIT = ["git", "-c", "user.name=mcpgen", "-c", "user.email=mcpgen@localhost", "-c", "init.defaultBranch=main"]


def template_root() -> Path:
    """The folder holding copier.yml: packaged in the wheel, or the source tree when run from a checkout."""
    packaged = Path(__file__).parent / "_template"
    if (packaged / "copier.yml").exists():
        return packaged
    source = Path(__file__).resolve().parents[2]
    if (source / "copier.yml").exists():
        return source
    raise MCPGenError("the project template is missing from this installation", hint="reinstall mcpgen")


def version_tag() -> str:
    return f"v{__version__}"


@cache
def template_repo() -> Path:
    """A git repo of the template, tagged with this version, made once per process."""
    root = template_root()
    repo = Path(tempfile.mkdtemp(prefix="mcpgen-template-"))
    shutil.copy2(root / "copier.yml", repo / "copier.yml")
    shutil.copytree(
        root / "templates", repo / "templates", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "template"], ["tag", version_tag()]):
        subprocess.run([*_GIT, *args], cwd=repo, check=True, capture_output=True)
    return repo


def render(answers: dict[str, Any], destination: Path, *, template_src: str | None = None) -> None:
    """Render into `destination` (which must not exist yet)."""
    from copier import run_copy

    run_copy(
        str(template_repo()),
        str(destination),
        data=answers,
        defaults=True,
        unsafe=True,
        vcs_ref=version_tag(),
        quiet=True,
    )
    _record_template_source(destination / ANSWERS_FILE, template_src or DEFAULT_TEMPLATE_SRC)


def _record_template_source(answers_file: Path, template_src: str) -> None:
    """Point `_src_path` at the template's home instead of the throwaway repo it was rendered from."""
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("_src_path:"):
            lines[index] = "_src_path: " + yaml.safe_dump(template_src, default_style="'").strip() + "\n"
            break
    answers_file.write_text("".join(lines), encoding="utf-8")
