"""Every identifier that reaches generated code is decided here, deterministically."""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

MAX_TOOL_NAME = 64
TOOL_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Names the generated modules import or define next to spec-derived names.
GENERATED_CODE_NAMES = frozenset(
    {
        "Annotated",
        "Any",
        "ApiModel",
        "BaseModel",
        "ConfigDict",
        "Context",
        "Enum",
        "Field",
        "IntEnum",
        "Literal",
        "Operation",
        "StrEnum",
        "ToolAnnotations",
        "TypeAdapter",
        "UUID",
        "annotations",
        "ctx",
        "date",
        "datetime",
        "invoke",
        "mcp",
        "self",
        "cls",
    }
)
KEYWORDS = frozenset(keyword.kwlist)
BUILTINS = frozenset(dir(builtins))
# Builtins that generated annotations use: a class attribute or module global with one of these names would
# change what a later annotation means.
TYPE_NAMES = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "type", "object"}
)
# `l`, `I` and `O` read as 1 and 0 in many fonts: ruff (E741) refuses them as names.
AMBIGUOUS = frozenset({"l", "I", "O"})
PYTHON_RESERVED = KEYWORDS | TYPE_NAMES | AMBIGUOUS | {"True", "False", "None"}
# Pydantic reserves these on every model; a field must not shadow them.
MODEL_ATTRIBUTES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        "fields",
        "model_config",
        "model_fields",
    }
)

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")


def words(text: str) -> list[str]:
    """Split any spelling (camelCase, kebab, dotted, spaced) into lowercase words."""
    text = _WORD_BOUNDARY.sub(" ", text)
    return [w.lower() for w in _NON_WORD.split(text) if w]


def snake(text: str) -> str:
    return "_".join(words(text))


def pascal(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words(text))


def constant(text: str) -> str:
    return snake(text).upper()


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:6]


def shorten(name: str, limit: int, full: str | None = None) -> str:
    """Cut a snake_case name to `limit` at a word boundary, keeping it unique with a short hash."""
    if len(name) <= limit:
        return name
    suffix = "_" + _short_hash(full or name)
    kept: list[str] = []
    for word in name.split("_"):
        if len("_".join([*kept, word])) + len(suffix) > limit:
            break
        kept.append(word)
    head = "_".join(kept) or name[: limit - len(suffix)]
    return head + suffix


class Scope:
    """Hands out unique names in one namespace; the first to ask keeps the plain name."""

    def __init__(self, reserved: Iterable[str] = ()):
        self.taken: set[str] = set(reserved)

    def free(self, name: str) -> bool:
        return name not in self.taken

    def claim(self, name: str, *, sep: str = "_", limit: int | None = None) -> str:
        candidate = name if limit is None else shorten(name, limit)
        number = 2
        while candidate in self.taken:
            tail = f"{sep}{number}"
            candidate = (name if limit is None else shorten(name, limit - len(tail))) + tail
            number += 1
        self.taken.add(candidate)
        return candidate


def python_identifier(text: str, *, reserved: frozenset[str] = frozenset(), fallback: str = "value") -> str:
    """A snake_case identifier for `text` that is not a keyword, builtin or reserved name."""
    name = snake(text) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if name in PYTHON_RESERVED or name in GENERATED_CODE_NAMES or name in reserved:
        name += "_"
    return name


def field_identifier(text: str) -> str:
    """A pydantic field name: also avoids model attributes and the `model_` namespace."""
    if snake(text).startswith("model_"):
        text = "field_" + text
    return python_identifier(text, reserved=MODEL_ATTRIBUTES, fallback="field")


# What the server module defines or imports beside the tool functions (tests/test_naming.py reads the server
# template's imports to keep this in step).
SERVER_MODULE_NAMES = frozenset(
    {"health", "ready", "metrics", "lifespan", "run", "main", "mcp", "FastMCP", "ToolAnnotations"}
)


def function_name(text: str) -> str:
    """A tool function: it must not shadow a builtin or a name of the server module that imports it."""
    return python_identifier(text, reserved=BUILTINS | SERVER_MODULE_NAMES, fallback="tool")


def operation_constant(function: str) -> str:
    """The module-level `Operation` a tool function sends; the template spells it this way too."""
    return function.upper()


def free_of_classes(function: str, class_names: set[str], functions: Scope) -> str:
    """The function itself, or a new name when its operation constant would hide a model class or an imported
    name (a tool `url` beside a class `URL`)."""
    constant = operation_constant(function)
    if constant in class_names or constant in GENERATED_CODE_NAMES:
        return functions.claim(function + "_tool")
    return function


def class_name(text: str) -> str:
    name = pascal(text) or "Model"
    if name[0].isdigit():
        name = "Model" + name
    if name in PYTHON_RESERVED or name in BUILTINS or name in GENERATED_CODE_NAMES:
        name += "Model"
    return name


def enum_member(value: object) -> str:
    name = constant(str(value)) if value is not None else "NONE"
    if not name:
        name = "EMPTY" if value == "" else "VALUE"
    if name[0].isdigit():
        name = "V_" + name
    if name in ("NAME", "VALUE", "MRO"):  # Enum's own attributes in any case
        name += "_"
    return name


def enum_member_names(values: Iterable[object]) -> list[str]:
    """One distinct member name per enum value, in order."""
    scope = Scope()
    return [scope.claim(enum_member(value), sep="_", limit=None) for value in values]


def unique_names(names: Iterable[str]) -> list[str]:
    """The names with later duplicates numbered (`name_2`), in order."""
    scope = Scope()
    return [scope.claim(name) for name in names]


_IDENTIFIER_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,60}$")


def inline_class_name(hint: str, title: object) -> str:
    """An inline schema's class: its own title when that reads as a name (Stripe's `company_specs`), else
    the name of what holds it (`CreateTaskBody`)."""
    if isinstance(title, str) and _IDENTIFIER_LIKE.match(title):
        return class_name(title)
    return class_name(hint)


def member_hint(owner: str, role: str) -> str:
    """The class name an inline schema gets from what holds it: `CreateTask` + "body" -> `CreateTaskBody`."""
    return owner + pascal(role)


# The argument that carries a whole request body, when the body is not flattened into one argument per field.
BODY_ARGUMENT = "body"
# A tool's arguments must not hide what its function uses: the injected context, and the body argument.
RESERVED_PARAMS = frozenset({"ctx", BODY_ARGUMENT})


def param_name(wire: str, location: str, scope: Scope) -> str:
    """A tool argument for a wire name; on a clash the location tells two alike apart (`body_from`)."""
    name = python_identifier(wire, reserved=RESERVED_PARAMS, fallback="param")
    if name in scope.taken:
        name = python_identifier(f"{location}_{wire}", reserved=RESERVED_PARAMS, fallback="param")
    return scope.claim(name)


def package_name(title: str, override: str | None = None) -> str:
    """The distribution and console-script name: `todo-api-mcp`."""
    base = snake(override or title).replace("_", "-") or "api"
    return base if base.endswith("mcp") else base + "-mcp"


# Top-level packages a generated server imports, directly or through FastMCP.
RUNTIME_PACKAGES = frozenset(
    {
        "fastmcp",
        "mcp",
        "pydantic",
        "pydantic_settings",
        "httpx2",
        "httpcore2",
        "tenacity",
        "starlette",
        "uvicorn",
    }
    | {"anyio", "jwt", "src", "tests"}
)


def import_name(package: str) -> str:
    """The import name the project's `src` package installs under: `todo-api-mcp` -> `todo_api_mcp`.

    It must not hide a standard-library module or a package the server imports (a project named "MCP").
    """
    name = python_identifier(package.replace("-", "_"), fallback="server")
    if name in sys.stdlib_module_names or name in RUNTIME_PACKAGES:
        name += "_server"
    return name


def api_name(title: str) -> str:
    """How prose names the backend: "Todo API" stays, "Tasks" becomes "Tasks API"."""
    name = " ".join(title.split()) or "API"
    return name if words(name)[-1:] == ["api"] else f"{name} API"


# ---- tool names ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationKey:
    """What tool naming needs to know about an operation."""

    operation_id: str | None
    method: str
    path: str
    tags: tuple[str, ...] = ()


def _fastapi_suffix(method: str, path: str) -> str:
    # FastAPI's default unique id is f"{route.name}{path}" with non-word characters replaced, plus the method.
    return re.sub(r"\W", "_", path) + "_" + method.lower()


def _from_path(method: str, path: str) -> str:
    parts = []
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            parts.append("by_" + snake(segment[1:-1]))
        elif segment:
            parts.append(snake(segment))
    return "_".join([method.lower(), *parts]) if parts else method.lower() + "_root"


def _tool_candidates(key: OperationKey) -> tuple[str, str]:
    """(preferred, fallback): the preferred name drops FastAPI noise; the fallback keeps all of it."""
    if not key.operation_id:
        plain = _from_path(key.method, key.path)
        return plain, plain
    full = key.operation_id
    preferred = full
    suffix = _fastapi_suffix(key.method, key.path)
    if preferred.endswith(suffix) and len(preferred) > len(suffix):
        preferred = preferred[: -len(suffix)]
    tag_prefix, dash, rest = preferred.partition("-")
    if dash and rest and any(snake(tag_prefix) == snake(tag) for tag in key.tags):
        preferred = rest
    return snake(preferred) or _from_path(key.method, key.path), snake(full) or _from_path(
        key.method, key.path
    )


def _valid_start(name: str) -> str:
    return name if name[:1].isalpha() else "op_" + name


def tool_names(keys: list[OperationKey]) -> list[str]:
    """Unique, readable tool names of at most 64 characters, in the order of `keys`."""
    candidates = [_tool_candidates(key) for key in keys]
    preferred_counts: dict[str, int] = {}
    for preferred, _ in candidates:
        preferred_counts[preferred] = preferred_counts.get(preferred, 0) + 1
    scope = Scope()
    names = []
    for preferred, fallback in candidates:
        chosen = preferred if preferred_counts[preferred] == 1 else fallback
        name = scope.claim(shorten(_valid_start(chosen), MAX_TOOL_NAME), limit=MAX_TOOL_NAME)
        assert TOOL_NAME_PATTERN.match(name), name
        names.append(name)
    return names


def counted(number: int, noun: str) -> str:
    """The number with its noun, plural unless one: "1 warning", "3 tools"."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"
