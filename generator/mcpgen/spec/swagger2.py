"""Swagger 2.0 → OpenAPI 3.0.3, in memory.

The load stage has already checked the original (operations are objects, every `$ref` resolves, no bare
`$ref` cycles), so errors name pointers in the file the user wrote; this module maps structure. Where 2.0
says something 3.0 cannot (a `tsv` array, an oauth2 flow it does not know), the nearest meaning is kept and
a warning says what changed.

Body and form parameters become the operation's `requestBody`, built with the operation's own `consumes`;
a shared body parameter is therefore inlined where it is used rather than made a shared request body, since
two operations that share one (Kubernetes' PATCH and PUT) accept different media types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic, MCPGenError, pointer
from .refgraph import resolve_pointer

OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
PAYLOAD = ("body", "formData")
REF_PREFIXES = {
    "#/definitions/": "#/components/schemas/",
    "#/parameters/": "#/components/parameters/",
    "#/responses/": "#/components/responses/",
}
# What a 2.0 parameter, header or items object says about its value: in 3.0 it moves into `schema`.
VALUE_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
)
# collectionFormat → (style, explode) for query parameters and urlencoded form fields.
QUERY_STYLES = {
    "csv": ("form", False),
    "multi": ("form", True),
    "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False),
}
OAUTH2_FLOWS = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}
OPERATION_KEYS = ("tags", "summary", "description", "externalDocs", "operationId")


@dataclass
class Conversion:
    """The OpenAPI 3.0.3 document and what the conversion had to approximate."""

    document: dict[str, Any]
    warnings: list[Diagnostic] = field(default_factory=list)


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _construct(where: str) -> str:
    """How a message names the construct at a JSON pointer: its key (`items`, `items` written as a list)."""
    parts = where.strip("/").split("/")
    listed = False
    while parts and parts[-1].isdigit():
        parts.pop()
        listed = True
    key = parts[-1].replace("~1", "/").replace("~0", "~") if parts else "the document"
    return f"`{key}` written as a list" if listed else f"`{key}`"


def _extensions(node: dict) -> dict[str, Any]:
    return {key: value for key, value in node.items() if isinstance(key, str) and key.startswith("x-")}


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


class _Converter:
    def __init__(self, swagger: dict, source: str):
        self.swagger = swagger
        self.source = source
        self.warnings: list[Diagnostic] = []
        self.consumes = _strings(swagger.get("consumes"))
        self.produces = _strings(swagger.get("produces"))
        self.shared_parameters = _mapping(swagger.get("parameters"))
        self.servers = self.servers_for(swagger.get("schemes"))

    def warn(self, message: str, where: str) -> None:
        self.warnings.append(Diagnostic(message, where))

    # ---- document ----------------------------------------------------------------------------------

    def convert(self) -> dict[str, Any]:
        swagger = self.swagger
        document: dict[str, Any] = {"openapi": OPENAPI_VERSION}
        if "info" in swagger:
            document["info"] = swagger["info"]
        if self.servers:
            document["servers"] = self.servers
        document["paths"] = {
            path: self.path_item(item, pointer("paths", path))
            for path, item in _mapping(swagger.get("paths")).items()
        }
        components = self.components()
        if components:
            document["components"] = components
        for key in ("security", "tags", "externalDocs"):
            if key in swagger:
                document[key] = swagger[key]
        document.update(_extensions(swagger))
        self.check_refs(document)
        return document

    def servers_for(self, schemes: Any) -> list[dict[str, str]]:
        """host + basePath + schemes; https first. Without a host the base path is a relative URL."""
        host = self.swagger.get("host")
        base_path = str(self.swagger.get("basePath") or "").strip("/")
        base_path = "/" + base_path if base_path else ""
        if not isinstance(host, str) or not host:
            return [{"url": base_path}] if base_path else []
        web = [s for s in _strings(schemes) if s in ("http", "https")] or ["https"]
        web.sort(key=lambda scheme: scheme != "https")
        return [{"url": f"{scheme}://{host}{base_path}"} for scheme in web]

    def components(self) -> dict[str, Any]:
        swagger = self.swagger
        components: dict[str, Any] = {}
        definitions = _mapping(swagger.get("definitions"))
        if definitions:
            components["schemas"] = {
                name: self.schema(schema, pointer("definitions", name))
                for name, schema in definitions.items()
            }
        parameters = {
            name: self.parameter(param, pointer("parameters", name))
            for name, param in self.shared_parameters.items()
            if isinstance(param, dict) and param.get("in") not in PAYLOAD
        }
        if parameters:
            components["parameters"] = parameters
        responses = _mapping(swagger.get("responses"))
        if responses:
            components["responses"] = {
                name: self.response(response, self.produces or [JSON], pointer("responses", name))
                for name, response in responses.items()
            }
        schemes = _mapping(swagger.get("securityDefinitions"))
        if schemes:
            components["securitySchemes"] = {
                name: self.security_scheme(scheme, pointer("securityDefinitions", name))
                for name, scheme in schemes.items()
            }
        return components

    def check_refs(self, document: dict) -> None:
        """A `$ref` into what 2.0 has and 3.0 moved (say, a body parameter's schema) must still resolve."""
        stack: list[tuple[Any, str]] = [(document, "")]
        while stack:
            node, where = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith("#"):
                    if ref.startswith(tuple(REF_PREFIXES)):
                        raise MCPGenError(
                            f"the $ref {ref!r} is inside {_construct(where)}, which mcpgen does not "
                            "convert from Swagger 2.0",
                            file=self.source,
                            pointer=where + "/$ref",
                            hint="write it as Swagger 2.0 allows, or report the construct to mcpgen",
                        )
                    try:
                        resolve_pointer(document, ref[1:])
                    except (KeyError, IndexError, ValueError) as exc:
                        raise MCPGenError(
                            f"the $ref {ref!r} has no target once converted from Swagger 2.0",
                            file=self.source,
                            pointer=where + "/$ref",
                            hint="point it at a definition, a parameter or a response as a whole",
                        ) from exc
                stack.extend((value, f"{where}/{pointer(key)[1:]}") for key, value in node.items())
            elif isinstance(node, list):
                stack.extend((value, f"{where}/{index}") for index, value in enumerate(node))

    def ref(self, ref: str, where: str) -> str:
        for old, new in REF_PREFIXES.items():
            if ref.startswith(old):
                return new + ref[len(old) :]
        if ref.startswith("#"):
            raise MCPGenError(
                f"the $ref {ref!r} cannot be converted from Swagger 2.0",
                file=self.source,
                pointer=where + "/$ref",
                hint="point it at #/definitions, #/parameters or #/responses",
            )
        return ref

    # ---- paths and operations ----------------------------------------------------------------------

    def path_item(self, item: dict, where: str) -> dict[str, Any]:
        plain, payload = self.split_parameters(item.get("parameters"), where + "/parameters")
        converted: dict[str, Any] = {}
        for key, value in item.items():
            if key in METHODS:
                converted[key] = self.operation(value, payload, f"{where}/{key}")
            elif key == "parameters" and plain:
                converted["parameters"] = plain
            elif key == "$ref" or key.startswith("x-"):
                converted[key] = value
        return converted

    def split_parameters(self, raw: Any, where: str) -> tuple[list[dict], dict[tuple, dict]]:
        """3.0 parameters (converted), and body/formData parameters keyed by (name, in), refs resolved."""
        plain: list[dict] = []
        payload: dict[tuple, dict] = {}
        for index, param in enumerate(raw if isinstance(raw, list) else []):
            at = f"{where}/{index}"
            if not isinstance(param, dict):
                continue
            ref = param.get("$ref")
            if isinstance(ref, str):
                target = self.shared_target(ref)
                if target is not None and target.get("in") in PAYLOAD:
                    payload[(str(target.get("name")), target["in"])] = target
                else:
                    plain.append({"$ref": self.ref(ref, at)})
            elif param.get("in") in PAYLOAD:
                payload[(str(param.get("name")), param["in"])] = param
            else:
                plain.append(self.parameter(param, at))
        return plain, payload

    def shared_target(self, ref: str) -> dict | None:
        prefix = "#/parameters/"
        if not ref.startswith(prefix) or "/" in ref[len(prefix) :]:
            return None
        name = ref[len(prefix) :].replace("~1", "/").replace("~0", "~")
        target = self.shared_parameters.get(name)
        return target if isinstance(target, dict) else None

    def operation(self, operation: dict, shared_payload: dict[tuple, dict], where: str) -> dict[str, Any]:
        consumes = _strings(operation.get("consumes")) or self.consumes or [JSON]
        produces = _strings(operation.get("produces")) or self.produces or [JSON]
        plain, own_payload = self.split_parameters(operation.get("parameters"), where + "/parameters")
        converted: dict[str, Any] = {key: operation[key] for key in OPERATION_KEYS if key in operation}
        if plain:
            converted["parameters"] = plain
        body = self.request_body(list({**shared_payload, **own_payload}.values()), consumes, where)
        if body is not None:
            converted["requestBody"] = body
        if "responses" in operation:
            converted["responses"] = {
                str(code): self.response(response, produces, f"{where}/responses/{pointer(code)[1:]}")
                for code, response in _mapping(operation["responses"]).items()
            }
        for key in ("deprecated", "security"):
            if key in operation:
                converted[key] = operation[key]
        servers = self.servers_for(operation["schemes"]) if "schemes" in operation else []
        if servers and servers != self.servers:
            converted["servers"] = servers
        converted.update(_extensions(operation))
        return converted

    # ---- parameters and request bodies -------------------------------------------------------------

    def parameter(self, param: dict, where: str) -> dict[str, Any]:
        location = param.get("in")
        converted: dict[str, Any] = {key: param[key] for key in ("name", "in", "description") if key in param}
        if location == "path":
            converted["required"] = True
        elif "required" in param:
            converted["required"] = param["required"]
        if "allowEmptyValue" in param:
            converted["allowEmptyValue"] = param["allowEmptyValue"]
        if param.get("type") == "array":
            converted.update(self.array_style(param, location, where))
        converted["schema"] = self.value_schema(param, where)
        if "x-example" in param:
            converted["example"] = param["x-example"]
        extensions = _extensions(param)
        extensions.pop("x-example", None)
        extensions.pop("x-nullable", None)
        converted.update(extensions)
        return converted

    def array_style(self, param: dict, location: Any, where: str) -> dict[str, Any]:
        collection = str(param.get("collectionFormat", "csv"))
        if location in ("path", "header"):
            if collection != "csv":
                self.warn(
                    f"collectionFormat {collection!r} is not possible in a {location}; "
                    "the values are sent comma-separated",
                    where,
                )
            return {"style": "simple", "explode": False}
        style = QUERY_STYLES.get(collection)
        if style is None:
            self.warn(
                f"collectionFormat {collection!r} has no OpenAPI 3 style; "
                "the values are sent comma-separated",
                where,
            )
            style = QUERY_STYLES["csv"]
        return {"style": style[0], "explode": style[1]}

    def value_schema(self, node: dict, where: str = "") -> dict[str, Any]:
        """The schema of a 2.0 parameter, header or items object: its value keywords, files as binary."""
        schema: dict[str, Any] = {key: node[key] for key in VALUE_KEYS if key in node}
        if schema.get("type") == "file":
            schema["type"], schema["format"] = "string", "binary"
        if isinstance(schema.get("items"), dict):
            schema["items"] = self.value_schema(schema["items"], f"{where}/items")
        elif isinstance(schema.get("items"), list):
            listed = [
                self.value_schema(sub, f"{where}/items") if isinstance(sub, dict) else sub
                for sub in schema["items"]
            ]
            schema["items"] = self.listed_items(listed, f"{where}/items")
        if node.get("x-nullable") is True:
            schema["nullable"] = True
        return schema

    def request_body(self, payload: list[dict], consumes: list[str], where: str) -> dict[str, Any] | None:
        bodies = [param for param in payload if param.get("in") == "body"]
        fields = [param for param in payload if param.get("in") == "formData"]
        if bodies and (len(bodies) > 1 or fields):
            self.warn("more than one request body is declared; the first body parameter is used", where)
        if bodies:
            return self.body(bodies[0], consumes, where)
        if fields:
            return self.form(fields, consumes, where)
        return None

    def body(self, param: dict, consumes: list[str], where: str) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if "description" in param:
            body["description"] = param["description"]
        schema = param.get("schema") if isinstance(param.get("schema"), dict) else {}
        examples = _mapping(param.get("x-examples"))
        content: dict[str, Any] = {}
        for media in consumes:
            content[media] = {"schema": self.schema(schema, where)}
            if media in examples:
                content[media]["example"] = examples[media]
        body["content"] = content
        if param.get("required") is True:
            body["required"] = True
        body.update({key: value for key, value in _extensions(param).items() if key != "x-examples"})
        return body

    def form(self, fields: list[dict], consumes: list[str], where: str) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        encoding: dict[str, Any] = {}
        has_file = False
        for param in fields:
            name = param.get("name")
            if not isinstance(name, str):
                self.warn("a formData parameter has no name; it is left out", where)
                continue
            schema = self.value_schema(param, where)
            if "description" in param:
                schema["description"] = param["description"]
            has_file = (
                has_file
                or schema.get("format") == "binary"
                or (_mapping(schema.get("items")).get("format") == "binary")
            )
            properties[name] = schema
            if param.get("required") is True:
                required.append(name)
            if param.get("type") == "array":
                collection = str(param.get("collectionFormat", "csv"))
                style, explode = QUERY_STYLES.get(collection, QUERY_STYLES["csv"])
                encoding[name] = {"style": style, "explode": explode}
        if has_file:
            media_types = [MULTIPART]
        else:
            media_types = [media for media in consumes if media in (URLENCODED, MULTIPART)] or [URLENCODED]
        content: dict[str, Any] = {}
        for media in media_types:
            schema: dict[str, Any] = {"type": "object", "properties": properties}
            if required:
                schema["required"] = list(required)
            content[media] = {"schema": schema}
            if media == URLENCODED and encoding:
                content[media]["encoding"] = encoding
        body: dict[str, Any] = {"content": content}
        if required:
            body["required"] = True
        return body

    # ---- responses ---------------------------------------------------------------------------------

    def response(self, response: Any, produces: list[str], where: str) -> Any:
        if not isinstance(response, dict):
            return response
        if isinstance(response.get("$ref"), str):
            return {"$ref": self.ref(response["$ref"], where)}
        converted: dict[str, Any] = {"description": response.get("description", "")}
        headers = _mapping(response.get("headers"))
        if headers:
            converted["headers"] = {
                name: self.header(header) for name, header in headers.items() if isinstance(header, dict)
            }
        schema = response.get("schema")
        examples = _mapping(response.get("examples"))
        content: dict[str, Any] = {}
        for media in [*produces, *(media for media in examples if media not in produces)]:
            if isinstance(schema, dict):
                content[media] = {"schema": self.schema(schema, where + "/schema")}
            if media in examples:
                content.setdefault(media, {})["example"] = examples[media]
        if content:
            converted["content"] = content
        converted.update(_extensions(response))
        return converted

    def header(self, header: dict) -> dict[str, Any]:
        converted: dict[str, Any] = {}
        if "description" in header:
            converted["description"] = header["description"]
        converted["schema"] = self.value_schema(header)
        converted.update(_extensions(header))
        return converted

    # ---- schemas and security ----------------------------------------------------------------------

    def schema(self, schema: Any, where: str) -> Any:
        if not isinstance(schema, dict):
            return schema
        converted: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                converted[key] = self.ref(value, where)
            elif key == "x-nullable":
                if value is True:
                    converted["nullable"] = True
            elif key == "type" and value == "file":
                converted["type"], converted["format"] = "string", "binary"
            elif key == "format" and schema.get("type") == "file":
                continue
            elif key == "discriminator" and isinstance(value, str):
                converted[key] = {"propertyName": value}
            elif key == "properties" and isinstance(value, dict):
                converted[key] = {
                    name: self.schema(sub, f"{where}/properties/{pointer(name)[1:]}")
                    for name, sub in value.items()
                }
            elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
                converted[key] = self.schema(value, f"{where}/{key}")
            elif key == "items" and isinstance(value, list):
                converted[key] = self.listed_items(
                    [self.schema(sub, f"{where}/items/{i}") for i, sub in enumerate(value)], f"{where}/items"
                )
            elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
                converted[key] = [self.schema(sub, f"{where}/{key}/{i}") for i, sub in enumerate(value)]
            else:
                converted[key] = value
        if "$ref" in converted and converted.get("nullable") is True:
            # 3.0 ignores keywords beside $ref; allOf keeps "this schema, or null" meaningful
            siblings = {key: value for key, value in converted.items() if key != "$ref"}
            return {**siblings, "allOf": [{"$ref": converted["$ref"]}]}
        return converted

    def listed_items(self, schemas: list[Any], where: str) -> dict[str, Any]:
        """`items` written as a list (JSON Schema's tuple form: Swagger 2.0 does not allow it, real specs use
        it): an item matches any of the schemas; OpenAPI 3.0 has no tuple form to keep the order in."""
        if len(schemas) == 1 and isinstance(schemas[0], dict):
            self.warn("items is written as a list of one schema; read as that schema", where)
            return schemas[0]
        self.warn(
            f"items is written as a list of {len(schemas)} schemas; read as any one of them (oneOf)", where
        )
        return {"oneOf": schemas} if schemas else {}

    def security_scheme(self, scheme: Any, where: str) -> Any:
        if not isinstance(scheme, dict):
            return scheme
        kind = scheme.get("type")
        converted: dict[str, Any]
        if kind == "basic":
            converted = {"type": "http", "scheme": "basic"}
        elif kind == "apiKey":
            converted = {key: scheme[key] for key in ("type", "name", "in") if key in scheme}
        elif kind == "oauth2":
            converted = {"type": "oauth2", "flows": self.oauth2_flows(scheme, where)}
        else:
            self.warn(f"security scheme type {kind!r} is not a Swagger 2.0 type; kept as written", where)
            return scheme
        if "description" in scheme:
            converted["description"] = scheme["description"]
        converted.update(_extensions(scheme))
        return converted

    def oauth2_flows(self, scheme: dict, where: str) -> dict[str, Any]:
        flow = scheme.get("flow")
        name = OAUTH2_FLOWS.get(flow) if isinstance(flow, str) else None
        if name is None:
            self.warn(f"oauth2 flow {flow!r} is not a Swagger 2.0 flow; the scheme has no flows", where)
            return {}
        converted: dict[str, Any] = {}
        if flow in ("implicit", "accessCode"):
            converted["authorizationUrl"] = scheme.get("authorizationUrl", "")
        if flow in ("password", "application", "accessCode"):
            converted["tokenUrl"] = scheme.get("tokenUrl", "")
        converted["scopes"] = _mapping(scheme.get("scopes"))
        return {name: converted}


def convert_swagger2(swagger: dict[str, Any], source: str) -> Conversion:
    """An OpenAPI 3.0.3 document with the same operations, parameters, bodies, responses and security."""
    converter = _Converter(swagger, source)
    document = converter.convert()
    headline = Diagnostic(
        f"converted from Swagger 2.0 to OpenAPI {OPENAPI_VERSION}; later pointers refer to the converted "
        "document (#/definitions/X is #/components/schemas/X)",
        "/swagger",
    )
    return Conversion(document=document, warnings=[headline, *converter.warnings])
