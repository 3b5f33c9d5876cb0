"""Copier migration: answers contract 1 (template 2.1, code as strings) -> 2 (values only).

Copier runs this before `copier update` renders template 2.2 or later, with the answers file as argument.
Contract 1 stored the generated code's pieces as Python source (signatures, `Operation(...)` arguments, model
fields), always written by mcpgen 2.1 from `repr()` literals, so they are read back here with `ast`, never
executed. Only the standard library and PyYAML (which Copier itself needs) are used, so this runs in whatever
environment Copier runs in.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

SCALARS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "Any": "any",
    "None": "none",
    "date": "date",
    "datetime": "datetime",
    "UUID": "uuid",
}
CONSTRAINTS = ("ge", "le", "gt", "lt", "min_length", "max_length", "pattern")
DEPRECATED = "Deprecated by the API: prefer another tool when one fits."
HTTP_LOCATIONS = {"path": "path", "query": "query", "headers": "header", "cookies": "cookie"}


class MigrationError(Exception):
    """Answers this migration cannot read: the user regenerates with `mcpgen update --spec`."""


# ---- types --------------------------------------------------------------------------------------------


def type_record(node: ast.expr) -> Any:
    """A contract-2 type record from a contract-1 annotation."""
    if isinstance(node, ast.Name):
        return SCALARS.get(node.id, node.id)
    if isinstance(node, ast.Constant) and node.value is None:
        return "none"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        members: list[Any] = []
        for side in (node.left, node.right):
            record = type_record(side)
            members.extend(record["union"] if isinstance(record, dict) and set(record) == {"union"} else [record])
        return {"union": members}
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        outer, inner = node.value.id, node.slice
        if outer == "list":
            return {"list": type_record(inner)}
        if outer == "dict" and isinstance(inner, ast.Tuple):
            return {"dict": type_record(inner.elts[1])}
        if outer == "Literal":
            values = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            return {"literal": [ast.literal_eval(value) for value in values]}
        if outer == "Annotated" and isinstance(inner, ast.Tuple):
            record = type_record(inner.elts[0])
            for keyword in _field_keywords(inner.elts[1]):
                if keyword.arg == "discriminator":
                    record["discriminator"] = ast.literal_eval(keyword.value)
            return record
    raise MigrationError(f"cannot read the type {ast.unparse(node)!r}")


def _field_keywords(node: ast.expr) -> list[ast.keyword]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Field":
        return node.keywords
    return []


def split_annotation(node: ast.expr) -> tuple[ast.expr, dict[str, Any]]:
    """`Annotated[T, Field(...)]` -> (T, the Field keywords as values); any other annotation -> (it, {})."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Annotated"
        and isinstance(node.slice, ast.Tuple)
        and _field_keywords(node.slice.elts[1])
        and not any(k.arg == "discriminator" for k in _field_keywords(node.slice.elts[1]))
    ):
        return node.slice.elts[0], {k.arg: ast.literal_eval(k.value) for k in _field_keywords(node.slice.elts[1])}
    return node, {}


def slot(annotation: ast.expr, left_out_as_none: bool) -> tuple[Any, bool]:
    """The type record without its None, and whether None is a value the API itself accepts."""
    record = type_record(annotation)
    if isinstance(record, dict) and "union" in record and "none" in record["union"] and "discriminator" not in record:
        rest = [member for member in record["union"] if member != "none"]
        record = rest[0] if len(rest) == 1 else {"union": rest}
        return record, not left_out_as_none
    return record, False


# ---- models -------------------------------------------------------------------------------------------


def enum_members(model: dict) -> dict[str, Any]:
    members = {}
    for line in model.get("members") or []:
        name, _, value = line.partition(" = ")
        members[name.strip()] = ast.literal_eval(value)
    return members


def model_record(model: dict, samples: dict[str, Any], enums: dict[str, dict[str, Any]]) -> dict:
    record: dict[str, Any] = {"name": model["name"], "kind": model["kind"]}
    if model.get("docstring"):
        record["description"] = " ".join(inspect.cleandoc(ast.literal_eval(model["docstring"])).split())
    if model["kind"] == "enum":
        record["members"] = enum_members(model)
    elif model["kind"] == "alias":
        record["alias"] = type_record(ast.parse(model["alias"], mode="eval").body)
    else:
        if model["bases"] != "ApiModel":
            record["base"] = model["bases"]
        record["fields"] = [field_record(line, enums) for line in model.get("fields") or []]
    examples = [ast.literal_eval(example) for example in model.get("examples") or []]
    if examples:
        record["examples"] = examples
    if model["name"] in samples:
        record["sample"] = samples[model["name"]]
    return record


def field_record(line: str, enums: dict[str, dict[str, Any]]) -> dict:
    statement = ast.parse(line).body[0]
    if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
        raise MigrationError(f"cannot read the field {line!r}")
    record: dict[str, Any] = {"name": statement.target.id}
    # Contract 1 wrote `name: T`, `name: T = default`, or `name: T = Field(default=..., alias=..., ...)`
    # where a required field's Field(...) has no default.
    value = statement.value
    options: dict[str, ast.expr] = {}
    if isinstance(value, ast.Call) and _field_keywords(value):
        options = {k.arg: k.value for k in value.keywords if k.arg}
        required = "default" not in options
        value = options.get("default")
    else:
        required = value is None
    default = None if value is None else ast.literal_eval(value)
    kind, nullable = slot(statement.annotation, left_out_as_none=not required and default is None)
    if "alias" in options:
        record["wire"] = ast.literal_eval(options["alias"])
    record["type"] = kind
    if nullable:
        record["nullable"] = True
    if required:
        record["required"] = True
    _set_default(record, kind, default, enums)
    if "description" in options:
        record["description"] = ast.literal_eval(options["description"])
    return record


def _set_default(record: dict, kind: Any, default: Any, enums: dict[str, dict[str, Any]]) -> None:
    if default is None:
        return
    members = enums.get(kind) if isinstance(kind, str) else None
    member = next((name for name, value in (members or {}).items() if value == default), None)
    if member is not None:
        record["default_member"] = member
    else:
        record["default"] = default


# ---- tools --------------------------------------------------------------------------------------------


def placements(call: str) -> tuple[str, dict[str, tuple[str, str | None]]]:
    """The result type and, per argument, (location, wire name) from a contract-1 `invoke(...)` call."""
    parsed = ast.parse(f"invoke({call})", mode="eval").body
    assert isinstance(parsed, ast.Call)
    result_type = ast.unparse(parsed.args[2])
    found: dict[str, tuple[str, str | None]] = {}
    for keyword in parsed.keywords:
        if keyword.arg == "body" and isinstance(keyword.value, ast.Name):
            found[keyword.value.id] = ("body", None)
            continue
        location = "field" if keyword.arg == "body" else HTTP_LOCATIONS[keyword.arg or ""]
        assert isinstance(keyword.value, ast.Dict)
        for wire, name in zip(keyword.value.keys, keyword.value.values, strict=True):
            assert isinstance(name, ast.Name) and wire is not None
            found[name.id] = (location, ast.literal_eval(wire))
    return result_type, found


def docstring_parts(literal: str) -> tuple[str, bool]:
    """(description, deprecated) from a contract-1 tool docstring: headline, text, notes, example."""
    paragraphs = inspect.cleandoc(ast.literal_eval(literal)).split("\n\n")
    body = [p for p in paragraphs[1:] if not p.startswith("Example: ")]
    deprecated = DEPRECATED in body
    text = " ".join(" ".join(p.split()) for p in body if p != DEPRECATED)
    return text, deprecated


def tool_record(tool: dict, enums: dict[str, dict[str, Any]], table: ParameterTable) -> dict:
    operation = ast.parse("Operation(" + ", ".join(tool["operation"]) + ")", mode="eval").body
    assert isinstance(operation, ast.Call)
    options = {k.arg: ast.literal_eval(k.value) for k in operation.keywords}
    result_type, where = placements(tool["call"])
    test = tool["test"]
    samples = ast.literal_eval(test["args"])
    signature = ast.parse("def f(" + ", ".join(tool["signature"]) + "): pass").body[0]
    assert isinstance(signature, ast.FunctionDef)
    arguments = signature.args
    defaults = dict(
        zip([a.arg for a in arguments.args][len(arguments.args) - len(arguments.defaults) :], arguments.defaults, strict=True)
    )
    keys = []
    for argument in arguments.args:
        if argument.arg == "ctx":
            continue
        keys.append(table.key(param_record(argument, defaults.get(argument.arg), where, samples, enums)))
    description, deprecated = docstring_parts(tool["docstring"])
    record: dict[str, Any] = {"name": tool["name"]}
    if tool["function"] != tool["name"]:
        record["function"] = tool["function"]
    record |= {"method": tool["method"], "path": tool["path"], "title": ast.literal_eval(tool["title"])}
    if description:
        record["description"] = description
    if tool["tags"] != "None":
        record["tags"] = sorted(ast.literal_eval(tool["tags"]))
    if deprecated:
        record["deprecated"] = True
    record["params"] = keys
    for old, new in (("request_body", "body"), ("content_type", "content_type"), ("files", "files")):
        if old in options:
            record[new] = list(options[old]) if old == "files" else options[old]
    record["response"] = response_record(test, result_type, options.get("plain_output", False))
    advice = (options.get("suggestions") or {}).get("not_found_error") or ("",)
    if match := re.match(r"Call (\S+) to find a valid", advice[0]):
        record["list_tool"] = match.group(1)
    if tool.get("untestable"):
        record["untestable"] = tool["untestable"]
    return record


def param_record(
    argument: ast.arg,
    default: ast.expr | None,
    where: dict[str, tuple[str, str | None]],
    samples: dict[str, Any],
    enums: dict[str, dict[str, Any]],
) -> dict:
    location, wire = where[argument.arg]
    assert argument.annotation is not None
    annotation, options = split_annotation(argument.annotation)
    required = default is None
    default_value = None if default is None else ast.literal_eval(default)
    kind, nullable = slot(annotation, left_out_as_none=not required and default_value is None)
    record: dict[str, Any] = {"name": argument.arg}
    if wire is not None and wire != argument.arg:
        record["wire"] = wire
    record |= {"in": location, "type": kind}
    if nullable:
        record["nullable"] = True
    if required:
        record["required"] = True
    _set_default(record, kind, default_value, enums)
    if "description" in options:
        record["description"] = options["description"]
    record |= {key: options[key] for key in CONSTRAINTS if key in options}
    if options.get("examples"):
        record["example"] = options["examples"][0]
    record["sample"] = samples.get(argument.arg)
    return record


def response_record(test: dict, result_type: str, loose: bool) -> dict:
    record: dict[str, Any] = {}
    if test["response_kind"] != "json":
        record["kind"] = test["response_kind"]
    if test["status"] != 200:
        record["status"] = test["status"]
    if test["response_kind"] == "json":
        if result_type != "Any":
            record["type"] = type_record(ast.parse(result_type, mode="eval").body)
        if loose:
            record["loose"] = True
        sample = ast.literal_eval(test["response"])
        if sample is not None:
            record["sample"] = sample
    return record


class ParameterTable:
    def __init__(self) -> None:
        self.records: dict[str, dict] = {}
        self._keys: dict[str, str] = {}

    def key(self, record: dict) -> str:
        identity = json.dumps(record, sort_keys=True)
        if identity not in self._keys:
            key, number = record["name"], 2
            while key in self.records:
                key, number = f"{record['name']}_{number}", number + 1
            self._keys[identity] = key
            self.records[key] = record
        return self._keys[identity]


# ---- the whole ----------------------------------------------------------------------------------------


def api_name(title: str) -> str:
    name = " ".join(title.split()) or "API"
    return name if re.split(r"[^0-9A-Za-z]+", name.lower())[-1:] == ["api"] else f"{name} API"


def migrate(old: dict) -> dict:
    if old.get("ir_version", 1) != 1:
        raise MigrationError(f"expected answers contract 1, found {old.get('ir_version')!r}")
    literals = {key: ast.literal_eval(value) for key, value in old["literals"].items()}
    samples = {
        case["model"]: ast.literal_eval(case["example"])
        for case in old.get("contract_cases") or []
        if ast.literal_eval(case["id"]).endswith("-sample")
    }
    enums = {m["name"]: enum_members(m) for m in old["models"] if m["kind"] == "enum"}
    table = ParameterTable()
    tools = [tool_record(tool, enums, table) for tool in old["tools"]]
    name = api_name(literals["api_title"])
    api: dict[str, Any] = {"name": name}
    if literals["instructions"] != f"Tools for the {' '.join(literals['api_title'].split())} API.":
        api["description"] = literals["instructions"]
    auth = old["auth"]
    new_auth: dict[str, Any] = {}
    if auth.get("api_key"):
        new_auth["api_key"] = {"name": auth["api_key"]["name"], "location": auth["api_key"]["location"]}
    new_auth["identity_headers"] = [{"header": h["header"], "claim": h["claim"]} for h in auth["identity_headers"]]
    new = {
        "ir_version": 2,
        "mcpgen_version": old.get("template_version", "2.1.0"),
        "project_name": old["project_name"],
        "package": old["package"],
        # Template 2.2 installs the server under its own name instead of a top-level `src`.
        "import_name": re.sub(r"\W", "_", old["package"].replace("-", "_")),
        "layout": old["layout"],
        "layout_reason": old["layout_reason"],
        "pattern": old["pattern"],
        "pattern_reason": auth["reason"],
        "api": api,
        "base_url": literals["base_url"],
        # Contract 1 kept no spec; `mcpgen update --spec` records it.
        "spec": {"file": "openapi.json", "sha256": ""},
        "auth": new_auth,
        "parameters": table.records,
        "tools": tools,
        "models": [model_record(model, samples, enums) for model in old["models"]],
        "probe": old["probe"]["name"],
    }
    return new


def main(answers_file: str) -> int:
    path = Path(answers_file)
    text = path.read_text(encoding="utf-8")
    old = yaml.safe_load(text)
    if old.get("ir_version") == 2:
        return 0  # already migrated (Copier may run a migration again after a failed update)
    copier_keys = {key: value for key, value in old.items() if key.startswith("_")}
    try:
        new = migrate({key: value for key, value in old.items() if not key.startswith("_")})
    except (MigrationError, AssertionError, KeyError, SyntaxError, ValueError) as error:
        print(
            f"{path}: cannot migrate these mcpgen 2.1 answers ({type(error).__name__}: {error}); "
            "regenerate them from the spec with `mcpgen update --spec SPEC` instead",
            file=sys.stderr,
        )
        return 2
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    body = yaml.safe_dump({**copier_keys, **new}, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".copier-answers.yml"))
