"""mcpgen.yaml `transform`: how a tool is shaped for the assistant, applied to the built tools.

Keyed by the tool's final name (after `rename`). Per argument (by its name or its wire name): `rename` (the
name the assistant sees; the backend still gets the wire name), `description`, `default`, and `hide: true`
with a `default` literal or `default_from: SETTING` (an environment variable of the server). Per tool:
`title`, `description` and `annotations` (MCP's hints). Every value is checked here, with a pointer and a
fix; the template writes the code from the transformed tool, so the module reads as if written that way.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any

from ..errors import MCPGenError, pointer
from ..naming import GENERATED_CODE_NAMES, PYTHON_RESERVED, RESERVED_PARAMS
from .model import Model, Param, Tool, TypeRef
from .text import MAX_DESCRIPTION, clean_text, short_text

TOOL_KEYS = ("title", "description", "annotations", "arguments")
ARGUMENT_KEYS = ("rename", "description", "default", "hide", "default_from")
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
# Arguments a generated tool may have beside the spec's, and names its body calls: no rename may take them.
EXTRA_ARGUMENTS = frozenset({"confirm", "fields", "get_settings"})
# Lower case, like every argument mcpgen names: it cannot shadow a model class or an Operation constant that
# the function's body uses.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_SETTING = re.compile(r"^[A-Z][A-Z0-9_]*$")
# The server's own settings (its config module): a hidden argument's setting must not reuse one.
_SERVER_SETTING_PREFIXES = (
    "BACKEND_",
    "MCP_",
    "SERVICE_",
    "OTEL_",
    "RATE_LIMIT_",
    "CODE_",
    "RETRY_",
    "CIRCUIT_",
)
_SERVER_SETTINGS = frozenset(
    {"REQUEST_TIMEOUT", "MAX_RESPONSE_BYTES", "RESPONSE_TOKEN_BUDGET", "LOG_LEVEL", "REDIS_URL"}
    | {"METRICS_TOKEN", "READY_TIMEOUT"}
)
MAX_TITLE = 120
MAX_TOOL_DESCRIPTION = 600  # as the spec's own descriptions are cut (ir/build.py, ir/text.py)


@dataclass
class _Context:
    source: str
    models: dict[str, Model]

    def error(self, where: str, message: str, hint: str) -> MCPGenError:
        return MCPGenError(message, file=self.source, pointer=where, hint=hint)


def apply_transforms(tools: list[Tool], transform: Any, models: list[Model], source: str) -> None:
    """Apply mcpgen.yaml's `transform` to the tools, in place; a bad or stale entry stops with its pointer."""
    if not transform:
        return
    context = _Context(source, {m.name: m for m in models})
    if not isinstance(transform, dict):
        raise context.error("/transform", "is not a mapping", "write `transform: {tool_name: {...}}`")
    by_name = {tool.name: tool for tool in tools}
    settings: dict[str, tuple[TypeRef, str]] = {}
    for name, entry in transform.items():
        where = pointer("transform", name)
        tool = by_name.get(name)
        if tool is None:
            raise context.error(
                where,
                f"{name!r} is not a tool of this project",
                "use a tool's name as tools/list shows it (after `rename`), or remove the entry",
            )
        _transform_tool(tool, entry, where, context, settings)


def _keys(entry: Any, allowed: tuple[str, ...], where: str, what: str, context: _Context) -> dict:
    if not isinstance(entry, dict):
        raise context.error(where, f"{what} is not a mapping", f"give it some of: {', '.join(allowed)}")
    for key in entry:
        if key not in allowed:
            raise context.error(
                pointer(*_parts(where), key), f"unknown key {key!r}", f"use one of: {', '.join(allowed)}"
            )
    return entry


def _parts(where: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in where.strip("/").split("/")]


def _text(value: Any, where: str, limit: int, context: _Context) -> str:
    text = short_text(clean_text(value), limit) if isinstance(value, str) else ""
    if not text:
        raise context.error(where, "is not a text", f"write one line of text (at most {limit} characters)")
    return text


def _transform_tool(
    tool: Tool, entry: Any, where: str, context: _Context, settings: dict[str, tuple[TypeRef, str]]
) -> None:
    entry = _keys(entry, TOOL_KEYS, where, "the tool's transformation", context)
    if "title" in entry:
        tool.summary = _text(entry["title"], f"{where}/title", MAX_TITLE, context)
    if "description" in entry:
        tool.description = _text(entry["description"], f"{where}/description", MAX_TOOL_DESCRIPTION, context)
    if "annotations" in entry:
        hints = _keys(entry["annotations"], HINTS, f"{where}/annotations", "annotations", context)
        for hint, value in hints.items():
            if not isinstance(value, bool):
                raise context.error(
                    f"{where}/annotations/{hint}", f"{value!r} is not true or false", "write true or false"
                )
            tool.hints[hint] = value
    arguments = entry.get("arguments") or {}
    if not isinstance(arguments, dict):
        raise context.error(f"{where}/arguments", "is not a mapping", "write `arguments: {name: {...}}`")
    spec_names = [p.name for p in tool.params]  # for messages: the names before any rename
    for name, change in arguments.items():
        where_argument = f"{where}/arguments/{_escape(name)}"
        _transform_argument(tool, name, change, where_argument, context, settings, spec_names)
    _check_names(tool, arguments, where, context)


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _argument(tool: Tool, name: str, spec_names: list[str]) -> Param | None:
    """The argument by the name the spec gave it (mcpgen's name for it, or its wire name)."""
    if name in spec_names:
        return tool.params[spec_names.index(name)]
    return next((p for p in tool.params if p.wire == name and p.location != "body"), None)


def _transform_argument(
    tool: Tool,
    name: str,
    change: Any,
    where: str,
    context: _Context,
    settings: dict[str, tuple[TypeRef, str]],
    spec_names: list[str],
) -> None:
    param = _argument(tool, name, spec_names)
    if param is None:
        known = ", ".join(spec_names) or "none"
        raise context.error(
            where,
            f"{tool.name} has no argument {name!r}",
            f"its arguments are: {known}; fix the name or remove the entry",
        )
    change = _keys(change, ARGUMENT_KEYS, where, "the argument's transformation", context)
    hide = change.get("hide", False)
    if not isinstance(hide, bool):
        raise context.error(
            f"{where}/hide", f"{hide!r} is not true or false", "write `hide: true` or leave it out"
        )
    if "default" in change and "default_from" in change:
        raise context.error(where, "gives both `default` and `default_from`", "keep one of them")
    if "default_from" in change:
        setting = change["default_from"]
        if not hide:
            raise context.error(
                f"{where}/default_from",
                "a setting only gives the value of a hidden argument",
                "add `hide: true`, or give a literal `default`",
            )
        _check_setting(setting, param, f"{where}/default_from", context, settings)
        param.setting = setting
    if "default" in change:
        value = change["default"]
        if value is None or not _fits(value, param.type, context.models):
            raise context.error(
                f"{where}/default",
                f"{value!r} is not a value of the argument's type",
                f"give a value its schema accepts ({_describe(param.type)})",
            )
        param.default, param.default_member = value, _member(value, param.type, context.models)
        param.required = False
    if hide:
        if param.required and param.setting is None:
            raise context.error(
                where,
                f"hides the required argument {name!r} without a value",
                "give it a `default` (a literal) or `default_from` (a setting of the server)",
            )
        param.hidden = True
        param.required = False
    if "description" in change:
        param.description = _text(change["description"], f"{where}/description", MAX_DESCRIPTION, context)
    if "rename" in change:
        param.name = _new_name(change["rename"], f"{where}/rename", context)


def _new_name(value: Any, where: str, context: _Context) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise context.error(
            where,
            f"{value!r} is not a lower-case Python identifier",
            "use lower-case letters, digits and '_' (not first), like summary or tenant_id",
        )
    if keyword.iskeyword(value) or value in PYTHON_RESERVED:
        raise context.error(where, f"{value!r} is a reserved Python name", f"use another, like {value}_value")
    if value in GENERATED_CODE_NAMES or value in RESERVED_PARAMS or value in EXTRA_ARGUMENTS:
        raise context.error(
            where, f"{value!r} is a name the generated code uses", f"use another, like {value}_value"
        )
    return value


def _check_names(tool: Tool, arguments: dict, where: str, context: _Context) -> None:
    """Two arguments of one function cannot share a name; a rename must not take one that is still there."""
    owners: dict[str, Param] = {}
    for param in tool.params:
        if param.hidden:
            continue
        other = owners.get(param.name)
        if other is not None:
            renamed = next(
                (
                    key
                    for key, change in arguments.items()
                    if isinstance(change, dict) and change.get("rename") == param.name
                ),
                param.name,
            )
            raise context.error(
                f"{where}/arguments/{_escape(renamed)}/rename",
                f"{param.name!r} is already an argument of {tool.name}",
                "choose another name, or rename or hide the other argument too",
            )
        owners[param.name] = param


def _check_setting(
    setting: Any, param: Param, where: str, context: _Context, settings: dict[str, tuple[TypeRef, str]]
) -> None:
    if not isinstance(setting, str) or not _SETTING.match(setting):
        raise context.error(
            where,
            f"{setting!r} is not a setting name",
            "use upper-case letters, digits and '_', like TENANT_ID",
        )
    if setting in _SERVER_SETTINGS or setting.startswith(_SERVER_SETTING_PREFIXES):
        raise context.error(where, f"{setting!r} is one of the server's own settings", "use another name")
    if not _settable(param.type):
        raise context.error(
            where,
            f"the argument's type ({_describe(param.type)}) cannot be read from a setting",
            "give a literal `default` instead",
        )
    earlier = settings.get(setting)
    if earlier is not None and earlier[0] != param.type:
        raise context.error(
            where,
            f"{setting!r} already gives {earlier[1]}, whose type differs",
            "use one setting per type",
        )
    settings[setting] = (param.type, where)


def _member(value: Any, ref: TypeRef, models: dict[str, Model]) -> str | None:
    """The enum member a default is, when the argument's type is an enum model (the code names the member)."""
    model = models.get(ref.without_none().model or "")
    if model is None or model.kind != "enum":
        return None
    return next((m.name for m in model.members if m.value == value and type(m.value) is type(value)), None)


def _settable(ref: TypeRef) -> bool:
    """A setting is text from the environment: scalars and literals are read from it, not models or lists."""
    ref = ref.without_none()
    return ref.literal is not None or ref.scalar in ("str", "int", "float", "bool")


def _fits(value: Any, ref: TypeRef, models: dict[str, Model]) -> bool:
    """Whether `value` (a YAML value) is one of the type's values."""
    if ref.union is not None:
        return any(_fits(value, member, models) for member in ref.union)
    if ref.literal is not None:
        return any(value == v and type(value) is type(v) for v in ref.literal)
    if ref.items is not None:
        return isinstance(value, list) and all(_fits(item, ref.items, models) for item in value)
    if ref.values is not None:
        return isinstance(value, dict) and all(
            isinstance(k, str) and _fits(v, ref.values, models) for k, v in value.items()
        )
    if ref.model is not None:
        model = models.get(ref.model)
        if model is None:
            return False
        if model.kind == "enum":
            return any(value == m.value and type(value) is type(m.value) for m in model.members)
        if model.kind == "alias" and model.alias is not None:
            return _fits(value, model.alias, models)
        return isinstance(value, dict)
    scalar = ref.scalar
    if scalar == "any":
        return True
    if scalar == "none":
        return value is None
    if scalar == "bool":
        return isinstance(value, bool)
    if scalar == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if scalar == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)  # str, date, datetime, uuid: the wire's text


def _describe(ref: TypeRef) -> str:
    if ref.union is not None:
        return " or ".join(_describe(m) for m in ref.union)
    if ref.literal is not None:
        return "one of " + ", ".join(repr(v) for v in ref.literal)
    if ref.items is not None:
        return f"a list of {_describe(ref.items)}"
    if ref.values is not None:
        return f"a mapping of {_describe(ref.values)}"
    if ref.model is not None:
        return ref.model
    return {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false"}.get(
        ref.scalar or "", ref.scalar or "a value"
    )
