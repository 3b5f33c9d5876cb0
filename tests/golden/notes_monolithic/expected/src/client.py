"""The backend client: one pooled connection, the server's credentials, the caller's identity, and retries
that never repeat a request the backend may already have acted on."""

import asyncio
import base64
import binascii
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode

import httpx2
from pydantic_core import to_jsonable_python
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from .breaker import CircuitBreaker
from .config import Settings, get_settings
from .errors import BackendError, error_from_status, parse_retry_after
from .identity import IDENTITY_HEADERS, Caller, identity_headers
from .logs import protect
from .metrics import BACKEND_LATENCY, BACKEND_REQUESTS, BACKEND_RETRIES, tool_label
from .tracing import backend_span, inject_trace_context, record_outcome

if TYPE_CHECKING:
    from .invoke import Operation

logger = logging.getLogger(__name__)

# Methods whose repetition has the effect of one call; only these are retried once a request may have arrived.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
API_KEY_NAME = "X-API-Key"

_PATH_PARAMETER = re.compile(r"{([^{}]+)}")
# What servers and proxies commonly turn into path structure even when it arrives percent-encoded: a slash,
# a backslash (IIS, some proxies), and their encoded forms, which a second decoding turns back into them.
_PATH_STRUCTURE = re.compile(r"[/\\]|%2f|%5c|%2e", re.IGNORECASE)
# A header value HTTP can carry as is: visible ASCII, with inner spaces but none at either end (RFC 9110).
_HEADER_VALUE = re.compile(r"(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?")
# An error answer is read this far, no further: its first lines are all the error report shows.
_ERROR_BODY_BYTES = 64 * 1024
# Headers that described how the body traveled; the body handed on is already decoded.
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# RFC 6265 cookie-octet punctuation: sent as is, so that base64 keys arrive unchanged; the rest is %-encoded.
_COOKIE_SAFE = "!#$%&'()*+-./:<=>?@[]^_`{|}~"


class _AttemptFailed(Exception):
    """One failed attempt; `delivered` is False only when the request certainly never reached the backend."""

    def __init__(self, error: BackendError, *, delivered: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.delivered = delivered


# Answers that say the backend (or the gateway before it) cannot serve anyone right now.
BACKEND_DOWN_STATUSES = frozenset({502, 503, 504})


def _backend_failed(status: int | None, outcome: str) -> bool | None:
    """For the circuit breaker: whether an attempt says the backend itself is down (no connection, no answer in
    time, 502/503/504). Any other 5xx says only that this request failed, perhaps on one caller's data: it
    neither counts nor resets the count, so one caller's failures cannot open the circuit for everyone. None
    also when the attempt ended before the backend could say anything (cancelled)."""
    if outcome in ("connection_error", "timeout_error"):
        return True
    if status is None:
        return None
    if status in BACKEND_DOWN_STATUSES:
        return True
    return None if status >= 500 else False


class Backend:
    """Sends the tools' requests to BACKEND_URL."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx2.AsyncBaseTransport | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.sleep = sleep
        # Per process: each replica judges the backend's health from its own attempts.
        self.breaker = CircuitBreaker(
            settings.circuit_failure_threshold, settings.circuit_recovery_seconds
        )
        self._credential_headers: dict[str, str] = {}
        self._credential_query: dict[str, str] = {}
        self._credential_cookies: dict[str, str] = {}
        api_key = settings.backend_api_key.get_secret_value()
        protect(api_key)
        self._credential_headers[API_KEY_NAME] = api_key
        # Tool arguments may not set these: the server decides who it is and whom it acts for.
        self._reserved_headers = {name.lower() for name, _ in IDENTITY_HEADERS} | {
            name.lower() for name in self._credential_headers
        }
        self._client = httpx2.AsyncClient(
            base_url=settings.backend_url,
            transport=transport,
            timeout=settings.request_timeout,
            # A redirect could carry the credentials elsewhere; the backend's URLs are known from its spec.
            follow_redirects=False,
            headers={"User-Agent": "notes-mcp (MCP server)"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(
        self,
        operation: "Operation",
        caller: Caller,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> httpx2.Response:
        """Send one operation for `caller`; the successful response, or BackendError."""
        request = self._request_arguments(operation, caller, path, query, headers, cookies, body)
        self._check_url(request)
        method = operation.method.upper()
        if operation.idempotency_header:
            # One key for this call, sent with every attempt: the backend applies the request once however
            # often it arrives, so that even a POST may be retried.
            request["headers"][operation.idempotency_header] = str(uuid.uuid4())
        idempotent = method in IDEMPOTENT_METHODS or operation.idempotency_header is not None
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.retry_attempts),
            retry=retry_if_exception(lambda error: self._may_retry(idempotent, error)),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    number = attempt.retry_state.attempt_number
                    return await self._attempt(operation, caller, request, number)
        except _AttemptFailed as failed:
            raise failed.error from failed.__cause__
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    def _may_retry(self, idempotent: bool, error: BaseException) -> bool:
        if not isinstance(error, _AttemptFailed):
            return False
        if not error.delivered:
            return True
        if not idempotent:
            return False
        if error.error.retry_after is not None:
            # Waiting longer than the cap would stall the assistant; it gets the wait time instead.
            return error.error.retry_after <= self.settings.retry_after_cap
        status = error.error.status_code
        return error.error.error_type in (
            "timeout_error",
            "connection_error",
            "rate_limit_error",
        ) or (status is not None and status >= 500)

    def _wait(self, state: RetryCallState) -> float:
        failed = state.outcome.exception() if state.outcome else None
        if isinstance(failed, _AttemptFailed) and failed.error.retry_after is not None:
            return failed.error.retry_after
        return self.settings.retry_backoff * 2 ** (state.attempt_number - 1)

    async def _attempt(
        self, operation: "Operation", caller: Caller, arguments: dict[str, Any], number: int
    ) -> httpx2.Response:
        # An open circuit fails the attempt fast, before anything is sent; raised as is, so never retried.
        probe = self.breaker.before_attempt(operation.tool)
        if number > 1:
            BACKEND_RETRIES.labels(tool_label(operation.tool)).inc()
        with backend_span(operation, arguments["method"], number) as span:
            started = time.perf_counter()
            status: int | None = None
            outcome = "error"
            try:
                request = self._client.build_request(**arguments)
                inject_trace_context(request.headers)
                response = await self._receive(request)
                status = response.status_code
                if not response.is_success:
                    failure = self._status_failure(arguments["method"], arguments["url"], response)
                    outcome = failure.error_type
                    raise _AttemptFailed(failure, delivered=True)
                outcome = "success"
                return response
            except BackendError as error:
                status, outcome = error.status_code, error.error_type
                raise
            except httpx2.TransportError as error:
                failed = self._transport_failure(error, arguments["method"], arguments["url"])
                outcome = failed.error.error_type
                raise failed from error
            finally:
                elapsed = time.perf_counter() - started
                self.breaker.record(_backend_failed(status, outcome), probe=probe)
                record_outcome(span, status, outcome)
                BACKEND_REQUESTS.labels(
                    tool_label(operation.tool), arguments["method"], str(status or outcome)
                ).inc()
                BACKEND_LATENCY.labels(tool_label(operation.tool)).observe(elapsed)
                logger.log(
                    logging.INFO if outcome == "success" else logging.WARNING,
                    "backend call %s %s -> %s",
                    arguments["method"],
                    arguments["url"],
                    status or outcome,
                    extra={
                        "event": "backend_call",
                        "tool": operation.tool,
                        "endpoint": arguments["url"],
                        "method": arguments["method"],
                        "status_code": status,
                        "user_id": caller.user_id,
                        "duration_ms": round(elapsed * 1000, 1),
                        "attempt": number,
                        "outcome": outcome,
                    },
                )

    async def _receive(self, request: httpx2.Request) -> httpx2.Response:
        """The backend's answer, read as a stream that stops at MAX_RESPONSE_BYTES, so that one huge answer
        cannot exhaust the server's memory. Error answers are read only as far as their report needs."""
        response = await self._client.send(request, stream=True)
        try:
            limit = self.settings.max_response_bytes if response.is_success else _ERROR_BODY_BYTES
            declared = response.headers.get("Content-Length", "")
            if response.is_success and declared.isdigit() and int(declared) > limit:
                raise self._too_large(request, response, limit)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    if response.is_success:
                        raise self._too_large(request, response, limit)
                    break  # the start of an error body is enough to report it
            content = b"".join(chunks)[:limit]
        finally:
            await response.aclose()
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in _TRANSFER_HEADERS
        ]
        return httpx2.Response(
            response.status_code, headers=headers, content=content, request=request
        )

    def _too_large(
        self, request: httpx2.Request, response: httpx2.Response, limit: int
    ) -> BackendError:
        # Raised as is, not as _AttemptFailed, so never retried: the same request would get the same answer.
        return BackendError(
            "backend_error",
            f"The backend's answer is larger than MAX_RESPONSE_BYTES ({limit} bytes), so it was not read.",
            status_code=response.status_code,
            details={
                "method": request.method,
                "endpoint": request.url.path,
                "max_response_bytes": limit,
            },
            hints=(
                "Ask for less: use the tool's filtering or paging arguments, if it has any.",
                "If answers this large are expected, the server's operator can raise MAX_RESPONSE_BYTES.",
            ),
        )

    def _check_url(self, arguments: dict[str, Any]) -> None:
        """Refuse, before any attempt, a request whose URL no HTTP client would send (httpx2 stops at 64 KB)."""
        try:
            self._client.build_request(
                arguments["method"], arguments["url"], params=arguments["params"]
            )
        except httpx2.InvalidURL:
            sizes = {
                name: len(value)
                for name, value in arguments["params"] or []
                if name not in self._credential_query
            }
            largest = max(sizes, key=lambda name: sizes[name], default=None)
            fields = (
                [{"field": largest, "location": "query", "message": "too long for a URL"}]
                if largest
                else []
            )
            raise BackendError(
                "validation_error",
                "The request's URL would be too long to send (HTTP clients and servers stop at about 64 KB); "
                "shorten the query arguments" + (f", starting with {largest}." if largest else "."),
                details={
                    "method": arguments["method"],
                    "endpoint": arguments["url"],
                    "fields": fields,
                },
            ) from None

    def _transport_failure(
        self, error: httpx2.TransportError, method: str, url: str
    ) -> _AttemptFailed:
        timeout = self.settings.request_timeout
        details = {"method": method, "endpoint": url}
        if isinstance(error, httpx2.ConnectTimeout | httpx2.ConnectError):
            # No connection, so no request: safe to send again whatever the method.
            base = self._client.base_url  # host and port only: the URL may carry userinfo
            where = base.host if base.port is None else f"{base.host}:{base.port}"
            failure = BackendError(
                "connection_error",
                f"Could not connect to the backend at {where}.",
                details=details,
            )
            return _AttemptFailed(failure, delivered=False)
        if isinstance(error, httpx2.PoolTimeout):
            failure = BackendError(
                "timeout_error", "No connection to the backend was free in time.", details=details
            )
            return _AttemptFailed(failure, delivered=False)
        if isinstance(error, httpx2.TimeoutException):
            failure = BackendError(
                "timeout_error",
                f"The backend did not answer within {timeout:g} seconds.",
                details=details,
            )
            return _AttemptFailed(failure, delivered=True)
        # The connection broke after the request started: the backend may have acted on it.
        failure = BackendError(
            "connection_error",
            "The connection to the backend broke before it answered.",
            details=details,
        )
        return _AttemptFailed(failure, delivered=True)

    def _status_failure(self, method: str, url: str, response: httpx2.Response) -> BackendError:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        return error_from_status(
            response.status_code,
            response.text,
            payload,
            method=method,
            endpoint=url,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _request_arguments(
        self,
        operation: "Operation",
        caller: Caller,
        path: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, Any] | None,
        cookies: Mapping[str, Any] | None,
        body: Any,
    ) -> dict[str, Any]:
        """What `httpx2.AsyncClient.build_request` needs; rebuilt into a fresh request for every attempt."""
        sent_headers = httpx2.Headers(
            {
                name: _header_argument(name, value)
                for name, value in (headers or {}).items()
                if value is not None
            }
        )
        for name in list(sent_headers):
            if name.lower() in self._reserved_headers:
                del sent_headers[name]
        sent_headers.update(identity_headers(caller))
        sent_headers.update(self._credential_headers)
        if operation.response == "json":
            sent_headers.setdefault("Accept", "application/json")

        # A spec may fix query parameters in the path itself (OpenAI's `/responses/{response_id}?beta=true`);
        # httpx2 would drop them in favour of `params`.
        path_template, _, fixed_query = operation.path.partition("?")
        params = parse_qsl(fixed_query, keep_blank_values=True) + [
            pair
            for name, value in (query or {}).items()
            if name not in self._credential_query
            for pair in _flatten(name, to_jsonable_python(value, by_alias=True, exclude_none=True))
        ]
        params += self._credential_query.items()

        jar = {name: _scalar(value) for name, value in (cookies or {}).items() if value is not None}
        jar.update(self._credential_cookies)
        if jar:
            sent_headers["Cookie"] = "; ".join(
                f"{name}={quote(value, safe=_COOKIE_SAFE)}" for name, value in jar.items()
            )

        arguments: dict[str, Any] = {
            "method": operation.method.upper(),
            "url": _fill_path(path_template, path or {}, operation.reserved_path),
            "params": params or None,
        }
        content, content_type, parts = _encode_body(operation, body)
        if content_type:
            sent_headers["Content-Type"] = content_type
        if parts is not None:
            arguments["files"] = parts
        elif content is not None:
            arguments["content"] = content
        arguments["headers"] = sent_headers
        return arguments


def _scalar(value: Any) -> str:
    """A parameter value as it is written in a URL or header: JSON's spelling for booleans and null."""
    plain = to_jsonable_python(value, by_alias=True, exclude_none=True)
    if isinstance(plain, bool):
        return "true" if plain else "false"
    if isinstance(plain, dict | list):
        return json.dumps(plain, separators=(",", ":"))
    return "" if plain is None else str(plain)


def _header_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(_scalar(item) for item in value)
    return _scalar(value)


def _header_argument(name: str, value: Any) -> str:
    """A header argument as sent; a value HTTP cannot carry is refused here rather than failing every attempt."""
    text = _header_value(value)
    if _HEADER_VALUE.fullmatch(text):
        return text
    if any(ord(character) > 0x7E for character in text):
        problem = "has characters outside printable ASCII, which HTTP headers cannot carry"
    elif any(ord(character) < 0x20 or ord(character) == 0x7F for character in text):
        problem = "has control characters, such as line breaks, which HTTP headers cannot carry"
    else:
        problem = "starts or ends with whitespace, which HTTP drops"
    raise BackendError(
        "validation_error",
        f"The header {name} {problem}.",
        details={"fields": [{"field": name, "location": "header", "message": problem}]},
    )


def _flatten(name: str, value: Any) -> list[tuple[str, str]]:
    """Query and form fields: a list repeats its key, an object becomes deepObject keys `name[key]`."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _flatten(f"{name}[{key}]", item)]
    if isinstance(value, list):
        return [pair for item in value for pair in _flatten(name, item)]
    return [(name, _scalar(value))]


# The wire encoding under public names: the generated tests derive the requests they expect from it.
wire_text = _scalar
header_value = _header_value
query_pairs = _flatten


def _fill_path(template: str, values: Mapping[str, Any], reserved: tuple[str, ...] = ()) -> str:
    """The operation's path with its parameters filled in, each staying inside its own segment(s).

    Servers decode %2F back into "/" before routing (uvicorn, and many proxies), so an encoded slash would
    still reach an endpoint no tool exposes: values that would change the path's structure are refused.
    """

    def fill(match: re.Match[str]) -> str:
        name, value = match.group(1), values.get(match.group(1))
        text = "" if value is None else _scalar(value)
        if not text:
            # An empty segment would address another endpoint, typically the collection.
            raise _invalid_path(name, "must not be empty")
        if name in reserved:
            # A path-style value: its slashes separate segments, but none of them may climb or be empty.
            segments = text.split("/")
            if any(
                segment in ("", ".", "..") or _PATH_STRUCTURE.search(segment)
                for segment in segments
            ):
                raise _invalid_path(
                    name, 'must be a relative path without empty, "." or ".." segments'
                )
            return "/".join(quote(segment, safe="") for segment in segments)
        if _PATH_STRUCTURE.search(text):
            raise _invalid_path(
                name, 'must not contain "/" or "\\", nor "/", "\\" or "." percent-encoded'
            )
        if text.strip(".") == "":
            # A value of "." or ".." would be resolved as a path segment and reach another endpoint.
            return text.replace(".", "%2E")
        # Everything else, including "?", "#" and control characters, is percent-encoded: part of the value.
        return quote(text, safe="")

    return _PATH_PARAMETER.sub(fill, template)


def _invalid_path(name: str, problem: str) -> BackendError:
    return BackendError(
        "validation_error",
        f"The path parameter {name} {problem}.",
        details={"fields": [{"field": name, "location": "path", "message": problem}]},
    )


def _decode_file(name: str, value: Any) -> tuple[str, bytes, str]:
    """A file argument: base64 text, or {"filename", "content_base64", "content_type"}."""
    filename, content_type = name, "application/octet-stream"
    if isinstance(value, Mapping):
        filename = str(value.get("filename") or name)
        content_type = str(value.get("content_type") or content_type)
        value = value.get("content_base64")
    if not isinstance(value, str):
        raise _invalid_file(name)
    text = value.strip()
    if text.startswith("data:") and "," in text:
        # Assistants often hand over data URLs; the part after the comma is the base64 payload.
        header, text = text.split(",", 1)
        content_type = header[5:].split(";", 1)[0] or content_type
    # Both alphabets are accepted, and missing padding: what matters is that every character is base64.
    text = "".join(text.split()).translate(str.maketrans("-_", "+/"))
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid_file(name) from None
    return filename, decoded, content_type


def _invalid_file(name: str) -> BackendError:
    return BackendError(
        "validation_error",
        f"{name} must be base64 text, or an object with filename, content_base64 and content_type.",
        details={"fields": [{"field": name, "message": "not valid base64"}]},
    )


def _encode_body(
    operation: "Operation", body: Any
) -> tuple[bytes | None, str | None, list[tuple[str, Any]] | None]:
    """(content, content type, multipart parts) for the operation's request body."""
    kind = operation.request_body
    if kind is None or body is None:
        return None, None, None
    if kind == "binary":
        _, content, content_type = _decode_file("body", body)
        return content, operation.content_type or content_type, None
    if kind == "text":
        return str(body).encode(), operation.content_type or "text/plain; charset=utf-8", None
    if isinstance(body, Mapping):
        body = {name: value for name, value in body.items() if value is not None}
    plain = to_jsonable_python(body, by_alias=True, exclude_none=True)
    if kind == "json":
        return json.dumps(plain).encode(), operation.content_type or "application/json", None
    if kind == "form":
        fields = [pair for name, value in plain.items() for pair in _flatten(name, value)]
        return urlencode(fields).encode(), "application/x-www-form-urlencoded", None
    parts: list[tuple[str, Any]] = []
    for name, value in plain.items():
        for item in value if isinstance(value, list) else [value]:
            if name in operation.files or (isinstance(item, dict) and "content_base64" in item):
                parts.append((name, _decode_file(name, item)))
            else:
                # A part without a filename is a plain field; it also keeps a body without files multipart.
                parts.append((name, (None, _scalar(item))))
    # httpx2 writes the multipart Content-Type itself, with its boundary.
    return None, None, parts


_backend: Backend | None = None


def get_backend() -> Backend:
    """The process-wide backend client, created on first use."""
    global _backend
    if _backend is None:
        _backend = Backend(get_settings())
    return _backend


def has_backend() -> bool:
    return _backend is not None


def set_backend(backend: Backend | None) -> None:
    """Install the backend client every tool uses (the server lifespan does; tests install a mock)."""
    global _backend
    _backend = backend


async def close_backend() -> None:
    global _backend
    backend, _backend = _backend, None
    if backend is not None:
        await backend.aclose()
