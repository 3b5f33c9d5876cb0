"""Which authentication pattern the backend needs, from its security schemes and identity headers."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Diagnostic
from .model import ApiKey, Auth, IdentityHeader, PatternName

DEFAULT_IDENTITY_HEADERS = {"x-user-id": "sub", "x-organization-id": "org_id"}


def identity_header_map(configured: list[str]) -> dict[str, str]:
    """Lower-cased header name → token claim; `--identity-header NAME[=claim]` adds to the defaults."""
    found = dict(DEFAULT_IDENTITY_HEADERS)
    for item in configured:
        name, _, claim = item.partition("=")
        found[name.strip().lower()] = claim.strip() or "sub"
    return found


def _used_schemes(document: dict) -> list[str]:
    """Scheme names in the order the spec first requires them (global, then per operation)."""
    seen: list[str] = []

    def note(requirements: object) -> None:
        for requirement in requirements if isinstance(requirements, list) else []:
            for name in requirement if isinstance(requirement, dict) else {}:
                if name not in seen:
                    seen.append(name)

    note(document.get("security"))
    for item in (document.get("paths") or {}).values():
        for operation in (item or {}).values() if isinstance(item, dict) else []:
            if isinstance(operation, dict):
                note(operation.get("security"))
    return seen


@dataclass
class AuthDecision:
    auth: Auth
    warnings: list[Diagnostic]


def detect_auth(document: dict, requested: str, declared_identity: dict[str, str]) -> AuthDecision:
    """`declared_identity` maps each identity header the spec declares (its spelling) to its claim."""
    warnings: list[Diagnostic] = []
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    used = [name for name in _used_schemes(document) if isinstance(schemes.get(name), dict)]
    if not used:
        used = [name for name, scheme in schemes.items() if isinstance(scheme, dict)]
    api_key = next(
        (
            ApiKey(name=schemes[n]["name"], location=schemes[n]["in"])
            for n in used
            if schemes[n].get("type") == "apiKey" and schemes[n].get("in") in ("header", "query", "cookie")
        ),
        None,
    )
    bearer_like = [
        n
        for n in used
        if schemes[n].get("type") in ("oauth2", "openIdConnect")
        or (schemes[n].get("type") == "http" and str(schemes[n].get("scheme", "")).lower() == "bearer")
    ]
    pattern: PatternName
    if requested != "auto":
        pattern, reason = requested, "chosen with --pattern"  # type: ignore[assignment]
    elif any(claim == "sub" for claim in declared_identity.values()):
        header = next(h for h, claim in declared_identity.items() if claim == "sub")
        pattern, reason = "service-to-service", f"operations take the identity header {header}"
    elif bearer_like:
        pattern, reason = "bearer", f"security scheme {bearer_like[0]!r} takes a bearer token"
    elif api_key is not None:
        pattern, reason = "api-key", f"security scheme takes an API key in the {api_key.location}"
    else:
        pattern, reason = "none", "the spec declares no usable security scheme"
        for name in used:
            kind = schemes[name].get("type"), schemes[name].get("scheme")
            warnings.append(
                Diagnostic(
                    f"security scheme {name!r} ({kind[0]} {kind[1] or ''}) is not supported; "
                    "the server sends no backend credential",
                    f"/components/securitySchemes/{name}",
                )
            )
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
    )
    return AuthDecision(auth, warnings)
