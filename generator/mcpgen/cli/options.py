"""The arguments and options the commands share, and the generation `Request` they make."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ..generate import Request
from ..render import DEFAULT_BUDGET
from .common import choice, run

PATTERNS = ("auto", "none", "api-key", "bearer", "basic", "service-to-service")
TOOL_MODES = ("auto", "all", "discover", "code")
LAYOUTS = ("auto", "modular", "monolithic")


SpecArg = Annotated[
    str,
    typer.Argument(
        metavar="SPEC", help="OpenAPI 3.0/3.1 or Swagger 2.0 spec: a path or an http(s) URL, JSON or YAML."
    ),
]
PatternOpt = Annotated[
    str,
    typer.Option(
        metavar="PATTERN", help="Backend auth: auto, none, api-key, bearer, basic, service-to-service."
    ),
]
BaseUrlOpt = Annotated[
    str | None, typer.Option(metavar="URL", help="Default BACKEND_URL (else the spec's first server).")
]
IdentityOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--identity-header",
        metavar="NAME[=CLAIM]",
        help="A header that carries the caller's identity (claim: sub). Repeatable.",
    ),
]
IncludeOpt = Annotated[
    list[str] | None,
    typer.Option("--include-tag", metavar="TAG", help="Only operations with this tag. Repeatable."),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude-tag", metavar="TAG", help="Leave out operations with this tag. Repeatable."),
]
IncludePathOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--include-path",
        metavar="GLOB",
        help="Only operations whose path matches: * within a segment, ** any segments, an optional METHOD "
        "first ('/v1/agents/**', 'GET /v1/*'). Repeatable.",
    ),
]
ExcludePathOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude-path", metavar="GLOB", help="Leave out operations whose path matches. Repeatable."
    ),
]
IncludeOpOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--include-op",
        metavar="OP",
        help="Keep this operation (operationId or tool name) whatever the other filters say; alone, only the "
        "named ones. Repeatable.",
    ),
]
ExcludeOpOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude-op", metavar="OP", help="Leave out this operation (operationId or tool name). Repeatable."
    ),
]
DeprecatedOpt = Annotated[
    bool | None,
    typer.Option(
        "--exclude-deprecated/--keep-deprecated",
        help="Leave out operations the spec marks deprecated (unless named by --include-op).",
    ),
]
MaxToolsOpt = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        min=1,
        help="At most N tools: --include-op ones first, then in spec order; the rest are listed as skipped.",
    ),
]


@dataclass(frozen=True)
class Selection:
    """The selection options every generating command shares, as given (None or [] when not)."""

    include_paths: list[str] | None = None
    exclude_paths: list[str] | None = None
    include_operations: list[str] | None = None
    exclude_operations: list[str] | None = None
    exclude_deprecated: bool | None = None
    max_tools: int | None = None

    def given(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if value not in (None, [])}


RemoteOpt = Annotated[
    bool,
    typer.Option("--allow-remote-refs", help="Follow $refs to other files or URLs (off: prevents SSRF)."),
]
NameOpt = Annotated[
    str | None, typer.Option(metavar="NAME", help="Project name (default: the spec title + ' MCP').")
]
LayoutOpt = Annotated[str, typer.Option(metavar="LAYOUT", help="auto, modular (v2.1) or monolithic (v2.0).")]
JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help='Print a machine-readable summary on stdout (errors too, as {"error": {...}}).',
    ),
]

ScopeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--scope",
        metavar="TOOL=SCOPES",
        help="OAuth scopes a caller needs for a tool, replacing the spec's: TOOL=s1,s2 or tag:TAG=s1,s2 "
        "(TOOL= for none). Repeatable.",
    ),
]
ConfirmOpt = Annotated[
    bool | None,
    typer.Option(
        "--confirm-destructive/--no-confirm-destructive",
        help="Destructive tools (DELETE) ask the user to confirm, through MCP elicitation, before they run.",
    ),
]
ToolsOpt = Annotated[
    str | None,
    typer.Option(
        "--tools",
        metavar="MODE",
        help="How tools reach the assistant: all (one tool per operation), discover (search_operations, "
        "describe_operation, call_operation), code (search_operations, describe_operation and execute, "
        "which runs a Python program calling the operations in a sandbox) or auto (all when the full tool "
        "list fits --context-budget; the default).",
    ),
]
PinOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--pin",
        metavar="TOOL",
        help="With discover or code: keep TOOL as a direct tool beside discovery. Repeatable.",
    ),
]
BudgetOpt = Annotated[
    int | None,
    typer.Option(
        "--context-budget",
        metavar="TOKENS",
        help="Estimated tokens the tool list may take of the assistant's context (default 30000; tokens ~ "
        "bytes of tools/list JSON / 4).",
    ),
]
SearchOpt = Annotated[
    str | None,
    typer.Option(
        "--search",
        metavar="MODE",
        help="How discover mode's search_operations ranks: lexical (the default) or semantic (also by "
        "meaning, with vectors computed now; needs mcpgen[semantic], and the project's semantic extra at run "
        "time).",
    ),
]
TemplateSrcOpt = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="Template source `copier update` reads, recorded in the answers (default: the template store).",
    ),
]


def parse_scopes(options: list[str] | None) -> dict[str, list[str]]:
    """--scope options as a mapping; a key given twice keeps the last."""
    from ..ir import parse_scope_option

    return dict(run(lambda: [parse_scope_option(option) for option in options or []]))


def make_request(
    spec: str,
    out: Path,
    name: str | None,
    pattern: str,
    layout: str,
    base_url: str | None,
    identity_header: list[str] | None,
    include_tag: list[str] | None,
    exclude_tag: list[str] | None,
    allow_remote_refs: bool,
    scope: list[str] | None = None,
    confirm_destructive: bool | None = None,
    selection: Selection | None = None,
    tools: str | None = None,
    pin: list[str] | None = None,
    context_budget: int | None = None,
    search: str | None = None,
) -> Request:
    """The `Request` from the options from-openapi and answers share, checked."""
    return Request(
        **(selection or Selection()).given(),
        spec=spec,
        out=out,
        name=name,
        pattern=choice(pattern, PATTERNS, "--pattern"),
        layout=choice(layout, LAYOUTS, "--layout"),
        base_url=base_url,
        identity_headers=identity_header or [],
        include_tags=include_tag or [],
        exclude_tags=exclude_tag or [],
        allow_remote_refs=allow_remote_refs,
        scopes=parse_scopes(scope),
        confirm_destructive=bool(confirm_destructive),
        tools=choice(tools or "auto", TOOL_MODES, "--tools"),
        pins=pin or [],
        context_budget=context_budget if context_budget is not None else DEFAULT_BUDGET,
        search=search or "lexical",
    )
