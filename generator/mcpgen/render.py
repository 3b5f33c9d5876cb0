"""Render stage: answers → a project tree in a temporary folder, through this repo's own copier.yml, plus the
normalised spec the answers came from.

Copier renders from a throwaway git repo made from the packaged template and tagged with the package
version, so that the project records `_commit` and can later be upgraded with `copier update`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .template_files import template_root

ANSWERS_FILE = ".copier-answers.yml"
SPEC_FILE = "openapi.json"
TEMPLATE_PARTS = ("copier.yml", "templates", "patterns", "migrations")
DEFAULT_TEMPLATE_SRC = "https://github.com/mcpgen/mcpgen.git"
_GIT = ["git", "-c", "user.name=mcpgen", "-c", "user.email=mcpgen@localhost", "-c", "init.defaultBranch=main"]


def version_tag() -> str:
    return f"v{__version__}"


@cache
def template_repo() -> Path:
    """A git repo of every released template version plus this one, tagged `v<version>`, made once per
    process from the packaged history (template_history/releases.bundle) and the packaged template."""
    root = template_root()
    repo = Path(tempfile.mkdtemp(prefix="mcpgen-template-"))
    bundle = root / "template_history" / "releases.bundle"
    if bundle.exists():
        _git(repo.parent, "clone", "-q", str(bundle), str(repo))
        for part in TEMPLATE_PARTS:
            shutil.rmtree(repo / part, ignore_errors=True)
            (repo / part).unlink(missing_ok=True)
    else:
        _git(repo, "init", "-q")
    for part in TEMPLATE_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, repo / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, repo / part)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", f"template {__version__}")
    # The packaged template is the truth for its own version, even if the history has a tag of that name.
    _git(repo, "tag", "-f", version_tag())
    return repo


def _git(cwd: Path, *args: str) -> None:
    subprocess.run([*_GIT, *args], cwd=cwd, check=True, capture_output=True)


def spec_text(document: dict[str, Any]) -> str:
    """The normalised spec as the project keeps it: JSON, one key per line, in the spec's own order."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def spec_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render(answers: dict[str, Any], destination: Path, *, spec: str, template_src: str | None = None) -> None:
    """Render into `destination` (which must not exist yet), and keep the spec text beside the answers."""
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
    (destination / SPEC_FILE).write_text(spec, encoding="utf-8")


def _record_template_source(answers_file: Path, template_src: str) -> None:
    """Point `_src_path` at the template's home instead of the throwaway repo it was rendered from."""
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("_src_path:"):
            lines[index] = "_src_path: " + yaml.safe_dump(template_src, default_style="'").strip() + "\n"
            break
    answers_file.write_text("".join(lines), encoding="utf-8")
