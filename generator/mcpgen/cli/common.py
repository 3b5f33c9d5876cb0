"""What every command shares: errors as one line on stderr, or as JSON on stdout under --json, with mcpgen's
exit codes (2 bad input, 3 internal error, 130 interrupted); progress on stderr."""

from __future__ import annotations

import json
import os
import signal
import threading
from dataclasses import dataclass
from typing import NoReturn

import typer

from ..errors import MCPGenError


@dataclass
class ErrorFormat:
    # Set by _Commands.main for each invocation, before any command runs, so that every error path (usage
    # errors, fail) answers in the format the caller asked for.
    as_json: bool = False


error_format = ErrorFormat()


def print_json_error(
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


def fail(message: str, code: int = 2, error: MCPGenError | None = None) -> NoReturn:
    """Stop with exit `code`: one line on stderr, or JSON on stdout under --json."""
    if error_format.as_json:
        if error is not None:
            print_json_error(error.message, code, file=error.file, pointer=error.pointer, hint=error.hint)
        else:
            print_json_error(message, code)
    else:
        typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        fail(f"{option} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _stop_on_sigterm() -> None:
    """A terminated run unwinds like an interrupted one, so its temporary folders are removed."""

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def run(action):
    _stop_on_sigterm()
    try:
        return action()
    except MCPGenError as exc:
        fail(str(exc), error=exc)
    except KeyboardInterrupt:
        fail("interrupted; nothing was written", 130)
    except Exception as exc:  # noqa: BLE001 - one line for users; MCPGEN_DEBUG=1 shows the traceback
        if os.environ.get("MCPGEN_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (run with MCPGEN_DEBUG=1 and report it)", 3)


def say(message: str) -> None:
    typer.echo(message, err=True)
