"""Load stage: a path or URL → a checked OpenAPI 3.x document (plain dict) with only local `$ref`s left.

Swagger 2.0 documents are converted to OpenAPI 3.0.3 here, after every check has run on the original, so
each error points into the file the user wrote.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..errors import Diagnostic, MCPGenError, pointer
from .bundle import Bundler, is_file_ref
from .limits import MAX_SPEC_BYTES
from .parse import Parsed, parse_text
from .refgraph import check_ref_graph, resolve_pointer
from .shape import check_shape
from .swagger2 import convert_swagger2

SUPPORTED_VERSIONS = ("3.0", "3.1")
SWAGGER_VERSION = "2.0"
MAX_VALIDATION_WARNINGS = 5
__all__ = ["LoadedSpec", "is_url", "load_spec", "resolve_pointer"]


@dataclass
class LoadedSpec:
    """A parsed OpenAPI document and what loading it taught us."""

    document: dict[str, Any]
    source: str
    version: str
    warnings: list[Diagnostic] = field(default_factory=list)


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def _amount(size: int) -> str:
    return f"{size / 2**20:.3g} MB" if size >= 2**20 else f"{size / 2**10:.3g} KB"


def _too_large(source: str, size: int | None) -> MCPGenError:
    limit = f"the {_amount(MAX_SPEC_BYTES)} mcpgen reads"
    return MCPGenError(
        f"is {_amount(size)}, more than {limit}" if size else f"is more than {limit}",
        file=source,
        hint="remove the paths and schemas the server does not need, or split the spec",
    )


def _download(source: str) -> tuple[bytes, str | None]:
    """The body, read no further than the size limit, and the charset the server declared."""
    import httpx2

    body = bytearray()
    try:
        with httpx2.stream("GET", source, follow_redirects=True, timeout=30) as response:
            response.raise_for_status()
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_SPEC_BYTES:
                raise _too_large(source, int(declared))
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_SPEC_BYTES:
                    raise _too_large(source, None)
            return bytes(body), response.charset_encoding
    except httpx2.HTTPError as exc:
        raise MCPGenError(f"cannot download the spec: {exc}", file=source, hint="check the URL") from exc


def _read_file(source: str) -> bytes:
    path = Path(source)
    if not path.exists():
        raise MCPGenError("file not found", file=source, hint="check the path to the OpenAPI spec")
    if path.is_dir():
        raise MCPGenError(
            "is a folder, not a spec file", file=source, hint="pass the JSON or YAML file itself"
        )
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise _too_large(source, size)
        with path.open("rb") as handle:  # bounded: a pipe or a device has no size to check first
            data = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise MCPGenError(
            f"cannot read the file: {exc.strerror or exc}", file=source, hint="check its permissions"
        ) from exc
    if len(data) > MAX_SPEC_BYTES:
        raise _too_large(source, None)
    return data


def _read_text(source: str) -> str:
    data, charset = _download(source) if is_url(source) else (_read_file(source), None)
    try:
        return data.decode(charset or "utf-8-sig")
    except (UnicodeDecodeError, LookupError) as exc:
        raise MCPGenError(
            "is not UTF-8 text", file=source, hint="save the spec as UTF-8 JSON or YAML"
        ) from exc


def read_document(source: str) -> Parsed:
    """Read and parse a spec or a file it refers to, as plain JSON data, within the limits."""
    return parse_text(_read_text(source), source)


def _check_version(document: Any, source: str) -> str:
    if not isinstance(document, dict):
        raise MCPGenError(
            "is not an OpenAPI document (the top level is not an object)",
            file=source,
            hint="pass an OpenAPI 3.0 or 3.1 spec",
        )
    if "openapi" not in document and "swagger" in document:
        if str(document["swagger"]) == SWAGGER_VERSION:
            return SWAGGER_VERSION
        raise MCPGenError(
            f"Swagger {document['swagger']} is not supported",
            file=source,
            pointer="/swagger",
            hint="convert it to OpenAPI 3 first, e.g. with editor.swagger.io",
        )
    version = document.get("openapi")
    if version is None:
        raise MCPGenError(
            "is not an OpenAPI document (no 'openapi' field)",
            file=source,
            pointer="",
            hint="pass an OpenAPI 3.0 or 3.1 spec",
        )
    version = str(version)
    if (
        not version.startswith(tuple(v + "." for v in SUPPORTED_VERSIONS))
        and version not in SUPPORTED_VERSIONS
    ):
        raise MCPGenError(
            f"OpenAPI version {version} is not supported",
            file=source,
            pointer="/openapi",
            hint="mcpgen reads OpenAPI 3.0.x and 3.1.x, and Swagger 2.0",
        )
    return version


def _walk(node: Any, path: tuple):
    """Yield (path, mapping) for every mapping in the document, without recursion."""
    stack = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            yield where, current
            stack.extend((value, (*where, key)) for key, value in current.items())
        elif isinstance(current, list):
            stack.extend((value, (*where, index)) for index, value in enumerate(current))


def _walk_resources(document: dict):
    """Yield (path, mapping, base URI, path of its schema resource) for every mapping in the document.

    A schema resource starts at a schema with `$id` (its base URI, relative to the enclosing one) or, for the
    `$recursiveRef` and `$dynamicRef` of schemas without one, at its component schema.
    """
    stack: list[tuple[Any, tuple, str, tuple]] = [(document, (), "", ())]
    while stack:
        current, where, base, root = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("$id"), str):
                base, root = urljoin(base, current["$id"]) if base else current["$id"], where
            elif len(where) == 3 and where[:2] == ("components", "schemas"):
                root = where
            yield where, current, base, root
            stack.extend((value, (*where, key), base, root) for key, value in current.items())
        elif isinstance(current, list):
            stack.extend((value, (*where, index), base, root) for index, value in enumerate(current))


def _id_index(document: dict) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Map JSON Schema `$id`s (as written, and resolved against the enclosing `$id`) and `$anchor`s to local
    pointers (OpenAPI 3.1 allows both)."""
    ids: dict[str, str] = {}
    for where, node, base, _root in _walk_resources(document):
        if isinstance(node.get("$id"), str):
            ids.setdefault(node["$id"], pointer(*where))
            ids[base] = pointer(*where)
    anchors: dict[tuple[str, str], str] = {}
    for schema_id, at in ids.items():
        for where, node in _walk(resolve_pointer(document, at), ()):
            if isinstance(node.get("$anchor"), str):
                anchors[(schema_id, node["$anchor"])] = at + pointer(*where)
    return ids, anchors


def _dynamic_target(document: dict, root: tuple, ref: str) -> str:
    """Where a `$recursiveRef` or `$dynamicRef` points, read statically: the `$dynamicAnchor` it names in its
    own schema resource, else the resource itself (an API's recursive schemas have no dynamic scope to
    extend)."""
    anchor = ref.partition("#")[2]
    if anchor and not anchor.startswith("/"):
        for where, node in _walk(resolve_pointer(document, pointer(*root)), ()):
            if node.get("$dynamicAnchor") == anchor:
                return "#" + pointer(*root, *where)
    return "#" + pointer(*root)


class _RefPolicy:
    """Checks every `$ref`: local ones must resolve; remote ones are refused unless allowed, then inlined."""

    def __init__(self, document: dict, source: str, allow_remote: bool):
        self.document = document
        self.source = source
        self.allow_remote = allow_remote
        self.ids, self.anchors = _id_index(document)
        self.remote_cache: dict[str, Any] = {}
        self.remote_warnings: list[Diagnostic] = []
        # A local spec's relative file refs are part of it (bundle.py); a URL spec's are remote.
        self.bundler = (
            None
            if is_url(source)
            else Bundler(
                document,
                Path(source),
                read_document,
                allow_outside=allow_remote,
                swagger2=_check_version(document, source) == SWAGGER_VERSION,
            )
        )

    @property
    def warnings(self) -> list[Diagnostic]:
        """What reading the referenced files taught us."""
        return [*self.remote_warnings, *(self.bundler.warnings if self.bundler else [])]

    def apply(self) -> None:
        for where, node, base, root in list(_walk_resources(self.document)):
            for dynamic in ("$recursiveRef", "$dynamicRef"):
                if isinstance(node.get(dynamic), str) and "$ref" not in node:
                    node["$ref"] = _dynamic_target(self.document, root, node.pop(dynamic))
            ref = node.get("$ref")
            if not isinstance(ref, str):
                continue
            at = pointer(*where, "$ref")
            if ref.startswith("#"):
                self._check_local(ref, at)
            elif local := self._local_id_ref(urljoin(base, ref) if base else ref) or self._local_id_ref(ref):
                node["$ref"] = local
            elif self.bundler is not None and is_file_ref(ref):
                self.bundler.bundle(node, where)
            elif not self.allow_remote:
                raise MCPGenError(
                    f"remote $ref {ref!r} refused",
                    file=self.source,
                    pointer=at,
                    hint="inline the schema, or pass --allow-remote-refs if you trust its source",
                )
            else:
                self._inline_remote(node, ref, at)

    def _check_local(self, ref: str, at: str) -> None:
        try:
            resolve_pointer(self.document, ref[1:])
        except (KeyError, IndexError, ValueError) as exc:
            raise MCPGenError(
                f"unresolvable $ref {ref!r}",
                file=self.source,
                pointer=at,
                hint="define the target or fix the reference",
            ) from exc

    def _local_id_ref(self, ref: str) -> str | None:
        base, _, fragment = ref.partition("#")
        if base not in self.ids:
            return None
        if not fragment:
            return "#" + self.ids[base]
        if fragment.startswith("/"):
            return "#" + self.ids[base] + fragment
        return "#" + self.anchors[(base, fragment)] if (base, fragment) in self.anchors else None

    def _inline_remote(self, node: dict, ref: str, at: str, depth: int = 0) -> None:
        if depth > 20:
            raise MCPGenError(
                "remote $refs nest too deeply", file=self.source, pointer=at, hint="bundle the spec first"
            )
        base_source = self.source if depth == 0 else node.get("x-mcpgen-source", self.source)
        target_uri, _, fragment = ref.partition("#")
        location = urljoin(base_source, target_uri) if is_url(base_source) else target_uri
        if not is_url(location):
            location = str((Path(base_source).parent / target_uri).resolve())
        if location not in self.remote_cache:
            parsed = read_document(location)
            self.remote_cache[location] = parsed.document
            self.remote_warnings.extend(parsed.warnings)
        try:
            target = copy.deepcopy(resolve_pointer(self.remote_cache[location], fragment))
        except (KeyError, IndexError, ValueError) as exc:
            raise MCPGenError(
                f"unresolvable remote $ref {ref!r}", file=self.source, pointer=at, hint="fix the reference"
            ) from exc
        node.pop("$ref")
        node.update(target if isinstance(target, dict) else {"const": target})
        for _, inner in list(_walk(node, ())):
            inner_ref = inner.get("$ref")
            if isinstance(inner_ref, str):
                if inner_ref.startswith("#"):
                    inner["$ref"] = target_uri + inner_ref
                inner["x-mcpgen-source"] = location
                self._inline_remote(inner, inner["$ref"], at, depth + 1)


def _validation_warnings(document: dict, version: str) -> list[Diagnostic]:
    """Strict validation with openapi-pydantic; real specs often fail it, so failures are warnings."""
    from openapi_pydantic import parse_obj
    from pydantic import ValidationError

    try:
        parse_obj(document)
    except ValidationError as exc:
        found = []
        for error in exc.errors()[:MAX_VALIDATION_WARNINGS]:
            # the first part names the union member (the version); capitalised parts name models
            loc = [part for part in error["loc"][1:] if not (isinstance(part, str) and part[:1].isupper())]
            found.append(Diagnostic(f"does not validate as OpenAPI {version}: {error['msg']}", pointer(*loc)))
        if exc.error_count() > MAX_VALIDATION_WARNINGS:
            found.append(
                Diagnostic(f"{exc.error_count() - MAX_VALIDATION_WARNINGS} more validation findings")
            )
        return found
    except (TypeError, ValueError) as exc:
        return [Diagnostic(f"does not validate as OpenAPI {version}: {exc}")]
    return []


def load_spec(source: str, *, allow_remote_refs: bool = False, validate: bool = True) -> LoadedSpec:
    """Read, parse, check and validate a spec. Raises MCPGenError with a one-line explanation."""
    parsed = read_document(source)
    document, warnings = parsed.document, list(parsed.warnings)
    version = _check_version(document, source)
    refs = _RefPolicy(document, source, allow_remote_refs)
    refs.apply()
    warnings += refs.warnings
    # After the files of a split spec are in: an operation may be a `$ref` to its file until then.
    warnings += check_shape(document, source)
    check_ref_graph(document, source)
    if version == SWAGGER_VERSION:
        converted = convert_swagger2(document, source)
        document, version = converted.document, converted.document["openapi"]
        warnings += converted.warnings
    if validate:
        warnings += _validation_warnings(document, version)
    return LoadedSpec(document=document, source=source, version=version, warnings=warnings)
