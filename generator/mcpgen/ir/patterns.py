"""The authentication patterns, read from the `patterns/` data files that ship with the template."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from ..template_files import template_root


@cache
def patterns() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted((template_root() / "patterns").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["id"]] = data
    return found


def credential_env(pattern: str) -> str | None:
    return patterns()[pattern]["credential_env"]


def describe(pattern: str) -> str:
    data = patterns()[pattern]
    return f"Pattern {data['number']} ({data['title']}) sends {data['sends']}"
