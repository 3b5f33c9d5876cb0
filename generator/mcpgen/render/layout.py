"""Layout stage: modular (v2.1, a module per tool in `src/tools/`) or monolithic (v2.0, `src/tools.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..ir import LayoutName, Project

MODULAR_MIN_TOOLS = 5


@dataclass(frozen=True)
class Layout:
    name: LayoutName | Literal["flat"]
    reason: str


FLAT = Layout("flat", "template 2.0 has one layout: main.py, tools.py, client.py and config.py at the top")


def layout_of_template(layout: Layout, version: str | None) -> Layout:
    """The layout a template version writes: 2.0 knows only its flat one, whatever the rule decides."""
    return FLAT if version is not None and version.startswith("2.0.") else layout


def decide_layout(project: Project, requested: str = "auto") -> Layout:
    rule = _rule(project)
    if requested in ("modular", "monolithic"):
        return Layout(requested, f"chosen with --layout (the rule would pick {rule.name}: {rule.reason})")  # type: ignore[arg-type]
    return rule


def _rule(project: Project) -> Layout:
    count = len(project.tools)
    if project.auth.pattern == "service-to-service":
        return Layout("modular", "Pattern 4 (service-to-service) uses the modular layout")
    if count >= MODULAR_MIN_TOOLS:
        return Layout("modular", f"{count} tools (5 or more use the modular layout)")
    return Layout(
        "monolithic", f"{count} tool{'s' if count != 1 else ''} (fewer than 5 use the monolithic layout)"
    )
