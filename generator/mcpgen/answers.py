"""IR + layout → Copier answers: plain JSON-like data in which every piece of code is already decided.

Templates only place these strings. Spec text arrives as `repr()` literals or checked docstring literals.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any
from urllib.parse import quote, urlsplit

from . import __version__
from .ir.model import IR_VERSION, Imports, Model, ModelField, Param, Project, Tool
from .ir.schemas import optional
from .layout import Layout
from .literals import docstring, literal
from .naming import snake, words
from .patterns import describe

WRAP = 96
MAX_OUTPUT_MODELS = 40
_NUMERIC = ("int", "float", "int | None", "float | None")
_STRINGY = ("str", "str | None")

ANNOTATIONS = {
    "GET": {"readOnlyHint": True, "openWorldHint": False},
    "HEAD": {"readOnlyHint": True, "openWorldHint": False},
    "OPTIONS": {"readOnlyHint": True, "openWorldHint": False},
    "PUT": {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False},
    "DELETE": {
        "readOnlyHint": False,
        "destructiveHint": True,
        "idempotentHint": True,
        "openWorldHint": False,
    },
    "POST": {
        "readOnlyHint": False,
        "destructiveHint": False,
        "idempotentHint": False,
        "openWorldHint": False,
    },
    "PATCH": {
        "readOnlyHint": False,
        "destructiveHint": False,
        "idempotentHint": False,
        "openWorldHint": False,
    },
}


def package_name(title: str, override: str | None) -> str:
    base = snake(override or title).replace("_", "-") or "api"
    return base if base.endswith("mcp") else base + "-mcp"


def _wrap(text: str) -> str:
    return "\n".join(textwrap.fill(p, WRAP) for p in text.split("\n\n") if p)


# ---- tools -----------------------------------------------------------------------------------------------


def _annotation(param: Param) -> str:
    """`T`, or `Annotated[T, Field(...)]` when there is a description or a constraint to carry."""
    field = _field_call(param)
    return f"Annotated[{optional(param.type)}, {field}]" if field else optional(param.type)


def _field_call(param: Param) -> str:
    args = []
    if param.description:
        args.append(f"description={literal(param.description)}")
    expr = optional(param.type)
    c = param.constraints
    if expr in _NUMERIC:
        args += [
            f"{k}={literal(v)}"
            for k, v in (("ge", c.ge), ("le", c.le), ("gt", c.gt), ("lt", c.lt))
            if v is not None
        ]
    if expr in _STRINGY or expr.startswith("list["):
        args += [
            f"{k}={literal(v)}"
            for k, v in (("min_length", c.min_length), ("max_length", c.max_length))
            if v is not None
        ]
    if expr in _STRINGY and c.pattern:
        args.append(f"pattern={literal(c.pattern)}")
    if param.has_example and isinstance(param.example, str | int | float | bool):
        args.append(f"examples=[{literal(param.example)}]")
    return f"Field({', '.join(args)})" if args else ""


def _default(param: Param) -> str | None:
    if param.required:
        return None
    if param.has_default and isinstance(param.default, str | int | float | bool):
        return literal(param.default)
    return "None"


def _signature(tool: Tool) -> list[str]:
    lines = []
    required = [p for p in tool.params if p.required]
    for param in required:
        lines.append(f"{param.name}: {_annotation(param)}")
    lines.append("ctx: Context")
    for param in tool.params:
        if not param.required:
            lines.append(f"{param.name}: {_annotation(param)} = {_default(param)}")
    return lines


def _call_parts(tool: Tool) -> list[str]:
    parts = []
    for location, keyword in (
        ("path", "path"),
        ("query", "query"),
        ("header", "headers"),
        ("cookie", "cookies"),
    ):
        items = [p for p in tool.params if p.location == location]
        if items:
            parts.append(f"{keyword}={{" + ", ".join(f"{literal(p.wire)}: {p.name}" for p in items) + "}")
    if tool.body_param:
        parts.append(f"body={tool.body_param}")
    else:
        items = [p for p in tool.params if p.location == "body"]
        if items:
            parts.append("body={" + ", ".join(f"{literal(p.wire)}: {p.name}" for p in items) + "}")
    return parts


def _result_type(tool: Tool) -> str:
    if tool.response.kind == "json":
        return optional(tool.response.type) if tool.response.type else "Any"
    return "None"


def _loose_output(tool: Tool) -> bool:
    return tool.response.kind == "json" and tool.response.schema_models > MAX_OUTPUT_MODELS


def _return_annotation(tool: Tool) -> str:
    """The declared return type, which FastMCP turns into the output schema.

    A response that reaches more than MAX_OUTPUT_MODELS models (Stripe's Account reaches 427) would put a
    schema of hundreds of kilobytes into tools/list and take seconds to build, so it is declared loosely;
    the backend's answer is still validated against the full model.
    """
    if tool.response.kind != "json":
        return "str"
    if not _loose_output(tool):
        return _result_type(tool)
    if _result_type(tool).startswith("list["):
        return "list[dict[str, Any]]"
    return "dict[str, Any]" if isinstance(tool.response.sample, dict) else "Any"


def _example_value(param: Param) -> object:
    """The spec's own example when it is a plain value, else the schema-valid sample."""
    if param.has_example and isinstance(param.example, str | int | float | bool):
        return param.example
    return param.sample


def _example_call(tool: Tool) -> str:
    args = [f"{p.name}={literal(_example_value(p))}" for p in tool.params if p.required]
    return f"{tool.name}({', '.join(args)})"


def _title(tool: Tool) -> str:
    """The summary, or the operation's own name in words (a shortened tool name may end in a hash)."""
    return tool.summary or " ".join(words(tool.operation_id or tool.name)).capitalize()


def _tool_docstring(tool: Tool) -> str:
    headline = _title(tool)
    if not headline.endswith((".", "!", "?")):
        headline += "."
    parts = [headline]
    if tool.description and tool.description.rstrip(".") != tool.summary.rstrip("."):
        parts.append(_wrap(tool.description))
    if tool.deprecated:
        parts.append("Deprecated by the API: prefer another tool when one fits.")
    parts.append(f"Example: {_example_call(tool)}")
    return docstring("\n\n".join(parts))


def _suggestions(tool: Tool, project: Project) -> dict[str, tuple[str, ...]]:
    path_params = [p.name for p in tool.params if p.location == "path"]
    found: dict[str, tuple[str, ...]] = {}
    if "list" in tool.related:
        what = path_params[-1] if path_params else "identifier"
        found["not_found_error"] = (
            f"Call {tool.related['list']} to find a valid {what}, then retry {tool.name}.",
        )
    elif path_params:
        found["not_found_error"] = (f"Check the {', '.join(path_params)} passed to {tool.name}.",)
    required = [p.name for p in tool.params if p.required]
    if required:
        their = "its type and format" if len(required) == 1 else "their types and formats"
        found["validation_error"] = (f"{tool.name} requires {', '.join(required)}; check {their}.",)
    if project.auth.pattern == "service-to-service":
        found["authorization_error"] = (
            "The backend refused this for the current user; it may belong to someone else.",
        )
    if tool.method in ("POST", "PUT", "PATCH") and "list" in tool.related:
        found["conflict_error"] = (f"Fetch the current state with {tool.related['list']} before retrying.",)
    return found


def _operation(tool: Tool, project: Project) -> list[str]:
    """The Operation(...) arguments; those left at their defaults are left out."""
    suggestions = _suggestions(tool, project)
    optional = [
        ("request_body", tool.request_body, None),
        ("content_type", tool.content_type, None),
        ("response", tool.response.kind, "json"),
        ("suggestions", suggestions, {}),
        ("files", tuple(tool.file_fields), ()),
        ("plain_output", _loose_output(tool), False),
    ]
    return [
        f"tool={literal(tool.name)}",
        f"method={literal(tool.method)}",
        f"path={literal(tool.path)}",
        *(f"{name}={literal(value)}" for name, value, default in optional if value != default),
    ]


def _imports(imports: Imports, models_module: str) -> list[str]:
    lines = []
    if imports.datetime:
        lines.append(f"from datetime import {', '.join(sorted(imports.datetime))}")
    if imports.typing:
        lines.append(f"from typing import {', '.join(sorted(imports.typing))}")
    if imports.uuid:
        lines.append("from uuid import UUID")
    if imports.models:
        lines.append(f"from {models_module} import {', '.join(sorted(imports.models))}")
    return lines


def _tool_imports(tool: Tool) -> Imports:
    imports = Imports(typing={"Annotated"})
    for param in tool.params:
        imports.add(param.type.imports)
    if tool.response.kind == "json":
        imports.add(tool.response.type.imports if tool.response.type else Imports(typing={"Any"}))
        if _loose_output(tool):
            imports.typing.add("Any")
    return imports


# ---- tests of the generated project -----------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _query_pairs(name: str, value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, list):
        return [pair for item in value for pair in _query_pairs(name, item)]
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _query_pairs(f"{name}[{key}]", item)]
    return [(name, _text(value))]


def _test_case(tool: Tool, project: Project) -> dict[str, Any]:
    base_path = urlsplit(project.base_url).path.rstrip("/")
    path = tool.path
    for param in tool.params:
        if param.location == "path":
            path = path.replace("{" + param.wire + "}", quote(_text(param.sample), safe=""))
    query = [pair for p in tool.params if p.location == "query" for pair in _query_pairs(p.wire, p.sample)]
    headers = {p.wire.lower(): _text(p.sample) for p in tool.params if p.location == "header"}
    cookies = {p.wire: _text(p.sample) for p in tool.params if p.location == "cookie"}
    if tool.body_param:
        body = next(p.sample for p in tool.params if p.name == tool.body_param)
    else:
        body = {p.wire: p.sample for p in tool.params if p.location == "body" and p.sample is not None}
    form = (
        [pair for key, value in body.items() for pair in _query_pairs(key, value)]
        if isinstance(body, dict)
        else []
    )
    response = tool.response.sample if tool.response.kind == "json" else None
    api_key = project.auth.api_key
    return {
        # The credential is the client's business (tests/unit); these tests check the operation's own params.
        "credential_query": literal({api_key.name} if api_key and api_key.location == "query" else set()),
        "header_items": [(literal(k), literal(v)) for k, v in headers.items()],
        "cookie_items": [(literal(k), literal(v)) for k, v in cookies.items()],
        "response_is_object": isinstance(response, dict) and bool(response),
        "args": literal({p.name: p.sample for p in tool.params}),
        "method": tool.method,
        "path": literal(base_path + path),
        "query": literal(query),
        "headers": literal(headers),
        "cookies": literal(cookies),
        "json": literal(body) if tool.request_body == "json" else "None",
        "form": literal(form) if tool.request_body == "form" else "None",
        # An empty list has no multipart form, so the client sends no part for it.
        "multipart_fields": literal(sorted(k for k, v in body.items() if v != []))
        if tool.request_body == "multipart" and isinstance(body, dict)
        else "None",
        "status": tool.response.status
        if tool.response.status != 204 or tool.response.kind == "empty"
        else 200,
        "response": literal(response),
        "response_kind": tool.response.kind,
    }


def _tool_answers(tool: Tool, project: Project, layout: Layout) -> dict[str, Any]:
    title = _title(tool)
    test = _test_case(tool, project)
    return {
        "name": tool.name,
        "name_literal": literal(tool.name),
        "method_literal": literal(tool.method),
        "path_markdown": tool.path.replace("|", "\\|"),
        "test_docstring": docstring(
            f"{tool.name} sends {tool.method} {tool.path} with every argument in its place."
        ),
        "function": tool.function,
        "module": tool.function,
        "import_path": layout.tool_module(tool.function),
        "constant": tool.constant,
        "method": tool.method,
        "path": tool.path,
        "title": literal(title),
        "docstring": _tool_docstring(tool),
        "operation": _operation(tool, project),
        "signature": _signature(tool),
        "returns": _return_annotation(tool),
        "call": ", ".join(["ctx", tool.constant, _result_type(tool), *_call_parts(tool)]),
        "imports": _imports(_tool_imports(tool), layout.modules["models"]),
        "annotations": literal(ANNOTATIONS.get(tool.method, ANNOTATIONS["POST"])),
        "tags": "{" + ", ".join(literal(t) for t in sorted(set(tool.tags))) + "}" if tool.tags else "None",
        "testable": not tool.untestable,
        "untestable": tool.untestable,
        "test": test,
    }


# ---- models ----------------------------------------------------------------------------------------------


def _model_field(field: ModelField) -> str:
    annotation = optional(field.type)
    args = []
    default: str | None = None
    if not field.required:
        default = literal(field.default) if field.has_default and field.default is not None else "None"
    if field.name != field.wire:
        args.append(f"alias={literal(field.wire)}")
    if field.description:
        args.append(f"description={literal(field.description)}")
    if not args:
        return f"{field.name}: {annotation}" + (f" = {default}" if default is not None else "")
    if default is not None:
        args.insert(0, f"default={default}")
    return f"{field.name}: {annotation} = Field({', '.join(args)})"


def _model_answers(model: Model) -> dict[str, Any]:
    return {
        "name": model.name,
        "kind": model.kind,
        "docstring": docstring(_wrap(model.description)) if model.description else "",
        "bases": ", ".join(model.bases) if model.bases else (model.enum_base or "ApiModel"),
        "fields": [_model_field(f) for f in model.fields],
        "members": [f"{m.name} = {literal(m.value)}" for m in model.members],
        "alias": optional(model.alias) if model.alias else "",
        "examples": [literal(e) for e in model.examples],
    }


def _models_imports(models: list[Model]) -> list[str]:
    imports = Imports()
    enums = set()
    for model in models:
        for field in model.fields:
            imports.add(field.type.imports)
        if model.alias:
            imports.add(model.alias.imports)
        if model.enum_base:
            enums.add(model.enum_base)
    imports.models = set()
    lines = _imports(imports, "")
    if enums:
        lines.insert(0, f"from enum import {', '.join(sorted(enums))}")
    return lines


# ---- the whole -------------------------------------------------------------------------------------------


def _probe(tools: list[dict[str, Any]]) -> dict[str, Any]:
    testable = [t for t in tools if t["testable"]]
    ranked = sorted(
        testable or tools,
        key=lambda t: (t["method"] != "GET", t["test"]["response_kind"] != "json", len(t["signature"])),
    )
    chosen = ranked[0]
    return {
        "name": chosen["name"],
        "args": chosen["test"]["args"],
        "status": chosen["test"]["status"],
        "response": chosen["test"]["response"],
    }


def _contract_cases(models: list[Model]) -> list[dict[str, str]]:
    cases = []
    for model in models:
        if not model.pointer:
            continue
        for number, example in enumerate(model.examples, 1):
            cases.append(
                {
                    "model": model.name,
                    "example": literal(example),
                    "id": literal(f"{model.name}-example-{number}"),
                }
            )
        if model.has_sample:
            cases.append(
                {"model": model.name, "example": literal(model.sample), "id": literal(f"{model.name}-sample")}
            )
    return cases


def build_answers(project: Project, layout: Layout, *, name: str | None = None) -> dict[str, Any]:
    tools = [_tool_answers(tool, project, layout) for tool in project.tools]
    project_name = " ".join((name or f"{project.title} MCP").split())
    instructions = project.description or f"Tools for the {project.title} API."
    contract_cases = _contract_cases(project.models)
    return {
        "template_version": __version__,
        "ir_version": IR_VERSION,
        "project_name": project_name,
        "package": package_name(project.title, name),
        "layout": layout.name,
        "layout_reason": layout.reason,
        "pattern": project.auth.pattern,
        "literals": {
            "server_name": literal(project_name),
            "instructions": literal(instructions),
            "base_url": literal(project.base_url),
            "api_title": literal(project.title),
        },
        "modules": layout.modules,
        "auth": project.auth.model_dump(mode="json"),
        "tools": tools,
        "tools_imports": _imports(
            _merge([_tool_imports(t) for t in project.tools]), layout.modules["models"]
        ),
        "models": [_model_answers(m) for m in project.models],
        "models_imports": _models_imports(project.models),
        "probe": _probe(tools),
        "contract_cases": contract_cases,
        "contract_models": sorted({case["model"] for case in contract_cases}),
        "api_title": " ".join(project.title.split()),
        "base_url_env": "".join(project.base_url.split()),
        "auth_summary": {"backend": describe(project.auth.pattern)},
        "toml": {
            "description": json.dumps(
                f"MCP server for the {' '.join(project.title.split())} API", ensure_ascii=False
            )
        },
        "warnings": [],
    }


def _merge(all_imports: list[Imports]) -> Imports:
    merged = Imports()
    for item in all_imports:
        merged.add(item)
    return merged
