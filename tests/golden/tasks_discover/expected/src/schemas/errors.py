"""The error taxonomy: every failure a tool reports, typed so that an AI assistant can explain it and act on it."""

import html
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from fastmcp.exceptions import ToolError
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError

from ..logs import redact

ErrorType = Literal[
    "authentication_error",
    "authorization_error",
    "not_found_error",
    "validation_error",
    "conflict_error",
    "rate_limit_error",
    "backend_error",
    "timeout_error",
    "connection_error",
]

# Enough of a backend's error body to explain it, not enough to flood the assistant's context.
MAX_BODY_CHARS = 500
# Whatever an error repeats (a tool name, an argument's value) is cut to this: a caller may send megabytes.
MAX_MESSAGE_CHARS = 1000
MAX_DETAIL_CHARS = 500
MAX_FIELD_ERRORS = 20

GENERIC_SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "authentication_error": (
        "The backend did not accept this server's credentials: the operator should check SERVICE_AUTH_TOKEN.",
        "Do not retry with the same request; it will fail the same way.",
    ),
    "authorization_error": (
        "The user is not allowed to do this; do not retry.",
        "Ask the user whether they should have access to this resource.",
    ),
    "not_found_error": (
        "Check the identifier: the resource may not exist, may have been deleted, or may belong to someone else.",
    ),
    "validation_error": ("Correct the arguments listed in details and call the tool again.",),
    "conflict_error": (
        "The resource already exists or changed meanwhile: fetch its current state before trying again.",
    ),
    "rate_limit_error": (
        "Wait for details.retry_after seconds (or a minute if absent) before calling the backend again.",
    ),
    "backend_error": (
        "The backend failed while handling a valid request: try again later, and report it if it persists.",
    ),
    "timeout_error": (
        "Try again later; for a call that creates or changes data, first check whether it took effect.",
    ),
    "connection_error": (
        "The backend is unreachable: check that it is running and that BACKEND_URL points at it.",
    ),
}


class ValidationErrorDetail(BaseModel):
    """One rejected input field."""

    field: str = Field(description="Dotted path of the field, as the backend or the tool names it.")
    location: str | None = Field(
        default=None,
        description="argument (refused before any request), body, query, path, header or cookie.",
    )
    message: str
    type: str | None = Field(default=None, description="The backend's error code for this field.")


class ErrorResponse(BaseModel):
    """What a failed tool call returns, as JSON text."""

    error_type: ErrorType
    message: str
    details: dict[str, Any] = Field(default_factory=dict)
    suggestions: list[str] = Field(default_factory=list)


class BackendError(Exception):
    """A failure of one backend call, already classified."""

    def __init__(
        self,
        error_type: ErrorType,
        message: str,
        *,
        status_code: int | None = None,
        details: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
        hints: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        self.error_type: ErrorType = error_type
        self.message = message
        self.status_code = status_code
        self.details = dict(details or {})
        self.retry_after = retry_after
        # Suggestions that fit this failure better than the generic ones for its type.
        self.hints = tuple(hints)

    def to_response(self, suggestions: Iterable[str] = ()) -> ErrorResponse:
        details = dict(self.details)
        if self.status_code is not None:
            details.setdefault("status_code", self.status_code)
        if self.retry_after is not None:
            details["retry_after"] = self.retry_after
        specific = [*suggestions, *self.hints]
        generic = () if self.hints else GENERIC_SUGGESTIONS[self.error_type]
        specific += [hint for hint in generic if hint not in specific]
        return ErrorResponse(
            error_type=self.error_type,
            message=clip(self.message, MAX_MESSAGE_CHARS),
            details=_clipped(details),
            suggestions=specific,
        )

    def to_tool_error(self, suggestions: Iterable[str] = ()) -> ToolError:
        # The audit record already tells this failure; FastMCP's own line about it need not shout.
        return ToolError(
            self.to_response(suggestions).model_dump_json(exclude_none=True), log_level=logging.INFO
        )


# Where a stack trace starts, in the languages backends are written in: what follows is for the backend's
# developers (file paths, code, often the values of variables), never for the assistant.
_STACK_TRACE = re.compile(
    r"Traceback \(most recent call last\)"  # Python
    r"|^\s*File \".*\", line \d+"  # Python, a frame without its header
    r"|^\s+at [\w$.<>/]+[(:]"  # Java, .NET, Node.js
    r"|^Exception in thread "  # Java
    r"|^goroutine \d+ \["  # Go
    r"|^\s*#\d+ [/\w{]"  # PHP
    r"|\bstack ?trace\b",
    re.IGNORECASE | re.MULTILINE,
)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def sanitize_body(text: str, limit: int = MAX_BODY_CHARS) -> str:
    """A backend's error text fit to show: what precedes any stack trace, on one line, credentials removed,
    cut to `limit` characters. An HTML error page is reduced to its title."""
    text = text.strip()
    if text.startswith("<"):
        title = _HTML_TITLE.search(text)
        text = html.unescape(title.group(1)) if title else ""
    trace = _STACK_TRACE.search(text)
    if trace:
        text = text[: trace.start()]
    clean = redact(" ".join(text.split()))
    if trace:
        clean = (clean + " (stack trace left out)").lstrip()
    return clip(clean, limit)


def clip(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with a note of how many were left out."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"


def _clipped(value: Any) -> Any:
    """Every string in `value`, at any depth, cut to MAX_DETAIL_CHARS."""
    if isinstance(value, str):
        return clip(value, MAX_DETAIL_CHARS)
    if isinstance(value, Mapping):
        return {key: _clipped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clipped(item) for item in value]
    return value


def _field_errors(detail: object) -> list[ValidationErrorDetail]:
    """FastAPI's and pydantic's `detail` list: [{"loc": ["body", "title"], "msg": ..., "type": ...}]."""
    if not isinstance(detail, list):
        return []
    found = []
    for item in detail[:MAX_FIELD_ERRORS]:
        if not isinstance(item, Mapping):
            continue
        loc = [str(part) for part in item.get("loc") or [] if part is not None]
        location = (
            loc[0] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else None
        )
        path = loc[1:] if location else loc
        found.append(
            ValidationErrorDetail(
                field=".".join(path) or (location or "request"),
                location=location,
                message=sanitize_body(
                    str(item.get("msg") or item.get("message") or "invalid value"), 200
                ),
                type=str(item["type"]) if item.get("type") else None,
            )
        )
    return found


def _backend_message(payload: object) -> str | None:
    """The human-readable part of an error body, when it has one."""
    if isinstance(payload, Mapping):
        for key in ("detail", "message", "error_description", "error", "title"):
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                return sanitize_body(value, 300)
            if isinstance(value, Mapping):
                nested = _backend_message(value)
                if nested:
                    return nested
    return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, round((when - datetime.now(UTC)).total_seconds(), 3))


# Status → (error type, what happened); other 4xx are validation errors and 5xx backend errors.
_STATUSES: dict[int, tuple[ErrorType, str]] = {
    400: ("validation_error", "The backend rejected the input"),
    401: ("authentication_error", "The backend refused the credentials"),
    403: ("authorization_error", "The backend denied access"),
    404: ("not_found_error", "Nothing found at {method} {endpoint}"),
    408: ("timeout_error", "The backend gave up waiting for the request"),
    409: ("conflict_error", "The request conflicts with the current state"),
    410: ("not_found_error", "{method} {endpoint} is gone"),
    412: ("conflict_error", "The resource changed since it was read"),
    422: ("validation_error", "The backend rejected the input"),
    428: ("conflict_error", "The backend requires a conditional request"),
    429: ("rate_limit_error", "The backend is rate limiting requests"),
}


def error_from_status(
    status: int,
    body: str,
    payload: object,
    *,
    method: str,
    endpoint: str,
    retry_after: float | None = None,
) -> BackendError:
    """Classify an HTTP error answer. `payload` is the parsed JSON body, or None."""
    if status in _STATUSES:
        error_type, happened = _STATUSES[status]
    elif status >= 500:
        error_type, happened = "backend_error", "The backend failed"
    elif status >= 400:
        error_type, happened = "validation_error", "The backend rejected the request"
    else:
        error_type, happened = (
            "backend_error",
            "The backend answered with an unexpected redirect; check BACKEND_URL",
        )
    details: dict[str, Any] = {"method": method, "endpoint": endpoint}
    fields = _field_errors(payload.get("detail")) if isinstance(payload, Mapping) else []
    said = _backend_message(payload)
    if fields:
        details["fields"] = [field.model_dump(exclude_none=True) for field in fields]
        said = "check " + ", ".join(field.field for field in fields[:5])
    elif said:
        details["backend_message"] = said
    elif shown := sanitize_body(body):
        details["backend_body"] = shown
    message = happened.format(method=method, endpoint=endpoint) + f" (HTTP {status})"
    if said:
        message += f": {said}"
    if retry_after is not None and error_type == "rate_limit_error":
        message += f"; retry after {retry_after:g} seconds"
    return BackendError(
        error_type, message + ".", status_code=status, details=details, retry_after=retry_after
    )


def invalid_arguments(tool: str, error: PydanticValidationError) -> BackendError:
    """Arguments the tool's own schema refuses, before any request: field, location and message for each.

    Only pydantic's messages are kept: its input values may be anything the assistant sent, and its links
    to errors.pydantic.dev help nobody at this point.
    """
    problems = error.errors(include_url=False, include_context=False, include_input=False)
    fields = [
        ValidationErrorDetail(
            field=".".join(str(part) for part in item["loc"]) or "arguments",
            location="argument",
            message=sanitize_body(item["msg"], 200),
            type=item["type"],
        )
        for item in problems[:MAX_FIELD_ERRORS]
    ]
    named = ", ".join(f"{field.field} ({field.message})" for field in fields[:5])
    return BackendError(
        "validation_error",
        f"The arguments of {tool} are not valid: {named}.",
        details={
            "fields": [field.model_dump(exclude_none=True) for field in fields],
            "count": len(problems),
        },
        hints=(
            "Correct the arguments listed in details.fields and call the tool again; nothing was sent yet.",
            "The tool's input schema gives each argument's type, format and limits.",
        ),
    )
