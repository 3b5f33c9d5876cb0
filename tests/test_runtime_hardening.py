"""The generated runtime against a real uvicorn + Starlette backend, where the breaks only show with a real
server stack: uvicorn decodes %2F before Starlette routes, so an encoded slash in a path value would reach
an endpoint no tool exposes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mcpgen.generate import Request as GenerateRequest
from mcpgen.generate import generate
from tests.generated import clean_env

pytestmark = pytest.mark.slow

# One tool, GET /files/{name}; the backend also has /files/{name}/admin, which no tool exposes.
SPEC = """
openapi: 3.1.0
info: {title: Files, version: "1"}
servers: [{url: "http://files.example"}]
paths:
  /files/{name}:
    get:
      operationId: get_file
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: The file.
          content:
            application/json:
              schema: {type: object, properties: {route: {type: string}, name: {type: string}}}
"""

# Runs inside the generated project: calls the tool in memory and prints each result as JSON.
CALL_TOOL = r"""
import asyncio, json, sys
from fastmcp import Client
from src.server import mcp

async def main():
    results = []
    async with Client(mcp) as client:
        for name in json.loads(sys.argv[1]):
            result = await client.call_tool("get_file", {"name": name}, raise_on_error=False)
            results.append({"is_error": result.is_error, "text": result.content[0].text})
    print(json.dumps(results))

asyncio.run(main())
"""


class FileBackend:
    """A real uvicorn + Starlette backend on a loopback port that records which route handled each request."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str]] = []

        async def file(request: Request) -> JSONResponse:
            self.hits.append(("file", request.path_params["name"]))
            return JSONResponse({"route": "file", "name": request.path_params["name"]})

        async def admin(request: Request) -> JSONResponse:
            self.hits.append(("admin", request.path_params["name"]))
            return JSONResponse({"route": "admin", "name": request.path_params["name"]})

        app = Starlette(routes=[Route("/files/{name}", file), Route("/files/{name}/admin", admin)])
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FileBackend:
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the backend did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("files")
    spec = root / "spec.yaml"
    spec.write_text(SPEC)
    generate(GenerateRequest(spec=str(spec), out=root / "project", layout="modular", pattern="none"))
    return root / "project"


@pytest.fixture
def backend() -> Iterator[FileBackend]:
    with FileBackend() as running:
        yield running


def call_get_file(project: Path, backend_url: str, *names: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-c", CALL_TOOL, json.dumps(names)],
        cwd=project,
        capture_output=True,
        text=True,
        env=clean_env(BACKEND_URL=backend_url, RETRY_ATTEMPTS="1"),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_backend_stack_turns_an_encoded_slash_into_another_route(backend):
    # The premise: what the old runtime sent for name="x/admin" reaches the admin route.
    response = httpx2.get(backend.url + "/files/x%2Fadmin")

    assert response.json() == {"route": "admin", "name": "x"}


def test_a_slash_in_a_path_value_never_reaches_another_route(project, backend):
    plain, slashed, backslashed, encoded = call_get_file(
        project, backend.url, "x", "x/admin", "x\\admin", "x%2Fadmin"
    )

    assert not plain["is_error"], plain["text"]
    assert json.loads(plain["text"]) == {"route": "file", "name": "x"}
    for refused in (slashed, backslashed, encoded):
        assert refused["is_error"]
        error = json.loads(refused["text"])
        assert error["error_type"] == "validation_error"
        assert error["details"]["fields"][0]["field"] == "name"
    assert backend.hits == [("file", "x")]
