"""What a tool's answer budget needs from the spec: how an operation pages its lists (the argument that gets
the rest of a shortened answer), and which fields its `fields` argument may name (projection).

Both are decided here, from the operation's parameters and its response type, so that the generated server
reads them as values (`Operation(pagination=..., fields=...)`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, Field

from .model import Model, ModelField, Paging, Param, Tool, TypeRef

# Query parameter names by role, compared without case, "_", "-", "[" and "]" (startingAfter, page[size]).
AFTER = frozenset({"startingafter", "after", "afterid", "sinceid", "startafter"})
CURSOR = frozenset(
    {
        "cursor",
        "pagetoken",
        "nexttoken",
        "nextpagetoken",
        "continuationtoken",
        "continuation",
        "startcursor",
        "pagecursor",
        "pageafter",
        "marker",
    }
)
OFFSET = frozenset({"offset", "skip", "startindex", "pageoffset"})
PAGE = frozenset({"page", "pagenumber", "pagenum", "pageno", "pageindex"})
LIMIT = frozenset(
    {
        "limit",
        "perpage",
        "pagesize",
        "size",
        "pagelimit",
        "maxresults",
        "maxitems",
        "count",
        "take",
        "top",
        "first",
    }
)
# Fields of a page envelope that carry the next cursor.
NEXT_CURSOR = frozenset(
    {
        "nextcursor",
        "nextpagetoken",
        "nexttoken",
        "cursor",
        "next",
        "nextpage",
        "endcursor",
        "continuationtoken",
    }
)
# A tool's answers are large enough for `fields` when they are lists of objects, or objects with this many
# fields; and `fields` lists at most this many names (dotted ones are left out first).
PROJECT_FROM_FIELDS = 10
MIN_FIELDS = 4
MAX_FIELD_NAMES = 60


class Projection(BaseModel):
    fields: list[str] = Field(default_factory=list)  # wire names, dotted for nested fields
    inside: str | None = None  # the answer's property whose items `fields` select from


def _key(name: str) -> str:
    return re.sub(r"[_\-\[\]. ]", "", name.lower())


def _is_int(ref: TypeRef) -> bool:
    return ref.without_none().scalar == "int"


def _is_text(ref: TypeRef) -> bool:
    return ref.without_none().scalar in ("str", "int", "uuid")


class _Models:
    def __init__(self, models: list[Model]) -> None:
        self.by_name: Mapping[str, Model] = {m.name: m for m in models}

    def object(self, ref: TypeRef | None) -> Model | None:
        """The object model `ref` names (an alias followed), or None."""
        seen = 0
        while ref is not None and seen < 10:
            seen += 1
            ref = ref.without_none()
            model = self.by_name.get(ref.model) if ref.model else None
            if model is None:
                return None
            if model.kind == "object":
                return model
            ref = model.alias
        return None

    def fields(self, model: Model) -> list[ModelField]:
        """A model's fields, its base classes' first."""
        chain = []
        current: Model | None = model
        while current is not None and len(chain) < 10:
            chain.append(current)
            current = self.by_name.get(current.base) if current.base else None
        fields: dict[str, ModelField] = {}
        for member in reversed(chain):
            for field in member.fields:
                fields[field.wire] = field
        return list(fields.values())

    def items(self, ref: TypeRef | None) -> Model | None:
        """The object model of a list's items, or None when `ref` is no list of objects."""
        if ref is None:
            return None
        ref = ref.without_none()
        if ref.model and ref.model in self.by_name and self.by_name[ref.model].kind == "alias":
            return self.items(self.by_name[ref.model].alias)
        return self.object(ref.items) if ref.items is not None else None


# The names a page envelope gives its list; an envelope has at most ENVELOPE_FIELDS fields.
PAGE_LISTS = ("data", "items", "results", "records", "entries", "values", "content", "list", "objects")
ENVELOPE_FIELDS = 8


def _page_list(models: _Models, response: TypeRef, paged: bool) -> tuple[Model | None, str | None]:
    """The item model of the answer's page, and the envelope property that holds it (None: the answer is the
    list). An object is an envelope when it has few fields and a list of objects under a page's usual name,
    or, for an operation that pages, any list of objects."""
    item = models.items(response)
    if item is not None:
        return item, None
    envelope = models.object(response)
    if envelope is None or len(models.fields(envelope)) > ENVELOPE_FIELDS:
        return None, None
    lists = [(f, models.items(f.type)) for f in models.fields(envelope)]
    lists = [(f, m) for f, m in lists if m is not None and (paged or _key(f.wire) in PAGE_LISTS)]
    if not lists:
        return None, None
    lists.sort(key=lambda pair: _key(pair[0].wire) not in PAGE_LISTS)
    field, item = lists[0]
    return item, field.wire


def paging(tool: Tool, models: list[Model]) -> Paging | None:
    """The operation's pagination, from its query parameters' names and types; None when it has none."""
    if tool.response.kind != "json" or tool.response.type is None:
        return None
    query = [p for p in tool.params if p.location == "query" and not p.hidden]
    by_role: dict[str, Param] = {}
    for param in query:
        key = _key(param.wire)
        for role, names, typed in (
            ("after", AFTER, _is_text),
            ("cursor", CURSOR, _is_text),
            ("offset", OFFSET, _is_int),
            ("page", PAGE, _is_int),
            ("limit", LIMIT, _is_int),
        ):
            if key in names and typed(param.type):
                by_role.setdefault(role, param)
    kind = next((role for role in ("after", "cursor", "offset", "page") if role in by_role), None)
    limit = by_role.get("limit")
    if kind is None and limit is None:
        return None
    index = _Models(models)
    item, _inside = _page_list(index, tool.response.type, paged=True)
    result = Paging(kind=kind or "limit", argument=by_role[kind].name if kind else None)
    if limit is not None:
        result.limit = limit.name
        if isinstance(limit.default, int) and not isinstance(limit.default, bool):
            result.default_limit = limit.default
    if kind == "page":
        page = by_role["page"]
        if page.default == 0 or page.constraints.ge == 0:
            result.first_page = 0
    if kind == "cursor":
        envelope = index.object(tool.response.type)
        if envelope is not None:
            result.cursor_field = next(
                (f.wire for f in index.fields(envelope) if _key(f.wire) in NEXT_CURSOR), None
            )
    if kind == "after" and item is not None:
        wires = [f.wire for f in index.fields(item)]
        if "id" not in wires:
            result.id_field = next((w for w in wires if _key(w).endswith("id")), "id")
    return result


def projection(tool: Tool, models: list[Model], paged: bool) -> Projection | None:
    """The names `fields` may take, for tools whose answers can be large: lists of objects (or an envelope
    around one), and objects with many fields. None for the others."""
    if tool.response.kind != "json" or tool.response.type is None:
        return None
    index = _Models(models)
    item, inside = _page_list(index, tool.response.type, paged)
    target = item
    if target is None:
        target = index.object(tool.response.type)
        if target is None or len(index.fields(target)) < PROJECT_FROM_FIELDS:
            return None
    top = index.fields(target)
    if len(top) < MIN_FIELDS:
        return None
    names = [f.wire for f in top]
    nested = []
    for field in top:
        inner = index.object(field.type) or index.items(field.type)
        if inner is not None:
            nested += [f"{field.wire}.{sub.wire}" for sub in index.fields(inner)]
    if len(names) + len(nested) <= MAX_FIELD_NAMES:
        names += nested
    return Projection(fields=names[: max(MAX_FIELD_NAMES, len(top))], inside=inside)
