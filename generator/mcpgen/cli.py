"""The `mcpgen` command line."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from typer.core import TyperGroup

from . import __version__
from .errors import MCPGenError
from .exposure import DEFAULT_BUDGET
from .generate import Request, generate, is_generated_project, prepare, resolve_exposure
from .naming import counted
from .update import UpdateRequest, update


@dataclass
class _ErrorFormat:
    # Set by _Commands.main for each invocation, before any command runs, so that every error path (usage
    # errors, _fail) answers in the format the caller asked for.
    as_json: bool = False


_errors = _ErrorFormat()


class _Commands(TyperGroup):
    """mcpgen's command group: with `--json` among the arguments, every error is JSON on stdout, usage errors
    (a missing argument, an unknown option) included, with the same exit codes."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        arguments = list(sys.argv[1:] if args is None else args)
        _errors.as_json = "--json" in arguments
        if not (_errors.as_json and standalone_mode):
            return super().main(arguments, prog_name, complete_var, standalone_mode, **extra)
        try:
            outcome = super().main(arguments, prog_name, complete_var, False, **extra)
        except typer.Abort:
            sys.exit(1)
        except Exception as error:
            # Click's own errors (typer vendors click, so they are recognised by their interface).
            if not (hasattr(error, "format_message") and isinstance(getattr(error, "exit_code", None), int)):
                raise
            _print_json_error(error.format_message(), error.exit_code)
            sys.exit(error.exit_code)
        # Without standalone mode, click returns the exit code of a typer.Exit instead of exiting.
        sys.exit(outcome if isinstance(outcome, int) else 0)


EXAMPLES = """Examples:

\b
  mcpgen from-openapi openapi.json -o todo-mcp
  mcpgen from-openapi openapi.json -o todo-mcp --json
  mcpgen keygen --env-file todo-mcp/.env
  mcpgen from-openapi --help

Every command exits 2 on bad input, 3 on an internal error and 130 when interrupted; with --json it prints
{"error": {"message", "file", "pointer", "hint", "exit_code"}} on stdout instead of a line on stderr.
docs/CLI.md describes every command and option."""

app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    help="Generate a standalone FastMCP server project from an OpenAPI spec.",
    epilog=EXAMPLES,
    # Plain help wraps at the terminal's width instead of cutting option names and texts off, and keeps to
    # 100 columns on wide terminals.
    rich_markup_mode=None,
    context_settings={"max_content_width": 100},
)

PATTERNS = ("auto", "none", "api-key", "bearer", "service-to-service")
TOOL_MODES = ("auto", "all", "discover")
LAYOUTS = ("auto", "modular", "monolithic")


def _print_json_error(
    message: str,
    exit_code: int,
    *,
    file: str | None = None,
    pointer: str | None = None,
    hint: str | None = None,
) -> None:
    error = {
        "message": message,
        "file": file,
        "pointer": pointer,
        "hint": hint or None,
        "exit_code": exit_code,
    }
    typer.echo(json.dumps({"error": error}, indent=2))


def _fail(message: str, code: int = 2, error: MCPGenError | None = None) -> NoReturn:
    """Stop with exit `code`: one line on stderr, or JSON on stdout under --json."""
    if _errors.as_json:
        if error is not None:
            _print_json_error(error.message, code, file=error.file, pointer=error.pointer, hint=error.hint)
        else:
            _print_json_error(message, code)
    else:
        typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        _fail(f"{option} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _stop_on_sigterm() -> None:
    """A terminated run unwinds like an interrupted one, so its temporary folders are removed."""

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def _run(action):
    _stop_on_sigterm()
    try:
        return action()
    except MCPGenError as exc:
        _fail(str(exc), error=exc)
    except KeyboardInterrupt:
        _fail("interrupted; nothing was written", 130)
    except Exception as exc:  # noqa: BLE001 - one line for users; MCPGEN_DEBUG=1 shows the traceback
        if os.environ.get("MCPGEN_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with MCPGEN_DEBUG=1 and report it)", 3)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mcpgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Generate a standalone FastMCP server project from an OpenAPI spec."""


SpecArg = Annotated[
    str,
    typer.Argument(
        metavar="SPEC", help="OpenAPI 3.0/3.1 or Swagger 2.0 spec: a path or an http(s) URL, JSON or YAML."
    ),
]
PatternOpt = Annotated[
    str,
    typer.Option(metavar="PATTERN", help="Backend auth: auto, none, api-key, bearer, service-to-service."),
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
class _Selection:
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
        "describe_operation, call_operation) or auto (all when the full tool list fits --context-budget; "
        "the default).",
    ),
]
PinOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--pin",
        metavar="TOOL",
        help="With discover: keep TOOL as a direct tool beside discovery. Repeatable.",
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
TemplateSrcOpt = Annotated[
    str | None,
    typer.Option(
        metavar="URL",
        help="Template source `copier update` reads, recorded in the answers (default: the template store).",
    ),
]


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _scopes(options: list[str] | None) -> dict[str, list[str]]:
    """--scope options as a mapping; a key given twice keeps the last."""
    from .ir.scopes import parse_scope_option

    return dict(_run(lambda: [parse_scope_option(option) for option in options or []]))


def _request(
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
    selection: _Selection | None = None,
    tools: str | None = None,
    pin: list[str] | None = None,
    context_budget: int | None = None,
) -> Request:
    """The options both commands share, checked."""
    return Request(
        **(selection or _Selection()).given(),
        spec=spec,
        out=out,
        name=name,
        pattern=_choice(pattern, PATTERNS, "--pattern"),
        layout=_choice(layout, LAYOUTS, "--layout"),
        base_url=base_url,
        identity_headers=identity_header or [],
        include_tags=include_tag or [],
        exclude_tags=exclude_tag or [],
        allow_remote_refs=allow_remote_refs,
        scopes=_scopes(scope),
        confirm_destructive=bool(confirm_destructive),
        tools=_choice(tools or "auto", TOOL_MODES, "--tools"),
        pins=pin or [],
        context_budget=context_budget if context_budget is not None else DEFAULT_BUDGET,
    )


@app.command("from-openapi", epilog=FROM_OPENAPI_EXAMPLES)
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
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty OUT: a generated project is updated (mcpgen update), any other "
            "folder gets the project's files; nothing is ever deleted.",
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
            help="Render an earlier template version (2.0: one flat main.py and tools.py) instead.",
        ),
    ] = None,
) -> None:
    """Generate an MCP server project from an OpenAPI spec."""
    selection = _Selection(include_path, exclude_path, include_op, exclude_op, exclude_deprecated, max_tools)
    request = _request(
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
    )
    request = replace(
        request, force=force, dry_run=dry_run, template_src=template_src, template_version=template_version
    )
    if force and not dry_run and is_generated_project(out):
        # Generating over a generated project is an update from the new spec: edits are merged, not lost.
        _update_and_report(
            UpdateRequest(
                project=out,
                spec=spec,
                template_version=template_version,
                options=_given_options(
                    request, pattern, layout, confirm_destructive, exclude_deprecated, tools, context_budget
                ),
                allow_remote_refs=allow_remote_refs,
                template_src=template_src,
            ),
            as_json,
        )
        return

    result = _run(lambda: generate(request, _say))
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2))
        return
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
    if not dry_run:
        summary = result.summary()
        typer.echo("next:")
        for command in summary["next_commands"]:
            typer.echo(f"  {command}")
        for setting in summary["settings_to_fill"]:
            typer.echo(f"  set {setting['name']} in .env ({setting['needed']}): {setting['why']}")
        typer.echo(f"  connect a client: {summary['documents']['CLAUDE_DESKTOP_SETUP.md']}")


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


@app.command()
def answers(
    spec: SpecArg,
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
    allow_remote_refs: RemoteOpt = False,
    scope: ScopeOpt = None,
    confirm_destructive: ConfirmOpt = None,
    tools: ToolsOpt = None,
    pin: PinOpt = None,
    context_budget: BudgetOpt = None,
) -> None:
    """Print the Copier answers for SPEC, for `copier copy --trust --defaults --data-file`.

    With --tools auto (the default) the tool list is measured by rendering the project once in a scratch
    folder, so that the answers record the mode it needs."""
    selection = _Selection(include_path, exclude_path, include_op, exclude_op, exclude_deprecated, max_tools)
    request = _request(
        spec,
        Path("."),
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
    )

    def resolved():
        answers, _ = resolve_exposure(request, prepare(request))
        return answers

    answers = _run(resolved)
    sys.stdout.write(yaml.safe_dump(answers.data(), sort_keys=False, allow_unicode=True))


# ---------------------------------------------------------------------------------------------------------
# mcpgen keygen: kept apart from the generation commands above; the secrets logic lives in keygen.py.


KEYGEN_EXAMPLES = """Examples:

\b
  mcpgen keygen
  mcpgen keygen --env-file todo-mcp/.env
  mcpgen keygen --kind api-key --prefix acme --json

The first prints SERVICE_AUTH_TOKEN=... and its sha256; the second sets that line in the file and prints
only the hash."""


@app.command(epilog=KEYGEN_EXAMPLES)
def keygen(
    kind: Annotated[
        str,
        typer.Option(
            metavar="KIND", help="service-token (Pattern 4's SERVICE_AUTH_TOKEN) or api-key (mcp_<43 chars>)."
        ),
    ] = "service-token",
    prefix: Annotated[
        str | None,
        typer.Option(metavar="PREFIX", help="The API key's prefix instead of mcp: 1-16 letters and digits."),
    ] = None,
    env_file: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH",
            help="Write the secret into this dotenv file (mode 0600), replacing only its variable.",
        ),
    ] = None,
    var: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Variable to set (default SERVICE_AUTH_TOKEN, or BACKEND_API_KEY for api-key).",
        ),
    ] = None,
    show: Annotated[bool, typer.Option("--show", help="With --env-file, also print the secret.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"kind", "token", "sha256", "env_var", ...} on stdout.')
    ] = False,
) -> None:
    """Make a service token or API key; print it once with its SHA-256 hash, or write it to a .env file.

    Nothing reaches the disk without --env-file. Keep only the hash where the secret is checked.
    """
    from .keygen import make_secret, write_env_file

    try:
        secret = make_secret(kind, prefix=prefix, env_var=var)
        written = write_env_file(env_file, secret.env_var, secret.value) if env_file else None
    except MCPGenError as error:
        _fail(str(error), error=error)
    shown = written is None or show
    if as_json:
        summary = {
            "kind": secret.kind,
            "token": secret.value if shown else None,
            "sha256": secret.sha256,
            "env_var": secret.env_var,
            "entropy_bits": secret.entropy_bits,
            "env_file": str(written.path) if written else None,
            "env_file_action": written.action if written else None,
        }
        typer.echo(json.dumps(summary, indent=2))
    else:
        if shown:
            typer.echo(f"{secret.env_var}={secret.value}")
        typer.echo(f"sha256: {secret.sha256}")
        if written:
            typer.echo(f"{written.action} {secret.env_var} in {written.path} (mode 0600)")
    if written and written.previous_mode is not None:
        typer.echo(
            f"note: {written.path} had mode {written.previous_mode:04o}, looser than 0600; it is now 0600",
            err=True,
        )
    if written is None:
        typer.echo("note: this secret is shown once and stored nowhere; --env-file PATH writes it", err=True)


# ---------------------------------------------------------------------------------------------------------
# mcpgen update: a new template version or a changed API, merged into an existing project.


def _given_options(
    request: Request,
    pattern: str | None,
    layout: str | None,
    confirm_destructive: bool | None,
    exclude_deprecated: bool | None = None,
    tools: str | None = None,
    context_budget: int | None = None,
) -> dict:
    """The options the user actually gave, for mcpgen.yaml to keep (a default is no choice)."""
    given = request.options()
    given["pattern"] = None if pattern in (None, "auto") else pattern
    given["layout"] = None if layout in (None, "auto") else layout
    given["confirm_destructive"] = confirm_destructive
    given["exclude_deprecated"] = exclude_deprecated
    given["tools"] = tools
    given["context_budget"] = context_budget
    return given


def _update_and_report(request: UpdateRequest, as_json: bool) -> None:
    result = _run(lambda: update(request, _say))
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
            typer.echo(f"some edits could not be placed: see {summary['notes']}")
    if summary["conflicts"]:
        raise typer.Exit(1)


@app.command("update")
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
            "--tools", metavar="MODE", help="Change how tools reach the assistant: all, discover or auto."
        ),
    ] = None,
    pin: PinOpt = None,
    context_budget: BudgetOpt = None,
    allow_remote_refs: RemoteOpt = False,
    template_src: TemplateSrcOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")
    ] = False,
) -> None:
    """Update a generated project to this mcpgen's template, or to a changed API, keeping its edits.

    The project must be committed to git. Edits are merged three ways; what cannot be merged gets conflict
    markers (exit code 1), and edits with no place in the new layout are listed in UPGRADE_NOTES.md.
    """
    if pattern is not None:
        _choice(pattern, PATTERNS, "--pattern")
    if layout is not None:
        _choice(layout, LAYOUTS, "--layout")
    if tools is not None:
        _choice(tools, TOOL_MODES, "--tools")
    options = {
        "name": name,
        "pattern": pattern,
        "layout": layout,
        "base_url": base_url,
        "identity_headers": identity_header,
        "include_tags": include_tag,
        "exclude_tags": exclude_tag,
        "scopes": _scopes(scope),
        "confirm_destructive": confirm_destructive,
        **_Selection(
            include_path, exclude_path, include_op, exclude_op, exclude_deprecated, max_tools
        ).given(),
        "tools": tools,
        "pins": pin,
        "context_budget": context_budget,
    }
    _update_and_report(
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


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="The old API: a spec, or a generated project.")],
    new: Annotated[str, typer.Argument(help="The new API: a spec, or a generated project.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON on stdout.")] = False,
) -> None:
    """Show how the tools an assistant sees change from OLD to NEW, and which changes break AI clients.

    A spec beside a project is read with the project's options (mcpgen.yaml). Exit code 1 when a change is
    breaking, so a CI job can gate on it; 0 otherwise.
    """
    from .diff import diff_answers, format_diff
    from .update import side_answers

    def compare():
        old_answers, old_options = side_answers(old)
        new_answers, new_options = side_answers(new, old_options)
        if old_options is None and new_options is not None:
            old_answers, _ = side_answers(old, new_options)
        return diff_answers(old_answers, new_answers)

    result = _run(compare)
    typer.echo(json.dumps(result.as_dict(), indent=2) if as_json else format_diff(result))
    if result.breaking:
        raise typer.Exit(1)


@app.command("add-tool")
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
    from .update import add_tool

    result = _run(lambda: add_tool(project, operation, spec, _say))
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    for kind, paths in summary["changes"].items():
        for path in paths:
            typer.echo(f"{kind:>10}  {path}")
    typer.echo(f"added {operation} to {result.project}; review with `git diff`")
