"""What each tool of a generated project exposes: whether it destroys data (from its registration's
annotations), which arguments take URLs, which arguments and fields look like personal data."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .code_scan import ProjectFiles, Ref

_URL_NAME = re.compile(r"(?:^|_)(?:url|uri|href|link|callback|webhook|redirect|endpoint)s?(?:_|$)", re.I)
_PII_NAME = re.compile(
    r"(?:^|_)(?:e_?mail|phone|mobile|address|street|zip_?code|postal_?code|birth_?date|date_of_birth|dob|"
    r"ssn|social_security(?:_number)?|passport(?:_number)?|first_?name|last_?name|full_?name|surname|"
    r"ip_?address|credit_?card|card_?number|iban|account_?number|national_?id|tax_?id|gender|salary|"
    r"password|geo_?location|latitude|longitude)(?:_|$)",
    re.I,
)


@dataclass
class ToolRisk:
    name: str
    operation: str
    hints: str
    urls: list[str]
    pii: list[str]
    destructive: bool
    registration: Ref | None


def tool_risks(project: ProjectFiles) -> list[ToolRisk]:
    answers = project.answers
    parameters = answers.get("parameters", {})
    models = {m["name"]: m for m in answers.get("models", [])}
    # Per model, computed once: a large API's tools reach the same models again and again.
    linked = {name: _linked_models(model, models) for name, model in models.items()}
    pii_fields = {
        name: [f"{name}.{f['name']}" for f in model.get("fields", []) if _PII_NAME.search(f["name"])]
        for name, model in models.items()
    }
    registered = registrations(project)
    risks = []
    for tool in answers.get("tools", []):
        params = [parameters[key] for key in tool.get("params", []) if key in parameters]
        urls = [
            p["name"]
            for p in params
            if _URL_NAME.search(p["name"]) or re.search(r"\bURLs?\b", p.get("description", ""))
        ]
        pii = [p["name"] for p in params if _PII_NAME.search(p["name"])]
        for model_name in sorted(_models_reached(tool, params, linked)):
            pii += pii_fields[model_name]
        registration = registered.get(tool["name"])
        hints = registration[1] if registration else {}
        destructive = hints.get("destructiveHint", tool["method"] == "DELETE")
        if hints.get("readOnlyHint"):
            label = "read-only"
        elif destructive:
            label = "destructive"
        else:
            label = "writes" + (", idempotent" if hints.get("idempotentHint") else "")
        risks.append(
            ToolRisk(
                name=tool["name"],
                operation=f"{tool['method']} {tool['path']}",
                hints=label,
                urls=urls,
                pii=sorted(dict.fromkeys(pii)),
                destructive=bool(destructive),
                registration=registration[0] if registration else None,
            )
        )
    return risks


def _models_reached(
    tool: Mapping[str, Any], params: list[Mapping[str, Any]], linked: Mapping[str, set[str]]
) -> set[str]:
    """The models a tool's arguments and answer name, and the models those name, transitively (`linked`:
    each model's directly named models, see _linked_models)."""
    records = [p.get("type") for p in params] + [tool.get("response", {}).get("type")]
    todo = [name for record in records for name in _model_names(record) if name in linked]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += linked[name]
    return seen


def _linked_models(model: Mapping[str, Any], models: Mapping[str, Any]) -> set[str]:
    """The models that `model`'s fields, base and alias name directly."""
    records = [f.get("type") for f in model.get("fields", [])] + [model.get("base"), model.get("alias")]
    return {name for record in records for name in _model_names(record) if name in models}


def _model_names(record: Any) -> Iterable[str]:
    if isinstance(record, str):
        if record[:1].isupper():
            yield record
    elif isinstance(record, dict):
        for value in record.values():
            yield from _model_names(value)
    elif isinstance(record, list):
        for value in record:
            yield from _model_names(value)


def registrations(project: ProjectFiles) -> dict[str, tuple[Ref, dict[str, bool]]]:
    """Each tool's registration in the server module, with the annotations it declares."""
    found = {}
    source = project.files.get("src/server.py")
    if source is None or source.tree is None:
        return found
    for node in source.nodes:
        if not (isinstance(node, ast.Call) and ast.unparse(node.func) in ("mcp.tool", "add_tool")):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        name = keywords.get("name")
        if not isinstance(name, ast.Constant):
            continue
        hints = {}
        annotations = keywords.get("annotations")
        if isinstance(annotations, ast.Call):
            hints = {
                k.arg: k.value.value
                for k in annotations.keywords
                if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, bool)
            }
        found[name.value] = (source.ref(name.lineno), hints)
    return found
