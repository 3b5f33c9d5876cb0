"""Who is calling: the verified MCP token in http mode, the configured user in stdio mode.

Identity never comes from a tool argument, and the MCP client's own token stays here: only the claims
named in IDENTITY_HEADERS travel to the backend.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastmcp.server.auth import AuthProvider, JWTVerifier, StaticTokenVerifier
from fastmcp.server.dependencies import get_access_token

from src.config import ConfigError, Settings
from src.logs import protect
from src.schemas.errors import BackendError

# The headers the backend reads the caller from, and the claim each one carries.
IDENTITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-User-ID", "sub"),
    ("X-Organization-ID", "org_id"),
)


@dataclass(frozen=True)
class Caller:
    """The user a tool call acts for."""

    user_id: str | None
    org_id: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict)

    def claim(self, name: str) -> str | None:
        """A claim as a header value; `sub` and `org_id` also cover the stdio user."""
        value = {"sub": self.user_id, "org_id": self.org_id}.get(name) or self.claims.get(name)
        return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def current_caller(settings: Settings) -> Caller:
    """The caller of the tool call in progress."""
    token = get_access_token()
    if token is None:
        # stdio, or http with MCP_ALLOW_ANONYMOUS: the process acts for one configured user.
        return Caller(user_id=settings.mcp_user_id, org_id=settings.mcp_org_id)
    claims = dict(token.claims or {})
    # JWTVerifier names a token that has no sub, client_id or azp claim "unknown": that is nobody.
    user_id = claims.get("sub") or (token.client_id if token.client_id != "unknown" else None)
    org_id = claims.get("org_id")
    return Caller(
        user_id=str(user_id) if user_id else None,
        org_id=str(org_id) if org_id else None,
        claims=claims,
    )


def identity_headers(caller: Caller) -> dict[str, str]:
    """The headers that tell the backend who the caller is."""
    if not caller.user_id:
        # The service token alone would let the backend act with no user, or as the service itself.
        raise BackendError(
            "authentication_error",
            "This call has no user identity, so it was not sent to the backend.",
            hints=(
                "In http mode the MCP client's token needs a sub claim; in stdio mode the operator sets MCP_USER_ID.",
                "Tell the user to sign in again or to ask the operator; do not retry as is.",
            ),
        )
    return {header: value for header, claim in IDENTITY_HEADERS if (value := caller.claim(claim))}


def load_dev_tokens(settings: Settings) -> dict[str, dict[str, Any]]:
    """MCP_DEV_TOKENS_FILE: {"<token>": {"user_id": "alice", "scopes": ["read"], "org_id": "acme"}}."""
    path = settings.mcp_dev_tokens_file
    try:
        entries = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"MCP_DEV_TOKENS_FILE cannot be read as JSON: {error.__class__.__name__}"
        ) from None
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(
            "MCP_DEV_TOKENS_FILE must hold a JSON object mapping each token to its user"
        )
    tokens = {}
    for number, (token, entry) in enumerate(entries.items(), start=1):
        # Entries are numbered in messages: the token itself must not be printed.
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("user_id"), str)
            or not entry["user_id"]
        ):
            raise ConfigError(
                f"MCP_DEV_TOKENS_FILE entry {number} needs a non-empty string user_id"
            )
        scopes = entry.get("scopes", [])
        if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
            raise ConfigError(
                f"MCP_DEV_TOKENS_FILE entry {number}: scopes must be a list of strings"
            )
        claims = {key: value for key, value in entry.items() if key != "user_id"}
        tokens[token] = {
            **claims,
            "client_id": entry["user_id"],
            "sub": entry["user_id"],
            "scopes": scopes,
        }
    protect(*tokens)
    return tokens


def build_auth(settings: Settings) -> AuthProvider | None:
    """How MCP clients prove who they are in http mode; None in stdio mode or when anonymous is allowed."""
    if settings.mcp_transport == "stdio":
        return None
    if settings.verifies_jwt:
        return JWTVerifier(
            public_key=settings.mcp_jwt_public_key,
            jwks_uri=settings.mcp_jwt_jwks_uri,
            issuer=settings.mcp_jwt_issuer,
            audience=settings.mcp_jwt_audience,
        )
    if settings.mcp_dev_tokens_file is not None:
        return StaticTokenVerifier(tokens=load_dev_tokens(settings))
    if not settings.mcp_allow_anonymous:
        # Settings already refuse this; kept so that no code path serves http unauthenticated by accident.
        raise ConfigError(
            "MCP_TRANSPORT=http needs MCP_JWT_PUBLIC_KEY, MCP_JWT_JWKS_URI or MCP_DEV_TOKENS_FILE"
        )
    return None
