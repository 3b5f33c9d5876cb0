"""Specs split across files: relative file `$ref`s bundled into one document.

Large APIs publish their spec as many files (DigitalOcean: 2,900 YAML files joined by `resources/droplets/
droplets_list.yml` and `definitions.yml#/apiAgent`). Files in the spec's own folder or below it are part of
the spec, so they are followed without asking; a ref that climbs out of that folder is refused unless the
user allows it, as a URL is.

Each ref is resolved against the file that contains it. A schema from another file gets a home in the
document's schemas (`components/schemas`, or `definitions` in Swagger 2.0) under the name its pointer or file
gives it, once, before its own refs are followed: a schema that refers to itself across files becomes an
ordinary recursive model. Anything else (a path item, an operation, a parameter) is copied in place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import Diagnostic, MCPGenError, pointer
from .limits import MAX_BUNDLE_BYTES, MAX_BUNDLE_FILES, MAX_REF_DEPTH
from .parse import Parsed
from .refgraph import resolve_pointer

# Keys under which a `$ref` points at a schema: once inside one, every nested `$ref` does too.
_SCHEMA_KEYS = frozenset({"schema", "schemas", "definitions"})
# Keywords whose value is a map of schemas: a `$ref` in their place brings the whole map, not one schema.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def is_file_ref(ref: str) -> bool:
    """A ref to another file by a relative path (`models/pet.yml#/Pet`), not a URL nor a local pointer."""
    return not ref.startswith("#") and not urlsplit(ref).scheme


@dataclass
class _Work:
    node: dict
    where: tuple  # its path in the bundled document
    file: Path  # the file its refs are relative to
    in_file: str  # its JSON pointer in that file, for messages
    depth: int  # files followed to reach it


@dataclass
class Bundler:
    """Follows the file refs of a local spec; `read` parses one file within the limits."""

    document: dict
    source: Path
    read: Callable[[str], Parsed]
    allow_outside: bool
    swagger2: bool
    files: dict[Path, Any] = field(default_factory=dict)
    homes: dict[tuple[Path, str], str] = field(default_factory=dict)  # (file, pointer) -> local ref
    read_bytes: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.source = self.source.resolve()
        self.folder = self.source.parent
        self.files[self.source] = self.document

    @property
    def _schemas(self) -> tuple[str, ...]:
        return ("definitions",) if self.swagger2 else ("components", "schemas")

    def bundle(self, node: dict, where: tuple) -> None:
        """Replace the file ref at `node` (the main document's mapping at `where`) and every ref it brings."""
        queue = [_Work(node, where, self.source, pointer(*where), 0)]
        while queue:
            work = queue.pop()
            self._follow(work, queue)

    def _follow(self, work: _Work, queue: list[_Work]) -> None:
        ref = work.node["$ref"]
        at = f"{work.in_file}/$ref"
        target_uri, _, fragment = ref.partition("#")
        target = (work.file.parent / unquote(target_uri)).resolve() if target_uri else work.file
        if target == self.source:
            work.node["$ref"] = "#" + fragment  # a ref back into the main document is a local one
            return
        if work.depth >= MAX_REF_DEPTH:
            raise self._error(f"file $refs nest more than {MAX_REF_DEPTH} deep at {ref!r}", work.file, at)
        if not target.is_relative_to(self.folder) and not self.allow_outside:
            raise MCPGenError(
                f"the $ref {ref!r} points outside the spec's folder ({target}): refused",
                file=self._shown(work.file),
                pointer=at,
                hint="move the file beside the spec, or pass --allow-remote-refs if you trust it",
            )
        content = self._content(target, fragment, ref, work, at)
        key = (target, fragment)
        if self._in_schema(work.where):
            home = self.homes.get(key)
            if home is None:
                home = self.homes[key] = self._home(work, target, fragment)
                where = tuple(part.replace("~1", "/").replace("~0", "~") for part in home[2:].split("/"))
                placed = self._place(where, copy.deepcopy(content))
                self._queue(placed, where, target, fragment, work.depth + 1, queue)
            if home != "#" + pointer(*work.where):
                work.node["$ref"] = home
            return
        # Not a schema: copied in place, its own refs followed from the file it came from.
        work.node.pop("$ref")
        work.node.update(copy.deepcopy(content) if isinstance(content, dict) else {"const": content})
        self._queue(work.node, work.where, target, fragment, work.depth + 1, queue)

    def _content(self, target: Path, fragment: str, ref: str, work: _Work, at: str) -> Any:
        document = self._file(target, work, at)
        try:
            return resolve_pointer(document, unquote(fragment))
        except (KeyError, IndexError, ValueError) as exc:
            raise self._error(f"unresolvable $ref {ref!r}", work.file, at) from exc

    def _file(self, target: Path, work: _Work, at: str) -> Any:
        if target in self.files:
            return self.files[target]
        if not target.is_file():
            raise self._error(
                f"the $ref {work.node['$ref']!r} names a file that does not exist", work.file, at
            )
        if len(self.files) > MAX_BUNDLE_FILES:
            raise self._error(f"the spec spans more than {MAX_BUNDLE_FILES} files", work.file, at)
        self.read_bytes += target.stat().st_size
        if self.read_bytes > MAX_BUNDLE_BYTES:
            raise self._error(
                f"the spec's files add up to more than {MAX_BUNDLE_BYTES // 2**20} MB", work.file, at
            )
        parsed = self.read(str(target))
        shown = self._shown(target)
        self.warnings.extend(Diagnostic(w.message, f"{shown}#{w.pointer}") for w in parsed.warnings)
        self.files[target] = parsed.document
        return parsed.document

    def _in_schema(self, where: tuple) -> bool:
        if where == self._schemas:
            return False  # the whole map of schemas in another file: copied in place
        if where and where[-1] in _SCHEMA_MAPS and (len(where) < 2 or where[-2] not in _SCHEMA_MAPS):
            return False  # `properties: {$ref: props.yml}`: the map is copied in place
        return any(part in _SCHEMA_KEYS for part in where if isinstance(part, str))

    def _home(self, work: _Work, target: Path, fragment: str) -> str:
        """Where a schema from another file lives in the document: the component that is only this ref keeps
        its own name; any other gets one from its pointer or file."""
        if len(work.where) == len(self._schemas) + 1 and work.where[:-1] == self._schemas:
            if set(work.node) == {"$ref"}:
                return "#" + pointer(*work.where)
        schemas = self._container()
        stem = (
            fragment.rstrip("/").rsplit("/", 1)[-1] if fragment.strip("/") else target.stem
        ) or target.stem
        name, suffix = stem, 2
        taken = set(schemas) | {home.rsplit("/", 1)[-1] for home in self.homes.values()}
        while name in taken:
            name, suffix = f"{stem}_{suffix}", suffix + 1
        schemas[name] = {}  # reserved until it is placed
        return "#" + pointer(*self._schemas, name)

    def _container(self) -> dict:
        node = self.document
        for part in self._schemas:
            node = node.setdefault(part, {})
        return node

    def _place(self, where: tuple, content: Any) -> Any:
        """Put `content` at `where` (in the mapping already there, which refs may hold); return it."""
        parent = resolve_pointer(self.document, pointer(*where[:-1]))
        if isinstance(parent[where[-1]], dict) and isinstance(content, dict):
            parent[where[-1]].clear()
            parent[where[-1]].update(content)
        else:
            parent[where[-1]] = content
        return parent[where[-1]]

    def _queue(self, content: Any, where: tuple, file: Path, fragment: str, depth: int, queue: list) -> None:
        """The refs inside content taken from `file`: a local one (`#/...`) means that file's pointer."""
        stack = [(content, where, fragment)]
        found = []
        while stack:
            node, at, in_file = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    if not ref.startswith("#") and not is_file_ref(ref):
                        raise self._error(
                            f"the $ref {ref!r} leaves the machine from a file of the spec: refused",
                            file,
                            f"{in_file}/$ref",
                        )
                    if ref.startswith("#"):
                        node["$ref"] = file.name + ref
                    found.append(_Work(node, at, file, in_file or "", depth))
                    continue
                stack.extend(
                    (value, (*at, key), f"{in_file}/{pointer(key)[1:]}") for key, value in node.items()
                )
            elif isinstance(node, list):
                stack.extend((value, (*at, i), f"{in_file}/{i}") for i, value in enumerate(node))
        queue.extend(reversed(found))

    def _shown(self, file: Path) -> str:
        return str(file.relative_to(self.folder)) if file.is_relative_to(self.folder) else str(file)

    def _error(self, message: str, file: Path, at: str) -> MCPGenError:
        return MCPGenError(message, file=self._shown(file), pointer=at, hint="fix the reference")
