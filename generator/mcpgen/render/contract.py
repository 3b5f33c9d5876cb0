"""The answers contract: the data a generated project is rendered from, as Copier records it.

`.copier-answers.yml` holds exactly these models, dumped without defaults. They are values only: names decided
by the naming module, plain text, JSON values and type records. The template owns every line of code made from
them, so a newer template reaches an old project through `copier update`. Bump `IR_VERSION` on any change
that old answers would not satisfy, and add a Copier migration for it (see copier.yml `_migrations`).

A type record is a string or a one-key mapping:
- a scalar: "str", "int", "float", "bool", "any", "none", "date", "datetime" or "uuid";
- a model class of the project: its name ("Task"), always capitalised;
- {"list": type}, {"dict": type} (keys are strings), {"literal": [values]},
  {"union": [types], "discriminator": "property"} (the discriminator only for tagged unions of models).
"""

from __future__ import annotations

import keyword
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..ir import TypeRef

IR_VERSION = 2

TypeData = str | dict[str, Any]
# Names that become Python names and file names: an answers file edited by hand must not write `../../x.py`.
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
ToolName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")]
ParamLocation = Literal["path", "query", "header", "cookie", "field", "body"]


def type_data(ref: TypeRef) -> TypeData:
    """The record of a type, as the template reads it."""
    if ref.scalar is not None:
        return ref.scalar
    if ref.model is not None:
        return ref.model
    if ref.items is not None:
        return {"list": type_data(ref.items)}
    if ref.values is not None:
        return {"dict": type_data(ref.values)}
    if ref.literal is not None:
        return {"literal": list(ref.literal)}
    record: dict[str, Any] = {"union": [type_data(member) for member in ref.union or ()]}
    if ref.discriminator:
        record["discriminator"] = ref.discriminator
    return record


def slot_type(ref: TypeRef) -> tuple[TypeData, bool]:
    """The record of an argument's or field's type without its None, and whether None is allowed."""
    if ref.union and any(member.scalar == "none" for member in ref.union):
        return type_data(ref.without_none()), True
    return type_data(ref), False


class _Record(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class ParamData(_Record):
    """A tool argument. `in` is where it travels: a path, query, header or cookie parameter, one `field` of
    the request body, or the whole `body`."""

    name: Identifier
    wire: str | None = None  # the name on the wire, when it differs from `name`
    location: ParamLocation = Field(alias="in")
    type: TypeData
    nullable: bool = False  # None is a value the API accepts
    required: bool = False
    default: str | int | float | bool | None = None  # an optional argument's default; else None
    default_member: str | None = None  # the default as a member of the enum `type` names
    description: str = ""
    ge: float | int | None = None
    le: float | int | None = None
    gt: float | int | None = None
    lt: float | int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    example: str | int | float | bool | None = None  # the spec's own example
    path_style: bool = False  # a path parameter whose value may span segments ("a/b")
    sample: Any  # a value that satisfies the schema: the generated tests send it
    # mcpgen.yaml `transform`: a list or mapping default the signature cannot hold (its default is None); the
    # call sends this when the argument is left out.
    fallback: Any = None


class FixedData(_Record):
    """An argument mcpgen.yaml `transform` hides: not in the tool's signature, always sent with `value` or the
    server's setting `setting` (an environment variable name, like TENANT_ID)."""

    wire: str  # the name on the wire; unused for the whole `body`
    location: ParamLocation = Field(alias="in")
    value: Any = None
    setting: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")] | None = None


class SettingData(_Record):
    """A server setting a hidden argument's value comes from (mcpgen.yaml `transform`, `default_from`)."""

    name: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]  # the environment variable
    type: TypeData
    sample: Any  # a value the generated tests set it to
    env: str  # the sample as the environment variable's text


class ResponseData(_Record):
    kind: Literal["json", "text", "binary", "empty"] = "json"
    status: int = 200
    type: TypeData | None = None
    # A JSON answer whose full schema is too large for tools/list is declared loosely, still validated.
    loose: bool = False
    sample: Any = None


class PaginationData(_Record):
    """How an operation pages its lists: the generated `invoke.Pagination`. An answer shortened to its budget
    names `argument` (or a smaller `limit`) with the value that gets the rest."""

    kind: Literal["cursor", "after", "offset", "page", "limit"]
    argument: Identifier | None = None  # the tool argument that says where a page starts
    limit: Identifier | None = None  # the tool argument that sizes a page
    default_limit: int | None = None
    first_page: int = 1
    cursor_field: str | None = None  # kind cursor: the answer's property holding the next cursor
    id_field: str = "id"  # kind after: the item property whose value `argument` takes


class ToolData(_Record):
    name: ToolName  # the MCP tool name
    function: Identifier | None = None  # the Python function, when it differs from `name`
    method: str
    path: str
    title: str  # the spec's summary, or the operation's name in words
    description: str = ""  # left out when it only repeats the title
    tags: list[str] = Field(default_factory=list)
    # Without tags, the resource its path names (`customers` of /v1/customers/{id}): its group on the map
    # that discovery shows.
    resource: str | None = None
    deprecated: bool = False
    params: list[str]  # keys of `Answers.parameters`, in the function's order; always written
    body: Literal["json", "form", "multipart", "binary", "text"] | None = None
    content_type: str | None = None
    files: list[str] = Field(default_factory=list)  # multipart fields sent as files
    response: ResponseData
    list_tool: str | None = None  # the tool that lists what this one addresses by id
    untestable: str | None = None  # why the generated tests cannot call it, if so
    scopes: list[str] = Field(
        default_factory=list
    )  # OAuth scopes a caller's token must hold to see and call it
    idempotency_header: str | None = (
        None  # the header the server fills with one key per call (Idempotency-Key)
    )
    confirm: bool = False  # destructive: the user confirms before it runs
    # The answer budget (additive: old answers have none of these, so the contract version stays 2).
    budget: int | None = Field(default=None, ge=0)  # its answers' token budget, from mcpgen.yaml
    pagination: PaginationData | None = None
    fields: list[str] = Field(
        default_factory=list
    )  # the names its `fields` argument takes; none: no argument
    fields_in: str | None = None  # the answer's property whose items `fields` selects from
    # mcpgen.yaml `transform` (additive too): hidden arguments, and MCP hints over the method's.
    fixed: list[FixedData] = Field(default_factory=list)
    hints: dict[Literal["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"], bool] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _function_is_a_python_name(self) -> ToolData:
        if self.function is None and (not self.name.isidentifier() or keyword.iskeyword(self.name)):
            raise ValueError(f"the tool {self.name!r} needs a `function`: its name is not a Python name")
        return self


class FieldData(_Record):
    name: Identifier
    wire: str | None = None
    type: TypeData
    nullable: bool = False
    required: bool = False
    default: Any = None
    default_member: str | None = None
    description: str = ""


class ModelData(_Record):
    name: Identifier
    kind: Literal["object", "enum", "alias"] = "object"
    description: str = ""
    base: str | None = None
    fields: list[FieldData] = Field(default_factory=list)
    members: dict[str, Any] = Field(default_factory=dict)  # enum: member name -> value
    alias: TypeData | None = None
    examples: list[Any] = Field(default_factory=list)  # the spec's examples that match the schema
    sample: Any = None


class ApiData(_Record):
    name: str  # how prose names the backend: "Todo API"
    description: str = ""
    version: str = ""


class SpecData(_Record):
    file: str  # the normalised copy of the spec, in the project
    sha256: str


class ApiKeyData(_Record):
    name: str
    location: Literal["header", "query", "cookie"]


class IdentityHeaderData(_Record):
    header: str
    claim: str


class AuthData(_Record):
    api_key: ApiKeyData | None = None  # with the api-key pattern
    identity_headers: list[IdentityHeaderData]  # always written, empty or not: the runtime reads it
    unsupported: str | None = None  # why the server cannot authenticate to the backend, when it cannot


class SkippedData(_Record):
    method: str
    path: str
    reason: str


class ExposureData(_Record):
    """How the tools reach an assistant: `all` registers one MCP tool per operation; `discover` registers
    search_operations, describe_operation and call_operation (plus the `pins`), which reach every
    operation; `code` registers search_operations, describe_operation and execute (plus the `pins`)."""

    mode: Literal["all", "discover", "code"] = "all"
    # What was asked: auto decides by the budget.
    requested: Literal["all", "discover", "code", "auto"] = "auto"
    budget: int = 30000  # the context budget in estimated tokens that `auto` compares the full tool list with
    pins: list[str] = Field(default_factory=list)  # tools registered directly beside the discovery tools


class Answers(_Record):
    ir_version: int  # always written: Copier migrations read it
    mcpgen_version: str
    project_name: str
    package: str  # the distribution and console script: todo-api-mcp
    import_name: Identifier  # what the `src` package installs as: todo_api_mcp
    layout: Literal["modular", "monolithic"]
    layout_reason: str
    pattern: Literal["none", "api-key", "bearer", "basic", "service-to-service"]
    pattern_reason: str
    api: ApiData
    base_url: str
    spec: SpecData
    auth: AuthData
    # Every distinct argument once, by key: tools that share one (an id, pagination) name the same key.
    parameters: dict[str, ParamData]
    tools: list[ToolData]
    models: list[ModelData]
    probe: str  # the tool the generic generated tests call
    # The tools the first-call test calls as a freshly started server's first call: one that returns a model
    # and one that returns a list, where the API has them. Additive: old answers have none.
    first_calls: list[str] = Field(default_factory=list)
    skipped: list[SkippedData] = Field(default_factory=list)
    # Generated with --confirm-destructive: destructive tools ask the user before they run.
    confirm_destructive: bool = False
    # Additive (old answers mean `all`), so the contract version stays 2.
    exposure: ExposureData = Field(default_factory=ExposureData)
    # The settings hidden arguments take their values from (mcpgen.yaml `transform`); additive.
    settings: list[SettingData] = Field(default_factory=list)

    def data(self) -> dict[str, Any]:
        """Plain JSON-like data as Copier records it: every answer, and in the records only what differs from
        its default."""
        records = self.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        everything = self.model_dump(mode="json", by_alias=True)
        data = {name: records.get(name, everything[name]) for name in everything}
        # Written whole: the template reads every field of it, and old answers get copier.yml's default.
        data["exposure"] = everything["exposure"]
        return data
