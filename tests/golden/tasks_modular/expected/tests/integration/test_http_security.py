"""Over real HTTP, served as `run()` serves: tokens must carry sound time claims, requests must name an
allowed Host (DNS rebinding), and settings that cannot work stop the server at start."""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx2
import pytest
from fastmcp.server.auth.providers.jwt import RSAKeyPair
from fastmcp.utilities.http import find_available_port
from joserfc import jwt
from joserfc.jwk import RSAKey

from src.config import get_settings, reset_settings
from src.identity import build_auth
from src.logs import REDACTED
from src.server import mcp
from src.serving import http_options, run

ISSUER = "https://issuer.test"
AUDIENCE = "mcp-server-tests"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}


@pytest.fixture(scope="module")
def signing_key() -> RSAKeyPair:
    return RSAKeyPair.generate()


def configure(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    monkeypatch.setenv("MCP_TRANSPORT", "http")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_settings()


@asynccontextmanager
async def serving(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The server on a free loopback port, with the auth and options `run()` gives it; its base URL."""
    settings = get_settings().model_copy(update={"mcp_port": find_available_port()})
    monkeypatch.setattr(mcp, "auth", build_auth(settings))
    task = asyncio.create_task(mcp.run_http_async(**http_options(settings)))
    try:
        for _ in range(500):
            if task.done():
                task.result()  # a server that failed to start says why
            try:
                _, writer = await asyncio.open_connection(settings.mcp_host, settings.mcp_port)
            except OSError:
                await asyncio.sleep(0.01)
            else:
                writer.close()
                break
        yield f"http://{settings.mcp_host}:{settings.mcp_port}"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def post_initialize(base: str, token: str | None = None, **headers: str) -> httpx2.Response:
    sent = {"Accept": "application/json, text/event-stream", **headers}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    async with httpx2.AsyncClient() as http:
        return await http.post(base + "/mcp", json=INITIALIZE, headers=sent)


def signed(key: RSAKeyPair, **claims: object) -> str:
    """A token with exactly these claims (None leaves one out): RSAKeyPair.create_token always sets exp."""
    now = int(time.time())
    payload = {
        "sub": "alice",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    private = RSAKey.import_key(key.private_key.get_secret_value())
    return jwt.encode(
        {"alg": "RS256"},
        {name: value for name, value in payload.items() if value is not None},
        private,
    )


# JWT time claims


@pytest.fixture
async def jwt_server(
    monkeypatch: pytest.MonkeyPatch, signing_key: RSAKeyPair, backend_mock
) -> AsyncIterator[str]:
    configure(
        monkeypatch,
        MCP_JWT_PUBLIC_KEY=signing_key.public_key,
        MCP_JWT_ISSUER=ISSUER,
        MCP_JWT_AUDIENCE=AUDIENCE,
    )
    async with serving(monkeypatch) as base:
        yield base


async def test_a_sound_token_is_accepted(jwt_server, signing_key):
    now = int(time.time())
    # Within the 60-second leeway: the issuer's clock may run a little ahead of this server's.
    token = signed(signing_key, nbf=now + 30, iat=now + 30)

    assert (await post_initialize(jwt_server, token)).status_code == 200


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param(lambda now: {"exp": None}, id="no-exp"),
        pytest.param(lambda now: {"exp": str(now + 600)}, id="exp-not-a-number"),
        pytest.param(lambda now: {"exp": now - 120}, id="expired"),
        pytest.param(lambda now: {"nbf": now + 600}, id="not-valid-yet"),
        pytest.param(lambda now: {"iat": now + 600}, id="issued-in-the-future"),
        pytest.param(lambda now: {"iat": "yesterday"}, id="iat-not-a-number"),
    ],
)
async def test_a_token_with_unsound_time_claims_gets_401(
    jwt_server, signing_key, backend_mock, claims
):
    token = signed(signing_key, **claims(int(time.time())))

    response = await post_initialize(jwt_server, token)

    assert response.status_code == 401
    assert backend_mock.requests == []


# Host and Origin


@pytest.fixture
async def anonymous_server(monkeypatch: pytest.MonkeyPatch, backend_mock) -> AsyncIterator[str]:
    configure(
        monkeypatch,
        MCP_ALLOW_ANONYMOUS="true",
        MCP_ALLOWED_HOSTS="mcp.example.com, *.internal.example",
    )
    async with serving(monkeypatch) as base:
        yield base


async def test_the_servers_own_host_is_served(anonymous_server):
    assert (await post_initialize(anonymous_server)).status_code == 200


@pytest.mark.parametrize(
    "host", ["mcp.example.com", "mcp.example.com:443", "api.internal.example", "localhost:1"]
)
async def test_allowed_hosts_are_served(anonymous_server, host):
    assert (await post_initialize(anonymous_server, Host=host)).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "mcp.example.com.evil.example", "10.0.0.1"]
)
async def test_a_forged_host_is_refused_before_mcp(anonymous_server, backend_mock, host):
    response = await post_initialize(anonymous_server, Host=host)

    assert response.status_code == 421
    assert backend_mock.requests == []


async def test_a_foreign_browser_origin_is_refused(anonymous_server):
    response = await post_initialize(anonymous_server, Origin="http://evil.example")

    assert response.status_code == 403


async def test_arguments_nested_too_deep_get_a_typed_answer(anonymous_server, backend_mock):
    nested = '{"x": ' * 100_000 + "1" + "}" * 100_000
    body = (
        '{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "t", "arguments": '
        + nested
        + "}}"
    )
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with httpx2.AsyncClient() as http:
        response = await http.post(anonymous_server + "/mcp", content=body, headers=headers)

    # A JSON-RPC parse error, not a plain-text 500 from a parser that ran out of stack.
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700
    assert backend_mock.requests == []


async def test_health_answers_whatever_the_host(anonymous_server):
    async with httpx2.AsyncClient() as http:
        response = await http.get(anonymous_server + "/health", headers={"Host": "10.1.2.3:8000"})

    assert response.status_code == 200


async def test_a_forged_host_is_refused_with_a_valid_token_too(jwt_server, signing_key):
    response = await post_initialize(jwt_server, signed(signing_key), Host="evil.example")

    assert response.status_code == 421


# Refusing to start


@pytest.fixture
def json_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """`run()` sets up the server's logging; it is put back as it was afterwards."""
    names = ("", "fastmcp", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx2", "httpcore2")
    loggers = [logging.getLogger(name) for name in names]
    saved = [(logger, logger.level, logger.handlers[:], logger.propagate) for logger in loggers]
    yield capfd
    for logger, level, handlers, propagate in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate


def start(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """What `run()` would serve with; the server itself is not started."""
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(mcp, "auth", None)
    monkeypatch.setattr(mcp, "run", lambda **options: calls.append(options))
    run(mcp)
    (options,) = calls
    return options


def refused_start(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], **env: str
) -> str:
    configure(monkeypatch, **env)
    with pytest.raises(SystemExit) as exited:
        start(monkeypatch)
    assert exited.value.code == 2
    error_output = capfd.readouterr().err.strip()
    assert "\n" not in error_output and "Traceback" not in error_output
    return error_output


JWT_ENV = {"MCP_JWT_ISSUER": ISSUER, "MCP_JWT_AUDIENCE": AUDIENCE}
BROKEN_PEM = "-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\\n-----END PUBLIC KEY-----"


def test_a_public_key_that_cannot_be_read_stops_the_server(json_logs, monkeypatch):
    message = refused_start(monkeypatch, json_logs, MCP_JWT_PUBLIC_KEY=BROKEN_PEM, **JWT_ENV)

    assert message.startswith(
        "configuration error: MCP_JWT_PUBLIC_KEY is not a readable RSA public key"
    )


def test_a_private_key_as_public_key_stops_the_server(json_logs, monkeypatch, signing_key):
    private = signing_key.private_key.get_secret_value()

    message = refused_start(monkeypatch, json_logs, MCP_JWT_PUBLIC_KEY=private, **JWT_ENV)

    assert "holds a private key" in message
    assert "PRIVATE KEY-----\n" not in message and private.splitlines()[1] not in message


@pytest.mark.parametrize(
    "uri", ["http://issuer.example/jwks.json", "ftp://issuer.example/jwks", "jwks.json"]
)
def test_a_jwks_uri_that_is_not_https_stops_the_server(json_logs, monkeypatch, uri):
    message = refused_start(monkeypatch, json_logs, MCP_JWT_JWKS_URI=uri, **JWT_ENV)

    assert (
        message
        == "configuration error: MCP_JWT_JWKS_URI must be an https:// URL (http:// only for localhost)"
    )


@pytest.mark.parametrize(
    "uri",
    ["https://issuer.example/jwks.json", "http://localhost:8080/jwks", "http://127.0.0.1/jwks"],
)
def test_an_https_or_local_jwks_uri_is_accepted(json_logs, monkeypatch, uri):
    configure(monkeypatch, MCP_JWT_JWKS_URI=uri, **JWT_ENV)

    assert get_settings().mcp_jwt_jwks_uri == uri


def test_a_short_dev_token_stops_the_server(json_logs, monkeypatch, tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(
        json.dumps(
            {"long-enough-dev-token-1": {"user_id": "bob"}, "short-token": {"user_id": "eve"}}
        )
    )

    message = refused_start(monkeypatch, json_logs, MCP_DEV_TOKENS_FILE=str(tokens))

    assert (
        message
        == "configuration error: MCP_DEV_TOKENS_FILE entry 2: the token must be at least 16 characters"
    )
    assert "short-token" not in message


def test_anonymous_on_every_interface_is_warned_about(json_logs, monkeypatch):
    configure(monkeypatch, MCP_ALLOW_ANONYMOUS="true", MCP_HOST="0.0.0.0")

    options = start(monkeypatch)

    assert options["host"] == "0.0.0.0"
    warnings = [
        json.loads(line) for line in json_logs.readouterr().err.splitlines() if line.strip()
    ]
    assert [line["event"] for line in warnings if line["level"] == "WARNING"] == [
        "anonymous_exposed"
    ]
    assert (
        "MCP_ALLOW_ANONYMOUS" in warnings[0]["message"] and REDACTED not in warnings[0]["message"]
    )


def test_anonymous_on_loopback_is_not_warned_about(json_logs, monkeypatch):
    configure(monkeypatch, MCP_ALLOW_ANONYMOUS="true")

    start(monkeypatch)

    assert "anonymous_exposed" not in json_logs.readouterr().err
