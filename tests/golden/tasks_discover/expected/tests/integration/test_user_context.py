"""Over real HTTP: the caller is whoever the verified token says, never a tool argument, and the MCP client's
token never reaches the backend."""

import logging

import httpx2
import pytest
from fastmcp import Client
from fastmcp.client.auth import BearerAuth
from fastmcp.server.auth.providers.jwt import RSAKeyPair

from src.identity import IDENTITY_HEADERS
from tests.support import (
    ALL_SCOPES,
    AUDIENCE,
    ISSUER,
    PROBE_ARGUMENTS,
    PROBE_TOOL,
    queue_probe_reply,
)

FORGED = "mallory"


def token_for(key: RSAKeyPair, user: str) -> str:
    # Every claim an identity header reads gets a value that names the user, so a mix-up shows.
    claims = {claim: f"{claim}-of-{user}" for _, claim in IDENTITY_HEADERS if claim != "sub"}
    return key.create_token(
        subject=user,
        issuer=ISSUER,
        audience=AUDIENCE,
        scopes=ALL_SCOPES,
        additional_claims=claims or None,
    )


def expected_identity(user: str) -> dict[str, str]:
    return {
        header: user if claim == "sub" else f"{claim}-of-{user}"
        for header, claim in IDENTITY_HEADERS
    }


async def call_probe(url: str, token: str, **extra: object):
    async with Client(url, auth=BearerAuth(token)) as client:
        return await client.call_tool(
            PROBE_TOOL, {**extra, **PROBE_ARGUMENTS}, raise_on_error=False
        )


def audited_users(caplog: pytest.LogCaptureFixture) -> list[str | None]:
    return [
        record.user_id for record in caplog.records if getattr(record, "event", None) == "tool_call"
    ]


async def post_initialize(url: str, token: str | None = None) -> httpx2.Response:
    headers = {"Accept": "application/json, text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    message = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    async with httpx2.AsyncClient() as http:
        return await http.post(url, json=message, headers=headers)


async def test_a_request_without_a_token_gets_401(server_url, backend_mock):
    response = await post_initialize(server_url)

    assert response.status_code == 401
    assert backend_mock.requests == []


async def test_a_token_signed_by_another_key_gets_401(server_url, backend_mock):
    impostor = token_for(RSAKeyPair.generate(), "alice")

    response = await post_initialize(server_url, impostor)

    assert response.status_code == 401
    assert backend_mock.requests == []


async def test_health_answers_without_a_token(server_url):
    async with httpx2.AsyncClient() as http:
        response = await http.get(server_url.removesuffix("/mcp") + "/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_the_backend_sees_the_token_user_and_never_the_token(
    server_url, backend_mock, signing_key, service_token, caplog
):
    caplog.set_level(logging.INFO)
    token = token_for(signing_key, "alice")
    queue_probe_reply(backend_mock)

    result = await call_probe(server_url, token)

    assert not result.is_error, result.content
    request = backend_mock.last
    for header, value in expected_identity("alice").items():
        assert request.headers[header] == value
    assert token not in str(request.url)
    assert token.encode() not in request.content
    assert all(token not in value for value in request.headers.values())
    assert request.headers["Authorization"] == f"Bearer {service_token}"
    assert audited_users(caplog) == ["alice"]


async def test_each_caller_is_seen_as_themselves(server_url, backend_mock, signing_key, caplog):
    caplog.set_level(logging.INFO)
    for user in ("alice", "bob"):
        queue_probe_reply(backend_mock)
        result = await call_probe(server_url, token_for(signing_key, user))
        assert not result.is_error, result.content

    alice, bob = backend_mock.requests
    for header, value in expected_identity("alice").items():
        assert alice.headers[header] == value
    for header, value in expected_identity("bob").items():
        assert bob.headers[header] == value
    assert audited_users(caplog) == ["alice", "bob"]


async def test_a_tool_argument_cannot_change_the_caller(
    server_url, backend_mock, signing_key, caplog
):
    caplog.set_level(logging.INFO)
    queue_probe_reply(backend_mock)
    forged = {
        "user_id": FORGED,
        "x_user_id": FORGED,
        "X-User-ID": FORGED,
        "sub": FORGED,
        "org_id": FORGED,
    }

    result = await call_probe(server_url, token_for(signing_key, "alice"), **forged)

    if result.is_error:
        # Refused for its unknown arguments, before anything reached the backend.
        assert backend_mock.requests == []
    else:
        for header, value in expected_identity("alice").items():
            assert backend_mock.last.headers[header] == value
        assert all(FORGED not in value for value in backend_mock.last.headers.values())
        assert audited_users(caplog) == ["alice"]
