"""`mcpgen diff`: how the tools an assistant sees change between two versions of an API.

Each side is a spec, or a generated project (the answers it was rendered from). The answers contract already
holds what a client sees of a tool: its name, its arguments (names, types, required or not), its output type
and the models it reaches, and its method (hence its annotations), so the diff compares two answers.

A change is breaking for an AI client when a call that worked before can now fail or do something else: a tool
removed or renamed, an argument removed, retyped or made required, an output field removed or retyped, a
read-only tool that now writes, or a tool that now destroys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..render import TypeData

WRITING = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class SurfaceChange:
    tool: str
    kind: str  # tool-added, tool-removed, tool-renamed, argument-added, ..., annotations-changed
    detail: str
    breaking: bool

    def as_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "kind": self.kind, "detail": self.detail, "breaking": self.breaking}


@dataclass(frozen=True)
class SurfaceDiff:
    changes: list[SurfaceChange]

    @property
    def breaking(self) -> bool:
        return any(change.breaking for change in self.changes)

    @property
    def suggested_bump(self) -> str:
        if self.breaking:
            return "major"
        if any(change.kind.endswith("added") for change in self.changes):
            return "minor"
        return "patch" if self.changes else "none"

    def as_dict(self) -> dict[str, Any]:
        return {
            "breaking": self.breaking,
            "suggested_bump": self.suggested_bump,
            "changes": [change.as_dict() for change in self.changes],
        }


def _spelled(record: TypeData | None) -> str:
    """A type record as a reader writes it, for messages."""
    if record is None:
        return "nothing"
    if isinstance(record, str):
        return record
    if "list" in record:
        return f"list of {_spelled(record['list'])}"
    if "dict" in record:
        return f"map of {_spelled(record['dict'])}"
    if "literal" in record:
        return "one of " + ", ".join(repr(v) for v in record["literal"])
    return " or ".join(_spelled(member) for member in record["union"])


class _Side:
    def __init__(self, answers: dict[str, Any]):
        self.tools = {tool["name"]: tool for tool in answers["tools"]}
        self.parameters = answers.get("parameters", {})
        self.models = {model["name"]: model for model in answers.get("models", [])}

    def arguments(self, tool: dict) -> dict[str, dict]:
        return {self.parameters[key]["name"]: self.parameters[key] for key in tool.get("params", [])}

    def shape(self, record: TypeData | None, depth: int = 0, seen: frozenset[str] = frozenset()) -> Any:
        """The type with the fields of the models it names, as plain data to compare (cycles cut)."""
        if record is None or depth > 8:
            return None
        if isinstance(record, str):
            model = self.models.get(record)
            if model is None or record in seen:
                return record
            if model.get("kind", "object") == "enum":
                return {"enum": sorted(map(str, model.get("members", {}).values()))}
            if model.get("kind") == "alias":
                return self.shape(model.get("alias"), depth + 1, seen | {record})
            fields = {
                f["name"]: {
                    "type": self.shape(f["type"], depth + 1, seen | {record}),
                    "required": f.get("required", False),
                }
                for f in model.get("fields", [])
            }
            base = self.shape(model["base"], depth + 1, seen | {record}) if model.get("base") else None
            return {"fields": fields, "base": base}
        return {key: self._shape_value(value, depth, seen) for key, value in record.items()}

    def _shape_value(self, value: Any, depth: int, seen: frozenset[str]) -> Any:
        if isinstance(value, list):
            return [
                self.shape(item, depth + 1, seen) if isinstance(item, str | dict) else item for item in value
            ]
        if isinstance(value, str | dict):
            return self.shape(value, depth + 1, seen)
        return value


def _output_changes(tool: str, old: Any, new: Any, path: str = "output") -> list[SurfaceChange]:
    if old == new:
        return []
    for container, suffix in (("list", "[]"), ("dict", "{}")):
        if isinstance(old, dict) and isinstance(new, dict) and container in old and container in new:
            return _output_changes(tool, old[container], new[container], path + suffix)
    if isinstance(old, dict) and isinstance(new, dict) and "fields" in old and "fields" in new:
        changes = []
        for name in sorted(set(old["fields"]) | set(new["fields"])):
            before, after = old["fields"].get(name), new["fields"].get(name)
            where = f"{path}.{name}"
            if before is None:
                changes.append(SurfaceChange(tool, "output-field-added", where, False))
            elif after is None:
                changes.append(SurfaceChange(tool, "output-field-removed", where, True))
            else:
                changes += _output_changes(tool, before["type"], after["type"], where)
        return changes
    return [SurfaceChange(tool, "output-changed", f"{path} changed type", True)]


def _renames(old: _Side, new: _Side) -> dict[str, str]:
    """Removed tools that reappear under another name for the same method and path."""
    gone = {(t["method"], t["path"]): name for name, t in old.tools.items() if name not in new.tools}
    return {
        gone[(t["method"], t["path"])]: name
        for name, t in new.tools.items()
        if name not in old.tools and (t["method"], t["path"]) in gone
    }


def diff_answers(old_answers: dict[str, Any], new_answers: dict[str, Any]) -> SurfaceDiff:
    old, new = _Side(old_answers), _Side(new_answers)
    renamed = _renames(old, new)
    changes: list[SurfaceChange] = []
    for name in sorted(set(old.tools) | set(new.tools)):
        if name in renamed.values():
            continue
        if name not in new.tools:
            if name in renamed:
                changes.append(SurfaceChange(name, "tool-renamed", f"now {renamed[name]}", True))
                changes += _tool_changes(renamed[name], old, old.tools[name], new, new.tools[renamed[name]])
            else:
                changes.append(SurfaceChange(name, "tool-removed", "", True))
        elif name not in old.tools:
            changes.append(SurfaceChange(name, "tool-added", "", False))
        else:
            changes += _tool_changes(name, old, old.tools[name], new, new.tools[name])
    return SurfaceDiff(changes)


def _tool_changes(name: str, old: _Side, before: dict, new: _Side, after: dict) -> list[SurfaceChange]:
    changes = []
    old_args, new_args = old.arguments(before), new.arguments(after)
    for arg in sorted(set(old_args) | set(new_args)):
        was, now = old_args.get(arg), new_args.get(arg)
        if was is None:
            required = now.get("required", False)
            changes.append(
                SurfaceChange(
                    name, "argument-added", f"{arg} ({'required' if required else 'optional'})", required
                )
            )
        elif now is None:
            changes.append(SurfaceChange(name, "argument-removed", arg, True))
        else:
            old_type, new_type = old.shape(was["type"]), new.shape(now["type"])
            if old_type != new_type or was.get("nullable", False) != now.get("nullable", False):
                detail = f"{arg}: {_spelled(was['type'])} → {_spelled(now['type'])}"
                changes.append(SurfaceChange(name, "argument-retyped", detail, True))
            if now.get("required", False) and not was.get("required", False):
                changes.append(SurfaceChange(name, "argument-made-required", arg, True))
            elif was.get("required", False) and not now.get("required", False):
                changes.append(SurfaceChange(name, "argument-made-optional", arg, False))
    old_out = old.shape(before.get("response", {}).get("type"))
    new_out = new.shape(after.get("response", {}).get("type"))
    changes += _output_changes(name, old_out, new_out)
    if before["method"] != after["method"]:
        writes_now = after["method"] in WRITING and before["method"] not in WRITING
        destroys_now = after["method"] == "DELETE" and before["method"] != "DELETE"
        detail = f"{before['method']} → {after['method']}"
        changes.append(SurfaceChange(name, "annotations-changed", detail, writes_now or destroys_now))
    if (before.get("title"), before.get("description")) != (after.get("title"), after.get("description")):
        changes.append(SurfaceChange(name, "description-changed", "", False))
    return changes


def format_diff(diff: SurfaceDiff) -> str:
    if not diff.changes:
        return "no change to the tools an assistant sees"
    lines = [
        f"{'BREAKING' if change.breaking else 'ok':>8}  {change.tool}: {change.kind}"
        + (f" ({change.detail})" if change.detail else "")
        for change in diff.changes
    ]
    verdict = "breaking for AI clients" if diff.breaking else "compatible"
    lines.append(f"{len(diff.changes)} changes, {verdict}; suggested version bump: {diff.suggested_bump}")
    return "\n".join(lines)
