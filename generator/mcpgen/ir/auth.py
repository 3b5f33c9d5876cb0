"""Which authentication pattern the backend needs, from its security schemes and identity headers."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Diagnostic
from ..spec import METHODS
from .model import ApiKey, Auth, IdentityHeader, PatternName

DEFAULT_IDENTITY_HEADERS = {"x-user-id": "sub", "x-organization-id": "org_id"}


def identity_header_map(configured: list[str]) -> dict[str, str]:
    """Lower-cased header name → token claim; `--identity-header NAME[=claim]` adds to the defaults."""
    found = dict(DEFAULT_IDENTITY_HEADERS)
    for item in configured:
        name, _, claim = item.partition("=")
        found[name.strip().lower()] = claim.strip() or "sub"
    return found


# Among schemes that as many operations accept: one token, then a key, then a user name and password.
_PREFERENCE = {"bearer": 0, "api-key": 1, "basic": 2}


def scheme_usage(document: dict) -> dict[str, int]:
    """Per security scheme, how many operations accept it (their own `security`, else the document's), in
    the order the spec first requires them."""
    usage: dict[str, int] = {}
    default = document.get("security")
    for item in (document.get("paths") or {}).values():
        for method, operation in (item or {}).items() if isinstance(item, dict) else []:
            if method not in METHODS or not isinstance(operation, dict):
                continue
            requirements = operation.get("security", default)
            names = {
                name
                for requirement in (requirements if isinstance(requirements, list) else [])
                for name in (requirement if isinstance(requirement, dict) else {})
            }
            for name in sorted(names):
                usage[name] = usage.get(name, 0) + 1
    if not usage:  # the schemes the document requires, or declares, when no operation says
        for requirement in default if isinstance(default, list) else []:
            for name in requirement if isinstance(requirement, dict) else {}:
                usage.setdefault(name, 0)
    return usage


def scheme_pattern(scheme: dict) -> PatternName | None:
    """The pattern that honours a security scheme, or None when mcpgen cannot."""
    kind = scheme.get("type")
    http_scheme = str(scheme.get("scheme", "")).lower()
    if kind in ("oauth2", "openIdConnect") or (kind == "http" and http_scheme == "bearer"):
        return "bearer"
    if kind == "http" and http_scheme == "basic":
        return "basic"
    if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
        return "api-key"
    return None


def _kind(scheme: dict) -> str:
    if scheme.get("type") == "apiKey":
        return f"an API key in the {scheme.get('in')} {scheme.get('name')!r}"
    if scheme.get("type") == "http":
        return f"HTTP {scheme.get('scheme')} authentication"
    return {"oauth2": "OAuth2", "openIdConnect": "OpenID Connect"}.get(
        scheme.get("type"), str(scheme.get("type"))
    )


@dataclass
class AuthDecision:
    auth: Auth
    warnings: list[Diagnostic]


def detect_auth(document: dict, requested: str, declared_identity: dict[str, str]) -> AuthDecision:
    """`declared_identity` maps each identity header the spec declares (its spelling) to its claim.

    With `auto`, an API with identity headers is service-to-service; otherwise the scheme the most operations
    accept decides (Discord: a bot token in `Authorization`, on 237 of 242 operations, beside OAuth2 on a
    few), and the reason says how many."""
    warnings: list[Diagnostic] = []
    schemes = {
        name: scheme
        for name, scheme in ((document.get("components") or {}).get("securitySchemes") or {}).items()
        if isinstance(scheme, dict)
    }
    usage = {name: count for name, count in scheme_usage(document).items() if name in schemes}
    if not usage:
        usage = dict.fromkeys(schemes, 0)
    operations = sum(
        1
        for item in (document.get("paths") or {}).values()
        if isinstance(item, dict)
        for method, operation in item.items()
        if method in METHODS and isinstance(operation, dict)
    )
    honoured = [name for name in usage if scheme_pattern(schemes[name]) is not None]
    # The most used; among equals, the simplest credential to hold (Stripe takes its secret key as a bearer
    # token or as a basic user name on every operation), then the spec's order.
    chosen = max(
        honoured,
        key=lambda name: (usage[name], -_PREFERENCE[scheme_pattern(schemes[name])]),  # type: ignore[index]
        default=None,
    )
    unsupported: str | None = None
    pattern: PatternName
    if requested != "auto":
        pattern, reason = requested, "chosen with --pattern"  # type: ignore[assignment]
    elif any(claim == "sub" for claim in declared_identity.values()):
        header = next(h for h, claim in declared_identity.items() if claim == "sub")
        pattern, reason = "service-to-service", f"operations take the identity header {header}"
    elif chosen is not None:
        pattern = scheme_pattern(schemes[chosen])  # type: ignore[assignment]
        reason = f"security scheme {chosen!r} ({_kind(schemes[chosen])})"
        if usage[chosen]:
            reason += f" is accepted by {usage[chosen]} of {operations} operations"
        equal = [f"{name!r}" for name in honoured if name != chosen and usage[name] == usage[chosen]]
        others = [f"{name!r} by {usage[name]}" for name in usage if 0 < usage[name] < usage[chosen]]
        if equal:
            reason += f", as is {', '.join(equal)}: the {pattern} pattern is the simplest to hold"
        if others:
            reason += f", more than any other ({', '.join(others)})"
    else:
        pattern, reason = "none", "the spec declares no security scheme"
        if usage:
            names = ", ".join(f"{name!r} ({_kind(schemes[name])})" for name in usage)
            reason = f"no security scheme mcpgen can send: {names}"
            if any(usage.values()):
                unsupported = (
                    f"the backend requires {names}, which mcpgen cannot send: the server sends no backend "
                    "credential, so the backend will refuse its calls"
                )
            for name in usage:
                warnings.append(
                    Diagnostic(
                        f"security scheme {name!r} ({_kind(schemes[name])}) is not supported; "
                        "the server sends no backend credential",
                        f"/components/securitySchemes/{name}",
                    )
                )
    api_key = None
    if pattern == "api-key":
        keyed = chosen if chosen is not None and schemes[chosen].get("type") == "apiKey" else None
        keyed = keyed or next((n for n in usage if scheme_pattern(schemes[n]) == "api-key"), None)
        if keyed is not None:
            api_key = ApiKey(name=schemes[keyed]["name"], location=schemes[keyed]["in"])
    if pattern == "api-key" and api_key is None:
        api_key = ApiKey(name="X-API-Key", location="header")
    identity: list[IdentityHeader] = []
    if pattern == "service-to-service":
        identity = [IdentityHeader(header=h, claim=c) for h, c in declared_identity.items()]
        if not any(h.claim == "sub" for h in identity):
            identity.insert(0, IdentityHeader(header="X-User-ID", claim="sub"))
    elif declared_identity:
        identity = [IdentityHeader(header=h, claim=c) for h, c in declared_identity.items()]
    auth = Auth(
        pattern=pattern,
        reason=reason,
        api_key=api_key if pattern == "api-key" else None,
        identity_headers=identity,
        unsupported=unsupported,
    )
    return AuthDecision(auth, warnings)
