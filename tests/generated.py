"""Helpers to check a generated project the way its user would: build it, import it, run its tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LIST_TOOLS = r"""
import asyncio, importlib, json, os, sys
sys.path.insert(0, os.getcwd())
from fastmcp import Client, FastMCP
module = importlib.import_module("src.server")
mcp = next(v for v in vars(module).values() if isinstance(v, FastMCP))
async def main():
    async with Client(mcp) as client:
        return [tool.name for tool in await client.list_tools()]
print(json.dumps(asyncio.run(main())))
"""


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything a developer's shell might set for a server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "BACKEND_", "SERVICE_AUTH"))}
    env.update(extra)
    return env


def listed_tools(project: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", LIST_TOOLS],
        cwd=project,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def build_wheel(project: Path, into: Path) -> Path:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(into),
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return next(into.glob("*.whl"))


def record_surface(project: Path) -> None:
    """`python -m src.surface --write` in the project: what the user runs after reviewing edits that
    `mcpgen update` carried into tool code (the update itself runs none of the project's code)."""
    result = subprocess.run(
        [sys.executable, "-m", "src.surface", "--write"],
        cwd=project,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def project_pytest(project: Path, *arguments: str, timeout: int) -> str:
    """Run pytest in the project, as its README does, and return what it printed; failing is an error."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result.stdout


def collected_tests(project: Path, *paths: str) -> list[str]:
    """The ids of the tests the project's suite (or the given files of it) holds, in its order."""
    printed = project_pytest(project, "--collect-only", *paths, timeout=600)
    return [line for line in printed.splitlines() if "::" in line]


def run_project_tests(project: Path, *paths: str) -> str:
    """The project's own test suite (or the given test files of it), as its README runs it."""
    return project_pytest(project, "-x", *paths, timeout=900).strip().splitlines()[-1]
