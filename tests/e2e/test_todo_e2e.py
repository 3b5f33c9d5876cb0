"""End to end: the example backend's OpenAPI → `mcpgen from-openapi` → the generated server, installed in
its own venv and run over real HTTP next to the real backend, driven by a real MCP client as two users."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastmcp import Client
from fastmcp.client.auth import BearerAuth
from fastmcp.server.auth.providers.jwt import RSAKeyPair
from packaging.requirements import Requirement

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BACKEND_DIR = ROOT / "examples" / "todo_backend"
ISSUER = "https://auth.todo.example"
AUDIENCE = "todo-mcp"
TOOLS = {"list_tasks", "create_task", "get_task", "update_task", "mark_completed", "delete_task"}
STEP_TIMEOUT = 120  # one generation, venv or install step
START_TIMEOUT = 30  # until a process answers GET /health
CALL_TIMEOUT = 30  # one MCP request


# ---- processes ------------------------------------------------------------------------------------------


def run(*cmd: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run one step to completion; a failure shows everything it printed."""
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited {done.returncode}\n"
            f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-8000:]}",
            pytrace=False,
        )
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**values: str) -> dict[str, str]:
    """This process's environment without anything that could configure either server, plus `values`."""
    ours = ("MCP_", "BACKEND_", "JWT_", "SERVICE_AUTH_TOKEN", "TODO_DB", "RETRY_", "REQUEST_TIMEOUT", "LOG_")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(ours)}, **values}


class Service:
    """A subprocess serving HTTP on a loopback port; its stdout and stderr go to one log file."""

    def __init__(self, name: str, cmd: list[str], *, cwd: Path, env: dict[str, str], port: int, log: Path):
        self.name, self.cmd, self.cwd, self.env, self.port, self.log = name, cmd, cwd, env, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.cmd, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited {self.process.returncode}\n{self.output()}", pytrace=False)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail(f"{self.name} did not answer /health in {START_TIMEOUT}s\n{self.output()}", pytrace=False)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def output(self, limit: int = 12_000) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.log}){' [truncated]' if len(text) > limit else ''}\n{text[-limit:]}"


@dataclass
class Stack:
    backend: Service
    server: Service
    keys: RSAKeyPair

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/mcp"

    def client(self, user: str, **claims: Any) -> Client:
        token = self.keys.create_token(
            subject=user, issuer=ISSUER, audience=AUDIENCE, additional_claims=claims or None
        )
        return Client(self.url, auth=BearerAuth(token), timeout=CALL_TIMEOUT)

    def logs(self) -> str:
        return f"{self.server.output()}\n{self.backend.output()}"


# ---- generating and installing the server ---------------------------------------------------------------


def mcpgen() -> list[str]:
    script = Path(sys.executable).with_name("mcpgen")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from mcpgen.cli import app; app()"]


def build_deps_present(project: Path) -> bool:
    requires = tomllib.loads((project / "pyproject.toml").read_text())["build-system"]["requires"]
    try:
        return all(Requirement(r).specifier.contains(version(Requirement(r).name)) for r in requires)
    except PackageNotFoundError:
        return False


def install(project: Path, venv: Path) -> Path:
    """A fresh venv holding the project (editable), which borrows the runtime dependencies from this
    interpreter's site-packages instead of downloading them. Returns the venv's python."""
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    # A plain path line would skip the .pth files of the borrowed site-packages; addsitedir runs them.
    (purelib / "_borrowed_site.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_path('purelib')!r})\n"
    )
    # Without isolation when this interpreter already has the build backend: no download, much faster.
    isolation = ["--no-build-isolation"] if build_deps_present(project) else []
    pip = [sys.executable, "-m", "pip", "--python", python]
    run(*pip, "install", "--quiet", "--no-deps", *isolation, "-e", project)
    return python


@dataclass
class Generated:
    python: Path
    summary: dict
    package: str  # the distribution and console-script name


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    work = tmp_path_factory.mktemp("todo-e2e")
    spec = work / "openapi.json"
    spec.write_text(run(sys.executable, "-m", "todo_backend.export_openapi", cwd=BACKEND_DIR).stdout)
    out = work / "todo-mcp"
    summary = json.loads(run(*mcpgen(), "from-openapi", spec, "-o", out, "--json").stdout)
    package = tomllib.loads((out / "pyproject.toml").read_text())["project"]["name"]
    return Generated(python=install(out, work / "venv"), summary=summary, package=package)


@pytest.fixture(scope="module")
def stack(generated: Generated, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("todo-run")
    token = secrets.token_urlsafe(32)
    keys = RSAKeyPair.generate()
    backend_port, server_port = free_port(), free_port()
    uvicorn = [sys.executable, "-m", "uvicorn", "todo_backend.app:create_app", "--factory"]
    backend = Service(
        "backend",
        [*uvicorn, "--host", "127.0.0.1", "--port", str(backend_port)],
        cwd=BACKEND_DIR,
        env=clean_env(SERVICE_AUTH_TOKEN=token, TODO_DB=str(work / "tasks.json")),
        port=backend_port,
        log=work / "backend.log",
    )
    server = Service(
        "MCP server",
        # The installed console script (the `src` folder installs under the project's own import name).
        [str(generated.python.with_name(generated.package))],
        cwd=work,  # not the project folder: the installed package must be what runs
        env=clean_env(
            BACKEND_URL=f"http://127.0.0.1:{backend_port}",
            SERVICE_AUTH_TOKEN=token,
            MCP_TRANSPORT="http",
            MCP_HOST="127.0.0.1",
            MCP_PORT=str(server_port),
            MCP_JWT_PUBLIC_KEY=keys.public_key,
            MCP_JWT_ISSUER=ISSUER,
            MCP_JWT_AUDIENCE=AUDIENCE,
            RETRY_BACKOFF="0.1",  # keeps the backend-down check fast
            LOG_LEVEL="INFO",
        ),
        port=server_port,
        log=work / "server.log",
    )
    try:
        backend.start()
        server.start()
        yield Stack(backend=backend, server=server, keys=keys)
    finally:
        server.stop()
        backend.stop()


# ---- calling tools --------------------------------------------------------------------------------------


def as_json(result: Any) -> Any:
    """A successful tool result as plain JSON: structured content (unwrapped if FastMCP wrapped a
    non-object result), else the text content parsed."""
    content = result.structured_content
    if content is not None:
        return content["result"] if set(content) == {"result"} else content
    text = result.content[0].text if result.content else ""
    try:
        return json.loads(text)
    except ValueError:
        return text


async def call(client: Client, tool: str, **arguments: Any) -> Any:
    result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert not result.is_error, f"{tool}({arguments}) failed: {result.content}"
    return as_json(result)


async def error_of(client: Client, tool: str, **arguments: Any) -> dict:
    """The ErrorResponse of a call that must fail."""
    result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error, f"{tool}({arguments}) should have failed, got {as_json(result)!r}"
    error = json.loads(result.content[0].text)
    assert {"error_type", "message", "details", "suggestions"} <= set(error), error
    return error


def ids(tasks: list[dict]) -> set[int]:
    return {t["id"] for t in tasks}


# ---- the checks -----------------------------------------------------------------------------------------


def test_mcpgen_picks_pattern_4_and_the_modular_layout(generated: Generated) -> None:
    summary = generated.summary
    assert (summary["pattern"], summary["layout"]) == ("service-to-service", "modular")
    assert {t["name"] for t in summary["tools"]} == TOOLS
    assert summary["skipped"] == []


async def test_the_tools_never_take_an_identity_argument(stack: Stack) -> None:
    async with stack.client("alice") as alice:
        tools = {t.name: t for t in await alice.list_tools()}
    assert set(tools) == TOOLS
    for tool in tools.values():
        squashed = {
            "".join(c for c in p.lower() if c.isalnum()) for p in tool.input_schema.get("properties", {})
        }
        assert not squashed & {"xuserid", "userid", "xorganizationid", "organizationid"}, tool.name
    assert tools["list_tasks"].annotations.read_only_hint is True
    assert tools["delete_task"].annotations.destructive_hint is True


@pytest.mark.parametrize("forged", [False, True], ids=["no token", "token signed by another key"])
def test_an_unauthenticated_caller_gets_401(stack: Stack, forged: bool) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    if forged:
        token = RSAKeyPair.generate().create_token(subject="alice", issuer=ISSUER, audience=AUDIENCE)
        headers["Authorization"] = f"Bearer {token}"
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "e2e", "version": "1"},
        },
    }
    response = httpx2.post(stack.url, json=initialize, headers=headers, timeout=CALL_TIMEOUT)
    assert response.status_code == 401, response.text


async def test_alices_task_is_invisible_to_bob(stack: Stack) -> None:
    async with stack.client("alice", org_id="acme") as alice, stack.client("bob") as bob:
        task = await call(alice, "create_task", title="Alice's secret", priority="high")
        # The backend saw the identity from the token, carried as X-User-ID and X-Organization-ID.
        assert (task["owner_id"], task["organization_id"]) == ("alice", "acme")
        assert task["id"] in ids(await call(alice, "list_tasks"))
        assert task["id"] not in ids(await call(bob, "list_tasks"))
        for tool, extra in [
            ("get_task", {}),
            ("update_task", {"title": "mine now"}),
            ("mark_completed", {}),
            ("delete_task", {}),
        ]:
            error = await error_of(bob, tool, task_id=task["id"], **extra)
            assert error["error_type"] == "not_found_error", (tool, error)
        assert await call(alice, "get_task", task_id=task["id"]) == task


async def test_a_task_lifecycle(stack: Stack) -> None:
    async with stack.client("carol") as carol:
        task = await call(carol, "create_task", title="Write the report", description="draft")
        updated = await call(carol, "update_task", task_id=task["id"], priority="low")
        assert (updated["priority"], updated["description"]) == ("low", "draft")
        assert (await call(carol, "mark_completed", task_id=task["id"]))["completed"] is True
        assert [t["id"] for t in await call(carol, "list_tasks", completed=False)] == []
        await call(carol, "delete_task", task_id=task["id"])
        assert (await error_of(carol, "get_task", task_id=task["id"]))["error_type"] == "not_found_error"


async def test_errors_come_back_typed(stack: Stack) -> None:
    async with stack.client("alice") as alice:
        # Blank passes the schema's minLength, so the backend is the one to refuse it, with a 422.
        error = await error_of(alice, "create_task", title="   ")
        assert error["error_type"] == "validation_error", error
        assert "title" in json.dumps(error["details"]), error

        error = await error_of(alice, "get_task", task_id=10**9)
        assert error["error_type"] == "not_found_error", error
        assert "list_tasks" in json.dumps(error["suggestions"]), error


async def test_restarting_the_backend_loses_nothing(stack: Stack) -> None:
    async with stack.client("alice") as alice:
        task = await call(alice, "create_task", title="Survive a restart")

        # A crash: the server's pooled connections to the old process are dead, and the next call, even a
        # non-idempotent POST, must not care.
        await asyncio.to_thread(stack.backend.stop, signal.SIGKILL)
        await asyncio.to_thread(stack.backend.start)
        assert (await call(alice, "create_task", title="After the crash"))["id"] > task["id"]
        assert await call(alice, "get_task", task_id=task["id"]) == task

        # While it is down, calls fail fast with a typed error; once it is back, they succeed again.
        await asyncio.to_thread(stack.backend.stop)
        assert (await error_of(alice, "list_tasks"))["error_type"] == "connection_error"
        await asyncio.to_thread(stack.backend.start)
        assert task["id"] in ids(await call(alice, "list_tasks"))
