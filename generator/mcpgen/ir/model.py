"""The intermediate model: what the generated project shows, decided from the spec, free of Jinja and files.

Types are records (`TypeRef`), not Python source: the template spells them. Names are decided by the naming
module. Free text (descriptions, summaries) is plain, cleaned text; the template turns it into literals.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic import Field as PydanticField

Location = Literal["path", "query", "header", "cookie", "body"]
RequestBody = Literal["json", "form", "multipart", "binary", "text"]
ResponseKind = Literal["json", "text", "binary", "empty"]
PatternName = Literal["none", "api-key", "bearer", "basic", "service-to-service"]
LayoutName = Literal["modular", "monolithic"]
Scalar = Literal["str", "int", "float", "bool", "any", "none", "date", "datetime", "uuid"]
LiteralValue = str | int | bool


class TypeRef(BaseModel):
    """A Python type as data: exactly one of `scalar`, `model`, `items` (a list), `values` (a dict keyed by
    strings), `literal` or `union`. `None` is the scalar "none", so a nullable type is a union with it."""

    scalar: Scalar | None = None
    model: str | None = None
    items: TypeRef | None = None
    values: TypeRef | None = None
    literal: list[LiteralValue] | None = None
    union: list[TypeRef] | None = None
    discriminator: str | None = None  # a union of models told apart by this property

    @property
    def nullable(self) -> bool:
        return self.scalar in ("none", "any") or any(m.scalar == "none" for m in self.union or ())

    @property
    def is_any(self) -> bool:
        return self.scalar == "any"

    def without_none(self) -> TypeRef:
        """The type with its `None` member removed (itself when it has none)."""
        if not self.union:
            return self
        kept = [m for m in self.union if m.scalar != "none"]
        return union_of(kept) if kept else self

    def models(self) -> set[str]:
        """The model classes this type names, at any depth."""
        found = {self.model} if self.model else set()
        for inner in (self.items, self.values, *(self.union or ())):
            if inner is not None:
                found |= inner.models()
        return found


def scalar(name: Scalar) -> TypeRef:
    return TypeRef(scalar=name)


ANY = scalar("any")
NONE = scalar("none")


def model_type(name: str) -> TypeRef:
    return TypeRef(model=name)


def list_of(items: TypeRef) -> TypeRef:
    return TypeRef(items=items)


def dict_of(values: TypeRef) -> TypeRef:
    return TypeRef(values=values)


def literal_of(values: list[LiteralValue]) -> TypeRef:
    return TypeRef(literal=values)


def union_of(members: list[TypeRef], discriminator: str | None = None) -> TypeRef:
    """`A | B`, flattened and without duplicates; `Any` absorbs everything; one member is itself."""
    flat: list[TypeRef] = []
    for member in members:
        for inner in member.union if member.union and not member.discriminator else [member]:
            if inner not in flat:
                flat.append(inner)
    if any(m.is_any for m in flat):
        return ANY
    if not flat:
        return NONE
    if len(flat) == 1:
        return flat[0]
    # None goes last, where a reader expects it: `A | B | None`.
    flat.sort(key=lambda m: m.scalar == "none")
    return TypeRef(union=flat, discriminator=discriminator)


def nullable(ref: TypeRef) -> TypeRef:
    return ref if ref.nullable else union_of([ref, NONE])


class Constraints(BaseModel):
    """JSON Schema validation keywords that apply to the value's type, as pydantic `Field` arguments."""

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
    default: Any = None  # None: no default (an optional field without one defaults to None)
    default_member: str | None = None  # the enum member the default is, when the type is an enum model
    description: str = ""


class EnumMember(BaseModel):
    name: str
    value: Any


class Model(BaseModel):
    """A named schema: a class, an enum or a type alias."""

    name: str
    kind: Literal["object", "enum", "alias"]
    pointer: str  # empty for a model made from an inline schema
    description: str = ""
    base: str | None = None  # the model class an object extends (allOf), if any
    fields: list[ModelField] = PydanticField(default_factory=list)
    members: list[EnumMember] = PydanticField(default_factory=list)
    alias: TypeRef | None = None
    examples: list[Any] = PydanticField(default_factory=list)  # only those that match the schema
    sample: Any = None
    has_sample: bool = False

    def depends_on(self) -> set[str]:
        found = {self.base} if self.base else set()
        for field in self.fields:
            found |= field.type.models()
        if self.alias is not None:
            found |= self.alias.models()
        return found


class Param(BaseModel):
    name: str
    wire: str
    location: Location
    type: TypeRef
    required: bool
    default: Any = None  # a scalar default of an optional parameter; None: no default
    default_member: str | None = None
    description: str = ""
    constraints: Constraints = PydanticField(default_factory=Constraints)
    example: Any = None  # the spec's own scalar example, if any
    sample: Any = None  # a value that satisfies the schema, for the generated tests
    file: bool = False  # a multipart part sent as a file, given as base64 text
    path_style: bool = False  # a path parameter whose value may hold "/" (the spec says allowReserved: true)
    # mcpgen.yaml `transform` (ir/transform.py): a hidden argument is not in the tool's signature; the call
    # sends its `default`, or the setting `setting` names (an environment variable, like TENANT_ID).
    hidden: bool = False
    setting: str | None = None


class Response(BaseModel):
    kind: ResponseKind
    status: int
    type: TypeRef | None = None
    sample: Any = None
    schema_models: int = 0  # how many models the response type reaches, itself included
    schema_fields: int = 0  # how many properties its schema has once every model is inlined


class Paging(BaseModel):
    """How an operation pages its lists (ir/paging.py decides it; the generated `invoke.Pagination`)."""

    kind: str  # cursor, after, offset, page or limit
    argument: str | None = None
    limit: str | None = None
    default_limit: int | None = None
    first_page: int = 1
    cursor_field: str | None = None
    id_field: str = "id"


class Tool(BaseModel):
    name: str
    operation_id: str | None = None
    function: str
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
    related: dict[str, str] = PydanticField(default_factory=dict)  # role ("list") → tool name
    untestable: str = ""  # why no sample call could be made, if so
    scopes: list[str] = PydanticField(default_factory=list)  # OAuth scopes a caller's token must hold
    idempotency_header: str | None = None  # the spec's Idempotency-Key header: the server fills it per call
    confirm: bool = False  # destructive: the user confirms before it runs (--confirm-destructive)
    # The answer budget (ir/paging.py): how the operation pages, which fields `fields` may name and inside
    # which property of the answer, and the tool's own token budget from mcpgen.yaml (None: the default).
    paging: Paging | None = None
    fields: list[str] = PydanticField(default_factory=list)
    fields_in: str | None = None
    budget: int | None = None
    # MCP's hints that mcpgen.yaml `transform` sets, over those the HTTP method gives (readOnlyHint: True).
    hints: dict[str, bool] = PydanticField(default_factory=dict)


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
    api_key: ApiKey | None = None
    identity_headers: list[IdentityHeader] = PydanticField(default_factory=list)
    unsupported: str | None = None  # why the server cannot authenticate to the backend, when it cannot


class Project(BaseModel):
    """The whole project to generate."""

    title: str
    description: str = ""
    api_version: str = ""
    base_url: str
    tools: list[Tool]
    models: list[Model]
    auth: Auth
    skipped: list[Skipped] = PydanticField(default_factory=list)
