"""Sample JSON values that satisfy a schema, for the generated project's own tests and the example calls an
assistant reads (tool descriptions, describe_operation).

A sample holds the required properties plus those with a non-null default, so that what a pydantic model
dumps (by alias, without None) equals the sample: the generated tests can then compare requests exactly.
A string reads like a real value: the spec's own example, else one made from its format, else from the name
of the property or argument that holds it (`agent_id` → "agent-123", `email` → "ada@example.com"); never
"string".
"""

from __future__ import annotations

import re
from typing import Any

from ..spec import resolve_pointer
from .regex_sample import shortest_match
from .schemas import annotation_only, default_fits

MAX_DEPTH = 24
_FORMAT_SAMPLES = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "ada@example.com",
    "idn-email": "ada@example.com",
    "uri": "https://example.com/resource",
    "url": "https://example.com/resource",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "binary": "aGVsbG8=",
    "byte": "aGVsbG8=",
}
# Values of a string by the last word of the name that holds it (`billing_email` → email).
_NAMED_SAMPLES = {
    "email": "ada@example.com",
    "url": "https://example.com",
    "uri": "https://example.com",
    "link": "https://example.com",
    "href": "https://example.com",
    "website": "https://example.com",
    "endpoint": "https://example.com/hook",
    "namespace": "default",
    "title": "Quarterly report",
    "subject": "Quarterly report",
    "description": "A short description.",
    "summary": "A short description.",
    "note": "A short note.",
    "comment": "Looks good to me.",
    "message": "Hello!",
    "content": "Hello!",
    "text": "Hello!",
    "body": "Hello!",
    "prompt": "Hello!",
    "input": "Hello!",
    "instructions": "Answer briefly.",
    "query": "report",
    "q": "report",
    "search": "report",
    "password": "correct-horse-battery",
    "secret": "s3cr3t-value",
    "phone": "+15555550100",
    "country": "US",
    "currency": "usd",
    "language": "en",
    "locale": "en",
    "lang": "en",
    "color": "#3366ff",
    "path": "docs/readme.md",
    "file": "report.pdf",
    "filename": "report.pdf",
    "version": "1.0.0",
    "date": "2024-01-02",
    "at": "2024-01-02T03:04:05Z",
    "time": "2024-01-02T03:04:05Z",
    "timestamp": "2024-01-02T03:04:05Z",
    "status": "active",
    "state": "active",
    "role": "user",
    "label": "urgent",
    "tag": "urgent",
    "username": "ada",
    "user": "ada",
    "login": "ada",
    "owner": "ada",
    "slug": "my-project",
    "model": "gpt-4o-mini",
    "token": "tok-123",
    "key": "key-123",
    "cursor": "cursor-123",
    "after": "cursor-123",
    "before": "cursor-123",
    "ref": "main",
    "branch": "main",
    "sha": "3f786850e387550fdab836ed7e6dc881de23001b",
}
_PATTERN_CANDIDATES = (
    "example",
    "abc",
    "a",
    "1",
    "A1",
    "abc123",
    "ABC",
    "a-b",
    "a_b",
    "2024-01-02",
    "0",
    "x1y2",
)


# A part with one of these is a choice or a value, not more properties.
_NOT_OBJECT_KEYS = frozenset({"oneOf", "anyOf", "enum", "const"})


class NoSample(Exception):
    """The schema allows no value we know how to make."""


class Sampler:
    def __init__(self, document: dict):
        self.document = document
        # Arrays met above this depth get one item even where the schema allows none (see `filled`).
        self.fill_depth = 0

    def filled(self, schema: Any, depth: int = 6) -> Any:
        """A sample whose arrays (down to `depth` levels, `$ref`s counted) hold one item where they may: a
        backend answer whose lists the generated tests can see validated and grow."""
        self.fill_depth = depth
        try:
            return self.sample(schema)
        finally:
            self.fill_depth = 0

    def sample(self, schema: Any, depth: int = 0, name: str = "") -> Any:
        """A value of `schema`; a string reads like a value of `name`, the property or argument holding it."""
        if depth > MAX_DEPTH:
            raise NoSample("schema nests too deeply")
        if not isinstance(schema, dict):
            return named_text(name)
        if isinstance(schema.get("$ref"), str):
            return self.sample(resolve_pointer(self.document, schema["$ref"][1:]), depth + 1, name)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self._first_of(schema[key], depth, name)
        if isinstance(schema.get("allOf"), list) and schema["allOf"]:
            return self._all_of(schema, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "null":
            return None
        if kind == "array" or (kind is None and "items" in schema):
            count = schema.get("minItems") if isinstance(schema.get("minItems"), int) else 0
            if count == 0 and depth < self.fill_depth and schema.get("maxItems") != 0 and "items" in schema:
                try:
                    return [self.sample(schema.get("items"), depth + 1, name)]
                except NoSample:
                    return []
            return [self.sample(schema.get("items"), depth + 1, name) for _ in range(count)]
        if kind == "object" or (
            kind is None and ("properties" in schema or "additionalProperties" in schema)
        ):
            return self._object(schema, depth)
        if kind == "string":
            return self._string(schema, name)
        if kind in ("integer", "number"):
            return self._number(schema, kind)
        if kind == "boolean":
            return True
        return named_text(name)

    def _first_of(self, options: list, depth: int, name: str = "") -> Any:
        for option in options:
            resolved = option
            while isinstance(resolved, dict) and isinstance(resolved.get("$ref"), str):
                resolved = resolve_pointer(self.document, resolved["$ref"][1:])
            if isinstance(resolved, dict) and resolved.get("type") == "null":
                continue
            try:
                return self.sample(option, depth + 1, name)
            except NoSample:
                continue
        return None

    def _all_of(self, schema: dict, depth: int) -> Any:
        combined = self._combined_object(schema, depth)
        if combined is not None:
            return self._object(combined, depth)
        parts = [part for part in schema["allOf"] if not annotation_only(part)]
        merged: dict = {}
        for part in parts:
            value = self.sample(part, depth + 1)
            if not isinstance(value, dict):
                return value
            merged.update(value)
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        if rest.get("properties"):
            merged.update(self._object(rest, depth))
        return merged

    def _combined_object(self, schema: dict, depth: int) -> dict | None:
        """An allOf of objects as one object: a part may require a property another part declares (OpenAI's
        `Response` requires `model`, declared in `ModelResponseProperties`). None when a part is no object."""
        if depth > MAX_DEPTH:
            raise NoSample("schema nests too deeply")
        while isinstance(schema.get("$ref"), str):
            schema = resolve_pointer(self.document, schema["$ref"][1:])
            if not isinstance(schema, dict):
                return None
        properties: dict = {}
        required: list[str] = []
        for part in [*(schema.get("allOf") or []), {k: v for k, v in schema.items() if k != "allOf"}]:
            if not isinstance(part, dict) or annotation_only(part):
                continue
            if isinstance(part.get("allOf"), list) or isinstance(part.get("$ref"), str):
                inner = self._combined_object(part, depth + 1)
            elif part.get("type") in (None, "object") and not _NOT_OBJECT_KEYS & part.keys():
                inner = part
            else:
                inner = None
            if inner is None:
                return None
            if isinstance(inner.get("properties"), dict):
                properties.update(inner["properties"])
            required += [name for name in inner.get("required") or [] if isinstance(name, str)]
        return {"type": "object", "properties": properties, "required": required}

    def _object(self, schema: dict, depth: int) -> dict:
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        value = {}
        for name, prop in properties.items():
            if name in required:
                value[name] = self.sample(prop, depth + 1, name)
            elif (default := self._default(prop)) is not None:
                value[name] = default
        return value

    def _default(self, schema: Any) -> Any:
        """The default nearest the property (3.1 allows one beside a `$ref`), if it has the right type."""
        default = None
        while isinstance(schema, dict):
            if "default" in schema and default is None:
                default = schema["default"]
            if not isinstance(schema.get("$ref"), str):
                break
            schema = resolve_pointer(self.document, schema["$ref"][1:])
        return default if isinstance(schema, dict) and default_fits(schema, default) else None

    @staticmethod
    def _string(schema: dict, name: str = "") -> str:
        fmt = schema.get("format")
        if fmt is None and ("contentMediaType" in schema or "contentEncoding" in schema):
            fmt = "binary"  # OpenAPI 3.1's spelling of a file: its content, base64 in JSON
        text = _FORMAT_SAMPLES.get(fmt) if isinstance(fmt, str) else None
        if text is None:
            # The spec's own example, when it is a plain string (a formatted one may not parse as its type).
            examples = [schema.get("example"), *(schema.get("examples") or [])[:1]]
            given = next((e for e in examples if isinstance(e, str) and e and not fmt), None)
            text = given or named_text(name)
        pattern = schema.get("pattern")
        try:
            compiled = re.compile(pattern) if isinstance(pattern, str) else None
        except re.error:
            # Not a regex at all: the generated server does not check it either (build.py warns).
            pattern = compiled = None
        if compiled is not None:
            if not compiled.search(text):
                found = next((c for c in _PATTERN_CANDIDATES if compiled.search(c)), None) or shortest_match(
                    pattern
                )
                if found is None:
                    raise NoSample(f"no sample matches the pattern {pattern!r}")
                text = found
        low = schema.get("minLength") if isinstance(schema.get("minLength"), int) else 0
        high = schema.get("maxLength") if isinstance(schema.get("maxLength"), int) else None
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if high is not None and len(text) > high:
            text = text[:high]
        if isinstance(pattern, str) and not re.search(pattern, text):
            raise NoSample(f"no sample of {low} to {high} characters matches the pattern {pattern!r}")
        return text

    @staticmethod
    def _number(schema: dict, kind: str) -> int | float:
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        value: float = 1 if kind == "integer" else 1.5
        if isinstance(low, int | float) and not isinstance(low, bool) and value <= low:
            value = low + 1 if (schema.get("exclusiveMinimum") is not None) else low
        if isinstance(high, int | float) and not isinstance(high, bool) and value >= high:
            value = high - 1 if (schema.get("exclusiveMaximum") is not None) else high
        return int(value) if kind == "integer" else float(value)


def _name_words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return re.findall(r"[a-z0-9]+", spaced.lower())


def named_text(name: str) -> str:
    """A string that reads like a real value of what `name` names: `agent_id` → "agent-123", `email` →
    "ada@example.com", `name` → "my-item"; "example" when the name says nothing."""
    found = _name_words(name)
    if not found:
        return "example"
    last, stem = found[-1], "-".join(found[:-1])
    if last in ("id", "ids", "uuid") and stem:
        return f"{stem}-123"
    if last in ("id", "ids"):
        return "id-123"
    if last == "name":
        return f"my-{stem or 'item'}"
    if last in _NAMED_SAMPLES:
        return _NAMED_SAMPLES[last]
    if last.endswith("s") and last[:-1] in _NAMED_SAMPLES:
        return _NAMED_SAMPLES[last[:-1]]
    return f"example-{'-'.join(found)}"


def path_hint(name: str) -> str:
    """The name a path parameter's sample reads like: it identifies a thing, so `customer` reads as an id
    ("customer-123"), unless its name already says what it is (`namespace`, `name`, `agent_id`)."""
    found = _name_words(name)
    # A value with a slash ("docs/readme.md" for `path`) is not one path segment: such a name reads as an id.
    named = found[-1] in _NAMED_SAMPLES and "/" not in _NAMED_SAMPLES[found[-1]] if found else False
    if not found or named or found[-1] in ("name", "id", "ids", "uuid"):
        return name
    return f"{name}_id"
