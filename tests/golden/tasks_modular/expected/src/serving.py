"""Running the server: configuration checks, logging, MCP client auth, the backend's lifetime, health, and the
checks every request passes before a tool runs."""

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import mcp_types
from fastmcp import FastMCP
from fastmcp.exceptions import NotFoundError, ToolError
from fastmcp.exceptions import ValidationError as ArgumentsError
from fastmcp.server.http import HostOriginGuardMiddleware
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from pydantic import ValidationError
from starlette.middleware import Middleware as ASGIMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .budget import AnswerBudget
from .client import close_backend, has_backend
from .config import (
    LOOPBACK_HOSTS,
    ConfigError,
    Settings,
    exit_on_config_error,
    get_settings,
    is_loopback,
    require_user,
)
from .identity import build_auth
from .logs import configure_logging
from .metrics import ToolMetrics
from .ratelimit import RateLimit, RateLimitHeaders, close_limiter
from .schemas.errors import BackendError, ErrorResponse, invalid_arguments, sanitize_body
from .security import ScopeGuard
from .tracing import configure_tracing

logger = logging.getLogger(__name__)


class ErrorTaxonomy(Middleware):
    """Every failed tool call reaches the client as ErrorResponse JSON, including those no tool code sees:
    arguments FastMCP refuses before the tool runs, unknown tools, and unexpected errors."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mcp_types.CallToolRequestParams],
        call_next: CallNext[Any, ToolResult],
    ) -> ToolResult:
        tool = context.message.name
        try:
            return await call_next(context)
        except ArgumentsError as error:
            if isinstance(error.__cause__, ValidationError):
                raise invalid_arguments(tool, error.__cause__).to_tool_error() from None
            raise BackendError(
                "validation_error",
                f"The arguments of {tool} are not valid: {sanitize_body(str(error), 300)}",
            ).to_tool_error() from None
        except NotFoundError:
            raise BackendError(
                "validation_error",
                f"This server has no tool named {tool!r}.",
                details={"tool": tool},
                hints=("List the tools (tools/list) and call one of those.",),
            ).to_tool_error() from None
        except ToolError as error:
            if _is_error_response(str(error)):
                raise
            # FastMCP's masked text for an unexpected exception; the exception itself is in the server's log.
            raise BackendError(
                "backend_error",
                f"The server failed while running {tool}; its log has the details.",
                hints=("Try again later, and report it to the server's operator if it persists.",),
            ).to_tool_error() from None


class AnswerInText(Middleware):
    """Every result carries text: FastMCP sends an empty list as no content at all, and a client that reads
    only text would see nothing."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mcp_types.CallToolRequestParams],
        call_next: CallNext[Any, ToolResult],
    ) -> ToolResult:
        result = await call_next(context)
        if result.content or result.structured_content is None:
            return result
        structured = result.structured_content
        wrapped = (result.meta or {}).get("fastmcp", {}).get("wrap_result")
        text = json.dumps(structured["result"] if wrapped else structured, ensure_ascii=False)
        return ToolResult(content=text, structured_content=structured, meta=result.meta)


def _is_error_response(text: str) -> bool:
    try:
        ErrorResponse.model_validate_json(text)
    except ValidationError:
        return False
    return True


# Outermost first: metrics see every call's final outcome; the taxonomy types every error; the budget sees the
# final answer, text and structured content together, and shortens it (errors pass it untouched); every
# answer gets its text; then the checks that may refuse a call before the tool runs.
MIDDLEWARE = (ToolMetrics, ErrorTaxonomy, AnswerBudget, AnswerInText, ScopeGuard, RateLimit)


def install_middleware(server: FastMCP) -> None:
    """Put MIDDLEWARE on `server`, once each, ahead of any it already has; the lifespan does it, so every
    server using it gets them."""
    missing = [
        AnswerBudget(server) if kind is AnswerBudget else kind()
        for kind in MIDDLEWARE
        if not any(isinstance(m, kind) for m in server.middleware)
    ]
    server.middleware[:0] = missing


@asynccontextmanager
async def lifespan(server: FastMCP) -> AsyncIterator[dict[str, Any]]:
    """Install ErrorTaxonomy, and close the pooled backend client when the server stops.

    The client opens on the first tool call, so listing tools needs no backend settings; `run()` checks
    the settings before serving anyway.
    """
    install_middleware(server)
    # A backend installed beforehand (a test's mock) belongs to whoever installed it.
    owned = not has_backend()
    try:
        yield {}
    finally:
        if owned:
            await close_backend()
        await close_limiter()


async def health(request: Request) -> JSONResponse:
    """GET /health: the process is up. It checks nothing else, so load balancers never flap on the backend."""
    return JSONResponse({"status": "ok"})


# Probed by load balancers and scrapers, which address a replica by whatever IP they have.
PROBE_PATHS = frozenset({"/health", "/ready", "/metrics"})


class HostGuard:
    """DNS-rebinding protection, whatever the auth mode: a request whose Host is not on the allow-list gets
    421, one whose Origin (sent by browsers) is neither allowed nor the server's own gets 403, before MCP or
    auth sees it. The probe paths are left open: probes address the server by whatever IP they have, and
    they change nothing (METRICS_TOKEN protects /metrics where its counts are not for everyone)."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str], allowed_origins: list[str]) -> None:
        self.app = app
        self.guarded = HostOriginGuardMiddleware(
            app, allowed_hosts=allowed_hosts, allowed_origins=allowed_origins, mode="strict"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in PROBE_PATHS:
            await self.app(scope, receive, send)
        else:
            await self.guarded(scope, receive, send)


def allowed_hosts(settings: Settings) -> list[str]:
    """The Host names requests may carry: loopback, MCP_HOST unless it is a wildcard address, MCP_ALLOWED_HOSTS.

    Ports are not compared: the port a client used is the one the server listens on, or a proxy's.
    """
    names = [*LOOPBACK_HOSTS, *settings.mcp_allowed_hosts]
    if settings.mcp_host not in ("0.0.0.0", "::", ""):
        names.append(settings.mcp_host)
    return list(dict.fromkeys(names))


def http_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments of `mcp.run` / `mcp.run_http_async` for http mode."""
    guard = ASGIMiddleware(
        HostGuard,
        allowed_hosts=allowed_hosts(settings),
        allowed_origins=settings.mcp_allowed_origins,
    )
    return {
        "transport": "http",
        "host": settings.mcp_host,
        "port": settings.mcp_port,
        "path": "/mcp",
        "show_banner": False,
        # Inside authentication (FastMCP puts its own first): the rate limit knows the caller.
        "middleware": [guard, ASGIMiddleware(RateLimitHeaders, path="/mcp")],
        # A fresh transport per request: any replica can answer any request, no sticky sessions.
        "stateless_http": settings.mcp_stateless_http,
        # HostGuard does this job; FastMCP's own guard would not leave /health open.
        "host_origin_protection": False,
        # Leave uvicorn's loggers to ours, so that its lines are JSON and redacted too.
        "uvicorn_config": {"log_config": None},
    }


def warn_about_exposure(settings: Settings) -> None:
    """Say loudly, at start, when anyone on the network can use the tools as the configured user."""
    if (
        settings.mcp_transport == "http"
        and settings.mcp_allow_anonymous
        and not is_loopback(settings.mcp_host)
    ):
        logger.warning(
            "MCP_ALLOW_ANONYMOUS=true and MCP_HOST=%s: anyone who can reach port %s can call every tool, "
            "as MCP_USER_ID, without a token. Bind to 127.0.0.1 or configure MCP_JWT_* for any other use.",
            settings.mcp_host,
            settings.mcp_port,
            extra={"event": "anonymous_exposed"},
        )


def run(mcp: FastMCP) -> None:
    """Start serving on the transport the settings choose; bad configuration exits with code 2."""
    try:
        settings = get_settings()
        require_user(settings)
        configure_logging(settings.log_level)
        mcp.auth = build_auth(settings)
        configure_tracing(settings)
    except (ValidationError, ConfigError) as error:
        exit_on_config_error(error)
    if settings.mcp_transport == "http":
        warn_about_exposure(settings)
        mcp.run(**http_options(settings))
    else:
        mcp.run(transport="stdio", show_banner=False)
