"""IR + layout → the answers contract (`contract.Answers`): values only; the template writes the code."""

from __future__ import annotations

import json
import re

from .. import __version__
from ..ir import Model, ModelField, Param, Project, Tool
from ..naming import Scope, api_name, import_name, package_name, words
from .contract import (
    IR_VERSION,
    Answers,
    ApiData,
    ApiKeyData,
    AuthData,
    FieldData,
    FixedData,
    IdentityHeaderData,
    ModelData,
    PaginationData,
    ParamData,
    ResponseData,
    SettingData,
    SkippedData,
    SpecData,
    ToolData,
    slot_type,
    type_data,
)
from .layout import Layout

# A response that reaches more models than this would put hundreds of kilobytes of output schema into
# tools/list (Stripe's Account reaches 427): it is declared loosely and still validated against the model.
MAX_OUTPUT_MODELS = 40
# An output schema helps while it can be read at a glance; a larger one costs more context than it saves
# (every answer shows its own shape), so past this many properties, inlined, it is declared loosely too.
MAX_OUTPUT_FIELDS = 15


def _wire(name: str, wire: str) -> str | None:
    return wire if wire != name else None


def _param(param: Param, tool: Tool) -> ParamData:
    if param.location == "body":
        location = "body" if tool.body_param == param.name else "field"
    else:
        location = param.location
    constraints = param.constraints.model_dump(exclude_none=True)
    kind, nullable = slot_type(param.type)
    # A list or mapping default would be shared by every call: the signature says None, the call fills it in.
    shared = isinstance(param.default, list | dict)
    return ParamData(
        name=param.name,
        wire=_wire(param.name, param.wire) if location != "body" else None,
        location=location,
        type=kind,
        nullable=nullable,
        required=param.required,
        default=param.default if param.default_member is None and not shared else None,
        default_member=param.default_member,
        fallback=param.default if shared else None,
        description=_with_default(param.description, param.default) if shared else param.description,
        example=param.example,
        path_style=param.path_style,
        sample=param.sample,
        **constraints,
    )


def _with_default(description: str, default: object) -> str:
    """The description of an argument whose list or mapping default the signature cannot hold: tools/list
    shows `"default": null` for it, so the description says what a call that leaves it out sends."""
    said = description.strip()
    if said and not said.endswith((".", "!", "?")):
        said += "."
    return f"{said} Default when left out: {json.dumps(default, ensure_ascii=False)}.".strip()


def tool_title(tool: Tool) -> str:
    """The summary, or the operation's own name in words (a shortened tool name may end in a hash)."""
    return tool.summary or " ".join(words(tool.operation_id or tool.name)).capitalize()


# Path segments that name a version or the API itself, not a resource: /v1, /api/v2, /2024-01-01.
_PREFIX = re.compile(r"v\d+([._-]\d+)*([a-z]+\d*)?|\d+([._-]\d+)*|api|apis|rest", re.IGNORECASE)


def path_resource(path: str) -> str:
    """The resource a path names: its first segment after any version prefix and before any {parameter}
    (`customers` of /v1/customers/{customer}/sources)."""
    for segment in path.strip("/").split("/"):
        if segment and not segment.startswith("{") and not _PREFIX.fullmatch(segment):
            return segment
    return "root"


def loose_output(tool: Tool) -> bool:
    response = tool.response
    return response.kind == "json" and (
        response.schema_models > MAX_OUTPUT_MODELS or response.schema_fields > MAX_OUTPUT_FIELDS
    )


class _ParameterTable:
    """Each distinct argument record once, keyed by its name (`limit`, `limit_2` for a second variant)."""

    def __init__(self) -> None:
        self.records: dict[str, ParamData] = {}
        self._keys: dict[str, str] = {}
        self._names = Scope()

    def key(self, record: ParamData) -> str:
        identity = record.model_dump_json(by_alias=True, exclude_defaults=True)
        if identity not in self._keys:
            key = self._names.claim(record.name)
            self._keys[identity] = key
            self.records[key] = record
        return self._keys[identity]


def _tool(tool: Tool, table: _ParameterTable) -> ToolData:
    response = tool.response
    return ToolData(
        name=tool.name,
        function=_wire(tool.name, tool.function),
        method=tool.method,
        path=tool.path,
        title=tool_title(tool),
        description=tool.description if tool.description.rstrip(".") != tool.summary.rstrip(".") else "",
        tags=sorted(set(tool.tags)),
        resource=None if tool.tags else path_resource(tool.path),
        deprecated=tool.deprecated,
        params=[table.key(_param(p, tool)) for p in tool.params if not p.hidden],
        body=tool.request_body,
        content_type=tool.content_type,
        files=tool.file_fields,
        response=ResponseData(
            kind=response.kind,
            status=response.status,
            type=type_data(response.type) if response.kind == "json" and response.type else None,
            loose=loose_output(tool),
            sample=response.sample if response.kind == "json" else None,
        ),
        list_tool=tool.related.get("list"),
        untestable=tool.untestable or None,
        scopes=tool.scopes,
        idempotency_header=tool.idempotency_header,
        confirm=tool.confirm,
        budget=tool.budget,
        pagination=PaginationData.model_validate(tool.paging.model_dump()) if tool.paging else None,
        fields=tool.fields,
        fields_in=tool.fields_in,
        fixed=[_fixed(p, tool) for p in tool.params if p.hidden],
        hints=tool.hints,
    )


def _fixed(param: Param, tool: Tool) -> FixedData:
    location = param.location
    if location == "body":
        location = "body" if tool.body_param == param.name else "field"
    return FixedData(wire=param.wire, location=location, value=param.default, setting=param.setting)


def _settings(project: Project) -> list[SettingData]:
    """Each setting hidden arguments read, once, by name (ir/transform.py checked one name has one type)."""
    found: dict[str, SettingData] = {}
    for tool in project.tools:
        for param in tool.params:
            if param.setting and param.setting not in found:
                sample = param.sample
                found[param.setting] = SettingData(
                    name=param.setting,
                    type=type_data(param.type.without_none()),
                    sample=sample,
                    env=sample if isinstance(sample, str) else json.dumps(sample),
                )
    return [found[name] for name in sorted(found)]


def _field(field: ModelField) -> FieldData:
    kind, nullable = slot_type(field.type)
    return FieldData(
        name=field.name,
        wire=_wire(field.name, field.wire),
        type=kind,
        nullable=nullable,
        required=field.required,
        default=field.default if field.default_member is None else None,
        default_member=field.default_member,
        description=field.description,
    )


def shown_models(project: Project) -> set[str]:
    """The models an assistant sees in tools/list: those reached from arguments and declared outputs.

    The others only check the backend's answers to loosely declared outputs; their descriptions would
    reach no one, so the answers leave them out (the spec kept in the project has them).
    """
    graph = {m.name: m.depends_on() for m in project.models}
    stack = [name for tool in project.tools for p in tool.params for name in p.type.models()]
    stack += [
        name
        for tool in project.tools
        if tool.response.type is not None and not loose_output(tool)
        for name in tool.response.type.models()
    ]
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(graph.get(name, ()))
    return seen


def _model(model: Model, shown: bool) -> ModelData:
    # Only the spec's own schemas get contract tests; inline models are covered through them.
    tested = bool(model.pointer)
    fields = [_field(f) for f in model.fields]
    if not shown:
        fields = [f.model_copy(update={"description": ""}) for f in fields]
    return ModelData(
        name=model.name,
        kind=model.kind,
        description=model.description if shown else "",
        base=model.base,
        fields=fields,
        members={m.name: m.value for m in model.members},
        alias=type_data(model.alias) if model.alias is not None else None,
        examples=model.examples if tested else [],
        sample=model.sample if tested and model.has_sample else None,
    )


def _probe(project: Project) -> str:
    """The tool the generic tests call: a read-only JSON tool with few arguments, when there is one."""
    candidates = [t for t in project.tools if not t.untestable] or project.tools
    chosen = min(
        candidates,
        key=lambda t: (t.method != "GET", t.response.kind != "json", len(t.params)),
    )
    return chosen.name


def _first_calls(project: Project) -> list[str]:
    """The tools a fresh server's first call goes to in the generated first-call test: one returning a model
    and one returning a list, where the API has them; fewest arguments first."""
    callable_ = sorted(
        (
            t
            for t in project.tools
            if not t.untestable and not t.confirm and t.response.kind == "json" and t.response.type
        ),
        key=lambda t: (len(t.params), t.name),
    )
    kinds = (lambda ref: ref.model is not None, lambda ref: ref.items is not None)
    firsts = (next((t.name for t in callable_ if returns(t.response.type)), None) for returns in kinds)
    return [name for name in firsts if name is not None]


def build_answers(
    project: Project,
    layout: Layout,
    *,
    spec_file: str,
    spec_sha256: str,
    name: str | None = None,
    confirm_destructive: bool = False,
) -> Answers:
    api = api_name(project.title)
    auth = project.auth
    shown = shown_models(project)
    package = package_name(project.title, name)
    table = _ParameterTable()
    tools = [_tool(t, table) for t in project.tools]
    return Answers(
        ir_version=IR_VERSION,
        mcpgen_version=__version__,
        project_name=" ".join((name or f"{project.title} MCP").split()),
        package=package,
        import_name=import_name(package),
        layout=layout.name,
        layout_reason=layout.reason,
        pattern=auth.pattern,
        pattern_reason=auth.reason,
        api=ApiData(name=api, description=project.description, version=project.api_version),
        base_url=project.base_url,
        spec=SpecData(file=spec_file, sha256=spec_sha256),
        auth=AuthData(
            api_key=ApiKeyData(name=auth.api_key.name, location=auth.api_key.location)
            if auth.api_key
            else None,
            identity_headers=[
                IdentityHeaderData(header=h.header, claim=h.claim) for h in auth.identity_headers
            ],
            unsupported=auth.unsupported,
        ),
        parameters=table.records,
        tools=tools,
        models=[_model(m, m.name in shown) for m in project.models],
        probe=_probe(project),
        first_calls=_first_calls(project),
        skipped=[SkippedData(method=s.method, path=s.path, reason=s.reason) for s in project.skipped],
        confirm_destructive=confirm_destructive,
        settings=_settings(project),
    )
