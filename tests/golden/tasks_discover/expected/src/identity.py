"""Who is calling: the verified MCP token in http mode, the configured user in stdio mode.

Identity never comes from a tool argument, and the MCP client's own token stays here: only the claims
named in IDENTITY_HEADERS travel to the backend.
"""

import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastmcp.server.auth import AccessToken, AuthProvider, JWTVerifier, StaticTokenVerifier
from fastmcp.server.dependencies import get_access_token

from .config import ConfigError, Settings
from .logs import protect
from .schemas.errors import BackendError
from .security import protected_resource

logger = logging.getLogger(__name__)

# Dev tokens are bearer secrets too: shorter ones can be guessed, and would be too short to redact reliably.
MIN_DEV_TOKEN_LENGTH = 16

# Identity values travel in HTTP headers, which carry visible ASCII only. Any other value (non-ASCII text,
# control characters, spaces at either end) is sent RFC 8187-style, as in Content-Disposition's filename*:
# "UTF-8''" and the value's UTF-8 bytes percent-encoded ("José" → "UTF-8''Jos%C3%A9"). A plain value that
# starts with that prefix is encoded too, so the backend decodes without ambiguity: a value that starts with
# "UTF-8''" (any case) is always encoded, any other is the value itself.
ENCODED_PREFIX = "UTF-8''"
_PLAIN_VALUE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
# RFC 8187 attr-char: what stays as is in an encoded value.
_ATTR_CHAR = "!#$&+-.^_`|~"

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
    return caller_of(get_access_token(), settings)


def caller_of(token: AccessToken | None, settings: Settings) -> Caller:
    """The caller a verified token names; without one, the configured user."""
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
    return {
        header: header_safe(value)
        for header, claim in IDENTITY_HEADERS
        if (value := caller.claim(claim))
    }


def header_safe(value: str) -> str:
    """An identity value as a header carries it: itself when it is plain ASCII, else encoded (see ENCODED_PREFIX)."""
    if _PLAIN_VALUE.fullmatch(value) and value[: len(ENCODED_PREFIX)].upper() != ENCODED_PREFIX:
        return value
    return ENCODED_PREFIX + quote(value, safe=_ATTR_CHAR)


class StrictJWTVerifier(JWTVerifier):
    """FastMCP's JWTVerifier (signature, issuer, audience, expiry), and the time claims it leaves unchecked.

    A token must say when it expires (`exp`): one without would be valid forever once leaked. A token that is
    not valid yet (`nbf`) or claims to be issued in the future (`iat`) is refused. `leeway` seconds absorb
    clock differences between the issuer and this server for those two.
    """

    def __init__(self, *, leeway: float, **options: Any) -> None:
        super().__init__(**options)
        self.leeway = leeway

    async def load_access_token(self, token: str) -> AccessToken | None:
        access = await super().load_access_token(token)
        if access is None:
            return None
        problem = self._time_problem(access.claims or {}, time.time())
        if problem:
            # The subject is logged as FastMCP logs its own refusals; the token never is.
            logger.info("Bearer token rejected for client %s: %s", access.client_id, problem)
            return None
        return access

    def _time_problem(self, claims: Mapping[str, Any], now: float) -> str | None:
        def number(name: str) -> float | None:
            # RFC 7519 NumericDate: a JSON number. A bool is an int to Python, a numeric string is not one.
            value = claims.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            return float(value)

        if number("exp") is None:
            return "no numeric exp claim"
        for name in ("nbf", "iat"):
            if name in claims and number(name) is None:
                return f"the {name} claim is not a number"
        not_before = number("nbf")
        if not_before is not None and not_before > now + self.leeway:
            return "not valid yet (nbf)"
        issued = number("iat")
        if issued is not None and issued > now + self.leeway:
            return "issued in the future (iat)"
        return None


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
        if len(token) < MIN_DEV_TOKEN_LENGTH:
            raise ConfigError(
                f"MCP_DEV_TOKENS_FILE entry {number}: the token must be at least {MIN_DEV_TOKEN_LENGTH} characters"
            )
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
        verifier = StrictJWTVerifier(
            public_key=settings.mcp_jwt_public_key,
            jwks_uri=settings.mcp_jwt_jwks_uri,
            issuer=settings.mcp_jwt_issuer,
            audience=settings.mcp_jwt_audience,
            leeway=settings.mcp_jwt_leeway,
            # Keys are cached for an hour; a token signed with a key id not yet cached (the issuer rotated its
            # keys) fetches the set again, at most once per this many seconds.
            jwks_refresh_interval=settings.mcp_jwt_jwks_refresh_interval,
        )
        return protected_resource(verifier, settings)
    if settings.mcp_dev_tokens_file is not None:
        return StaticTokenVerifier(tokens=load_dev_tokens(settings))
    if not settings.mcp_allow_anonymous:
        # Settings already refuse this; kept so that no code path serves http unauthenticated by accident.
        raise ConfigError(
            "MCP_TRANSPORT=http needs MCP_JWT_PUBLIC_KEY, MCP_JWT_JWKS_URI or MCP_DEV_TOKENS_FILE"
        )
    return None
