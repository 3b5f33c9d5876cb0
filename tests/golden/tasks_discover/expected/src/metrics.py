"""Prometheus metrics, served at GET /metrics in http mode: tool calls by tool and outcome, their latency,
backend answers by status, retries, rate-limit refusals and the backend circuit.

Every label value comes from a bounded set (tool names, error types, HTTP methods and status codes), never
from a user id, a token or an argument: metrics are read by more people than logs, and a label per user
would also grow without end.
"""

import hmac
import json
import time
from typing import Any

import mcp_types
from fastmcp.exceptions import ToolError
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

from .config import get_settings

# A registry of this server's own, so that tests and embedding applications never see duplicates.
REGISTRY = CollectorRegistry(auto_describe=True)

# The tools this server registers; a call naming any other tool is counted as "unknown", so that callers
# cannot add label values.
TOOL_NAMES = frozenset(
    {
        "call_operation",
        "create_task",
        "delete_task",
        "describe_operation",
        "get_task",
        "list_tasks",
        "mark_completed",
        "search_operations",
        "update_task",
    }
)
UNKNOWN = "unknown"
# call_operation runs the operation it names on the operations server (operations.py), whose own middleware
# counts, times and rate-limits the call under that operation's name; the outer call is not counted twice.
DISPATCHER = "call_operation"


def addressed_tool(name: str, arguments: Any) -> str:
    """The tool a call addresses: the operation call_operation names, else the tool called."""
    if (
        name == DISPATCHER
        and isinstance(arguments, dict)
        and isinstance(arguments.get("name"), str)
    ):
        return arguments["name"]
    return name


# Seconds: tool calls include the backend's time and any retries.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

TOOL_CALLS = Counter(
    "mcp_tool_calls",
    "Tool calls by tool and outcome: success, or the error type the caller received.",
    ["tool", "outcome"],
    registry=REGISTRY,
)
TOOL_LATENCY = Histogram(
    "mcp_tool_call_duration_seconds",
    "Time from a tool call's arrival to its answer.",
    ["tool"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
BACKEND_REQUESTS = Counter(
    "mcp_backend_requests",
    "Backend attempts by tool, method and HTTP status (or the transport error type when none came back).",
    ["tool", "method", "status"],
    registry=REGISTRY,
)
BACKEND_LATENCY = Histogram(
    "mcp_backend_request_duration_seconds",
    "Time of one backend attempt.",
    ["tool"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
BACKEND_RETRIES = Counter(
    "mcp_backend_retries",
    "Backend attempts after a tool call's first.",
    ["tool"],
    registry=REGISTRY,
)
RATE_LIMIT_REFUSALS = Counter(
    "mcp_rate_limit_refusals",
    "Tool calls refused by this server's rate limit.",
    ["tool"],
    registry=REGISTRY,
)
RATE_LIMIT_STORE_ERRORS = Counter(
    "mcp_rate_limit_store_errors",
    "Rate-limit checks that could not reach Redis; those calls were let through.",
    registry=REGISTRY,
)
CIRCUIT_STATE = Gauge(
    "mcp_circuit_state", "The backend circuit: 0 closed, 1 half-open, 2 open.", registry=REGISTRY
)
CIRCUIT_OPENED = Counter(
    "mcp_circuit_opened", "Times the backend circuit opened.", registry=REGISTRY
)
CIRCUIT_REJECTIONS = Counter(
    "mcp_circuit_rejections",
    "Backend attempts not made because the circuit was open.",
    ["tool"],
    registry=REGISTRY,
)


def tool_label(name: str) -> str:
    return name if name in TOOL_NAMES else UNKNOWN


class ToolMetrics(Middleware):
    """Counts and times every tool call, including those refused before the tool runs."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mcp_types.CallToolRequestParams],
        call_next: CallNext[Any, ToolResult],
    ) -> ToolResult:
        if context.message.name == DISPATCHER:
            return await call_next(context)
        tool = tool_label(context.message.name)
        started = time.perf_counter()
        outcome = "internal_error"
        try:
            result = await call_next(context)
            # A confirmation asked of the user (destructive tools) is an answer, not yet a call.
            outcome = "input_required" if getattr(result, "input_required", None) else "success"
            return result
        except ToolError as error:
            outcome = _error_type(str(error))
            raise
        finally:
            TOOL_CALLS.labels(tool, outcome).inc()
            TOOL_LATENCY.labels(tool).observe(time.perf_counter() - started)


def _error_type(text: str) -> str:
    """The error_type of an ErrorResponse text; anything else is an internal error."""
    try:
        error_type = json.loads(text).get("error_type")
    except (ValueError, AttributeError):
        return "internal_error"
    return (
        error_type
        if isinstance(error_type, str) and error_type.endswith("_error")
        else "internal_error"
    )


async def metrics(request: Request) -> Response:
    """GET /metrics: the Prometheus text format. With METRICS_TOKEN set, scrapers send it as a bearer token."""
    token = get_settings().metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            return Response("metrics need the METRICS_TOKEN bearer token\n", status_code=401)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
