"""The `mcpgen` command line: the typer `app`, its error format, and one module per command."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..collector import tune_for_a_command
from . import add_tool, answers, diff, from_openapi, keygen, update
from .common import error_format, print_json_error


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
        tune_for_a_command()
        arguments = list(sys.argv[1:] if args is None else args)
        error_format.as_json = "--json" in arguments
        if not (error_format.as_json and standalone_mode):
            return super().main(arguments, prog_name, complete_var, standalone_mode, **extra)
        try:
            outcome = super().main(arguments, prog_name, complete_var, False, **extra)
        except typer.Abort:
            sys.exit(1)
        except Exception as error:
            # Click's own errors (typer vendors click, so they are recognised by their interface).
            if not (hasattr(error, "format_message") and isinstance(getattr(error, "exit_code", None), int)):
                raise
            print_json_error(error.format_message(), error.exit_code)
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


# The commands, in the order `mcpgen --help` and docs/CLI.md list them.
app.command("from-openapi", epilog=from_openapi.FROM_OPENAPI_EXAMPLES)(from_openapi.from_openapi)
app.command()(answers.answers)
app.command(epilog=keygen.KEYGEN_EXAMPLES)(keygen.keygen)
app.command("update")(update.update_command)
app.command("diff")(diff.diff_command)
app.command("add-tool")(add_tool.add_tool_command)
