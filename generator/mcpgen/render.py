"""Render stage: answers → a project tree in a temporary folder, through this repo's own copier.yml, plus the
normalised spec the answers came from.

Copier renders from the template store (template_store.py), where this mcpgen's template is tagged with its
version, so that the project records `_commit` and a `_src_path` that `copier update` can reach.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from .post import format_tree
from .template_store import store_location, template_store, version_tag

ANSWERS_FILE = ".copier-answers.yml"
SPEC_FILE = "openapi.json"


def spec_text(document: dict[str, Any]) -> str:
    """The normalised spec as the project keeps it: JSON, one key per line, in the spec's own order."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def spec_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_template(answers: dict[str, Any], destination: Path, *, version: str | None = None) -> None:
    """Copier renders one template version (this mcpgen's by default) with `answers` into `destination`."""
    from copier import run_copy

    run_copy(
        str(template_store()),
        str(destination),
        data=answers,
        defaults=True,
        unsafe=True,
        vcs_ref=version_tag(version) if version else version_tag(),
        quiet=True,
        # The template's task formats with whatever ruff it finds; mcpgen formats with its own, once.
        skip_tasks=True,
    )
    format_tree(destination)


def render(
    answers: dict[str, Any],
    destination: Path,
    *,
    spec: str,
    template_src: str | None = None,
    version: str | None = None,
) -> None:
    """Render into `destination` (which must not exist yet), and keep the spec text beside the answers."""
    render_template(answers, destination, version=version)
    record_template_source(destination / ANSWERS_FILE, template_src or store_location())
    (destination / SPEC_FILE).write_text(spec, encoding="utf-8")


def record_template_source(answers_file: Path, template_src: str) -> None:
    """Point `_src_path` at where `copier update` finds the template: the store as `~/...`, not the path
    Copier saw."""
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("_src_path:"):
            lines[index] = "_src_path: " + yaml.safe_dump(template_src, default_style="'").strip() + "\n"
            break
    answers_file.write_text("".join(lines), encoding="utf-8")
