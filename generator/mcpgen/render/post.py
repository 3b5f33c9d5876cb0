"""Post-render stage: checks that read the finished files. Formatting itself runs as Copier tasks."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..collector import THRESHOLDS
from ..errors import MCPGenError


def format_tree(project: Path) -> None:
    """ruff format, ruff check --fix, ruff format again: what the template's render task does."""
    for args in (
        ["format", "--quiet", "--no-cache", "."],
        ["check", "--fix", "--quiet", "--no-cache", "--exit-zero", "."],
        ["format", "--quiet", "--no-cache", "."],
    ):
        subprocess.run([sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, check=False)


def ruff_findings(project: Path) -> list[str]:
    """`ruff check` over the project; each finding as one line (empty when clean)."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--quiet", "--output-format", "concise", "."],
        cwd=project,
        capture_output=True,
        text=True,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def check_python_parses(project: Path) -> dict[str, tuple[bytes, ast.Module]]:
    """Every generated module must parse: spec text reaches code only as literals, and this proves it.

    Returns each module's bytes and tree by its path relative to `project` (forward slashes): the security
    review reads the same trees rather than parsing every module a second time.
    """
    parsed = {}
    for path in sorted(project.rglob("*.py")):
        try:
            source = path.read_bytes()
            parsed[path.relative_to(project).as_posix()] = (source, ast.parse(source, filename=str(path)))
        except (SyntaxError, ValueError) as exc:
            raise MCPGenError(
                f"generated code does not parse: {exc}",
                file=str(path.relative_to(project)),
                hint="this is a bug in mcpgen; report it with the spec",
            ) from exc
    return parsed


def list_files(project: Path) -> list[str]:
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.parts
    )


LOCK_FILE = "mcp-tools.lock"


@dataclass(frozen=True)
class Surface:
    """What tools/list of the generated server weighs, as mcp-tools.lock records it, and what strict MCP
    clients would object to in it. `full` is every operation as a tool (what `--tools all` lists); it is the
    exposed list itself unless the project uses discovery."""

    tools: int
    bytes: int
    tokens: int
    estimator: str
    strict_client_findings: list[str]
    exposure: str = "all"
    full: dict[str, int] = field(default_factory=dict)  # {"tools", "bytes", "tokens"}
    per_tool: list[dict] = field(default_factory=list)  # {"name", "bytes", "tokens"} of each exposed tool
    full_per_tool: list[dict] = field(default_factory=list)  # the same for every operation as a tool

    def summary(self) -> dict:
        return {
            "bytes": self.bytes,
            "tokens": self.tokens,
            "estimator": self.estimator,
            "exposure": self.exposure,
            "exposed": {"tools": self.tools, "bytes": self.bytes, "tokens": self.tokens},
            "full": self.full,
            "per_tool": self.per_tool,
            "full_per_tool": self.full_per_tool,
        }


SURFACE_ARGS = ("--write", "--tools")
# The lock step's interpreter, fresh (write_tool_lock) or started ahead (LockStep): with a command's
# thresholds of the garbage collector (collector.py), it imports what `src.surface` imports first, FastMCP
# and its client, then reads the project's folder on stdin and runs `python -m src.surface` there.
_LOCK_STEP = f"""
import gc, os, runpy, sys
gc.set_threshold(*{THRESHOLDS!r})
import fastmcp
from fastmcp import Client, FastMCP
project = sys.stdin.readline().rstrip("\\n")
if project:
    os.chdir(project)
    sys.path.insert(0, project)
    sys.argv = {["", *SURFACE_ARGS]!r}
    runpy.run_module("src.surface", run_name="__main__", alter_sys=True)
"""


def _lock_env() -> dict[str, str]:
    """The environment without the developer's server settings, so that the server sees what any client
    would see."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "BACKEND_", "SERVICE_AUTH"))}


def write_tool_lock(project: Path) -> Surface:
    """Run the project's own `src.surface --write` in a fresh interpreter: the server lists its tools and
    records them."""
    result = subprocess.run(
        [sys.executable, "-c", _LOCK_STEP],
        input=f"{project.resolve()}\n",
        cwd=project,
        capture_output=True,
        text=True,
        env=_lock_env(),
    )
    return _recorded(project, result.returncode, result.stdout, result.stderr)


class LockStep:
    """`write_tool_lock` in an interpreter started ahead, before the project is rendered: importing FastMCP is
    a third of the step on a large spec and most of it on a small one, and it runs while Copier renders.

    `start` hands it the rendered project and returns at once, so that the caller's own checks of the files
    run beside it; `surface` waits for what it recorded. A context manager: an interpreter whose step is not
    run, or not waited for (the caller failed), is stopped. `folder` is where it starts (an empty scratch
    folder: nothing there is imported).
    """

    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LOCK_STEP],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_lock_env(),
        )
        self._project: Path | None = None
        self._output: Future[tuple[str, str]] | None = None
        # A thread feeds the project's path and drains the tools it prints (megabytes for a large API), so
        # that the interpreter never waits on a full pipe while the caller works.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mcpgen-lock")

    def start(self, project: Path) -> None:
        self._project = project
        self._output = self._reader.submit(self.process.communicate, f"{project.resolve()}\n")

    def surface(self) -> Surface:
        if self._project is None or self._output is None:
            raise RuntimeError("LockStep.surface() before start()")
        stdout, stderr = self._output.result()
        return _recorded(self._project, self.process.returncode, stdout, stderr)

    def write_tool_lock(self, project: Path) -> Surface:
        self.start(project)
        return self.surface()

    def __enter__(self) -> LockStep:
        return self

    def __exit__(self, error: type[BaseException] | None, *_: object) -> None:
        if error is not None and self.process.poll() is None:
            self.process.kill()  # the caller failed: what it would record is not wanted
        if self._output is None:
            self._output = self._reader.submit(self.process.communicate, "\n")  # no project: it exits at once
        self._output.result()
        self._reader.shutdown()


def _recorded(project: Path, returncode: int, stdout: str, stderr: str) -> Surface:
    """The Surface that `src.surface --write --tools` recorded in `project` and printed."""
    if returncode != 0:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the server could not list its tools: {last}")
    data = json.loads((project / LOCK_FILE).read_text(encoding="utf-8"))
    total = data["total"]
    tools = json.loads(stdout.strip().split("\n")[-1])
    findings = [finding for tool in tools for finding in strict_client_findings(tool)]
    return Surface(
        total["tools"],
        total["bytes"],
        total["tokens"],
        data["estimator"],
        findings,
        exposure=data.get("exposure", "all"),
        full=data.get("full", total),
        per_tool=_sizes(data["tools"]),
        full_per_tool=_sizes(data.get("operations", data["tools"])),
    )


def _sizes(entries: list[dict]) -> list[dict]:
    return [{key: entry[key] for key in ("name", "bytes", "tokens")} for entry in entries]


TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def strict_client_findings(tool: dict) -> list[str]:
    """What the strictest MCP clients refuse in a tool: a name over 64 characters or with other characters, an
    input schema that is not a plain object at its top (oneOf/anyOf/allOf), a `$ref` that leads nowhere, an
    array without `items`."""
    name, schema = tool.get("name", ""), tool.get("inputSchema") or {}
    found = []
    if not TOOL_NAME.match(name):
        found.append(f"tool {name!r}: its name is not 1-64 letters, digits, '_' or '-'")
    if schema.get("type") != "object" or any(key in schema for key in ("oneOf", "anyOf", "allOf")):
        found.append(f"tool {name}: its input schema is not a plain object at the top")
    definitions = schema.get("$defs") or {}
    for where, node in _nodes(schema, "#"):
        ref = node.get("$ref")
        if isinstance(ref, str) and not (
            ref.startswith("#/$defs/") and ref[len("#/$defs/") :] in definitions
        ):
            found.append(f"tool {name}: {where} refers to {ref}, which the schema does not define")
        kinds = node.get("type")
        if (kinds == "array" or (isinstance(kinds, list) and "array" in kinds)) and "items" not in node:
            found.append(f"tool {name}: {where} is an array without items")
    return found


def _nodes(node: object, where: str):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{where}/{index}")
