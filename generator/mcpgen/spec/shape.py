"""The structure every later stage relies on: path items, operations and their parameters are objects, and
the fields that name things are strings. Checked on the document as written (Swagger 2.0 included), so a
wrong type is one line with its pointer instead of a crash somewhere downstream.
"""

from __future__ import annotations

from typing import Any

from ..errors import Diagnostic, MCPGenError, pointer

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class _Shape:
    def __init__(self, source: str):
        self.source = source
        self.warnings: list[Diagnostic] = []
        self.operation_ids: dict[str, str] = {}  # operationId → "GET /path" of its first operation

    def refuse(self, message: str, where: str, hint: str) -> MCPGenError:
        return MCPGenError(message, file=self.source, pointer=where, hint=hint)

    def paths(self, paths: Any) -> None:
        if not isinstance(paths, dict):
            raise self.refuse("'paths' is not an object", "/paths", "map each path to its operations")
        for path, item in paths.items():
            where = pointer("paths", path)
            if not isinstance(item, dict):
                raise self.refuse(
                    "the path item is not an object", where, "write the path's operations as a mapping"
                )
            self.parameters(item.get("parameters"), where + "/parameters")
            for method in METHODS:
                if method in item:
                    self.operation(item[method], method, path)

    def operation(self, operation: Any, method: str, path: str) -> None:
        where = pointer("paths", path, method)
        if not isinstance(operation, dict):
            raise self.refuse(
                "the operation is not an object",
                where,
                "write the operation as a mapping with its responses, or remove it",
            )
        operation_id = operation.get("operationId")
        if "operationId" in operation and not isinstance(operation_id, str):
            raise self.refuse("the operationId is not a string", where + "/operationId", "quote it")
        if "tags" in operation and not isinstance(operation["tags"], list):
            raise self.refuse("'tags' is not a list", where + "/tags", "list the tag names")
        self.parameters(operation.get("parameters"), where + "/parameters")
        responses = operation.get("responses")
        if responses is not None and not isinstance(responses, dict):
            raise self.refuse(
                "'responses' is not an object", where + "/responses", "map status codes to responses"
            )
        if not responses:
            self.warnings.append(
                Diagnostic("the operation declares no responses; its tool returns nothing", where)
            )
        if isinstance(operation_id, str):
            self.unique(operation_id, method, path, where)

    def parameters(self, parameters: Any, where: str) -> None:
        if parameters is None:
            return
        if not isinstance(parameters, list):
            raise self.refuse("'parameters' is not a list", where, "list the parameters")
        for index, parameter in enumerate(parameters):
            at = f"{where}/{index}"
            if not isinstance(parameter, dict):
                raise self.refuse(
                    "the parameter is not an object", at, "write it as a mapping with name and in"
                )
            if "$ref" in parameter:
                continue
            for key in ("name", "in"):
                if not isinstance(parameter.get(key), str):
                    found = "has no" if key not in parameter else "has a non-string"
                    raise self.refuse(f"the parameter {found} '{key}'", f"{at}", f"give it a '{key}' string")

    def security_schemes(self, schemes: Any, where: str) -> None:
        if schemes is None:
            return
        if not isinstance(schemes, dict):
            raise self.refuse("the security schemes are not an object", where, "map each name to its scheme")
        for name, scheme in schemes.items():
            at = f"{where}/{pointer(name)[1:]}"
            if not isinstance(scheme, dict):
                raise self.refuse("the security scheme is not an object", at, "write it as a mapping")
            if "$ref" in scheme:
                continue
            keys = ("type", "name", "in") if scheme.get("type") == "apiKey" else ("type",)
            for key in keys:
                if not isinstance(scheme.get(key), str):
                    raise self.refuse(
                        f"the security scheme's '{key}' is not a string", at, f"give it a '{key}'"
                    )

    def unique(self, operation_id: str, method: str, path: str, where: str) -> None:
        first = self.operation_ids.setdefault(operation_id, f"{method.upper()} {path}")
        if first != f"{method.upper()} {path}":
            self.warnings.append(
                Diagnostic(
                    f"{operation_id!r} is also the operationId of {first}; "
                    "operationIds must be unique, so the tools get distinct names",
                    where + "/operationId",
                )
            )


def check_shape(document: dict, source: str) -> list[Diagnostic]:
    """Refuse wrong types where the stages need objects and strings; warn about operations without
    responses and operationIds used twice."""
    shape = _Shape(source)
    shape.paths(document.get("paths", {}))
    if "securityDefinitions" in document:  # Swagger 2.0
        shape.security_schemes(document["securityDefinitions"], "/securityDefinitions")
    components = document.get("components")
    if isinstance(components, dict):
        shape.security_schemes(components.get("securitySchemes"), "/components/securitySchemes")
    return shape.warnings
