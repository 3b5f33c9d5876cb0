"""The `mcpgen` command line."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
import yaml

from . import __version__
from .errors import MCPGenError
from .generate import Request, generate, prepare

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Generate a standalone FastMCP server project from an OpenAPI spec.",
)

PATTERNS = ("auto", "none", "api-key", "bearer", "service-to-service")
LAYOUTS = ("auto", "modular", "monolithic")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        _fail(f"{option} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _run(action):
    try:
        return action()
    except MCPGenError as exc:
        _fail(str(exc))
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


SpecArg = Annotated[str, typer.Argument(help="OpenAPI 3.0/3.1 spec: a path or an http(s) URL, JSON or YAML.")]
PatternOpt = Annotated[
    str, typer.Option(help="Backend auth: auto, none, api-key, bearer, service-to-service.")
]
BaseUrlOpt = Annotated[str | None, typer.Option(help="Default BACKEND_URL (else the spec's first server).")]
IdentityOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--identity-header", help="A header that carries the caller's identity: NAME or NAME=claim."
    ),
]
IncludeOpt = Annotated[list[str] | None, typer.Option("--include-tag", help="Only operations with this tag.")]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude-tag", help="Leave out operations with this tag.")
]
RemoteOpt = Annotated[bool, typer.Option(help="Follow $refs to other files or URLs (off: prevents SSRF).")]
NameOpt = Annotated[str | None, typer.Option(help="Project name (default: the spec title + ' MCP').")]
ScopeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--scope",
        help="OAuth scopes a caller needs for a tool, replacing the spec's: TOOL=s1,s2 or tag:TAG=s1,s2 "
        "(TOOL= for none). Repeatable.",
    ),
]
ConfirmOpt = Annotated[
    bool,
    typer.Option(
        "--confirm-destructive",
        help="Destructive tools (DELETE) ask the user to confirm, through MCP elicitation, before they run.",
    ),
]


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
    confirm_destructive: bool = False,
) -> Request:
    """The options both commands share, checked."""
    return Request(
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
        confirm_destructive=confirm_destructive,
    )


@app.command("from-openapi")
def from_openapi(
    spec: SpecArg,
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder to write the project into.")] = Path(
        "mcp-server"
    ),
    name: NameOpt = None,
    pattern: PatternOpt = "auto",
    layout: Annotated[str, typer.Option(help="auto, modular (v2.1) or monolithic (v2.0).")] = "auto",
    base_url: BaseUrlOpt = None,
    identity_header: IdentityOpt = None,
    include_tag: IncludeOpt = None,
    exclude_tag: ExcludeOpt = None,
    scope: ScopeOpt = None,
    confirm_destructive: ConfirmOpt = False,
    force: Annotated[bool, typer.Option(help="Replace a non-empty OUT folder.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Do everything but write OUT.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")
    ] = False,
    allow_remote_refs: RemoteOpt = False,
    template_src: Annotated[
        str | None, typer.Option(help="Template source recorded for `copier update` (a git URL or path).")
    ] = None,
) -> None:
    """Generate an MCP server project from an OpenAPI spec."""
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
    )
    request = replace(request, force=force, dry_run=dry_run, template_src=template_src)

    def say(message: str) -> None:
        typer.echo(message, err=True)

    result = _run(lambda: generate(request, say))
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2))
        return
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    verb = "would write" if dry_run else "wrote"
    typer.echo(
        f"{verb} {out} ({len(result.files)} files): {len(result.project.tools)} tools, "
        f"layout {result.layout.name}, "
        f"pattern {result.project.auth.pattern}, {len(result.project.skipped)} skipped, "
        f"{len(result.warnings)} warnings in {result.seconds:.1f}s"
    )


@app.command()
def answers(
    spec: SpecArg,
    name: NameOpt = None,
    pattern: PatternOpt = "auto",
    layout: Annotated[str, typer.Option(help="auto, modular or monolithic.")] = "auto",
    base_url: BaseUrlOpt = None,
    identity_header: IdentityOpt = None,
    include_tag: IncludeOpt = None,
    exclude_tag: ExcludeOpt = None,
    allow_remote_refs: RemoteOpt = False,
    scope: ScopeOpt = None,
    confirm_destructive: ConfirmOpt = False,
) -> None:
    """Print the Copier answers for SPEC, for `copier copy --trust --defaults --data-file`."""
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
    )
    prepared = _run(lambda: prepare(request))
    sys.stdout.write(yaml.safe_dump(prepared.answers.data(), sort_keys=False, allow_unicode=True))


# ---------------------------------------------------------------------------------------------------------
# mcpgen keygen: kept apart from the generation commands above; the secrets logic lives in keygen.py.


def _keygen_error(error: MCPGenError, as_json: bool) -> None:
    if as_json:
        detail = {"message": error.message, "file": error.file, "hint": error.hint or None}
        typer.echo(json.dumps({"error": detail}, indent=2))
        raise typer.Exit(2)
    _fail(str(error))


@app.command()
def keygen(
    kind: Annotated[
        str, typer.Option(help="service-token (Pattern 4's SERVICE_AUTH_TOKEN) or api-key (mcp_<43 chars>).")
    ] = "service-token",
    prefix: Annotated[
        str | None, typer.Option(help="The API key's prefix instead of mcp: 1-16 letters and digits.")
    ] = None,
    env_file: Annotated[
        Path | None,
        typer.Option(help="Write the secret into this dotenv file (mode 0600), replacing only its variable."),
    ] = None,
    var: Annotated[
        str | None,
        typer.Option(help="Variable to set (default SERVICE_AUTH_TOKEN, or BACKEND_API_KEY for api-key)."),
    ] = None,
    show: Annotated[bool, typer.Option(help="With --env-file, also print the secret.")] = False,
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
        _keygen_error(error, as_json)
        return
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
