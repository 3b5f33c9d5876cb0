"""Which operations become tools, and under which names: the selection options and the curation of
`mcpgen.yaml` (renames, descriptions), decided before any tool is built.

An operation is referred to by its operationId or by the tool name mcpgen gives it (names are decided over
the whole spec, so a name does not change when the selection does). Path patterns are globs on the spec's
path template (`/v1/agents/{agent_id}`): `*` is any text within one segment, `**` any number of whole
segments (none included), `?` one character; a pattern may start with an HTTP method (`DELETE /v1/**`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import Diagnostic, MCPGenError
from ..naming import MAX_TOOL_NAME

# A new name is a Python identifier too: it names the tool's function and module.
_NEW_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_METHOD_PREFIX = re.compile(r"^([A-Za-z]+)\s+(/.*)$")
PROJECT_FILE = "mcpgen.yaml"


@dataclass(frozen=True)
class Candidate:
    """One operation of the spec, as the selection sees it."""

    index: int  # its place in the spec: paths in the spec's order, methods in METHODS order
    method: str  # lower case
    path: str
    operation_id: str | None
    name: str  # the tool name mcpgen gives it
    tags: frozenset[str]  # lower case
    deprecated: bool

    def refs(self) -> set[str]:
        return {self.name} | ({self.operation_id} if self.operation_id else set())


@dataclass
class Selection:
    """What the options say: the candidates to build, in priority order, and what the options named that
    matches nothing (a warning each: a typo would otherwise pass unnoticed)."""

    chosen: list[Candidate]
    named: set[int]  # indexes of the candidates --include-op names: built first under --max-tools
    names: dict[int, str]  # index → the tool's final name, after renames
    warnings: list[Diagnostic] = field(default_factory=list)


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    parts = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("/**", index):
            parts.append("(?:/[^/]*)*")  # none or more whole segments
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(parts) + "/?")


def path_matches(pattern: str, method: str, path: str) -> bool:
    """Whether `METHOD /path/*`-style `pattern` matches the operation (trailing slashes ignored)."""
    pattern = pattern.strip()
    prefixed = _METHOD_PREFIX.match(pattern)
    if prefixed:
        if prefixed.group(1).lower() != method.lower():
            return False
        pattern = prefixed.group(2)
    trimmed = path.rstrip("/") or "/"
    return _glob(pattern.rstrip("/") or "/").fullmatch(trimmed) is not None


@dataclass
class SelectOptions:
    include_tags: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    include_paths: list[str] = field(default_factory=list)
    exclude_paths: list[str] = field(default_factory=list)
    include_operations: list[str] = field(default_factory=list)
    exclude_operations: list[str] = field(default_factory=list)
    exclude_deprecated: bool = False
    rename: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    source: str = PROJECT_FILE  # the file renames and descriptions come from, for messages


def _unmatched(
    kind: str, option: str, values: list[str], matched: set[str], fold: bool = False
) -> list[Diagnostic]:
    return [
        Diagnostic(f"{kind} {value!r} ({option}) matches no operation of the spec; check its spelling")
        for value in values
        if (value.lower() if fold else value) not in matched
    ]


def select(candidates: list[Candidate], options: SelectOptions) -> Selection:
    """The candidates the options keep, and their final names."""
    include_tags = {t.lower() for t in options.include_tags}
    exclude_tags = {t.lower() for t in options.exclude_tags}
    include_ops, exclude_ops = set(options.include_operations), set(options.exclude_operations)
    both = sorted(include_ops & exclude_ops)
    if both:
        raise MCPGenError(
            f"operation {both[0]!r} is both included (--include-op) and excluded (--exclude-op)",
            file=options.source,
            pointer="/exclude_operations",
            hint="keep it in one of include_operations and exclude_operations",
        )
    narrowing = bool(include_tags or options.include_paths or include_ops)
    seen_tags: set[str] = set()
    seen_patterns: set[str] = set()
    seen_refs: set[str] = set()
    chosen, named = [], set()
    for candidate in candidates:
        seen_tags |= candidate.tags
        # A renamed tool answers to its new name too.
        refs = candidate.refs() | {new for old, new in options.rename.items() if old in candidate.refs()}
        seen_refs |= refs
        included_paths = {
            p for p in options.include_paths if path_matches(p, candidate.method, candidate.path)
        }
        excluded_paths = {
            p for p in options.exclude_paths if path_matches(p, candidate.method, candidate.path)
        }
        seen_patterns |= included_paths | excluded_paths
        is_named = bool(refs & include_ops)
        included = not narrowing or is_named or bool(candidate.tags & include_tags or included_paths)
        excluded = (
            bool(candidate.tags & exclude_tags or excluded_paths)
            or (options.exclude_deprecated and candidate.deprecated)
        ) and not is_named  # naming one operation beats a tag, a path or its deprecation
        if refs & exclude_ops or not included or excluded:
            continue
        chosen.append(candidate)
        if is_named:
            named.add(candidate.index)
    warnings = [
        # Tags are compared without case.
        *_unmatched("tag", "include_tags", options.include_tags, seen_tags, fold=True),
        *_unmatched("tag", "exclude_tags", options.exclude_tags, seen_tags, fold=True),
        *_unmatched("path pattern", "include_paths", options.include_paths, seen_patterns),
        *_unmatched("path pattern", "exclude_paths", options.exclude_paths, seen_patterns),
        *_unmatched("operation", "include_operations", options.include_operations, seen_refs),
        *_unmatched("operation", "exclude_operations", options.exclude_operations, seen_refs),
    ]
    names, rename_warnings = _renamed(candidates, chosen, options)
    selection = Selection(chosen, named, names, warnings + rename_warnings)
    selection.warnings += _unknown_descriptions(chosen, names, options)
    return selection


def _renamed(
    candidates: list[Candidate], chosen: list[Candidate], options: SelectOptions
) -> tuple[dict[int, str], list[Diagnostic]]:
    """Final tool names: the generated ones, with the renames of mcpgen.yaml applied and checked."""
    names = {c.index: c.name for c in chosen}
    known = {ref for c in candidates for ref in c.refs()}
    warnings = []
    for old, new in options.rename.items():
        where = f"/rename/{_escape(old)}"
        if not isinstance(new, str) or not _NEW_NAME.match(new) or len(new) > MAX_TOOL_NAME:
            raise MCPGenError(
                f"the new name {new!r} of tool {old!r} is not a valid tool name",
                file=options.source,
                pointer=where,
                hint=f"use letters, digits and '_' (not first), at most {MAX_TOOL_NAME} characters",
            )
        targets = [c for c in chosen if old in c.refs()]
        if not targets:
            if old not in known:
                warnings.append(
                    Diagnostic(
                        f"{options.source} {where}: {old!r} matches no operation of the spec; "
                        "check its spelling"
                    )
                )
            continue
        for target in targets:
            names[target.index] = new
    owners: dict[str, int] = {}
    for candidate in chosen:
        name = names[candidate.index]
        if name in owners:
            old = next((k for k, v in options.rename.items() if v == name), name)
            raise MCPGenError(
                f"renaming {old!r} to {name!r} collides with another tool of that name "
                f"({candidate.method.upper()} {candidate.path})",
                file=options.source,
                pointer=f"/rename/{_escape(old)}",
                hint="choose another new name, or exclude the other operation (exclude_operations)",
            )
        owners[name] = candidate.index
    return names, warnings


def _unknown_descriptions(
    chosen: list[Candidate], names: dict[int, str], options: SelectOptions
) -> list[Diagnostic]:
    refs = {ref for c in chosen for ref in (*c.refs(), names[c.index])}
    return [
        Diagnostic(
            f"{options.source} /descriptions/{_escape(key)}: {key!r} is not a tool of this project; "
            "check its spelling"
        )
        for key in options.descriptions
        if key not in refs
    ]


def description_for(candidate: Candidate, final_name: str, options: SelectOptions) -> str | None:
    """The description mcpgen.yaml gives the tool (by its final name, generated name or operationId)."""
    for ref in (final_name, candidate.name, candidate.operation_id):
        if ref and ref in options.descriptions:
            return options.descriptions[ref]
    return None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
