"""Make parsed YAML or JSON plain JSON data, in place, before any stage reads it.

OpenAPI is a JSON data model: keys are strings, numbers are finite, text is Unicode. YAML and Python's JSON
decoder both let other things through (integer keys from `200:`, dates, `.nan`, booleans from `on:`, lone
surrogates from `"\\ud800"`); later stages would crash on them far from the cause. What has only one meaning
(an integer key means its digits, a date means its text) is converted with a warning; the rest is refused
with the pointer of the first occurrence.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic, MCPGenError, pointer
from .limits import MAX_DOCUMENT_NODES, MAX_NESTING_DEPTH

NESTING_HINT = "move nested schemas into components/schemas and $ref them"
_YAML_SPELLING = {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}
_JSON_SPELLING = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


class YamlDate(str):
    """An unquoted YAML date or timestamp, kept as its own text (PyYAML would make it a `datetime`, which
    JSON cannot hold); it becomes a plain string here, with a warning."""


@dataclass(frozen=True)
class _Trail:
    """The way from the root to a node, kept as links so that a pointer is only built when one is needed."""

    parent: _Trail | None
    part: str | int

    def pointer(self, *more: str | int) -> str:
        parts: list[str | int] = list(reversed(more))
        trail: _Trail | None = self
        while trail is not None and trail.parent is not None:
            parts.append(trail.part)
            trail = trail.parent
        return pointer(*reversed(parts))


_ROOT = _Trail(None, "")


@dataclass
class _Found:
    """Conversions of one kind: how many, and where the first was."""

    count: int = 0
    first: str = ""

    def note(self, where: str) -> None:
        self.count += 1
        self.first = self.first or where


@dataclass
class _Plainer:
    source: str
    yaml: bool
    nodes: int = 0
    integer_keys: _Found = field(default_factory=_Found)
    dates: _Found = field(default_factory=_Found)

    def refuse(self, where: str, message: str, hint: str) -> MCPGenError:
        return MCPGenError(message, file=self.source, pointer=where, hint=hint)

    def run(self, document: dict | list) -> None:
        """Visit every node in document order, so "the first" is the first a reader meets; no recursion."""
        stack = [self.enter(document, _ROOT, 1)]
        while stack:
            node, children, trail, depth = stack[-1]
            for key, value in children:
                if isinstance(value, dict | list):
                    stack.append(self.enter(value, _Trail(trail, key), depth + 1))
                    break
                if type(value) is not str or not value.isascii():
                    replacement = self.plain_value(value, trail, key)
                    if replacement is not value:
                        node[key] = replacement  # replaces a value of the mapping being iterated: allowed
            else:
                stack.pop()

    def enter(self, node: dict | list, trail: _Trail, depth: int) -> tuple[Any, Iterator, _Trail, int]:
        if depth > MAX_NESTING_DEPTH:
            message = f"nests more than {MAX_NESTING_DEPTH} levels deep"
            raise self.refuse(trail.pointer(), message, NESTING_HINT)
        self.nodes += len(node) * (2 if isinstance(node, dict) else 1)
        if self.nodes > MAX_DOCUMENT_NODES:
            raise self.refuse(
                trail.pointer(),
                f"has more than {MAX_DOCUMENT_NODES:,} keys and values",
                "remove the paths and schemas the server does not need, or split the spec",
            )
        if isinstance(node, dict):
            self.plain_keys(node, trail)
            return node, iter(node.items()), trail, depth
        return node, iter(enumerate(node)), trail, depth

    def plain_keys(self, mapping: dict, trail: _Trail) -> None:
        if all(type(key) is str and key.isascii() for key in mapping):
            return
        plain: dict[str, Any] = {}
        for key, value in mapping.items():
            text = self.plain_key(key, trail)
            if text in plain:
                raise self.refuse(
                    trail.pointer(text),
                    "the key appears twice once unquoted YAML keys are read as text",
                    "keep one of them",
                )
            plain[text] = value
        if list(plain) != list(mapping):
            mapping.clear()
            mapping.update(plain)

    def plain_key(self, key: Any, trail: _Trail) -> str:
        where = trail.pointer()
        quote = "quote the key in the spec"
        if isinstance(key, YamlDate):
            self.dates.note(trail.pointer(key))
            return str(key)
        if isinstance(key, str):
            self.check_text(key, where)
            return key
        if isinstance(key, bool):
            raise self.refuse(
                where,
                f"the mapping key {key} is a boolean",
                quote + "; YAML reads unquoted on, off, yes, no, true and false as booleans",
            )
        if isinstance(key, int):
            self.integer_keys.note(trail.pointer(str(key)))
            return str(key)
        if isinstance(key, float):
            raise self.refuse(where, f"the mapping key {key} is a number", quote)
        if key is None:
            raise self.refuse(where, "the mapping key ~ is null (an empty or ~ key)", quote)
        raise self.refuse(where, f"a mapping key is a YAML {type(key).__name__}", quote)

    def plain_value(self, value: Any, trail: _Trail, key: str | int) -> Any:
        if value is None or isinstance(value, bool | int):
            return value
        if isinstance(value, YamlDate):
            self.dates.note(trail.pointer(key))
            return str(value)
        if isinstance(value, str):
            self.check_text(value, trail.pointer(key))
            return value
        if isinstance(value, float):
            if math.isfinite(value):
                return value
            spelling = (_YAML_SPELLING if self.yaml else _JSON_SPELLING)[str(value)]
            raise self.refuse(
                trail.pointer(key),
                f"{spelling} is not a JSON number",
                "use a finite number, or quote it if it is text",
            )
        if isinstance(value, bytes):
            raise self.refuse(
                trail.pointer(key), "is YAML binary data (!!binary)", "write it as a base64 string"
            )
        raise self.refuse(
            trail.pointer(key),
            f"is a YAML {type(value).__name__}, which JSON cannot hold",
            "write it as a list or a mapping",
        )

    def check_text(self, text: str, where: str) -> None:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise self.refuse(
                where,
                f"the text holds a lone UTF-16 surrogate ({text[exc.start]!r})",
                "fix the escape sequence; a \\ud800-\\udfff escape must be half of a pair",
            ) from exc

    def warnings(self) -> list[Diagnostic]:
        found = []
        if self.integer_keys.count:
            found.append(
                Diagnostic(
                    f"{_counted(self.integer_keys.count, 'unquoted integer key')} read as text, the first "
                    "here; quote status codes and other numeric keys",
                    self.integer_keys.first,
                )
            )
        if self.dates.count:
            found.append(
                Diagnostic(
                    f"{_counted(self.dates.count, 'unquoted YAML date')} read as text, the first here; "
                    "quote dates to keep them text",
                    self.dates.first,
                )
            )
        return found


def _counted(count: int, noun: str) -> str:
    return f"1 {noun} was" if count == 1 else f"{count} {noun}s were"


def to_json_data(document: Any, source: str, *, from_yaml: bool) -> list[Diagnostic]:
    """Check and convert `document` in place; return the warnings for what was converted."""
    plainer = _Plainer(source, from_yaml)
    if isinstance(document, dict | list):
        plainer.run(document)
    return plainer.warnings()
