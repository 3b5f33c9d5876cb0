"""Which of the spec's examples really match their schema: only those become contract tests."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 spellings → JSON Schema 2020-12 (nullable, boolean exclusive bounds)."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {
        key: _as_json_schema(value) for key, value in node.items() if key not in ("nullable", "discriminator")
    }
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(result.get(bound), bool):
            flag = result.pop(bound)
            if flag and limit in result:
                result[bound] = result.pop(limit)
    if node.get("nullable") is True:
        return {"anyOf": [result, {"type": "null"}]}
    return result


class ExampleChecker:
    def __init__(self, document: dict):
        self.components = _as_json_schema(copy.deepcopy(document.get("components") or {}))

    def matches(self, pointer: str, example: Any) -> bool:
        root = {"$ref": "#" + pointer, "components": self.components}
        try:
            return Draft202012Validator(root).is_valid(example)
        except (SchemaError, KeyError, ValueError, TypeError, RecursionError):
            return False
        except Exception:  # noqa: BLE001 - referencing raises its own types for odd specs
            return False
