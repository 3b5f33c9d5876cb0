"""`mcpgen from-openapi`: generate a project; over a generated project with --force, update it instead."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ..generate import BESIDE_SUFFIX, Request, generate, is_generated_project
from ..naming import counted
from ..project import UpdateRequest
from .common import run, say
from .options import (
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
    JsonOpt,
    LayoutOpt,
    MaxToolsOpt,
    NameOpt,
    PatternOpt,
    PinOpt,
    RemoteOpt,
    ScopeOpt,
    SearchOpt,
    Selection,
    SpecArg,
    TemplateSrcOpt,
    ToolsOpt,
    make_request,
)
from .update import update_and_report

FROM_OPENAPI_EXAMPLES = """Examples:

\b
  mcpgen from-openapi openapi.json -o todo-mcp
  mcpgen from-openapi openapi.json -o todo-mcp --json
  mcpgen from-openapi https://api.example.com/openapi.json --dry-run
  mcpgen from-openapi openapi.json --pattern service-to-service
  mcpgen from-openapi openapi.json --identity-header X-Tenant=org_id
  mcpgen from-openapi openapi.json --include-tag tasks --exclude-tag admin

The --json summary lists the tools, the layout and pattern with their reasons, the skipped operations,
the absolute project path, the settings to fill in, the next commands and a ready Claude Desktop
configuration."""


def from_openapi(
    spec: SpecArg,
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="DIR", help="Folder to write the project into.")
    ] = Path("mcp-server"),
    name: NameOpt = None,
    pattern: PatternOpt = "auto",
    layout: LayoutOpt = "auto",
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
    tools: ToolsOpt = None,
    pin: PinOpt = None,
    context_budget: BudgetOpt = None,
    search: SearchOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty OUT: a generated project is updated (mcpgen update), any other "
            "folder gets the project's files, beside any file of the same name as NAME.mcpgen; nothing "
            "there is replaced or deleted.",
        ),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Do everything but write OUT.")] = False,
    as_json: JsonOpt = False,
    allow_remote_refs: RemoteOpt = False,
    template_src: TemplateSrcOpt = None,
    template_version: Annotated[
        str | None,
        typer.Option(
            metavar="VERSION",
            help="Render an earlier template version instead: 2.0 (one flat main.py and tools.py) or 2.1 "
            "(the modular src/ package or the monolithic main.py, without 2.2's production modules).",
        ),
    ] = None,
) -> None:
    """Generate an MCP server project from an OpenAPI spec."""
    selection = Selection(include_path, exclude_path, include_op, exclude_op, exclude_deprecated, max_tools)
    request = make_request(
        spec,
        out,
        name,
        pattern,
        layout,
        base_url,
        identity_header,
        include_tag,
        exclude_tag,
        allow_remote_refs,
        scope,
        confirm_destructive,
        selection,
        tools,
        pin,
        context_budget,
        search,
    )
    request = replace(
        request, force=force, dry_run=dry_run, template_src=template_src, template_version=template_version
    )
    if force and not dry_run and is_generated_project(out):
        # Generating over a generated project is an update from the new spec: edits are merged, not lost.
        update_and_report(
            UpdateRequest(
                project=out,
                spec=spec,
                template_version=template_version,
                options=_given_options(
                    request,
                    pattern,
                    layout,
                    confirm_destructive,
                    exclude_deprecated,
                    tools,
                    context_budget,
                    search,
                ),
                allow_remote_refs=allow_remote_refs,
                template_src=template_src,
            ),
            as_json,
        )
        return

    result = run(lambda: generate(request, say))
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2))
        return
    if result.project.auth.unsupported:
        # First and loud: a server that cannot authenticate fails on its first call, long after this run.
        typer.echo(f"WARNING: {result.project.auth.unsupported} (see SECURITY_REVIEW.md)", err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    verb = "would write" if dry_run else "wrote"
    typer.echo(
        f"{verb} {out} ({counted(len(result.files), 'file')}): {counted(len(result.project.tools), 'tool')}, "
        f"layout {result.layout.name}, "
        f"pattern {result.project.auth.pattern}, {len(result.project.skipped)} skipped, "
        f"{counted(len(result.warnings), 'warning')} in {result.seconds:.1f}s"
    )
    _report_exposure(result)
    for kept in result.beside:
        typer.echo(f"kept {kept}, which mcpgen did not write; the generated one is {kept}{BESIDE_SUFFIX}")
    if not dry_run:
        summary = result.summary()
        typer.echo("next:")
        for command in summary["next_commands"]:
            typer.echo(f"  {command}")
        for setting in summary["settings_to_fill"]:
            typer.echo(f"  set {setting['name']} in .env ({setting['needed']}): {setting['why']}")
        setup = summary["documents"].get("CLAUDE_DESKTOP_SETUP.md")
        if setup:
            typer.echo(f"  connect a client: {setup}")


def _report_exposure(result) -> None:
    """The exposure mode with its reason, and the tool list's size: exposed and full."""
    exposure, surface = result.exposure, result.surface
    if exposure is None or surface is None:
        return
    typer.echo(f"tools: {exposure.mode} (asked: {exposure.requested}): {exposure.reason}")
    full = surface.full
    typer.echo(
        f"tools/list: {surface.tools} tools, {surface.bytes:,} bytes, about {surface.tokens:,} tokens "
        f"(budget {exposure.budget:,}); every operation as a tool: {full['tools']} tools, "
        f"{full['bytes']:,} bytes, about {full['tokens']:,} tokens ({surface.estimator}; per tool in "
        "mcp-tools.lock)"
    )


def _given_options(
    request: Request,
    pattern: str | None,
    layout: str | None,
    confirm_destructive: bool | None,
    exclude_deprecated: bool | None = None,
    tools: str | None = None,
    context_budget: int | None = None,
    search: str | None = None,
) -> dict:
    """The options the user actually gave, for mcpgen.yaml to keep (a default is no choice)."""
    given = request.options()
    given["pattern"] = None if pattern in (None, "auto") else pattern
    given["layout"] = None if layout in (None, "auto") else layout
    given["confirm_destructive"] = confirm_destructive
    given["exclude_deprecated"] = exclude_deprecated
    given["tools"] = tools
    given["context_budget"] = context_budget
    given["search"] = search
    return given
