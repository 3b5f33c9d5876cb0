"""Where the project template lives: packaged in the wheel, or this source tree when run from a checkout."""

from __future__ import annotations

from pathlib import Path

from .errors import MCPGenError


def template_root() -> Path:
    """The folder holding copier.yml, templates/ and patterns/."""
    packaged = Path(__file__).parent / "_template"
    if (packaged / "copier.yml").exists():
        return packaged
    source = Path(__file__).resolve().parents[2]
    if (source / "copier.yml").exists():
        return source
    raise MCPGenError("the project template is missing from this installation", hint="reinstall mcpgen")
