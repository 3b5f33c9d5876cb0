"""The backend client: retries by method, Retry-After, the error taxonomy, credentials and request encoding.

These tests use operations of their own, so they hold for any API this server was generated from.
"""

import base64
import json
import logging
from collections.abc import AsyncIterator
from datetime import date
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx2
import pytest
from fastmcp import Client, Context, FastMCP
from pydantic import BaseModel, Field

from src.client import get_backend
from src.config import Settings, get_settings, reset_settings
from src.identity import current_caller
from src.invoke import Operation, invoke
from src.schemas.errors import BackendError, ErrorResponse

GET_THING = Operation(
    tool="get_thing",
    method="GET",
    path="/things/{thing_id}",
    suggestions={"not_found_error": ("Call list_things to see the ids that exist.",)},
)
LIST_THINGS = Operation(tool="list_things", method="GET", path="/things")
CREATE_THING = Operation(
    tool="create_thing",
    method="POST",
    path="/things",
    request_body="json",
    content_type="application/json",
)
DELETE_THING = Operation(
    tool="delete_thing", method="DELETE", path="/things/{thing_id}", response="empty"
)
SUBMIT_FORM = Operation(
    tool="submit_form",
    method="POST",
    path="/forms",
    request_body="form",
    content_type="application/x-www-form-urlencoded",
)
UPLOAD = Operation(
    tool="upload",
    method="POST",
    path="/files",
    request_body="multipart",
    content_type="multipart/form-data",
    files=("file", "thumbnail"),
)
PUT_BLOB = Operation(
    tool="put_blob",
    method="PUT",
    path="/blobs/{name}",
    request_body="binary",
    content_type="image/png",
)
PUT_NOTE = Operation(
    tool="put_note",
    method="PUT",
    path="/notes/{name}",
    request_body="text",
    content_type="text/plain",
)


class Thing(BaseModel):
    id: int
    display_name: str = Field(alias="displayName")
    note: str | None = None


async def send(operation: Operation, **arguments: Any) -> httpx2.Response:
    return await get_backend().send(operation, current_caller(get_settings()), **arguments)


async def failure(operation: Operation, **arguments: Any) -> BackendError:
    with pytest.raises(BackendError) as caught:
        await send(operation, **arguments)
    return caught.value


def raw_path(request: httpx2.Request) -> bytes:
    """The path exactly as sent, percent-encoding included."""
    return request.url.raw_path.partition(b"?")[0]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# Retry policy


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
async def test_idempotent_methods_are_retried_after_5xx(backend_mock, method):
    backend_mock.reply(503)
    backend_mock.reply(502)
    backend_mock.reply(200, json={"ok": True})

    response = await send(Operation(tool="thing", method=method, path="/things/1"))

    assert response.status_code == 200
    assert [request.method for request in backend_mock.requests] == [method] * 3


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_post_and_patch_are_not_retried_after_5xx(backend_mock, method):
    backend_mock.reply(503)
    backend_mock.reply(200, json={"ok": True})

    error = await failure(
        Operation(tool="thing", method=method, path="/things", request_body="json"), body={"a": 1}
    )

    assert error.error_type == "backend_error"
    assert len(backend_mock.requests) == 1


async def test_three_attempts_with_exponential_backoff(backend_mock, settings: Settings):
    backend_mock.install(settings.model_copy(update={"retry_backoff": 1.0}))
    for _ in range(4):
        backend_mock.reply(500)

    error = await failure(GET_THING, path={"thing_id": 1})

    assert error.error_type == "backend_error"
    assert len(backend_mock.requests) == 3
    assert backend_mock.sleeps == [1.0, 2.0]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_post_and_patch_are_not_sent_twice_after_a_timeout(backend_mock, method):
    backend_mock.fail(httpx2.ReadTimeout("no answer"))
    backend_mock.reply(201, json={"id": 1})

    error = await failure(
        Operation(tool="thing", method=method, path="/things", request_body="json"), body={"a": 1}
    )

    assert error.error_type == "timeout_error"
    assert len(backend_mock.requests) == 1


async def test_post_is_not_resent_when_the_connection_breaks_mid_request(backend_mock):
    backend_mock.fail(httpx2.RemoteProtocolError("Server disconnected without sending a response."))
    backend_mock.reply(201, json={"id": 1})

    error = await failure(CREATE_THING, body={"name": "x"})

    assert error.error_type == "connection_error"
    assert len(backend_mock.requests) == 1


async def test_get_is_retried_after_a_timeout(backend_mock):
    backend_mock.fail(httpx2.ReadTimeout("no answer"))
    backend_mock.reply(200, json={"id": 1})

    response = await send(GET_THING, path={"thing_id": 1})

    assert response.json() == {"id": 1}
    assert len(backend_mock.requests) == 2


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "PUT", "DELETE"])
async def test_connection_failures_are_retried_for_every_method(backend_mock, method):
    # A refused connection means the request never arrived, so even a POST is safe to send again.
    backend_mock.fail(httpx2.ConnectError("connection refused"))
    backend_mock.fail(httpx2.ConnectTimeout("no route"))
    backend_mock.reply(201, json={"id": 1})

    response = await send(Operation(tool="thing", method=method, path="/things"))

    assert response.status_code == 201
    assert len(backend_mock.requests) == 3


async def test_connection_failure_after_the_last_attempt(backend_mock):
    for _ in range(3):
        backend_mock.fail(httpx2.ConnectError("connection refused"))

    error = await failure(CREATE_THING, body={"name": "x"})

    assert error.error_type == "connection_error"
    assert len(backend_mock.requests) == 3


async def test_retry_after_is_honoured(backend_mock):
    backend_mock.reply(429, headers={"Retry-After": "7"})
    backend_mock.reply(200, json={"id": 1})

    await send(GET_THING, path={"thing_id": 1})

    assert backend_mock.sleeps == [7.0]
    assert len(backend_mock.requests) == 2


async def test_retry_after_beyond_the_cap_is_reported_not_waited(backend_mock, settings: Settings):
    too_long = settings.retry_after_cap + 60
    backend_mock.reply(429, headers={"Retry-After": f"{too_long:g}"})
    backend_mock.reply(200, json={"id": 1})

    error = await failure(GET_THING, path={"thing_id": 1})

    assert error.error_type == "rate_limit_error"
    assert error.retry_after == too_long
    assert backend_mock.sleeps == []
    assert len(backend_mock.requests) == 1


async def test_rate_limited_post_is_not_retried(backend_mock):
    backend_mock.reply(429, headers={"Retry-After": "1"})
    backend_mock.reply(201, json={"id": 1})

    error = await failure(CREATE_THING, body={"name": "x"})

    assert error.error_type == "rate_limit_error"
    assert error.retry_after == 1.0
    assert len(backend_mock.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_client_errors_are_not_retried(backend_mock, status):
    backend_mock.reply(status, json={"detail": "no"})
    backend_mock.reply(200, json={"id": 1})

    await failure(GET_THING, path={"thing_id": 1})

    assert len(backend_mock.requests) == 1


async def test_redirects_are_not_followed(backend_mock):
    # Following one could carry the server's credentials to another host.
    backend_mock.reply(307, headers={"Location": "https://elsewhere.example/collect"})

    error = await failure(GET_THING, path={"thing_id": 1})

    assert error.error_type == "backend_error"
    assert [request.url.host for request in backend_mock.requests] == [
        httpx2.URL(get_settings().backend_url).host
    ]


async def test_every_attempt_is_logged(backend_mock, caplog):
    caplog.set_level(logging.INFO)
    backend_mock.reply(503)
    backend_mock.reply(200, json={"id": 1})

    await send(GET_THING, path={"thing_id": 42})

    calls = [
        record for record in caplog.records if getattr(record, "event", None) == "backend_call"
    ]
    assert [(call.attempt, call.status_code, call.outcome) for call in calls] == [
        (1, 503, "backend_error"),
        (2, 200, "success"),
    ]
    for call in calls:
        assert call.method == "GET"
        assert call.endpoint.endswith("/things/42")
        assert call.user_id == "alice"
        assert call.duration_ms >= 0


# Error taxonomy, as the MCP client sees it


@pytest.fixture
async def things(backend_mock) -> AsyncIterator[Client]:
    """A small server whose tools call the backend through `invoke`, like the generated ones."""
    server = FastMCP("things")

    @server.tool
    async def get_thing(thing_id: str, ctx: Context) -> dict[str, Any]:
        return await invoke(ctx, GET_THING, dict[str, Any], path={"thing_id": thing_id})

    @server.tool
    async def get_typed_thing(thing_id: str, ctx: Context) -> Thing:
        return await invoke(ctx, GET_THING, Thing, path={"thing_id": thing_id})

    @server.tool
    async def delete_thing(thing_id: str, ctx: Context) -> str:
        return await invoke(ctx, DELETE_THING, None, path={"thing_id": thing_id})

    async with Client(server) as client:
        yield client


async def failed_call(client: Client, tool: str = "get_thing") -> ErrorResponse:
    result = await client.call_tool(tool, {"thing_id": "1"}, raise_on_error=False)
    assert result.is_error
    return ErrorResponse.model_validate_json(result.content[0].text)


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, "validation_error"),
        (401, "authentication_error"),
        (403, "authorization_error"),
        (404, "not_found_error"),
        (409, "conflict_error"),
        (422, "validation_error"),
        (429, "rate_limit_error"),
        (500, "backend_error"),
        (502, "backend_error"),
        (503, "backend_error"),
    ],
)
async def test_status_codes_map_to_error_types(backend_mock, things, status, error_type):
    for _ in range(3):
        backend_mock.reply(status, json={"detail": "The backend says no"})

    error = await failed_call(things)

    assert error.error_type == error_type
    assert error.details["status_code"] == status
    assert error.details["backend_message"] == "The backend says no"
    assert "The backend says no" in error.message
    assert error.suggestions


@pytest.mark.parametrize(
    ("failure_", "error_type"),
    [
        (httpx2.ReadTimeout("no answer"), "timeout_error"),
        (httpx2.ConnectError("refused"), "connection_error"),
    ],
)
async def test_transport_failures_map_to_error_types(backend_mock, things, failure_, error_type):
    for _ in range(3):
        backend_mock.fail(failure_)

    error = await failed_call(things)

    assert error.error_type == error_type
    assert error.suggestions


async def test_not_found_suggests_the_tool_that_lists_ids(backend_mock, things):
    backend_mock.reply(404, json={"detail": "Thing not found"})

    error = await failed_call(things)

    assert error.error_type == "not_found_error"
    assert error.suggestions[0] == "Call list_things to see the ids that exist."
    assert "/things/1" in error.message


async def test_rate_limit_reports_when_to_retry(backend_mock, things, settings: Settings):
    backend_mock.reply(429, headers={"Retry-After": f"{settings.retry_after_cap + 90:g}"})

    error = await failed_call(things)

    assert error.error_type == "rate_limit_error"
    assert error.details["retry_after"] == settings.retry_after_cap + 90


async def test_fastapi_validation_detail_becomes_field_errors(backend_mock, things):
    backend_mock.reply(
        422,
        json={
            "detail": [
                {"type": "missing", "loc": ["body", "title"], "msg": "Field required", "input": {}},
                {
                    "type": "string_too_short",
                    "loc": ["body", "tags", 0],
                    "msg": "Too short",
                    "input": "",
                },
                {
                    "type": "int_parsing",
                    "loc": ["query", "limit"],
                    "msg": "Not an integer",
                    "input": "ten",
                },
            ]
        },
    )

    error = await failed_call(things)

    assert error.error_type == "validation_error"
    assert error.details["fields"] == [
        {"field": "title", "location": "body", "message": "Field required", "type": "missing"},
        {"field": "tags.0", "location": "body", "message": "Too short", "type": "string_too_short"},
        {"field": "limit", "location": "query", "message": "Not an integer", "type": "int_parsing"},
    ]
    assert "title" in error.message


async def test_error_bodies_are_sanitised_and_truncated(backend_mock, things, service_token):
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
    secret = service_token or "leaked-backend-secret-value"
    backend_mock.reply(
        400, text=f"Authorization: Bearer {secret}\ncaller token {token}\n" + "stack frame\n" * 500
    )

    result = await things.call_tool("get_thing", {"thing_id": "1"}, raise_on_error=False)
    text = result.content[0].text
    error = ErrorResponse.model_validate_json(text)

    assert secret not in text
    assert token not in text
    assert "[REDACTED]" in error.details["backend_body"]
    assert len(error.details["backend_body"]) < 600
    assert len(text) < 2000


async def test_a_result_that_does_not_match_the_schema_is_a_backend_error(backend_mock, things):
    backend_mock.reply(200, json={"id": "not a number", "displayName": "Lamp"})

    error = await failed_call(things, "get_typed_thing")

    assert error.error_type == "backend_error"
    assert "does not match" in error.message
    assert any(problem.startswith("id:") for problem in error.details["problems"])


async def test_results_are_validated_by_wire_name(backend_mock, things):
    backend_mock.reply(200, json={"id": 3, "displayName": "Lamp"})

    result = await things.call_tool("get_typed_thing", {"thing_id": "3"})

    assert result.structured_content == {"id": 3, "display_name": "Lamp", "note": None}


async def test_an_empty_answer_is_confirmed(backend_mock, things):
    backend_mock.reply(204)

    result = await things.call_tool("delete_thing", {"thing_id": "9"})

    assert result.data == "delete_thing succeeded (HTTP 204)."
    assert backend_mock.last.method == "DELETE"


# Credentials and identity


async def test_requests_carry_the_credential_and_identity(backend_mock, auth_headers):
    await send(GET_THING, path={"thing_id": 1})

    request = backend_mock.last
    for name, value in auth_headers.items():
        assert request.headers[name] == value


async def test_arguments_cannot_replace_the_credential_or_identity(backend_mock, auth_headers):
    forged = {name: "forged" for name in auth_headers}

    await send(LIST_THINGS, headers=forged)

    request = backend_mock.last
    for name, value in auth_headers.items():
        assert request.headers.get_list(name) == [value]


async def test_a_call_without_a_user_is_never_sent(backend_mock, monkeypatch):
    monkeypatch.delenv("MCP_USER_ID")
    reset_settings()

    error = await failure(GET_THING, path={"thing_id": 1})

    assert error.error_type == "authentication_error"
    assert backend_mock.requests == []


# Request encoding


async def test_path_parameters_are_percent_encoded(backend_mock):
    await send(GET_THING, path={"thing_id": "a b?c#d\x00e%"})

    assert raw_path(backend_mock.last).endswith(b"/things/a%20b%3Fc%23d%00e%25")


async def test_a_dot_segment_cannot_reach_another_path(backend_mock):
    await send(GET_THING, path={"thing_id": ".."})

    assert raw_path(backend_mock.last).endswith(b"/things/%2E%2E")


async def test_an_empty_path_parameter_is_refused_before_sending(backend_mock):
    error = await failure(GET_THING, path={"thing_id": ""})

    assert error.error_type == "validation_error"
    assert backend_mock.requests == []


async def test_query_drops_none_repeats_lists_and_nests_objects(backend_mock):
    await send(
        LIST_THINGS,
        query={
            "q": None,
            "tag": ["a", "b"],
            "filter": {"state": "open", "owner": {"id": 7}},
            "exact": True,
            "limit": 10,
        },
    )

    expected = [
        ("tag", "a"),
        ("tag", "b"),
        ("filter[state]", "open"),
        ("filter[owner][id]", "7"),
        ("exact", "true"),
        ("limit", "10"),
    ]
    assert backend_mock.last.url.params.multi_items()[: len(expected)] == expected


async def test_query_fixed_in_the_spec_path_is_kept_beside_the_arguments(backend_mock):
    get_beta = Operation(tool="get_beta_thing", method="GET", path="/things/{thing_id}?beta=true")

    await send(get_beta, path={"thing_id": "7"}, query={"expand": "owner"})

    assert backend_mock.last.url.path.endswith("/things/7")
    assert backend_mock.last.url.params.multi_items()[:2] == [("beta", "true"), ("expand", "owner")]


async def test_cookies_keep_base64_and_encode_separators(backend_mock):
    await send(LIST_THINGS, cookies={"session": "ab+c/d==", "note": "a b;c", "unset": None})

    cookies = backend_mock.last.headers["Cookie"].split("; ")
    assert "session=ab+c/d==" in cookies
    assert "note=a%20b%3Bc" in cookies
    assert not any(cookie.startswith("unset=") for cookie in cookies)


async def test_json_body_uses_wire_names_and_leaves_out_none(backend_mock):
    class Part(BaseModel):
        display_name: str = Field(alias="displayName")
        note: str | None = None

    await send(
        CREATE_THING,
        body={
            "part": Part(displayName="Lamp"),
            "count": 2,
            "when": date(2026, 1, 2),
            "comment": None,
        },
    )

    request = backend_mock.last
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "part": {"displayName": "Lamp"},
        "count": 2,
        "when": "2026-01-02",
    }


async def test_form_body_is_urlencoded(backend_mock):
    await send(
        SUBMIT_FORM, body={"name": "a b", "tags": ["x", "y"], "meta": {"k": "v"}, "skip": None}
    )

    request = backend_mock.last
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.content == b"name=a+b&tags=x&tags=y&meta%5Bk%5D=v"


async def test_multipart_body_decodes_base64_files(backend_mock):
    await send(
        UPLOAD,
        body={
            "file": {
                "filename": "report.pdf",
                "content_base64": b64(b"%PDF-1.7"),
                "content_type": "application/pdf",
            },
            "thumbnail": b64(b"\x89PNG\r\n"),
            "title": "Q3",
        },
    )

    request = backend_mock.last
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + request.headers["Content-Type"].encode() + b"\r\n\r\n" + request.content
    )
    parts = {
        part.get_param("name", header="content-disposition"): part for part in message.iter_parts()
    }
    assert parts["file"].get_filename() == "report.pdf"
    assert parts["file"].get_content_type() == "application/pdf"
    assert parts["file"].get_payload(decode=True) == b"%PDF-1.7"
    assert parts["thumbnail"].get_payload(decode=True) == b"\x89PNG\r\n"
    assert parts["title"].get_payload(decode=True) == b"Q3"


async def test_multipart_without_a_file_is_still_multipart(backend_mock):
    await send(UPLOAD, body={"title": "Q3", "tags": ["a", "b"]})

    request = backend_mock.last
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert request.content.count(b'name="tags"') == 2


async def test_a_file_that_is_not_base64_is_rejected_before_sending(backend_mock):
    error = await failure(UPLOAD, body={"file": "this is not base64!"})

    assert error.error_type == "validation_error"
    assert error.details["fields"][0]["field"] == "file"
    assert backend_mock.requests == []


async def test_binary_body_is_sent_as_bytes(backend_mock):
    await send(PUT_BLOB, path={"name": "logo"}, body=b64(b"\x89PNG\r\n\x1a\n"))

    request = backend_mock.last
    assert request.content == b"\x89PNG\r\n\x1a\n"
    assert request.headers["Content-Type"] == "image/png"


async def test_text_body_is_sent_as_utf8(backend_mock):
    await send(PUT_NOTE, path={"name": "todo"}, body="café")

    request = backend_mock.last
    assert request.content == "café".encode()
    assert request.headers["Content-Type"] == "text/plain"
