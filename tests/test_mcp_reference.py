"""The FastMCP facts docs/MCP_REFERENCE.md states (sections marked ✔), checked against the installed FastMCP.

A FastMCP upgrade that changes one of them fails here, before it breaks a generated server.
"""

import importlib.metadata
import inspect
import logging
import time
from typing import Annotated, Any

import httpx2
import jwt
import pytest
from fastmcp import Client, Context, FastMCP
from fastmcp.client.auth import BearerAuth
from fastmcp.exceptions import ToolError
from fastmcp.server.auth import JWTVerifier, StaticTokenVerifier
from fastmcp.server.auth.providers.jwt import RSAKeyPair
from fastmcp.server.dependencies import get_access_token, get_http_headers
from fastmcp.settings import Settings as FastMCPSettings
from fastmcp.utilities.tests import run_server_async
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from tests.conftest import REPO

ISSUER, AUDIENCE = "https://issuer.example", "mcp-server"


class Task(BaseModel):
    id: int


def test_the_reference_marks_the_sections_this_file_checks():
    text = (REPO / "docs" / "MCP_REFERENCE.md").read_text()
    assert "tests/test_mcp_reference.py" in text
    assert text.count("✔") >= 9


def test_server_constructor_keywords():
    parameters = inspect.signature(FastMCP.__init__).parameters
    for name in ("name", "instructions", "auth", "middleware", "lifespan", "mask_error_details"):
        assert name in parameters
    assert parameters["lifespan"].kind is inspect.Parameter.KEYWORD_ONLY


def server() -> FastMCP:
    mcp = FastMCP("reference", mask_error_details=True)

    async def get_task(
        task_id: Annotated[int, Field(description="The task's id.", ge=1)], ctx: Context
    ) -> Task:
        return Task(id=task_id + (1000 if get_access_token() else 0))

    async def names() -> list[str]:
        return ["a"]

    async def loose() -> dict[str, Any]:
        return {"x": 1}

    async def typed_failure() -> str:
        raise ToolError('{"error_type": "not_found_error"}', log_level=logging.INFO)

    async def crash() -> str:
        raise RuntimeError("internal detail with a secret")

    async def headers() -> dict[str, str]:
        return get_http_headers(include={"x-user-id"})

    mcp.tool(get_task, name="get_task", title="Get one task", annotations={"readOnlyHint": True}, tags={"t"})
    for function in (names, loose, typed_failure, crash, headers):
        mcp.tool(function)
    return mcp


async def test_registration_schemas_errors_and_the_in_memory_client():
    async with Client(server()) as client:
        tools = {tool.name: tool for tool in await client.list_tools()}
        get_task = tools["get_task"]
        # ctx is injected, not an argument; Field metadata reaches the schema.
        assert list(get_task.input_schema["properties"]) == ["task_id"]
        assert get_task.input_schema["properties"]["task_id"]["minimum"] == 1
        assert get_task.input_schema["required"] == ["task_id"]
        assert get_task.annotations.read_only_hint is True and get_task.title == "Get one task"
        assert get_task.output_schema["properties"] == {"id": {"type": "integer"}}
        assert tools["names"].output_schema["x-fastmcp-wrap-result"] is True
        assert tools["loose"].output_schema == {"additionalProperties": True, "type": "object"}

        result = await client.call_tool("get_task", {"task_id": 2})
        assert result.data.id == 2  # no access token in memory: get_access_token() is None
        assert (await client.call_tool("names", {})).structured_content == {"result": ["a"]}
        assert (await client.call_tool("headers", {})).data == {}

        failure = await client.call_tool("typed_failure", {}, raise_on_error=False)
        assert failure.is_error and failure.content[0].text == '{"error_type": "not_found_error"}'
        crash = await client.call_tool("crash", {}, raise_on_error=False)
        assert crash.content[0].text == "Error calling tool 'crash'"
        invalid = await client.call_tool("get_task", {"task_id": 0}, raise_on_error=False)
        assert invalid.is_error and "validation error" in invalid.content[0].text
        with pytest.raises(ToolError):
            await client.call_tool("typed_failure", {})


async def test_http_auth_identity_and_custom_routes():
    key = RSAKeyPair.generate()
    mcp = server()
    mcp.auth = JWTVerifier(public_key=key.public_key, issuer=ISSUER, audience=AUDIENCE)

    @mcp.tool
    def whoami() -> dict[str, Any]:
        token = get_access_token()
        return {"sub": token.claims["sub"], "client_id": token.client_id, "scopes": token.scopes}

    @mcp.custom_route("/health", methods=["GET"])
    async def health(request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async with run_server_async(mcp) as url:
        assert url.endswith("/mcp")
        token = key.create_token(subject="alice", issuer=ISSUER, audience=AUDIENCE, scopes=["read"])
        async with Client(url, auth=BearerAuth(token)) as client:
            assert (await client.call_tool("whoami", {})).data == {
                "sub": "alice",
                "client_id": "alice",
                "scopes": ["read"],
            }
        async with httpx2.AsyncClient() as http:
            rejected = await http.post(url, json={}, headers={"Authorization": "Bearer not-a-jwt"})
            assert rejected.status_code == 401
            assert rejected.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
            assert (await http.get(url.removesuffix("/mcp") + "/health")).status_code == 200


async def test_a_jwt_without_subject_or_client_id_is_client_unknown():
    key = RSAKeyPair.generate()
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60}
    token = jwt.encode(claims, key.private_key.get_secret_value(), algorithm="RS256")
    verified = await JWTVerifier(public_key=key.public_key, issuer=ISSUER, audience=AUDIENCE).verify_token(
        token
    )
    assert verified.client_id == "unknown"
    assert inspect.signature(JWTVerifier.__init__).parameters["jwks_uri"].default is None


async def test_static_tokens_become_the_claims():
    entry = {"client_id": "bob", "sub": "bob", "scopes": ["read"], "org_id": "acme"}
    verified = await StaticTokenVerifier(tokens={"dev-token": entry}).verify_token("dev-token")
    assert verified.client_id == "bob" and verified.claims == entry
    assert await StaticTokenVerifier(tokens={"dev-token": entry}).verify_token("other") is None


def test_run_options_and_stateless_http_setting(monkeypatch):
    run_http = inspect.signature(FastMCP.run_http_async).parameters
    for name in ("host", "port", "path", "uvicorn_config", "stateless_http", "show_banner"):
        assert name in run_http
    assert "stateless_http" in inspect.signature(FastMCP.http_app).parameters
    monkeypatch.setenv("FASTMCP_STATELESS_HTTP", "true")
    assert FastMCPSettings().stateless_http is True


def test_logging_capability_is_deprecated_upstream():
    from mcp.server.session import ServerSession

    assert "2026-07-28" in ServerSession.send_log_message.__deprecated__


def test_fastmcp_brings_httpx2_not_httpx():
    requirements = importlib.metadata.requires("fastmcp-slim") or []
    assert any(r.startswith("httpx2") for r in requirements)
    assert not any(r.split(">")[0].split("=")[0].split(";")[0].strip() == "httpx" for r in requirements)
