"""`mcpgen diff`: how the tools an assistant sees change between two APIs, and which changes break clients."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .common import run


def diff_command(
    old: Annotated[str, typer.Argument(help="The old API: a spec, or a generated project.")],
    new: Annotated[str, typer.Argument(help="The new API: a spec, or a generated project.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON on stdout.")] = False,
) -> None:
    """Show how the tools an assistant sees change from OLD to NEW, and which changes break AI clients.

    A spec beside a project is read with the project's options (mcpgen.yaml). Exit code 1 when a change is
    breaking, so a CI job can gate on it; 0 otherwise.
    """
    from ..project import diff_answers, format_diff, side_answers

    def compare():
        old_answers, old_options = side_answers(old)
        new_answers, new_options = side_answers(new, old_options)
        if old_options is None and new_options is not None:
            old_answers, _ = side_answers(old, new_options)
        return diff_answers(old_answers, new_answers)

    result = run(compare)
    typer.echo(json.dumps(result.as_dict(), indent=2) if as_json else format_diff(result))
    if result.breaking:
        raise typer.Exit(1)
