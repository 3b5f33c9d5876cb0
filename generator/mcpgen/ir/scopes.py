"""The OAuth scopes a caller's token must hold for each tool: from the spec's security requirements, then the
generation's overrides (`--scope TOOL=a,b`, `--scope tag:TAG=a,b`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import Diagnostic, MCPGenError, pointer
from .model import Tool

# RFC 6749 §3.3 scope-token: visible ASCII except space, double quote and backslash.
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
TAG_PREFIX = "tag:"
# Security schemes whose requirement lists are OAuth scopes (in OpenAPI 3.0 only these may list any).
SCOPED_SCHEMES = ("oauth2", "openIdConnect")


@dataclass(frozen=True)
class ScopeDecision:
    scopes: list[str]
    warning: Diagnostic | None = None


def required_scopes(document: dict, operation: dict, where: str) -> ScopeDecision:
    """The scopes the operation's security requirement (or the document's) asks of an OAuth token.

    A requirement list is a choice of alternatives. An MCP caller brings one OAuth token, so the alternatives
    that name scoped schemes are the ones that apply; the first is kept, with a warning when others differ,
    and `--scope` settles it otherwise. An alternative without scopes (another scheme, or `{}`) adds none.
    """
    requirements = operation["security"] if "security" in operation else document.get("security")
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    alternatives: list[list[str]] = []
    for requirement in requirements if isinstance(requirements, list) else []:
        found: list[str] = []
        for name, listed in requirement.items() if isinstance(requirement, dict) else []:
            scheme = schemes.get(name)
            if isinstance(scheme, dict) and scheme.get("type") in SCOPED_SCHEMES and isinstance(listed, list):
                found += [str(scope) for scope in listed if isinstance(scope, str) and scope not in found]
        if found:
            alternatives.append(found)
    if not alternatives:
        return ScopeDecision([])
    chosen = alternatives[0]
    valid = [scope for scope in chosen if SCOPE_TOKEN.fullmatch(scope)]
    warning = None
    if len(valid) < len(chosen):
        warning = Diagnostic(
            "scopes with spaces, quotes or backslashes are not OAuth scope tokens; left out", where
        )
    elif any(set(other) != set(chosen) for other in alternatives[1:]):
        warning = Diagnostic(
            "the security requirement offers other scope sets; the tool requires the first "
            f"({' '.join(chosen)}); --scope TOOL=... chooses another",
            where,
        )
    return ScopeDecision(sorted(valid), warning)


def parse_scope_option(text: str) -> tuple[str, list[str]]:
    """`TOOL=a,b` or `tag:TAG=a,b` → (key, scopes); `TOOL=` means the tool needs no scope."""
    key, equals, listed = text.partition("=")
    key = key.strip()
    scopes = [scope.strip() for scope in listed.split(",") if scope.strip()]
    if not equals or not key or key == TAG_PREFIX:
        raise MCPGenError(
            f"--scope {text!r} is not TOOL=scope1,scope2 or tag:TAG=scope1,scope2",
            hint="e.g. --scope delete_task=tasks:write",
        )
    bad = [scope for scope in scopes if not SCOPE_TOKEN.fullmatch(scope)]
    if bad:
        raise MCPGenError(
            f"--scope {key}: {bad[0]!r} is not an OAuth scope token", hint="no spaces, quotes or backslashes"
        )
    return key, scopes


def apply_overrides(tools: list[Tool], overrides: Mapping[str, list[str]], source: str) -> None:
    """Set each tool's scopes from the overrides: a tool's own entry wins over its tags' entries, whose scopes
    add up. A key that names no tool or tag stops generation: a typo would leave a tool unprotected."""
    by_name = {tool.name: tool for tool in tools}
    tags = {tag.lower() for tool in tools for tag in tool.tags}
    for key in overrides:
        if key.lower().startswith(TAG_PREFIX):
            if key[len(TAG_PREFIX) :].lower() not in tags:
                raise MCPGenError(
                    f"--scope {key}: no tool has this tag",
                    file=source,
                    pointer=pointer("paths"),
                    hint="check the spec's tags",
                )
        elif key not in by_name:
            raise MCPGenError(
                f"--scope {key}: no tool has this name",
                file=source,
                pointer=pointer("paths"),
                hint="use the tool names `mcpgen from-openapi --dry-run --json` lists, or tag:TAG",
            )
    tag_entries = {
        key[len(TAG_PREFIX) :].lower(): scopes
        for key, scopes in overrides.items()
        if key.lower().startswith(TAG_PREFIX)
    }
    for tool in tools:
        if tool.name in overrides:
            tool.scopes = sorted(set(overrides[tool.name]))
            continue
        matching = [tag_entries[tag.lower()] for tag in tool.tags if tag.lower() in tag_entries]
        if matching:
            tool.scopes = sorted({scope for scopes in matching for scope in scopes})
