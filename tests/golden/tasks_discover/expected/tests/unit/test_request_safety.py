"""What the backend client refuses to send, and what it refuses to read: path values that would reach other
endpoints, header values HTTP cannot carry, URLs too long to send, and answers too large to hold.

Each refusal is a validation_error (or, for a too-large answer, a backend_error) before any retry.
"""

import gzip
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import unquote

import httpx2
import pytest

from src.client import Backend, get_backend, set_backend
from src.config import Settings, get_settings
from src.identity import ENCODED_PREFIX, IDENTITY_HEADERS, Caller, current_caller, header_safe
from src.invoke import Operation
from src.schemas.errors import BackendError

GET_THING = Operation(tool="get_thing", method="GET", path="/things/{thing_id}")
LIST_THINGS = Operation(tool="list_things", method="GET", path="/things")
GET_FILE = Operation(
    tool="get_file", method="GET", path="/repos/{repo}/files/{path}", reserved_path=("path",)
)


async def send(
    operation: Operation, caller: Caller | None = None, **arguments: Any
) -> httpx2.Response:
    return await get_backend().send(
        operation, caller or current_caller(get_settings()), **arguments
    )


async def failure(operation: Operation, **arguments: Any) -> BackendError:
    with pytest.raises(BackendError) as caught:
        await send(operation, **arguments)
    return caught.value


def raw_path(request: httpx2.Request) -> bytes:
    return request.url.raw_path.partition(b"?")[0]


def decode_identity(value: str) -> str:
    """What a backend does with an identity header (docs/runtime-contract.md of mcpgen describes it)."""
    if value[: len(ENCODED_PREFIX)].upper() == ENCODED_PREFIX:
        return unquote(value[len(ENCODED_PREFIX) :], errors="strict")
    return value


# Path parameters


@pytest.mark.parametrize(
    "value",
    ["x/admin", "x\\admin", "x%2Fadmin", "x%2fadmin", "x%5Cadmin", "%2E%2E", "../admin", "/"],
)
async def test_a_path_value_that_would_change_the_path_is_refused(backend_mock, value):
    error = await failure(GET_THING, path={"thing_id": value})

    assert error.error_type == "validation_error"
    assert error.details["fields"][0]["field"] == "thing_id"
    assert error.details["fields"][0]["location"] == "path"
    assert backend_mock.requests == []


async def test_query_and_fragment_characters_stay_inside_the_value(backend_mock):
    await send(GET_THING, path={"thing_id": "x?admin=1#top\x00"})

    request = backend_mock.last
    assert raw_path(request).endswith(b"/things/x%3Fadmin%3D1%23top%00")
    assert "admin" not in request.url.params
    assert request.url.fragment == ""


async def test_a_path_style_parameter_keeps_its_slashes(backend_mock):
    await send(GET_FILE, path={"repo": "docs", "path": "guide/intro v2.md"})

    assert raw_path(backend_mock.last).endswith(b"/repos/docs/files/guide/intro%20v2.md")


@pytest.mark.parametrize(
    "value", ["guide/../../admin", "/etc/passwd", "guide//intro", "./intro", "guide\\intro"]
)
async def test_a_path_style_parameter_cannot_climb_or_escape(backend_mock, value):
    error = await failure(GET_FILE, path={"repo": "docs", "path": value})

    assert error.error_type == "validation_error"
    assert error.details["fields"][0]["field"] == "path"
    assert backend_mock.requests == []


async def test_only_the_listed_parameter_is_path_style(backend_mock):
    error = await failure(GET_FILE, path={"repo": "docs/admin", "path": "intro.md"})

    assert error.details["fields"][0]["field"] == "repo"
    assert backend_mock.requests == []


# Header values


@pytest.mark.parametrize(
    "value",
    [
        "José",
        "line\r\nX-Injected: yes",
        "line\nbreak",
        " leading",
        "trailing ",
        "nul\x00",
        "tab\tinside\x7f",
    ],
)
async def test_a_header_argument_http_cannot_carry_is_refused_without_any_attempt(
    backend_mock, value
):
    error = await failure(LIST_THINGS, headers={"X-Request-Note": value})

    assert error.error_type == "validation_error"
    assert error.details["fields"] == [
        {
            "field": "X-Request-Note",
            "location": "header",
            "message": error.details["fields"][0]["message"],
        }
    ]
    assert backend_mock.requests == []


async def test_a_header_argument_with_inner_spaces_is_sent(backend_mock):
    await send(LIST_THINGS, headers={"X-Request-Note": "two words", "X-Empty": ""})

    assert backend_mock.last.headers["X-Request-Note"] == "two words"


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("alice", "alice"),
        ("alice@example.com", "alice@example.com"),
        ("José", "UTF-8''Jos%C3%A9"),
        ("用户", "UTF-8''%E7%94%A8%E6%88%B7"),
        ("a\r\nX-Injected: yes", "UTF-8''a%0D%0AX-Injected%3A%20yes"),
        (" padded ", "UTF-8''%20padded%20"),
        # A plain value that looks encoded is encoded too, or it could pass for another user.
        ("UTF-8''alice", "UTF-8''UTF-8%27%27alice"),
        ("utf-8''alice", "UTF-8''utf-8%27%27alice"),
    ],
)
def test_identity_values_are_sent_plain_or_encoded_without_ambiguity(value, sent):
    assert header_safe(value) == sent
    assert decode_identity(header_safe(value)) == value


async def test_a_non_ascii_caller_reaches_the_backend_encoded(backend_mock, caplog):
    caplog.set_level(logging.INFO)
    caller = Caller(user_id="Zoë 用户", org_id="Café\r\nCorp", claims={})

    await send(GET_THING, caller=caller, path={"thing_id": 1})

    request = backend_mock.last
    for header, claim in IDENTITY_HEADERS:
        value = caller.claim(claim)
        if value is not None:
            assert request.headers[header].startswith(ENCODED_PREFIX)
            assert decode_identity(request.headers[header]) == value
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


# URL length


async def test_a_query_too_long_for_a_url_is_refused_before_sending(backend_mock):
    error = await failure(LIST_THINGS, query={"q": "x" * 70_000, "limit": 10})

    assert error.error_type == "validation_error"
    assert error.details["fields"][0]["field"] == "q"
    assert error.details["fields"][0]["location"] == "query"
    assert backend_mock.requests == []


# Answer size


class Chunks:
    """A streamed answer body that counts how many of its chunks were read."""

    def __init__(self, count: int, size: int) -> None:
        self.count = count
        self.size = size
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.read += 1
            yield b"x" * self.size


@pytest.fixture
def limited(settings: Settings) -> Iterator[tuple[list[httpx2.Response], list[httpx2.Request]]]:
    """A backend capped at 64 KB whose answers the test queues; the requests it received."""
    answers: list[httpx2.Response] = []
    received: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        received.append(request)
        return answers.pop(0)

    async def no_wait(seconds: float) -> None:
        pass

    capped = settings.model_copy(update={"max_response_bytes": 64 * 1024})
    set_backend(Backend(capped, transport=httpx2.MockTransport(handle), sleep=no_wait))
    yield answers, received
    set_backend(None)


async def test_an_answer_over_the_limit_is_refused_and_left_unread(limited):
    answers, received = limited
    body = Chunks(count=1000, size=16 * 1024)  # 16 MB
    answers.append(httpx2.Response(200, content=body))

    error = await failure(GET_THING, path={"thing_id": 1})

    assert error.error_type == "backend_error"
    assert "MAX_RESPONSE_BYTES" in error.message
    assert error.details["max_response_bytes"] == 64 * 1024
    assert body.read < 10
    assert len(received) == 1  # the same request would get the same answer: not retried


async def test_an_answer_declared_over_the_limit_is_refused_before_reading(limited):
    answers, _ = limited
    body = Chunks(count=10, size=1024)
    answers.append(httpx2.Response(200, headers={"Content-Length": str(10**9)}, content=body))

    error = await failure(GET_THING, path={"thing_id": 1})

    assert error.error_type == "backend_error"
    assert "MAX_RESPONSE_BYTES" in error.message
    assert body.read == 0


async def test_an_answer_within_the_limit_is_read_whole_and_decoded(limited):
    answers, _ = limited
    payload = {"items": ["x" * 100] * 100}
    answers.append(
        httpx2.Response(
            200,
            headers={"Content-Encoding": "gzip"},
            content=gzip.compress(json.dumps(payload).encode()),
        )
    )

    response = await send(GET_THING, path={"thing_id": 1})

    assert response.json() == payload


async def test_a_huge_error_answer_is_still_reported(limited):
    answers, _ = limited
    for _ in range(3):
        answers.append(httpx2.Response(500, content=Chunks(count=1000, size=16 * 1024)))

    error = await failure(GET_THING, path={"thing_id": 1})

    assert error.error_type == "backend_error"
    assert error.status_code == 500
    assert len(error.details["backend_body"]) < 600
