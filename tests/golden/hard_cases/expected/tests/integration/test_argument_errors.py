"""Arguments FastMCP refuses before a tool runs are reported like every other failure: ErrorResponse JSON with
error_type validation_error and one entry per field, never pydantic's own text."""

from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Annotated, Any

import pytest
from fastmcp import Client, FastMCP
from pydantic import Field

from src.schemas.errors import ErrorResponse
from src.serving import lifespan
from tests.support import PROBE_ARGUMENTS, PROBE_TOOL


class Priority(StrEnum):
    LOW = "low"
    HIGH = "high"


@pytest.fixture
async def tasks() -> AsyncIterator[Client]:
    """A server shaped like the generated one (same lifespan, errors masked), with constrained arguments."""
    server = FastMCP("tasks", lifespan=lifespan, mask_error_details=True)

    @server.tool
    async def create_task(
        title: Annotated[str, Field(min_length=1, max_length=20)],
        estimate: int = 1,
        priority: Priority = Priority.LOW,
    ) -> dict[str, Any]:
        return {"title": title, "estimate": estimate, "priority": priority}

    @server.tool
    async def broken() -> str:
        raise RuntimeError("the database password is hunter2")

    async with Client(server) as client:
        yield client


async def refused(client: Client, tool: str, arguments: dict[str, Any]) -> ErrorResponse:
    result = await client.call_tool(tool, arguments, raise_on_error=False)
    assert result.is_error
    text = result.content[0].text
    assert "errors.pydantic.dev" not in text
    return ErrorResponse.model_validate_json(text)


@pytest.mark.parametrize(
    ("arguments", "field", "kind"),
    [
        ({"title": ""}, "title", "string_too_short"),
        ({"title": "x" * 21}, "title", "string_too_long"),
        ({"title": "Buy milk", "estimate": "soon"}, "estimate", "int_parsing"),
        ({"title": ["not", "a", "string"]}, "title", "string_type"),
        ({}, "title", "missing_argument"),
        ({"title": "Buy milk", "priority": "urgent"}, "priority", "enum"),
        ({"title": "Buy milk", "owner": "mallory"}, "owner", "unexpected_keyword_argument"),
    ],
)
async def test_refused_arguments_are_typed_validation_errors(tasks, arguments, field, kind):
    error = await refused(tasks, "create_task", arguments)

    assert error.error_type == "validation_error"
    assert [
        (item["field"], item["location"], item["type"]) for item in error.details["fields"]
    ] == [(field, "argument", kind)]
    assert error.details["fields"][0]["message"]
    assert field in error.message
    assert error.suggestions


async def test_the_values_sent_are_not_echoed(tasks):
    error = await refused(
        tasks, "create_task", {"title": "Buy milk", "estimate": "sk-live-4f9a8b7c6d5e"}
    )

    assert "sk-live-4f9a8b7c6d5e" not in error.model_dump_json()


async def test_every_refused_field_is_listed(tasks):
    error = await refused(
        tasks, "create_task", {"title": "", "estimate": "soon", "priority": "urgent"}
    )

    assert {item["field"] for item in error.details["fields"]} == {"title", "estimate", "priority"}
    assert error.details["count"] == 3


async def test_an_unknown_tool_is_a_validation_error(tasks):
    error = await refused(tasks, "delete_everything", {})

    assert error.error_type == "validation_error"
    assert "delete_everything" in error.message


async def test_a_huge_tool_name_is_not_echoed_whole(tasks):
    # A caller may send megabytes: what the error repeats must not flood the assistant's context.
    error = await refused(tasks, "x" * 1_000_000, {})

    assert error.error_type == "validation_error"
    assert len(error.model_dump_json()) < 4_000


async def test_an_unexpected_failure_is_typed_and_tells_nothing_internal(tasks):
    error = await refused(tasks, "broken", {})

    assert error.error_type == "backend_error"
    assert "hunter2" not in error.model_dump_json()


async def test_this_servers_tools_refuse_unknown_arguments_before_any_request(client, backend_mock):
    result = await client.call_tool(
        PROBE_TOOL, {**PROBE_ARGUMENTS, "zz_not_an_argument": 1}, raise_on_error=False
    )

    assert result.is_error
    error = ErrorResponse.model_validate_json(result.content[0].text)
    assert error.error_type == "validation_error"
    assert [item["field"] for item in error.details["fields"]] == ["zz_not_an_argument"]
    assert backend_mock.requests == []
