"""Running the server: configuration checks, logging, MCP client auth, the backend's lifetime, health."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastmcp import FastMCP
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from src.client import close_backend, has_backend
from src.config import ConfigError, exit_on_config_error, get_settings
from src.identity import build_auth
from src.logs import configure_logging


@asynccontextmanager
async def lifespan(server: FastMCP) -> AsyncIterator[dict[str, Any]]:
    """Close the pooled backend client when the server stops.

    The client opens on the first tool call, so listing tools needs no backend settings; `run()` checks
    the settings before serving anyway.
    """
    # A backend installed beforehand (a test's mock) belongs to whoever installed it.
    owned = not has_backend()
    try:
        yield {}
    finally:
        if owned:
            await close_backend()


async def health(request: Request) -> JSONResponse:
    """GET /health: the process is up. It checks nothing else, so load balancers never flap on the backend."""
    return JSONResponse({"status": "ok"})


def run(mcp: FastMCP) -> None:
    """Start serving on the transport the settings choose; bad configuration exits with code 2."""
    try:
        settings = get_settings()
        configure_logging(settings.log_level)
        mcp.auth = build_auth(settings)
    except (ValidationError, ConfigError) as error:
        exit_on_config_error(error)
    if settings.mcp_transport == "http":
        mcp.run(
            transport="http",
            host=settings.mcp_host,
            port=settings.mcp_port,
            path="/mcp",
            show_banner=False,
            # Leave uvicorn's loggers to ours, so that its lines are JSON and redacted too.
            uvicorn_config={"log_config": None},
        )
    else:
        mcp.run(transport="stdio", show_banner=False)
