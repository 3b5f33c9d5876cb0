"""No credential appears in any log record, at any level, from any library, on success or failure."""

import logging
from collections.abc import Iterator

import pytest
from fastmcp import Client
from fastmcp.client.auth import BearerAuth

from src.logs import JsonFormatter, protect
from tests.support import (
    ALL_SCOPES,
    AUDIENCE,
    ISSUER,
    PROBE_ARGUMENTS,
    PROBE_OPERATION,
    PROBE_STATUS,
    PROBE_TOOL,
    queue_probe_reply,
)


class Capture(logging.Handler):
    """Every record, and every record as the server's JSON formatter writes it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []
        self.formatter_ = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.formatter_.format(record))

    def text(self) -> str:
        rendered = [
            f"{record.getMessage()} {record.exc_text or ''} {vars(record)}"
            for record in self.records
        ]
        return "\n".join(self.lines + rendered)


@pytest.fixture
def captured() -> Iterator[Capture]:
    capture = Capture()
    root = logging.getLogger()
    names = ("fastmcp", "mcp", "httpx2", "httpcore2", "uvicorn", "uvicorn.error", "uvicorn.access")
    loggers = [root, *(logging.getLogger(name) for name in names)]
    saved = [(logger, logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        # FastMCP keeps its records to its own handler unless told otherwise.
        logger.propagate = True
    root.addHandler(capture)
    yield capture
    root.removeHandler(capture)
    for logger, level, propagate in saved:
        logger.setLevel(level)
        logger.propagate = propagate


def secrets_in(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


async def test_no_credential_is_logged_on_success_or_failure(
    server_url, backend_mock, signing_key, service_token, captured
):
    token = signing_key.create_token(
        subject="alice", issuer=ISSUER, audience=AUDIENCE, scopes=ALL_SCOPES
    )
    # The JWT's payload alone is enough to show that a token leaked, even when a message was cut short.
    secrets = [token, token.split(".")[1], *([service_token] if service_token else [])]
    echoed = " ".join(f"Bearer {secret}" for secret in [*secrets[2:], token])
    queue_probe_reply(backend_mock)
    # A careless backend that echoes credentials into its errors.
    backend_mock.reply(401, json={"detail": f"bad credentials: {echoed}"})
    for _ in range(3):
        backend_mock.reply(500, text="Traceback ... headers=" + repr({"authorization": echoed}))

    async with Client(server_url, auth=BearerAuth(token)) as client:
        succeeded = await client.call_tool(PROBE_TOOL, PROBE_ARGUMENTS, raise_on_error=False)
        rejected = await client.call_tool(PROBE_TOOL, PROBE_ARGUMENTS, raise_on_error=False)
        crashed = await client.call_tool(PROBE_TOOL, PROBE_ARGUMENTS, raise_on_error=False)

    assert not succeeded.is_error, succeeded.content
    assert rejected.is_error and crashed.is_error
    assert secrets_in(rejected.content[0].text + crashed.content[0].text, secrets) == []
    # The capture saw the whole stack at DEBUG, so its silence about secrets means something.
    loggers = {record.name for record in captured.records}
    assert any(name.startswith(("httpcore2", "httpx2")) for name in loggers)
    assert any(name.startswith("fastmcp") or name.startswith("mcp") for name in loggers)
    assert secrets_in(captured.text(), secrets) == []


async def test_tool_calls_are_audited(client, backend_mock, captured):
    queue_probe_reply(backend_mock)
    backend_mock.reply(404, json={"detail": "gone"})

    await client.call_tool(PROBE_TOOL, PROBE_ARGUMENTS, raise_on_error=False)
    await client.call_tool(PROBE_TOOL, PROBE_ARGUMENTS, raise_on_error=False)

    audits = [
        record for record in captured.records if getattr(record, "event", None) == "tool_call"
    ]
    assert [(record.tool, record.user_id, record.outcome) for record in audits] == [
        (PROBE_OPERATION, "alice", "success"),
        (PROBE_OPERATION, "alice", "not_found_error"),
    ]
    assert all(record.duration_ms >= 0 for record in audits)
    calls = [
        record for record in captured.records if getattr(record, "event", None) == "backend_call"
    ]
    assert [record.status_code for record in calls] == [PROBE_STATUS, 404]
    line = captured.lines[captured.records.index(calls[0])]
    for field in (
        "timestamp",
        "endpoint",
        "method",
        "status_code",
        "user_id",
        "duration_ms",
        "attempt",
    ):
        assert f'"{field}"' in line


def test_redaction_covers_messages_arguments_and_tracebacks(captured, service_token):
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
    secret = service_token or "opaque-dev-token-0123456789"
    protect(secret)
    logger = logging.getLogger("httpx2")

    logger.debug("Authorization: Bearer %s", secret)
    logger.debug("headers %r", {"authorization": f"Bearer {jwt}", "x-api-key": secret})
    logger.info("GET https://backend.example/items?api_key=%s", secret)
    try:
        raise RuntimeError(f"request failed with token {secret}")
    except RuntimeError:
        logger.exception("backend failed")

    assert len(captured.records) == 4
    assert secrets_in(captured.text(), [secret, jwt]) == []
    assert "[REDACTED]" in captured.lines[0]


def test_redaction_keeps_the_arguments_formatters_unpack(captured):
    # uvicorn's access formatter unpacks record.args; redaction must leave them a tuple of the same length.
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/health", "1.1", 200
    )

    record = captured.records[-1]
    assert record.args == ("127.0.0.1:5000", "GET", "/health", "1.1", 200)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /health HTTP/1.1" 200'
