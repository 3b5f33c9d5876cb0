"""Spec text → plain JSON data. YAML is measured event by event before anything is built from it, so an
alias "billion laughs", a self-containing alias or a 100,000-level nest is refused instead of hanging or
crashing the generator."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
)

from ..errors import Diagnostic, MCPGenError, pointer
from .jsondata import NESTING_HINT, YamlDate, to_json_data
from .limits import MAX_ALIAS_NODES, MAX_DOCUMENT_NODES, MAX_NESTING_DEPTH

try:  # the C parser is ten times faster on multi-megabyte specs
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

SYNTAX_HINT = "fix the syntax or re-export the spec"


@dataclass
class Parsed:
    """A document as plain JSON data, and what had to be converted to make it so."""

    document: Any
    warnings: list[Diagnostic]


class _SpecLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with dates kept as text and integers bounded by Python's digit limit."""

    def construct_date_text(self, node: yaml.ScalarNode) -> YamlDate:
        return YamlDate(self.construct_scalar(node))

    def construct_bounded_int(self, node: yaml.ScalarNode) -> int:
        try:
            return self.construct_yaml_int(node)
        except ValueError as exc:  # more digits than int() accepts
            problem = f"an integer with more than {sys.get_int_max_str_digits()} digits"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from exc


_SpecLoader.add_constructor("tag:yaml.org,2002:timestamp", _SpecLoader.construct_date_text)
_SpecLoader.add_constructor("tag:yaml.org,2002:int", _SpecLoader.construct_bounded_int)


def parse_text(text: str, source: str) -> Parsed:
    """Parse JSON or YAML into plain JSON data; a syntax error names the line and column."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise MCPGenError("is empty", file=source, hint="pass an OpenAPI 3.0 or 3.1 spec")
    if text.lstrip().startswith(("{", "[")):
        document = _parse_json(text, source)
        return Parsed(document, to_json_data(document, source, from_yaml=False))
    _measure_yaml(text, source)
    try:
        document = yaml.load(text, Loader=_SpecLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from exc
    return Parsed(document, to_json_data(document, source, from_yaml=True))


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MCPGenError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=source, hint=SYNTAX_HINT
        ) from exc
    except RecursionError as exc:  # the C decoder stops near a thousand levels; mcpgen's limit is lower
        raise MCPGenError(
            f"nests more than {MAX_NESTING_DEPTH} levels deep", file=source, hint=NESTING_HINT
        ) from exc
    except ValueError as exc:  # the only other ValueError: an integer over Python's digit limit
        raise MCPGenError(
            f"invalid JSON: an integer with more than {sys.get_int_max_str_digits()} digits",
            file=source,
            hint="write such a number as a string",
        ) from exc


def _yaml_error(exc: yaml.YAMLError, source: str) -> MCPGenError:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or "syntax error"
    return MCPGenError(f"invalid YAML{where}: {problem}", file=source, hint=SYNTAX_HINT)


@dataclass(frozen=True)
class _Size:
    """What a finished node stands for once its aliases are expanded."""

    nodes: int
    height: int  # 0 for a scalar


_SCALAR = _Size(nodes=1, height=0)


@dataclass
class _Open:
    """A mapping or sequence whose end event has not come yet."""

    anchor: str | None
    is_mapping: bool
    nodes: int = 1
    height: int = 1
    children: int = 0
    key: str = ""  # in a mapping, the key of the value being read

    def slot(self) -> str | int:
        """This collection's part of the pointer to the child being read."""
        return self.key if self.is_mapping else self.children


@dataclass
class _YamlMeasure:
    """Counts a YAML stream as if every alias were expanded, and stops at the first limit it passes."""

    source: str
    anchors: dict[str, _Size] = field(default_factory=dict)
    open: list[_Open] = field(default_factory=list)
    total: int = 0
    from_aliases: int = 0

    def refuse(self, message: str, event: Any, hint: str) -> MCPGenError:
        where = pointer(*(frame.slot() for frame in self.open))
        return MCPGenError(
            f"{message} (line {event.start_mark.line + 1})", file=self.source, pointer=where, hint=hint
        )

    def start(self, event: Any) -> None:
        if len(self.open) >= MAX_NESTING_DEPTH:
            raise self.refuse(f"nests more than {MAX_NESTING_DEPTH} levels deep", event, NESTING_HINT)
        self.open.append(_Open(event.anchor, isinstance(event, MappingStartEvent)))
        self.total += 1

    def finish(self, event: Any) -> None:
        done = self.open.pop()
        self.attach(_Size(done.nodes, done.height), done.anchor, event)

    def scalar(self, event: ScalarEvent) -> None:
        self.total += 1
        if self.open and self.open[-1].is_mapping and self.open[-1].children % 2 == 0:
            self.open[-1].key = event.value
        self.attach(_SCALAR, event.anchor, event)

    def alias(self, event: AliasEvent) -> None:
        size = self.anchors.get(event.anchor)
        if size is None:
            if any(frame.anchor == event.anchor for frame in self.open):
                raise self.refuse(
                    "a YAML alias refers to the node that contains it",
                    event,
                    "an alias must not repeat its own container; that document would be infinite",
                )
            raise self.refuse(f"invalid YAML: the alias *{event.anchor} has no anchor", event, SYNTAX_HINT)
        self.from_aliases += size.nodes
        self.total += size.nodes
        if self.from_aliases > MAX_ALIAS_NODES:
            raise self.refuse(
                f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                event,
                "this is the 'billion laughs' shape; write repeated parts out, or share them with $ref",
            )
        if len(self.open) + size.height > MAX_NESTING_DEPTH:
            raise self.refuse(
                f"nests more than {MAX_NESTING_DEPTH} levels deep once YAML aliases are expanded",
                event,
                NESTING_HINT,
            )
        self.attach(size, None, event)

    def attach(self, size: _Size, anchor: str | None, event: Any) -> None:
        if self.total > MAX_DOCUMENT_NODES:
            raise self.refuse(
                f"has more than {MAX_DOCUMENT_NODES:,} keys and values",
                event,
                "remove the paths and schemas the server does not need, or split the spec",
            )
        if anchor is not None:
            self.anchors[anchor] = size
        if self.open:
            parent = self.open[-1]
            parent.nodes += size.nodes
            parent.height = max(parent.height, size.height + 1)
            parent.children += 1


def _measure_yaml(text: str, source: str) -> None:
    """Walk the YAML events once, before PyYAML builds (and, for aliases, shares) any object.

    The C parser reads ahead and has limits of its own (libyaml stops deep flow collections, in words that
    change between releases): when it fails, the pure-Python parser walks the events again, so that mcpgen's
    own limits, or the real syntax error, are what the message says."""
    try:
        _walk_yaml(_SpecLoader(text), source)
    except yaml.YAMLError as exc:
        if _SafeLoader is not yaml.SafeLoader:
            try:
                _walk_yaml(yaml.SafeLoader(text), source)
            except yaml.YAMLError as found:
                raise _yaml_error(found, source) from found
        raise _yaml_error(exc, source) from exc


def _walk_yaml(loader: Any, source: str) -> None:
    measure = _YamlMeasure(source)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, ScalarEvent):  # the commonest, so the first test
                measure.scalar(event)
            elif isinstance(event, CollectionStartEvent):
                measure.start(event)
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                measure.finish(event)
            elif isinstance(event, AliasEvent):
                measure.alias(event)
    finally:
        loader.dispose()
