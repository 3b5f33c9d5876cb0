"""The one call every tool makes: send the operation for the caller, check the answer, report failures typed."""

import base64
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, get_args

from fastmcp import Context
from pydantic import BaseModel, TypeAdapter, ValidationError

from .client import get_backend
from .config import get_settings
from .confirmation import confirm_destructive
from .identity import Caller, current_caller
from .schemas.errors import BackendError

audit = logging.getLogger(f"{__name__}.audit")


@dataclass(frozen=True)
class Pagination:
    """How an operation pages its list answers, read from its spec when the server was generated: an answer
    shortened to its budget (see budget.py) tells the assistant which argument gets the rest."""

    # cursor: an opaque token from the answer; after: the id of the last item seen (Stripe's starting_after);
    # offset: items to skip; page: a page number; limit: only a page size.
    kind: Literal["cursor", "after", "offset", "page", "limit"]
    argument: str | None = None  # the tool argument that says where a page starts
    limit: str | None = None  # the tool argument that sizes a page
    default_limit: int | None = None  # the page size when `limit` is not given
    first_page: int = 1  # kind page: the number of the first page
    cursor_field: str | None = None  # kind cursor: the answer's field that holds the next cursor
    id_field: str = "id"  # kind after: the item field whose value `argument` takes


# Every Operation by its tool name, as the tool modules define them: the answer budget reads them.
OPERATIONS: dict[str, "Operation"] = {}


@dataclass(frozen=True)
class Operation:
    """An HTTP operation of the backend, as a tool calls it."""

    tool: str
    method: str
    path: str
    request_body: Literal["json", "form", "multipart", "binary", "text"] | None = None
    content_type: str | None = None
    response: Literal["json", "text", "binary", "empty"] = "json"
    # error_type → suggestions specific to this tool, shown before the generic ones.
    suggestions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Multipart fields that carry a file as base64 text.
    files: tuple[str, ...] = ()
    # Path parameters whose value is itself a path ("docs/guide.md"): their "/" separate segments. Every
    # other path parameter is one segment, and a "/" in it is refused rather than sent.
    reserved_path: tuple[str, ...] = ()
    # The tool declares a loose return type (its full output schema would be too large for tools/list):
    # the answer is still validated against `result_type`, then handed back as plain JSON data.
    plain_output: bool = False
    # The header the spec declares for idempotency keys (Idempotency-Key): the client sends one key per call
    # with every attempt, and so may retry even a POST.
    idempotency_header: str | None = None
    # Destructive: the user confirms before it runs (see confirmation.py).
    confirm: bool = False
    # The token budget of its answers when mcpgen.yaml sets one (0: none); else RESPONSE_TOKEN_BUDGET.
    budget: int | None = None
    # How to ask for the rest of a list answer shortened to the budget.
    pagination: Pagination | None = None
    # The names its `fields` argument takes (dotted for nested fields), and the property of the answer whose
    # items they select from (None: the answer's items if it is a list, else the answer itself).
    fields: tuple[str, ...] = ()
    fields_in: str | None = None

    def __post_init__(self) -> None:
        OPERATIONS[self.tool] = self


async def invoke(
    ctx: Context,
    operation: Operation,
    result_type: Any,
    *,
    path: Mapping[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, Any] | None = None,
    cookies: Mapping[str, Any] | None = None,
    body: Any = None,
    confirm: bool = False,
) -> Any:
    """Call the backend for the current caller and return the result as `result_type`.

    Mapping keys are wire names and None values are left out. `body` is a mapping of wire names, a model,
    or for "binary" and "text" bodies the content itself. `confirm` is the tool's confirm argument, for
    operations that need the user's confirmation. Every failure becomes a ToolError whose text is an
    ErrorResponse.
    """
    started = time.perf_counter()
    caller: Caller | None = None
    outcome = "internal_error"
    try:
        if operation.confirm:
            question = await confirm_destructive(
                ctx, operation, {**(path or {}), **(query or {})}, confirm
            )
            if question is not None:
                outcome = "input_required"
                return question  # the client puts it to the user, then calls again with the answer
        caller = current_caller(get_settings())
        response = await get_backend().send(
            operation, caller, path=path, query=query, headers=headers, cookies=cookies, body=body
        )
        result = _result(
            operation, result_type, response.status_code, response.content, response.text
        )
        if operation.plain_output:
            result = _adapter(result_type).dump_python(result, mode="json", by_alias=True)
        outcome = "success"
        return result
    except BackendError as error:
        outcome = error.error_type
        raise error.to_tool_error(operation.suggestions.get(error.error_type, ())) from error
    finally:
        audit.info(
            "tool %s: %s",
            operation.tool,
            outcome,
            extra={
                "event": "tool_call",
                "tool": operation.tool,
                "request_id": _request_id(ctx),
                "user_id": caller.user_id if caller else None,
                "outcome": outcome,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )


def _request_id(ctx: Context | None) -> str | None:
    # Ties the audit record to the MCP request, when there is one (not in direct calls from tests or scripts).
    context = ctx.request_context if ctx is not None else None
    return str(context.request_id) if context is not None else None


def _result(operation: Operation, result_type: Any, status: int, content: bytes, text: str) -> Any:
    if not content.strip():
        if result_type is None:
            return f"{operation.tool} succeeded (HTTP {status})."
        return _validate(operation, result_type, None)
    if operation.response == "binary":
        encoded = base64.b64encode(content).decode()
        return encoded if result_type is None else _validate(operation, result_type, encoded)
    if result_type is None:
        return text
    if operation.response == "json":
        try:
            return _adapter(result_type).validate_json(content)
        except ValidationError as error:
            raise _mismatch(operation, error) from None
    return _validate(operation, result_type, text)


def _validate(operation: Operation, result_type: Any, value: Any) -> Any:
    try:
        return _adapter(result_type).validate_python(value)
    except ValidationError as error:
        raise _mismatch(operation, error) from None


def _adapter(result_type: Any) -> TypeAdapter[Any]:
    try:
        return _cached_adapter(result_type)
    except TypeError:  # an unhashable type expression: built each time rather than cached
        _build_models(result_type)
        return TypeAdapter(result_type)


@cache
def _cached_adapter(result_type: Any) -> TypeAdapter[Any]:
    _build_models(result_type)
    return TypeAdapter(result_type)


def _build_models(annotation: Any) -> None:
    """Build the model classes a result is an instance of at its top: the type itself, list items, union
    members. The models are built on first use (`defer_build`), and validating through an adapter leaves a
    class's own serializer unbuilt before pydantic 2.14, which FastMCP serializes results with."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not annotation.__pydantic_complete__:
            annotation.model_rebuild()
        return
    for member in get_args(annotation):
        _build_models(member)


def _mismatch(operation: Operation, error: ValidationError) -> BackendError:
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or 'response'}: {item['msg']}"
        for item in error.errors()[:5]
    ]
    return BackendError(
        "backend_error",
        f"The backend's answer to {operation.method} {operation.path} does not match its API description.",
        details={"problems": problems, "count": error.error_count()},
        hints=(
            "This is a mismatch between the backend and its OpenAPI spec, not a problem with the arguments.",
            "Report it to the server's operator; regenerating the server from the current spec may fix it.",
        ),
    )
