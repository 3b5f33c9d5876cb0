"""Logging never fails and never leaks: short credentials are redacted too, a "%" in text that reaches a log
format (a server name, say) breaks nothing, and a failing record is never dumped with its raw arguments."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastmcp import Client, FastMCP

from src.logs import JsonFormatter, StderrHandler, configure_logging, protect

SHORT_SECRET = "Qz7x9"
TITLE_WITH_PERCENT = "100% %s %(x)s"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """What the server's own logging, at DEBUG, writes to stderr; put back as it was afterwards."""
    names = ("", "fastmcp", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx2", "httpcore2")
    loggers = [logging.getLogger(name) for name in names]
    saved = [(logger, logger.level, logger.handlers[:], logger.propagate) for logger in loggers]
    configure_logging("DEBUG")
    written = io.StringIO()
    (handler,) = logging.getLogger().handlers
    handler.setStream(written)
    yield written
    for logger, level, handlers, propagate in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate


def json_lines(text: str) -> list[dict]:
    """Every stderr line, each of which must be one JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_short_secret_is_redacted_where_it_stands_alone(json_logs):
    protect(SHORT_SECRET)
    logger = logging.getLogger("httpcore2.http11")

    logger.debug("send_request_headers.started headers=[(b'x-api-key', b'%s')]", SHORT_SECRET)
    logger.debug("GET https://backend.example/items?key=%s&limit=5", SHORT_SECRET)
    logger.debug("an unrelated word: %sboard", SHORT_SECRET)

    lines = json_lines(json_logs.getvalue())
    assert SHORT_SECRET not in lines[0]["message"]
    assert SHORT_SECRET not in lines[1]["message"]
    # Inside a longer word it is not the credential, and the line stays readable.
    assert lines[2]["message"] == f"an unrelated word: {SHORT_SECRET}board"


def test_a_connection_string_password_is_redacted(json_logs):
    logging.getLogger("app").warning(
        "pool failed for %s", "postgresql://app:hunter2-db@db.internal/prod"
    )

    (line,) = json_lines(json_logs.getvalue())
    assert "hunter2-db" not in line["message"]
    assert "postgresql://app:[REDACTED]@db.internal/prod" in line["message"]


def test_a_percent_in_a_format_breaks_nothing_and_leaks_nothing(json_logs):
    # FastMCP's own line, with a server name pasted into its format.
    logging.getLogger("fastmcp.server").debug(
        f"[{TITLE_WITH_PERCENT}] Handler called: call_tool %s with %s",
        "get_thing",
        {"password": "hunter2-arg"},
    )

    err = json_logs.getvalue()
    assert "Logging error" not in err
    assert "hunter2-arg" not in err
    (line,) = json_lines(err)
    assert line["level"] == "DEBUG"
    assert "get_thing" in line["message"]


async def test_a_server_named_with_percent_logs_tool_calls_at_debug(json_logs):
    server = FastMCP(TITLE_WITH_PERCENT)

    @server.tool
    def echo(password: str) -> str:
        return "ok"

    async with Client(server) as client:
        result = await client.call_tool("echo", {"password": "hunter2-arg"})

    assert result.data == "ok"
    err = json_logs.getvalue()
    assert "Logging error" not in err
    assert "hunter2-arg" not in err
    lines = json_lines(err)
    assert any(
        "call_tool" in line["message"] and TITLE_WITH_PERCENT in line["message"] for line in lines
    )


def test_the_formatter_never_fails_on_a_record():
    record = logging.makeLogRecord(
        {"msg": "%s and %s", "args": ("one",), "levelname": "INFO", "name": "x"}
    )
    record.unprintable = type("Unprintable", (), {"__str__": lambda self: 1 / 0})()

    line = json.loads(JsonFormatter().format(record))

    assert line["level"] == "INFO"


def test_a_failing_record_is_reported_without_its_arguments():
    stream = io.StringIO()
    handler = StderrHandler(stream)
    record = logging.makeLogRecord({"msg": "token %s", "args": ("hunter2-token",), "name": "app"})

    try:
        raise OSError("disk full")
    except OSError:
        handler.handleError(record)

    assert "hunter2-token" not in stream.getvalue()
    assert json.loads(stream.getvalue())["message"] == "a log record from app could not be written"
