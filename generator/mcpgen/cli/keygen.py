"""`mcpgen keygen`: kept apart from the generation commands; the secrets logic lives in `mcpgen.keygen`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..errors import MCPGenError
from .common import fail

KEYGEN_EXAMPLES = """Examples:

\b
  mcpgen keygen
  mcpgen keygen --env-file todo-mcp/.env
  mcpgen keygen --kind api-key --prefix acme --json

The first prints SERVICE_AUTH_TOKEN=... and its sha256; the second sets that line in the file and prints
only the hash."""


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
    from ..keygen import make_secret, write_env_file

    try:
        secret = make_secret(kind, prefix=prefix, env_var=var)
        written = write_env_file(env_file, secret.env_var, secret.value) if env_file else None
    except MCPGenError as error:
        fail(str(error), error=error)
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
