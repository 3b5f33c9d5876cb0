"""`mcpgen add-tool`: one more operation as a tool in an existing project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .common import run, say


def add_tool_command(
    project: Annotated[Path, typer.Argument(help="The generated project (a git work tree).")],
    operation: Annotated[str, typer.Option("--operation", help="The operationId to add as a tool.")],
    spec: Annotated[
        str | None, typer.Option(help="The spec that has it (default: the spec the project keeps).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")
    ] = False,
) -> None:
    """Add one operation as a tool: its module, the models it needs, its registration and its tests.

    The project keeps its layout, and mcpgen.yaml remembers the operation for later updates.
    """
    from ..project import add_tool

    result = run(lambda: add_tool(project, operation, spec, say))
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    for kind, paths in summary["changes"].items():
        for path in paths:
            typer.echo(f"{kind:>10}  {path}")
    typer.echo(f"added {operation} to {result.project}; review with `git diff`")
