"""What each caller may see and do: the OAuth scopes every tool requires, and the protected resource
metadata (RFC 9728) that tells MCP clients where to get a token carrying them.

In http mode a caller's token must grant every scope of a tool for the tool to appear in tools/list; calling
it anyway gets an authorization_error naming the scopes missing. stdio serves one local user, whom the
operator trusts: scopes are not checked there.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import mcp_types
from fastmcp import Context
from fastmcp.server.auth import AuthProvider, RemoteAuthProvider, TokenVerifier
from fastmcp.server.dependencies import get_access_token
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import Tool, ToolResult
from starlette.routing import Route

from .config import Settings
from .schemas.errors import BackendError

# The scopes a caller's token must grant, per tool: from the spec's security requirements, or as chosen at
# generation (`mcpgen --scope`). A tool not listed needs none.
TOOL_SCOPES: Mapping[str, frozenset[str]] = {
    "create_task": frozenset({"tasks:write"}),
    "delete_task": frozenset({"tasks:read", "tasks:write"}),
    "list_tasks": frozenset({"tasks:read"}),
}
# Advertised in the protected resource metadata, so that clients ask for them when the user signs in.
SCOPES_SUPPORTED = sorted({scope for scopes in TOOL_SCOPES.values() for scope in scopes})


def missing_scopes(tool: str, granted: Sequence[str]) -> list[str]:
    return sorted(TOOL_SCOPES.get(tool, frozenset()) - set(granted))


def granted_scopes(ctx: Context | None) -> list[str] | None:
    """The scopes the caller's token grants; None where scopes are not checked (stdio, in-memory clients)."""
    transport = ctx.transport if ctx is not None else None
    if transport in (None, "stdio"):
        return None
    token = get_access_token()
    # Without a token (MCP_ALLOW_ANONYMOUS) the caller holds no scope.
    return list(token.scopes) if token is not None else []


def scope_refusal(tool: str, missing: Sequence[str]) -> BackendError:
    """The authorization_error of a caller whose token lacks `missing`, scopes `tool` requires."""
    return BackendError(
        "authorization_error",
        f"{tool} needs the scope{'s' if len(missing) > 1 else ''} {', '.join(missing)}, which the "
        "caller's token does not grant; nothing was sent to the backend.",
        details={
            "tool": tool,
            "missing_scopes": list(missing),
            "required_scopes": sorted(TOOL_SCOPES[tool]),
        },
        hints=(
            "Tell the user this needs more access: they can sign in again granting "
            f"{' '.join(missing)}, or ask an administrator for it.",
            "Do not retry with the same token; it will be refused the same way.",
        ),
    )


class ScopeGuard(Middleware):
    """Hides the tools a caller's token does not grant, and refuses calls to them with the missing scopes."""

    async def on_list_tools(
        self,
        context: MiddlewareContext[mcp_types.ListToolsRequest],
        call_next: CallNext[Any, Sequence[Tool]],
    ) -> Sequence[Tool]:
        tools = await call_next(context)
        granted = granted_scopes(context.fastmcp_context)
        if granted is None:
            return tools
        return [tool for tool in tools if not missing_scopes(tool.name, granted)]

    async def on_call_tool(
        self,
        context: MiddlewareContext[mcp_types.CallToolRequestParams],
        call_next: CallNext[Any, ToolResult],
    ) -> ToolResult:
        tool = context.message.name
        granted = granted_scopes(context.fastmcp_context)
        missing = missing_scopes(tool, granted) if granted is not None else []
        if missing:
            raise scope_refusal(tool, missing).to_tool_error()
        return await call_next(context)


def public_url(settings: Settings) -> str:
    """Where MCP clients reach this server: MCP_PUBLIC_URL, else the address it listens on."""
    if settings.mcp_public_url:
        return settings.mcp_public_url
    host = "localhost" if settings.mcp_host in ("0.0.0.0", "::", "") else settings.mcp_host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.mcp_port}"


def authorization_servers(settings: Settings) -> list[str]:
    """MCP_AUTHORIZATION_SERVERS, else the JWT issuer when it is a URL (it names the server that signs)."""
    if settings.mcp_authorization_servers:
        return list(settings.mcp_authorization_servers)
    issuer = settings.mcp_jwt_issuer or ""
    return [issuer] if issuer.startswith(("https://", "http://")) else []


# RFC 9728 puts a resource's metadata at the well-known path followed by the resource's own path; some clients
# look at the bare well-known path first, so it answers too.
METADATA_PATH = "/.well-known/oauth-protected-resource"


class ProtectedResource(RemoteAuthProvider):
    """FastMCP's RemoteAuthProvider, whose metadata also answers at the bare well-known path."""

    def get_routes(self, mcp_path: str | None = None) -> list[Route]:
        routes = super().get_routes(mcp_path)
        served = next(
            (r for r in routes if isinstance(r, Route) and r.path.startswith(METADATA_PATH)), None
        )
        if served is not None and served.path != METADATA_PATH:
            routes.append(
                Route(METADATA_PATH, endpoint=served.endpoint, methods=sorted(served.methods or ()))
            )
        return routes


def protected_resource(verifier: TokenVerifier, settings: Settings) -> AuthProvider:
    """The verifier, serving /.well-known/oauth-protected-resource/mcp (RFC 9728) and naming it in the
    WWW-Authenticate header of every 401, so that MCP clients can discover how to sign in. Without an
    authorization server to name, the bare verifier."""
    servers = authorization_servers(settings)
    if not servers:
        return verifier
    return ProtectedResource(
        token_verifier=verifier,
        authorization_servers=servers,
        base_url=public_url(settings),
        scopes_supported=SCOPES_SUPPORTED,
        resource_name="Tasks MCP",
    )
