"""The intermediate model: everything the templates show, decided from the spec, free of Jinja and files.

Type expressions (`Param.type_expr`, `Field.type_expr`, ...) are Python source built only from identifiers the
naming module produced and from `repr()` literals, never from raw spec text. Free text (descriptions,
summaries) stays plain here; the answers stage turns it into literals.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic import Field as PydanticField

IR_VERSION = 1

Location = Literal["path", "query", "header", "cookie", "body"]
RequestBody = Literal["json", "form", "multipart", "binary", "text"]
ResponseKind = Literal["json", "text", "binary", "empty"]
PatternName = Literal["none", "api-key", "bearer", "service-to-service"]
LayoutName = Literal["modular", "monolithic"]


class Imports(BaseModel):
    """Names a generated module needs for its type expressions."""

    models: set[str] = PydanticField(default_factory=set)
    typing: set[str] = PydanticField(default_factory=set)
    datetime: set[str] = PydanticField(default_factory=set)
    uuid: bool = False

    def add(self, other: Imports) -> None:
        self.models |= other.models
        self.typing |= other.typing
        self.datetime |= other.datetime
        self.uuid = self.uuid or other.uuid


class TypeRef(BaseModel):
    """A Python type expression and the imports it needs."""

    expr: str
    imports: Imports = PydanticField(default_factory=Imports)
    nullable: bool = False


class Constraints(BaseModel):
    """JSON Schema validation keywords that map onto pydantic `Field` arguments."""

    ge: float | int | None = None
    le: float | int | None = None
    gt: float | int | None = None
    lt: float | int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None


class ModelField(BaseModel):
    name: str
    wire: str
    type: TypeRef
    required: bool
    default: Any = None
    has_default: bool = False
    description: str = ""


class EnumMember(BaseModel):
    name: str
    value: Any


class Model(BaseModel):
    """A named schema: a class, an enum or a type alias."""

    name: str
    kind: Literal["object", "enum", "alias"]
    pointer: str
    description: str = ""
    bases: list[str] = PydanticField(default_factory=list)
    fields: list[ModelField] = PydanticField(default_factory=list)
    enum_base: Literal["StrEnum", "IntEnum"] | None = None
    members: list[EnumMember] = PydanticField(default_factory=list)
    alias: TypeRef | None = None
    examples: list[Any] = PydanticField(default_factory=list)  # only those that match the schema
    sample: Any = None
    has_sample: bool = False
    depends_on: set[str] = PydanticField(default_factory=set)


class Param(BaseModel):
    name: str
    wire: str
    location: Location
    type: TypeRef
    required: bool
    default: Any = None
    has_default: bool = False
    description: str = ""
    constraints: Constraints = PydanticField(default_factory=Constraints)
    example: Any = None
    has_example: bool = False
    sample: Any = None  # a value that satisfies the schema, for the generated tests
    file: bool = False  # a multipart part sent as a file, given as base64 text


class Response(BaseModel):
    kind: ResponseKind
    status: int
    type: TypeRef | None = None
    media_type: str | None = None
    example: Any = None
    has_example: bool = False
    sample: Any = None
    schema_models: int = 0  # how many models the response type reaches, itself included


class Tool(BaseModel):
    name: str
    operation_id: str | None = None
    function: str
    constant: str
    method: str
    path: str
    pointer: str
    summary: str = ""
    description: str = ""
    tags: list[str] = PydanticField(default_factory=list)
    deprecated: bool = False
    params: list[Param] = PydanticField(default_factory=list)
    request_body: RequestBody | None = None
    content_type: str | None = None
    body_param: str | None = None  # set when the whole body is one argument instead of flattened fields
    file_fields: list[str] = PydanticField(default_factory=list)  # multipart fields sent as files
    response: Response
    related: dict[str, str] = PydanticField(default_factory=dict)  # role ("list", "get") → tool name
    untestable: str = ""  # why no sample call could be made, if so


class Skipped(BaseModel):
    """An operation that could not become a tool, and why."""

    method: str
    path: str
    pointer: str
    reason: str


class IdentityHeader(BaseModel):
    header: str
    claim: str


class ApiKey(BaseModel):
    name: str
    location: Literal["header", "query", "cookie"]


class Auth(BaseModel):
    pattern: PatternName
    reason: str
    credential_env: str | None = None
    api_key: ApiKey | None = None
    identity_headers: list[IdentityHeader] = PydanticField(default_factory=list)


class Project(BaseModel):
    """The whole project to generate."""

    ir_version: int = IR_VERSION
    title: str
    description: str = ""
    api_version: str = ""
    base_url: str
    tools: list[Tool]
    models: list[Model]
    auth: Auth
    skipped: list[Skipped] = PydanticField(default_factory=list)
