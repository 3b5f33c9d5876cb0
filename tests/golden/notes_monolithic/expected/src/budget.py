"""Answers that fit an assistant's context: a token budget for every tool answer, and `fields` projection.

An answer is measured as a client receives it: the text blocks and the structured content together, at
BYTES_PER_TOKEN bytes a token. One within the budget is returned unchanged (the same object). One over it is
shortened, never turned into an error:

1. the largest arrays are trimmed from the end (the page first, then nested arrays), down to one item;
2. very long strings are cut, where the output schema allows any text (no pattern, format or enum);
3. arrays are trimmed further, down to the schema's `minItems`;
4. optional properties are left out, largest first.

The envelope around a page (`next_cursor`, `total`, `has_more`, a `data` wrapper...) is never touched, and the
shortened structured content still validates against the tool's outputSchema: required properties and
`minItems` are kept. A last text block says what was left out and how to get the rest: the operation's own
pagination argument with the value to pass, or a smaller page.

The text block carries the same JSON as the structured content, as MCP asks servers to for clients that read
only text (most clients show the model only the text). Both are counted, so a payload gets about half the
budget; README "Answer budget" has the measurements.
"""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import mcp_types
from fastmcp import FastMCP
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from mcp.types import TextContent

from .config import get_settings
from .invoke import OPERATIONS, Operation, Pagination

logger = logging.getLogger(__name__)

BYTES_PER_TOKEN = 4
# Bytes kept free for the note that says what was left out.
NOTE_RESERVE = 900
# Long strings are cut to these lengths in turn, until the answer fits.
STRING_CAPS = (4096, 1024, 256, 64)
CUT_MARK = "…"
# A string constrained by one of these would no longer be valid once cut.
_STRING_CONSTRAINTS = ("pattern", "format", "enum", "const", "contentEncoding", "contentMediaType")

Path = tuple[str | int, ...]


def token_budget(operation: Operation | None) -> int:
    """The budget of a tool's answers in tokens; 0 for none. A budget mcpgen.yaml sets for the tool wins over
    RESPONSE_TOKEN_BUDGET, and RESPONSE_TOKEN_BUDGET=0 turns every budget off."""
    default = get_settings().response_token_budget
    if default == 0:
        return 0
    if operation is not None and operation.budget is not None:
        return operation.budget
    return default


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _size(text: str) -> int:
    return len(text.encode())


def _scalar_size(value: Any) -> int:
    """Bytes of a scalar's compact JSON, without building a JSON document for it."""
    if isinstance(value, str):
        return _size(encode_basestring(value))
    if value is None or value is True:
        return 4
    if value is False:
        return 5
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float):
        return len(repr(value))
    return len(_dumps(value))


def answer_bytes(result: ToolResult) -> int:
    """What a client receives of `result`: its text blocks (other blocks as JSON) and its structured content."""
    total = 0
    for block in result.content:
        if isinstance(block, TextContent):
            total += _size(block.text)
        else:
            total += _size(block.model_dump_json(by_alias=True, exclude_none=True))
    if result.structured_content is not None:
        total += _size(_dumps(result.structured_content))
    return total


def answer_tokens(result: ToolResult) -> int:
    return -(-answer_bytes(result) // BYTES_PER_TOKEN)


# Set while a program (code mode's execute) calls operations: code reads those answers, not the assistant,
# and a silently shortened list would make it count or act on part of the data. The program's own answer
# is what gets the budget.
_WHOLE_ANSWERS: ContextVar[bool] = ContextVar("whole_answers", default=False)


@contextmanager
def whole_answers() -> Iterator[None]:
    """Operation answers within this block are not shortened (their `fields` still apply)."""
    token = _WHOLE_ANSWERS.set(True)
    try:
        yield
    finally:
        _WHOLE_ANSWERS.reset(token)


class AnswerBudget(Middleware):
    """Applies a tool's `fields` argument, then shortens an answer over its token budget (see the module's
    docstring). It runs inside ErrorTaxonomy (errors pass through untouched) and outside AnswerInText, so it
    counts the text and the structured content of the final answer together."""

    def __init__(self, server: FastMCP | None = None) -> None:
        self.server = server

    async def on_call_tool(
        self,
        context: MiddlewareContext[mcp_types.CallToolRequestParams],
        call_next: CallNext[Any, ToolResult],
    ) -> ToolResult:
        result = await call_next(context)
        if type(result) is not ToolResult:  # a question for the user (confirmation), not an answer
            return result
        name = context.message.name
        operation = OPERATIONS.get(name)
        arguments = dict(context.message.arguments or {})
        fields = arguments.get("fields") if operation is not None and operation.fields else None
        if name == "call_operation" and operation is None:
            # Discovery: the operation it ran already fitted its answer to the operation's own budget.
            operation = OPERATIONS.get(str(arguments.get("name")))
            inner = arguments.get("arguments")
            arguments, fields = (dict(inner) if isinstance(inner, dict) else {}), None
        budget = 0 if _WHOLE_ANSWERS.get() else token_budget(operation)
        if not fields and (budget == 0 or answer_bytes(result) <= budget * BYTES_PER_TOKEN):
            return result
        schema = await self._output_schema(context, name)
        fitted = fit(result, schema, budget, operation, arguments, fields)
        if fitted is not result and budget:
            logger.info(
                "tool %s: answer shortened to its budget",
                name,
                extra={
                    "event": "answer_shortened",
                    "tool": name,
                    "budget": budget,
                    "tokens_before": answer_tokens(result),
                    "tokens_after": answer_tokens(fitted),
                },
            )
        return fitted

    async def _output_schema(
        self, context: MiddlewareContext[Any], name: str
    ) -> dict[str, Any] | None:
        server = self.server
        if server is None and context.fastmcp_context is not None:
            server = context.fastmcp_context.fastmcp
        try:
            tool = await server.get_tool(name) if server is not None else None
        except Exception:  # noqa: BLE001 - without a schema the answer is shortened without its constraints
            return None
        return tool.output_schema if tool is not None else None


def fit(
    result: ToolResult,
    schema: dict[str, Any] | None,
    budget: int,
    operation: Operation | None = None,
    arguments: dict[str, Any] | None = None,
    fields: list[str] | None = None,
) -> ToolResult:
    """`result` projected to `fields` and shortened to `budget` tokens (0: no budget); `result` itself when
    neither changes anything."""
    arguments = arguments or {}
    wrapped = bool(((result.meta or {}).get("fastmcp") or {}).get("wrap_result"))
    if result.structured_content is None:
        return _fit_text(result, budget) if budget else result
    root = Schema(schema)
    value = result.structured_content
    if fields and operation is not None:
        value = project(value, root, list(fields), wrapped, operation.fields_in)
    changed = value is not result.structured_content
    limit = budget * BYTES_PER_TOKEN
    report = Report()
    if budget and _whole(value, wrapped, "") > limit:
        shortener = Shortener(root, report)
        target = limit - NOTE_RESERVE
        for _ in range(4):
            value = shortener.shorten(value, wrapped, max(target, 0))
            note = describe(report, budget, operation, arguments, value, wrapped)
            over = _whole(value, wrapped, note) - limit
            if over <= 0:
                break
            target -= over
        changed = True
    if not changed:
        return result
    note = describe(report, budget, operation, arguments, value, wrapped) if report.any() else ""
    content: list[Any] = [
        TextContent(type="text", text=_dumps(value["result"] if wrapped else value))
    ]
    if note:
        content.append(TextContent(type="text", text=note))
    return ToolResult(content=content, structured_content=value, meta=result.meta)


def _whole(value: Any, wrapped: bool, note: str) -> int:
    """Bytes of an answer carrying `value` as structured content and as JSON text, and `note`."""
    structured = _size(_dumps(value))
    text = structured - len('{"result":}') if wrapped else structured
    return structured + text + _size(note)


def _fit_text(result: ToolResult, budget: int) -> ToolResult:
    """A text-only answer over the budget: its text cut, with a line saying so."""
    limit = budget * BYTES_PER_TOKEN
    if answer_bytes(result) <= limit:
        return result
    texts = [block.text for block in result.content if isinstance(block, TextContent)]
    whole = "\n".join(texts)
    room = max(limit - NOTE_RESERVE, 0)
    cut = whole.encode()[:room].decode(errors="ignore")
    note = (
        f"This answer was cut to fit the response budget of {budget:,} tokens: it shows the first "
        f"{len(cut):,} of {len(whole):,} characters. Narrow the call (filters, a smaller range) to see the rest."
    )
    return ToolResult(
        content=[TextContent(type="text", text=cut), TextContent(type="text", text=note)],
        meta=result.meta,
    )


# ---- the output schema, read conservatively -----------------------------------------------------------


class Schema:
    """A tool's output schema, read conservatively: a value's constraints are those of every branch it may
    match (`anyOf`, `oneOf`, `allOf`, `$ref`), so whatever is kept satisfies each of them."""

    def __init__(self, root: dict[str, Any] | None) -> None:
        self.root = root or {}
        self._children: dict[tuple[tuple[int, ...], str | int], list[Any]] = {}

    def resolve(self, nodes: list[Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        stack = list(nodes)
        seen = 0
        while stack and seen < 200:
            node = stack.pop()
            seen += 1
            if not isinstance(node, dict):
                continue
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/"):
                target: Any = self.root
                for part in reference[2:].split("/"):
                    target = (
                        target.get(part.replace("~1", "/").replace("~0", "~"))
                        if isinstance(target, dict)
                        else None
                    )
                stack.append(target)
            out.append(node)
            for key in ("anyOf", "oneOf", "allOf"):
                members = node.get(key)
                if isinstance(members, list):
                    stack.extend(members)
        return out

    def child(self, nodes: list[Any], key: str | int) -> list[Any]:
        # Items past any prefixItems share one schema, so a long list costs one lookup.
        memo = (tuple(id(node) for node in nodes), key if isinstance(key, str) or key < 64 else 64)
        if memo not in self._children:
            self._children[memo] = self._child(nodes, key)
        return self._children[memo]

    def _child(self, nodes: list[Any], key: str | int) -> list[Any]:
        children: list[Any] = []
        for node in self.resolve(nodes):
            if isinstance(key, int):
                prefix = node.get("prefixItems")
                if isinstance(prefix, list) and key < len(prefix):
                    children.append(prefix[key])
                elif "items" in node:
                    children.append(node["items"])
            else:
                properties = node.get("properties")
                if isinstance(properties, dict) and key in properties:
                    children.append(properties[key])
                elif isinstance(node.get("additionalProperties"), dict):
                    children.append(node["additionalProperties"])
        return children

    def min_items(self, nodes: list[Any]) -> int:
        floor = 0
        for node in self.resolve(nodes):
            if isinstance(node.get("minItems"), int):
                floor = max(floor, node["minItems"])
            if isinstance(node.get("prefixItems"), list):
                floor = max(floor, len(node["prefixItems"]))
        return floor

    def required(self, nodes: list[Any]) -> set[str]:
        return {
            name
            for node in self.resolve(nodes)
            for name in node.get("required") or ()
            if isinstance(name, str)
        }

    def min_properties(self, nodes: list[Any]) -> int:
        return max(
            (
                n["minProperties"]
                for n in self.resolve(nodes)
                if isinstance(n.get("minProperties"), int)
            ),
            default=0,
        )

    def string_floor(self, nodes: list[Any]) -> int | None:
        """The length a string may be cut to; None when it may not be cut at all."""
        floor = 0
        for node in self.resolve(nodes):
            if any(key in node for key in _STRING_CONSTRAINTS):
                return None
            if isinstance(node.get("minLength"), int):
                floor = max(floor, node["minLength"])
        return floor


# ---- shortening ---------------------------------------------------------------------------------------


@dataclass
class Trimmed:
    path: Path
    kept: int
    total: int
    last: Any  # the last item kept


@dataclass
class Report:
    """What a shortened answer left out."""

    arrays: dict[Path, Trimmed] = field(default_factory=dict)
    strings: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # property name → times left out
    projected: list[str] = field(default_factory=list)

    def any(self) -> bool:
        return bool(self.arrays or self.strings or self.dropped)


@dataclass
class _Node:
    path: Path
    parent: Any  # the dict or list holding it
    key: str | int
    value: Any
    schemas: list[Any]
    size: int


class Shortener:
    def __init__(self, schema: Schema, report: Report) -> None:
        self.schema = schema
        self.report = report

    def shorten(self, value: Any, wrapped: bool, target: int) -> Any:
        """`value` (a copy, changed in place) until an answer carrying it twice is at most `target` bytes."""
        holder = {"": _copy(value)}
        steps = (
            lambda: self._arrays(holder, wrapped, target, keep_one=True),
            lambda: self._strings(holder, wrapped, target),
            lambda: self._arrays(holder, wrapped, target, keep_one=False),
            lambda: self._properties(holder, wrapped, target),
        )
        for step in steps:
            if _whole(holder[""], wrapped, "") <= target:
                break
            step()
        return holder[""]

    def _nodes(self, holder: dict[str, Any]) -> Iterator[_Node]:
        """Every array, string and object of the value, with its serialized size, children first."""
        sizes: list[_Node] = []

        def walk(parent: Any, key: str | int, value: Any, path: Path, schemas: list[Any]) -> int:
            if isinstance(value, dict):
                size = 2 + max(len(value) - 1, 0)
                for name, item in value.items():
                    size += (
                        _scalar_size(name)
                        + 1
                        + walk(value, name, item, (*path, name), self.schema.child(schemas, name))
                    )
            elif isinstance(value, list):
                size = 2 + max(len(value) - 1, 0)
                for index, item in enumerate(value):
                    size += walk(
                        value, index, item, (*path, index), self.schema.child(schemas, index)
                    )
            else:
                size = _scalar_size(value)
            sizes.append(_Node(path, parent, key, value, schemas, size))
            return size

        walk(holder, "", holder[""], (), [self.schema.root])
        return iter(sizes)

    def _excess(self, holder: dict[str, Any], wrapped: bool, target: int) -> int:
        return _whole(holder[""], wrapped, "") - target

    def _arrays(self, holder: dict[str, Any], wrapped: bool, target: int, keep_one: bool) -> None:
        done: set[Path] = set()
        while (excess := self._excess(holder, wrapped, target)) > 0:
            candidates = [
                node
                for node in self._nodes(holder)
                if isinstance(node.value, list)
                and node.path not in done
                and len(node.value) > self._floor(node, keep_one)
            ]
            if not candidates:
                return
            node = max(candidates, key=lambda n: (n.size, -len(n.path)))
            done.add(node.path)
            floor = self._floor(node, keep_one)
            items = node.value
            kept = len(items)
            removed = 0
            # Both copies of the answer shrink by an item's size and its comma.
            while kept > floor and removed * 2 < excess:
                kept -= 1
                removed += _size(_dumps(items[kept])) + 1
            total = len(items)
            del items[kept:]
            earlier = self.report.arrays.get(_generic(node.path))
            self.report.arrays[_generic(node.path)] = Trimmed(
                node.path,
                kept if earlier is None else min(kept, earlier.kept),
                total if earlier is None else max(total, earlier.total),
                items[-1] if items else None,
            )

    def _floor(self, node: _Node, keep_one: bool) -> int:
        floor = self.schema.min_items(node.schemas)
        return max(floor, 1) if keep_one else floor

    def _strings(self, holder: dict[str, Any], wrapped: bool, target: int) -> None:
        texts = [
            node
            for node in self._nodes(holder)
            if isinstance(node.value, str)
            and node.path
            and len(node.value) > STRING_CAPS[-1] + len(CUT_MARK)
        ]
        texts.sort(key=lambda node: -len(node.value))
        for cap in STRING_CAPS:
            if self._excess(holder, wrapped, target) <= 0:
                return
            for node in texts:
                current = node.parent[node.key]
                if len(current) <= cap + len(CUT_MARK):
                    break  # the others are shorter still
                floor = self.schema.string_floor(node.schemas)
                length = max(cap, floor or 0)
                if floor is None or length + len(CUT_MARK) >= len(current):
                    continue
                if current is node.value:
                    self.report.strings += 1
                node.parent[node.key] = current[:length] + CUT_MARK

    def _properties(self, holder: dict[str, Any], wrapped: bool, target: int) -> None:
        while self._excess(holder, wrapped, target) > 0:
            candidates = []
            for node in self._nodes(holder):
                if (
                    not isinstance(node.parent, dict)
                    or node.parent is holder
                    or not isinstance(node.key, str)
                ):
                    continue
                if wrapped and node.path == ("result",):
                    continue
                parent_schemas = self._parent_schemas(holder, node.path[:-1])
                if node.key in self.schema.required(parent_schemas):
                    continue
                if len(node.parent) <= self.schema.min_properties(parent_schemas):
                    continue
                candidates.append(node)
            if not candidates:
                return
            node = max(candidates, key=lambda n: n.size)
            del node.parent[node.key]
            self.report.dropped[node.key] = self.report.dropped.get(node.key, 0) + 1

    def _parent_schemas(self, holder: dict[str, Any], path: Path) -> list[Any]:
        schemas: list[Any] = [self.schema.root]
        for part in path:
            schemas = self.schema.child(schemas, part)
        return schemas


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _generic(path: Path) -> Path:
    """A path with its item indexes folded: `items[3].prices` and `items[4].prices` are reported as one."""
    return tuple("[]" if isinstance(part, int) else part for part in path)


def _shown(path: Path, wrapped: bool) -> str:
    parts = list(path[1:] if wrapped and path[:1] == ("result",) else path)
    text = ""
    for part in _generic(tuple(parts)):
        text += part if part == "[]" else (f".{part}" if text else str(part))
    return text or "the list"


# ---- projection ---------------------------------------------------------------------------------------


def project(
    value: Any, schema: Schema, fields: list[str], wrapped: bool, fields_in: str | None
) -> Any:
    """`value` with only the named fields (dotted paths for nested ones) of its items, or of itself; required
    properties are always kept, so the answer still validates."""
    root = value["result"] if wrapped else value
    schemas = schema.child([schema.root], "result") if wrapped else [schema.root]
    paths = [name.split(".") for name in fields if isinstance(name, str) and name]
    if isinstance(root, list):
        projected: Any = [_pick(item, schema, schema.child(schemas, 0), paths) for item in root]
    elif isinstance(root, dict) and fields_in and isinstance(root.get(fields_in), list):
        inner = schema.child(schema.child(schemas, fields_in), 0)
        projected = {
            **root,
            fields_in: [_pick(item, schema, inner, paths) for item in root[fields_in]],
        }
    else:
        projected = _pick(root, schema, schemas, paths)
    return {**value, "result": projected} if wrapped else projected


def _pick(value: Any, schema: Schema, schemas: list[Any], paths: list[list[str]]) -> Any:
    if isinstance(value, list):
        return [_pick(item, schema, schema.child(schemas, 0), paths) for item in value]
    if not isinstance(value, dict) or not paths:
        return value
    keep = schema.required(schemas)
    nested: dict[str, list[list[str]]] = {}
    whole: set[str] = set()
    for path in paths:
        if len(path) == 1:
            whole.add(path[0])
        else:
            nested.setdefault(path[0], []).append(path[1:])
    picked = {}
    for key, item in value.items():
        if key in whole or (key in keep and key not in nested):
            picked[key] = item
        elif key in nested:
            picked[key] = _pick(item, schema, schema.child(schemas, key), nested[key])
    return picked


# ---- what the text says -------------------------------------------------------------------------------


def describe(
    report: Report,
    budget: int,
    operation: Operation | None,
    arguments: dict[str, Any],
    value: Any,
    wrapped: bool,
) -> str:
    """The note of a shortened answer: what was left out, and how to get it."""
    if not report.any():
        return ""
    parts = []
    for trimmed in report.arrays.values():
        parts.append(
            f"{_shown(trimmed.path, wrapped)} shows {trimmed.kept:,} of {trimmed.total:,} items"
        )
    if report.strings:
        parts.append(f"{report.strings:,} long texts are cut (they end with {CUT_MARK})")
    if report.dropped:
        parts.append("left out: " + ", ".join(sorted(report.dropped)))
    note = (
        f"This answer was shortened to fit the response budget of {budget:,} tokens: "
        + "; ".join(parts)
        + "."
    )
    page = _page(report, operation, wrapped)
    advice = _continue(operation, arguments, page, value, wrapped) if page is not None else None
    if advice:
        note += " " + advice
    elif page is not None:
        note += (
            " This operation has no argument that skips items: narrow the call with its filters."
        )
    if operation is not None and operation.fields:
        example = ", ".join(json.dumps(name) for name in operation.fields[:3])
        note += f" Ask for fewer fields with the fields argument (for example [{example}])."
    elif not advice:
        note += (
            " Nothing in this call asks for less: narrow it where the operation allows, or ask the server's "
            "operator to raise RESPONSE_TOKEN_BUDGET (or this tool's budget in mcpgen.yaml)."
        )
    return note


def _page(report: Report, operation: Operation | None, wrapped: bool) -> Trimmed | None:
    """The trimmed array that is the page itself: the answer when it is a list, else the list its envelope
    holds (`fields_in`, or for an operation that pages any list directly inside the answer)."""
    root = 1 if wrapped else 0
    for trimmed in report.arrays.values():
        if len(trimmed.path) == root:
            return trimmed
    if operation is None:
        return None
    for trimmed in report.arrays.values():
        if len(trimmed.path) == root + 1 and isinstance(trimmed.path[-1], str):
            if trimmed.path[-1] == operation.fields_in or (
                operation.pagination and not operation.fields_in
            ):
                return trimmed
    return None


def _continue(
    operation: Operation | None, arguments: dict[str, Any], page: Trimmed, value: Any, wrapped: bool
) -> str:
    paging: Pagination | None = operation.pagination if operation is not None else None
    tool = operation.tool if operation is not None else "this tool"
    if paging is None:
        return ""
    kept = page.kept
    smaller = f"{paging.limit}={kept}" if paging.limit else None
    if paging.kind == "after" and paging.argument:
        last = page.last.get(paging.id_field) if isinstance(page.last, dict) else None
        if last is not None and len(json.dumps(last)) <= 200:
            more = f", with {smaller} so that each page fits" if smaller else ""
            return (
                f"To get the rest, call {tool} again with {paging.argument}={json.dumps(last)} (the {paging.id_field} of "
                f"the last item shown){more}."
            )
        return (
            f"To get the rest, call {tool} again{f' with {smaller}' if smaller else ''}, passing the "
            f"{paging.id_field} of the last item each answer shows as {paging.argument}."
        )
    if paging.kind == "offset" and paging.argument:
        start = _int(arguments.get(paging.argument), 0)
        more = f" and {smaller}" if smaller else ""
        return f"To get the rest, call {tool} again with {paging.argument}={start + kept}{more}."
    if paging.kind == "page" and paging.argument:
        size = _int(
            arguments.get(paging.limit) if paging.limit else None, paging.default_limit or 0
        )
        number = _int(arguments.get(paging.argument), paging.first_page)
        if size and paging.limit:
            step = max(d for d in range(1, min(kept, size) + 1) if size % d == 0)
            first_left_out = (number - paging.first_page) * size + kept
            next_page = first_left_out // step + paging.first_page
            return (
                f"To get the rest, call {tool} again with {paging.limit}={step} and {paging.argument}={next_page} "
                f"(pages of {step} fit; that page starts at or before the first item left out), then the pages after it."
            )
        return f"The next page is {paging.argument}={number + 1}; a smaller page size shows the items left out of this one."
    if paging.kind == "cursor" and paging.argument:
        root = value.get("result") if wrapped and isinstance(value, dict) else value
        following = (
            root.get(paging.cursor_field)
            if paging.cursor_field and isinstance(root, dict)
            else None
        )
        text = (
            f"To get the items left out, call {tool} again with the same arguments and {smaller}, then pass each "
            f"answer's {paging.cursor_field or 'next cursor'} as {paging.argument}."
            if smaller
            else f"The cursor ({paging.argument}) cannot reach the items left out of this page; narrow the call."
        )
        if following:
            text += f" The page after this one: {paging.argument}={json.dumps(following)}."
        return text
    if smaller:
        return (
            f"{tool} cannot skip items: narrow the call with its filters to see the rest ({smaller} returns "
            "the first items whole)."
        )
    return ""


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
