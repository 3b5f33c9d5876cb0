"""`mcpgen update`: a new template version or a changed API, merged into an existing project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..project import UpdateRequest, update
from .common import choice, run, say
from .options import (
    LAYOUTS,
    PATTERNS,
    TOOL_MODES,
    BaseUrlOpt,
    BudgetOpt,
    ConfirmOpt,
    DeprecatedOpt,
    ExcludeOpOpt,
    ExcludeOpt,
    ExcludePathOpt,
    IdentityOpt,
    IncludeOpOpt,
    IncludeOpt,
    IncludePathOpt,
    MaxToolsOpt,
    NameOpt,
    PinOpt,
    RemoteOpt,
    ScopeOpt,
    SearchOpt,
    Selection,
    TemplateSrcOpt,
    parse_scopes,
)


def update_and_report(request: UpdateRequest, as_json: bool) -> None:
    """Run the update and report it (each changed file, or JSON); exit code 1 when a file has conflicts."""
    result = run(lambda: update(request, say))
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
        for kind, paths in summary["changes"].items():
            for path in paths:
                typer.echo(f"{kind:>10}  {path}")
        typer.echo(
            f"updated {result.project} from template {result.from_version} to {result.to_version}: "
            f"{len(result.tools)} tools, {len(result.merge.changes)} files changed, "
            f"{len(summary['conflicts'])} with conflicts in {result.seconds:.1f}s; review with `git diff`"
        )
        if summary["notes"]:
            typer.echo(f"where each of your edits went: {summary['notes']}")
    if summary["conflicts"]:
        raise typer.Exit(1)


def update_command(
    project: Annotated[Path, typer.Argument(help="The generated project (a git work tree).")] = Path("."),
    spec: Annotated[
        str | None, typer.Option(help="A new spec: the API changed. Default: the spec the project keeps.")
    ] = None,
    template_version: Annotated[
        str | None, typer.Option(help="The template version to move to (default: this mcpgen's).")
    ] = None,
    name: NameOpt = None,
    pattern: Annotated[str | None, typer.Option(help="Change the backend auth pattern.")] = None,
    layout: Annotated[str | None, typer.Option(help="Change the layout: modular or monolithic.")] = None,
    base_url: BaseUrlOpt = None,
    identity_header: IdentityOpt = None,
    include_tag: IncludeOpt = None,
    exclude_tag: ExcludeOpt = None,
    include_path: IncludePathOpt = None,
    exclude_path: ExcludePathOpt = None,
    include_op: IncludeOpOpt = None,
    exclude_op: ExcludeOpOpt = None,
    exclude_deprecated: DeprecatedOpt = None,
    max_tools: MaxToolsOpt = None,
    scope: ScopeOpt = None,
    confirm_destructive: ConfirmOpt = None,
    tools: Annotated[
        str | None,
        typer.Option(
            "--tools", metavar="MODE", help="Change how tools reach the assistant: all, discover, code, auto."
        ),
    ] = None,
    pin: PinOpt = None,
    context_budget: BudgetOpt = None,
    search: SearchOpt = None,
    allow_remote_refs: RemoteOpt = False,
    template_src: TemplateSrcOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")
    ] = False,
) -> None:
    """Update a generated project to this mcpgen's template, or to a changed API, keeping its edits.

    The project must be committed to git. Edits are merged three ways, or replayed one by one where the
    template rewrote the lines around them; an edit of lines the template changed too gets conflict markers
    (exit code 1). UPGRADE_NOTES.md lists where each edit went. None of the project's code is run.
    """
    if pattern is not None:
        choice(pattern, PATTERNS, "--pattern")
    if layout is not None:
        choice(layout, LAYOUTS, "--layout")
    if tools is not None:
        choice(tools, TOOL_MODES, "--tools")
    options = {
        "name": name,
        "pattern": pattern,
        "layout": layout,
        "base_url": base_url,
        "identity_headers": identity_header,
        "include_tags": include_tag,
        "exclude_tags": exclude_tag,
        "scopes": parse_scopes(scope),
        "confirm_destructive": confirm_destructive,
        **Selection(
            include_path, exclude_path, include_op, exclude_op, exclude_deprecated, max_tools
        ).given(),
        "tools": tools,
        "pins": pin,
        "context_budget": context_budget,
        "search": search,
    }
    update_and_report(
        UpdateRequest(
            project=project,
            spec=spec,
            template_version=template_version,
            options=options,
            allow_remote_refs=allow_remote_refs,
            template_src=template_src,
        ),
        as_json,
    )
