"""Code mode end to end: the example backend's OpenAPI → `mcpgen from-openapi --tools code` → the generated
server, installed in its own venv and served over real HTTP next to the real backend, driven by two users with
JWTs whose programs run inside `execute` (issue 16's "done when")."""

from __future__ import annotations

import json
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastmcp import Client
from fastmcp.client.auth import BearerAuth
from fastmcp.server.auth.providers.jwt import RSAKeyPair

from tests.e2e.test_todo_e2e import (
    AUDIENCE,
    BACKEND_DIR,
    CALL_TIMEOUT,
    ISSUER,
    Service,
    clean_env,
    free_port,
    install,
    mcpgen,
    run,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WRITE = "tasks:write"
WRITING = ("create_task", "update_task", "mark_completed", "delete_task")
TIME_LIMIT = 3  # CODE_TIME_LIMIT of the served project, in seconds


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("code-e2e")
    spec = work / "openapi.json"
    spec.write_text(run(sys.executable, "-m", "todo_backend.export_openapi", cwd=BACKEND_DIR).stdout)
    out = work / "todo-mcp"
    scopes = [option for tool in WRITING for option in ("--scope", f"{tool}={WRITE}")]
    summary = json.loads(
        run(*mcpgen(), "from-openapi", spec, "-o", out, "--json", "--tools", "code", *scopes).stdout
    )
    package = yaml.safe_load((out / ".copier-answers.yml").read_text())["package"]
    python = install(out, work / "venv")
    token = secrets.token_urlsafe(32)
    keys = RSAKeyPair.generate()
    backend_port, server_port = free_port(), free_port()
    backend = Service(
        "backend",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "todo_backend.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(backend_port),
        ],
        cwd=BACKEND_DIR,
        env=clean_env(SERVICE_AUTH_TOKEN=token, TODO_DB=str(work / "tasks.json")),
        port=backend_port,
        log=work / "backend.log",
    )
    server = Service(
        "MCP server",
        [str(python.parent / package)],
        cwd=work,
        env=clean_env(
            BACKEND_URL=f"http://127.0.0.1:{backend_port}",
            SERVICE_AUTH_TOKEN=token,
            MCP_TRANSPORT="http",
            MCP_HOST="127.0.0.1",
            MCP_PORT=str(server_port),
            MCP_JWT_PUBLIC_KEY=keys.public_key,
            MCP_JWT_ISSUER=ISSUER,
            MCP_JWT_AUDIENCE=AUDIENCE,
            CODE_TIME_LIMIT=str(TIME_LIMIT),
            # The venv borrows this interpreter's packages, not the sandbox binary in its scripts folder.
            MONTY_BIN=str(Path(sys.executable).with_name("monty")),
            LOG_LEVEL="INFO",
        ),
        port=server_port,
        log=work / "server.log",
    )
    try:
        backend.start()
        server.start()
        yield summary, server, keys, f"http://127.0.0.1:{server_port}/mcp"
    finally:
        server.stop()
        backend.stop()


def user(stack, name: str, scopes: list[str]) -> Client:
    _, _, keys, url = stack
    token = keys.create_token(subject=name, issuer=ISSUER, audience=AUDIENCE, scopes=scopes)
    return Client(url, auth=BearerAuth(token), timeout=CALL_TIMEOUT)


async def execute(client: Client, code: str) -> Any:
    result = await client.call_tool("execute", {"code": code}, raise_on_error=False)
    assert not result.is_error, result.content
    return result.structured_content["result"]


async def refused(client: Client, code: str) -> dict:
    result = await client.call_tool("execute", {"code": code}, raise_on_error=False)
    assert result.is_error, result.structured_content
    return json.loads(result.content[0].text)


ALICE_PROGRAM = """
tasks = [await create_task(title=title) for title in ["Printer on fire", "Order toner", "Call IT"]]
await mark_completed(task_id=tasks[1]["id"])
print("created", len(tasks))
[{"id": task["id"], "completed": (await get_task(task_id=task["id"]))["completed"]} for task in tasks]
"""

BOB_PROGRAM = """
import json

def error_type(error):
    return json.loads(str(error))["error_type"]

seen = [task["id"] for task in await list_tasks()]
try:
    await get_task(task_id={task_id})
    read = "found"
except Exception as error:
    read = error_type(error)
try:
    await create_task(title="Not mine to make")
    created = "created"
except Exception as error:
    created = error_type(error)
{{"seen": seen, "read": read, "created": created}}
"""


async def test_one_program_does_the_work_of_many_calls_and_users_stay_apart(stack) -> None:
    async with user(stack, "alice", [WRITE]) as alice:
        result = await alice.call_tool("execute", {"code": ALICE_PROGRAM}, raise_on_error=False)
        assert not result.is_error, f"{result.content}\n{stack[1].output()}"
        statuses = result.structured_content["result"]
        assert [task["completed"] for task in statuses] == [False, True, False]
        assert result.structured_content["printed"] == "created 3\n"
    ids = [task["id"] for task in statuses]

    async with user(stack, "bob", []) as bob:
        seen = await execute(bob, BOB_PROGRAM.format(task_id=ids[0]))

    assert not set(seen["seen"]) & set(ids)
    assert seen["read"] == "not_found_error"
    assert seen["created"] == "authorization_error"
    log = stack[1].output(limit=200_000)
    # One audit line per inner call, each for the user whose token called execute.
    assert log.count('"user_id": "alice"') >= 7 and '"user_id": "bob"' in log


@pytest.mark.parametrize(
    "program", ["import os\nos.listdir('/')", "import subprocess", "open('/etc/passwd').read()"]
)
async def test_the_sandbox_refuses_files_processes_and_imports(stack, program: str) -> None:
    async with user(stack, "alice", [WRITE]) as alice:
        error = await refused(alice, program)

    assert error["error_type"] == "validation_error"
    assert error["details"]["exception"] in {"ModuleNotFoundError", "PermissionError"}
    assert "root:" not in json.dumps(error)  # nothing of the host's file came back


async def test_an_endless_loop_ends_typed_within_the_limit_and_the_server_goes_on(stack) -> None:
    async with user(stack, "alice", [WRITE]) as alice:
        started = time.monotonic()
        error = await refused(alice, "while True:\n    pass")
        took = time.monotonic() - started
        assert await execute(alice, "1 + 1") == 2

    assert error["error_type"] == "timeout_error" and error["details"]["limit"] == "time"
    assert TIME_LIMIT <= took < TIME_LIMIT + 5


async def test_tools_list_stays_small(stack) -> None:
    summary = stack[0]
    async with user(stack, "alice", [WRITE]) as alice:
        tools = await alice.list_tools()

    listed = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    assert {tool["name"] for tool in listed} == {"search_operations", "describe_operation", "execute"}
    assert len(json.dumps(listed, separators=(",", ":")).encode()) / 4 <= 1500
    assert summary["exposure"]["mode"] == "code" and summary["tools_list"]["exposed"]["tokens"] <= 1500
