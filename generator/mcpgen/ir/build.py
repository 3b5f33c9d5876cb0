"""Build stage: an OpenAPI document → the IR. Each operation becomes a Tool or a Skipped, never a crash."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import Diagnostic, MCPGenError, pointer
from ..naming import (
    BODY_ARGUMENT,
    OperationKey,
    Scope,
    free_of_classes,
    function_name,
    member_hint,
    param_name,
    pascal,
    tool_names,
)
from ..spec import LoadedSpec, resolve_pointer
from .auth import detect_auth, identity_header_map
from .examples import ExampleChecker
from .model import ANY, Model, Param, Project, Response, Skipped, Tool, TypeRef, list_of, scalar
from .paging import paging, projection
from .samples import NoSample, Sampler, path_hint
from .schemas import (
    SchemaCompiler,
    constraints_of,
    default_fits,
    meaningful_title,
    runtime_accepts_pattern,
)
from .scopes import apply_overrides, required_scopes
from .select import Candidate, SelectOptions, description_for, select
from .text import clean_text, short_text
from .transform import apply_transforms

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_PATH_PLACEHOLDER = re.compile(r"{([^{}]+)}")
MAX_TOOL_DESCRIPTION = 600
DEFAULT_BASE_URL = "http://localhost:8000"
FILE_NOTE = "Base64-encoded file content."


@dataclass
class BuildOptions:
    pattern: str = "auto"
    base_url: str | None = None
    identity_headers: list[str] = field(default_factory=list)
    include_tags: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    # By operationId or tool name: kept whatever the tag and path filters say (ir/select.py has the rules).
    include_operations: list[str] = field(default_factory=list)
    include_paths: list[str] = field(default_factory=list)  # globs on the spec's paths
    exclude_paths: list[str] = field(default_factory=list)
    exclude_operations: list[str] = field(default_factory=list)
    exclude_deprecated: bool = False
    max_tools: int | None = None  # at most this many tools: --include-op ones first, then in spec order
    rename: dict[str, str] = field(default_factory=dict)  # tool name or operationId → new tool name
    descriptions: dict[str, str] = field(default_factory=dict)  # tool → the description that replaces its own
    curation_file: str = "mcpgen.yaml"  # where renames and descriptions come from, for messages
    # Tool name or "tag:<tag>" → the OAuth scopes its callers need, replacing the spec's.
    scopes: dict[str, list[str]] = field(default_factory=dict)
    confirm_destructive: bool = False
    # Tool name → the token budget of its answers (mcpgen.yaml `budgets`; 0: none).
    budgets: dict[str, int] = field(default_factory=dict)
    # Tool → how it is shaped for the assistant (mcpgen.yaml `transform`, ir/transform.py).
    transform: dict[str, Any] = field(default_factory=dict)

    def selection(self) -> SelectOptions:
        return SelectOptions(
            include_tags=self.include_tags,
            exclude_tags=self.exclude_tags,
            include_paths=self.include_paths,
            exclude_paths=self.exclude_paths,
            include_operations=self.include_operations,
            exclude_operations=self.exclude_operations,
            exclude_deprecated=self.exclude_deprecated,
            rename=self.rename,
            descriptions=self.descriptions,
            source=self.curation_file,
        )


# A header the server fills itself with one key per tool call, so that a retried request is applied once.
IDEMPOTENCY_HEADER = "idempotency-key"


@dataclass
class BuildResult:
    """The IR stage's output: the project and what the spec taught us on the way."""

    project: Project
    warnings: list[Diagnostic]


@dataclass(frozen=True)
class SpecOperation:
    """One operation of the spec, with the parameters its path item gives every operation under it."""

    path: str
    method: str
    operation: dict
    shared_parameters: list
    pointer: str


@dataclass(frozen=True)
class RequestBody:
    """How a tool sends its request body: the kind, the media type, and the arguments that make it up."""

    kind: str | None = None
    media_type: str | None = None
    whole: str | None = None  # the one argument that is the whole body, if it is not flattened
    params: list[Param] = field(default_factory=list)


class _Unsupported(Exception):
    """An operation the generator cannot turn into a tool; the build records it as Skipped."""


def _media_kind(media_type: str) -> str | None:
    media = media_type.split(";")[0].strip().lower()
    if media in ("application/json", "*/*") or media.endswith("+json"):
        return "json"
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media == "multipart/form-data":
        return "multipart"
    if media == "application/octet-stream":
        return "binary"
    if media.startswith("text/"):
        return "text"
    return None


_BODY_PREFERENCE = ("json", "form", "multipart", "binary", "text")


def _pick_media(content: dict) -> tuple[str, str, dict] | None:
    """The best (kind, media type, media object) of a content map, or None if nothing is supported."""
    found = {}
    for media_type, media in content.items():
        kind = _media_kind(media_type)
        if kind and kind not in found:
            found[kind] = (kind, media_type, media if isinstance(media, dict) else {})
    return next((found[k] for k in _BODY_PREFERENCE if k in found), None)


def usable_base_url(url: str) -> bool:
    """An absolute http(s) URL with a host and nothing that cannot stand in an environment file."""
    parts = urlsplit(url)
    printable = all(c.isprintable() and not c.isspace() for c in url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and printable


def _base_url(document: dict, override: str | None, warnings: list[Diagnostic]) -> str:
    if override:
        if not usable_base_url(override):
            raise MCPGenError(
                f"--base-url {override!r} is not an absolute http(s) URL",
                hint="give the backend's full URL, like https://api.example.com/v1",
            )
        return override.rstrip("/")
    servers = document.get("servers")
    server = servers[0] if isinstance(servers, list) and servers and isinstance(servers[0], dict) else {}
    url = str(server.get("url") or "")
    for name, variable in (server.get("variables") or {}).items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + name + "}", str(variable["default"]))
    if not url or url == "/":
        return DEFAULT_BASE_URL
    if url.startswith("/"):
        url = DEFAULT_BASE_URL + url
    if not usable_base_url(url):
        warnings.append(
            Diagnostic(
                f"the server URL {url!r} is not an absolute http(s) URL; BACKEND_URL defaults to "
                f"{DEFAULT_BASE_URL} (set it, or pass --base-url)",
                "/servers/0/url",
            )
        )
        return DEFAULT_BASE_URL
    return url.rstrip("/")


class _Builder:
    def __init__(self, spec: LoadedSpec, options: BuildOptions, progress: Callable[[int, int], None] | None):
        self.spec = spec
        self.doc = spec.document
        self.options = options
        self.progress = progress
        self.warnings: list[Diagnostic] = []
        self.schemas = SchemaCompiler(self.doc)
        self.identity = identity_header_map(options.identity_headers)
        self.declared_identity: dict[str, str] = {}
        self.sampler = Sampler(self.doc)
        self.sample_errors: list[str] = []

    def sample(self, schema: Any, name: str = "") -> Any:
        try:
            return self.sampler.sample(schema, name=name)
        except NoSample as exc:
            self.sample_errors.append(str(exc))
            return "example"

    def deref(self, node: Any) -> Any:
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
            seen.add(node["$ref"])
            node = resolve_pointer(self.doc, node["$ref"][1:])
        return node

    # ---- operations -----------------------------------------------------------------------------------

    def operations(self) -> list[SpecOperation]:
        """Every operation of the spec, in its order: the selection (ir/select.py) chooses among them."""
        found = []
        for path, item in (self.doc.get("paths") or {}).items():
            item = self.deref(item)
            if not isinstance(item, dict):
                continue
            shared = item.get("parameters") or []
            for method in METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    found.append(
                        SpecOperation(path, method, operation, shared, pointer("paths", path, method))
                    )
            if isinstance(item.get("trace"), dict):
                self.warnings.append(
                    Diagnostic("TRACE operations are not turned into tools", pointer("paths", path))
                )
        return found

    @staticmethod
    def candidates(operations: list[SpecOperation]) -> list[Candidate]:
        """What the selection needs of each operation, with the tool name it gets. Names are decided over the
        whole spec, so that a tool keeps its name whatever is selected (renames and --include-op use it)."""
        keys = [
            OperationKey(
                o.operation.get("operationId"),
                o.method,
                o.path,
                tuple(str(t) for t in o.operation.get("tags") or []),
            )
            for o in operations
        ]
        return [
            Candidate(
                index=index,
                method=o.method,
                path=o.path,
                operation_id=o.operation.get("operationId")
                if isinstance(o.operation.get("operationId"), str)
                else None,
                name=name,
                tags=frozenset(str(t).lower() for t in o.operation.get("tags") or []),
                deprecated=o.operation.get("deprecated") is True,
            )
            for index, (o, name) in enumerate(zip(operations, tool_names(keys), strict=True))
        ]

    def merged_parameters(self, op: dict, shared: list) -> dict[tuple[str, str], dict]:
        """Path-level parameters overridden by the operation's own, keyed by (name, location)."""
        merged: dict[tuple[str, str], dict] = {}
        for raw in [*shared, *(op.get("parameters") or [])]:
            param = self.deref(raw)
            if isinstance(param, dict) and isinstance(param.get("name"), str) and param.get("in"):
                merged[(param["name"], param["in"])] = param
        return merged

    def scan_identity_headers(self, operations: list[SpecOperation]) -> None:
        """Identity headers the spec declares anywhere: they decide the pattern before any tool is built."""
        for spec_operation in operations:
            for wire, location in self.merged_parameters(
                spec_operation.operation, spec_operation.shared_parameters
            ):
                claim = self.identity.get(wire.lower()) if location == "header" else None
                if claim:
                    self.declared_identity.setdefault(wire, claim)

    def build(self) -> BuildResult:
        everything = self.operations()
        selection = select(self.candidates(everything), self.options.selection())
        self.warnings += selection.warnings
        self.scan_identity_headers([everything[c.index] for c in selection.chosen])
        decision = detect_auth(self.doc, self.options.pattern, self.declared_identity)
        self.auth = decision.auth
        self.warnings += decision.warnings
        # Under --max-tools the operations --include-op names are built first, then the rest in spec order;
        # otherwise all in spec order, so that names made while building never depend on the selection.
        limit = self.options.max_tools
        order = selection.chosen
        if limit is not None:
            order = sorted(order, key=lambda c: (c.index not in selection.named, c.index))
        built: list[tuple[int, Tool]] = []
        skipped: list[tuple[int, Skipped]] = []
        dropped: list[str] = []
        functions = Scope()
        for done, candidate in enumerate(order, start=1):
            if self.progress:
                self.progress(done, len(order))
            spec_operation = everything[candidate.index]
            method, path, where = candidate.method.upper(), candidate.path, spec_operation.pointer
            name = selection.names[candidate.index]
            if limit is not None and len(built) >= limit:
                reason = f"over --max-tools {limit}: tools are kept in spec order, --include-op ones first"
                skipped.append(
                    (candidate.index, Skipped(method=method, path=path, pointer=where, reason=reason))
                )
                dropped.append(name)
                continue
            try:
                function = functions.claim(function_name(name))
                tool = self.tool(name, function, spec_operation)
            except _Unsupported as exc:
                skipped.append(
                    (candidate.index, Skipped(method=method, path=path, pointer=where, reason=str(exc)))
                )
                self.warnings.append(Diagnostic(f"skipped {method} {path}: {exc}", where))
                continue
            description = description_for(candidate, name, self.options.selection())
            if description is not None:
                tool.description = clean_text(description)
            built.append((candidate.index, tool))
        if dropped:
            shown = ", ".join(dropped[:5]) + (f" and {len(dropped) - 5} more" if len(dropped) > 5 else "")
            self.warnings.append(
                Diagnostic(f"--max-tools {limit} left out {len(dropped)} tools: {shown} (listed as skipped)")
            )
        tools = [tool for _, tool in sorted(built, key=lambda pair: pair[0])]
        if not tools:
            selecting = any(
                (
                    self.options.include_tags,
                    self.options.exclude_tags,
                    self.options.include_paths,
                    self.options.exclude_paths,
                    self.options.include_operations,
                    self.options.exclude_operations,
                    self.options.exclude_deprecated,
                )
            )
            hint = (
                "check the selection (--include-tag/--exclude-tag, --include-path/--exclude-path, "
                "--include-op/--exclude-op, --exclude-deprecated, or mcpgen.yaml)"
                if selecting
                else ("the spec needs at least one supported operation under 'paths'")
            )
            # The likely cause first: a filter that matches nothing is a typo more often than not.
            why = f": {selection.warnings[0].message}" if selection.warnings else ""
            raise MCPGenError(
                f"no operation can become a tool{why}", file=self.spec.source, pointer="/paths", hint=hint
            )
        self.link_related(tools)
        apply_overrides(tools, self.options.scopes, self.spec.source)
        info = self.doc.get("info") or {}
        models = self.checked_models()
        self.avoid_model_names(tools, functions, {m.name for m in models})
        self.measure_responses(tools, models)
        apply_transforms(tools, self.options.transform, models, self.options.curation_file)
        self.answer_budgets(tools, models)
        project = Project(
            title=short_text(info.get("title"), 120) or "API",
            description=short_text(info.get("description"), MAX_TOOL_DESCRIPTION),
            api_version=short_text(info.get("version"), 60),
            base_url=_base_url(self.doc, self.options.base_url, self.warnings),
            tools=tools,
            models=models,
            auth=self.auth,
            skipped=[entry for _, entry in sorted(skipped, key=lambda pair: pair[0])],
        )
        untestable = [
            Diagnostic(f"{t.name}: no sample call for the generated tests ({t.untestable})", t.pointer)
            for t in tools
            if t.untestable
        ]
        return BuildResult(project=project, warnings=self.warnings + self.schemas.warnings + untestable)

    def checked_models(self) -> list:
        """The compiled models, each with the spec examples that match it and a generated sample."""
        checker = ExampleChecker(self.doc)
        models = self.schemas.ordered_models()
        for model in models:
            if not model.pointer.startswith("/components/schemas/"):
                continue
            kept = [e for e in model.examples if checker.matches(model.pointer, e)]
            if len(kept) < len(model.examples):
                self.warnings.append(
                    Diagnostic(
                        f"{len(model.examples) - len(kept)} example(s) do not match the schema; "
                        "left out of the contract tests",
                        model.pointer,
                    )
                )
            model.examples = kept
            try:
                model.sample = self.sampler.sample(resolve_pointer(self.doc, model.pointer))
                model.has_sample = True
            except NoSample:
                pass
        return models

    def tool(self, name: str, function: str, spec_operation: SpecOperation) -> Tool:
        op, where = spec_operation.operation, spec_operation.pointer
        hint = pascal(name)
        method = spec_operation.method.upper()
        confirm = self.options.confirm_destructive and method == "DELETE"
        # The confirmation argument keeps its plain name; a spec parameter so named yields it.
        scope = Scope(["confirm"] if confirm else [])
        self.sample_errors = []
        decided = required_scopes(self.doc, op, where)
        if decided.warning:
            self.warnings.append(decided.warning)
        params = self.parameters(
            spec_operation.path, op, spec_operation.shared_parameters, where, scope, hint
        )
        body = self.request_body(op, where, scope, hint)
        file_fields = [p.wire for p in body.params if p.file]
        if body.kind == "multipart" and body.whole:
            file_fields = self._file_properties(op)
        params.extend(body.params)
        params.sort(key=lambda p: not p.required)
        return Tool(
            name=name,
            operation_id=op.get("operationId") if isinstance(op.get("operationId"), str) else None,
            function=function,
            method=spec_operation.method.upper(),
            path=spec_operation.path,
            pointer=where,
            summary=short_text(op.get("summary"), 120),
            description=short_text(op.get("description"), MAX_TOOL_DESCRIPTION),
            tags=[str(t) for t in op.get("tags") or []],
            deprecated=op.get("deprecated") is True,
            params=params,
            request_body=body.kind,
            content_type=body.media_type,
            body_param=body.whole,
            file_fields=file_fields,
            response=self.response(op, where, hint),
            untestable="; ".join(self.sample_errors),
            scopes=decided.scopes,
            idempotency_header=self.idempotency_header(op, spec_operation.shared_parameters),
            confirm=confirm,
        )

    def idempotency_header(self, op: dict, shared: list) -> str | None:
        """The spelling of the operation's Idempotency-Key header parameter, if it declares one."""
        return next(
            (
                wire
                for wire, location in self.merged_parameters(op, shared)
                if location == "header" and wire.lower() == IDEMPOTENCY_HEADER
            ),
            None,
        )

    # ---- parameters -----------------------------------------------------------------------------------

    def parameters(
        self, path: str, op: dict, shared: list, where: str, scope: Scope, hint: str
    ) -> list[Param]:
        params = []
        for (wire, location), param in self.merged_parameters(op, shared).items():
            if location == "header":
                lowered = wire.lower()
                if lowered == "authorization":
                    continue  # the server supplies backend credentials itself
                if lowered in self.identity:
                    continue  # filled from the caller's verified identity
                if lowered == IDEMPOTENCY_HEADER:
                    continue  # one key per tool call, made by the server and kept across its retries
            if self._is_credential(wire, location):
                continue  # the server sends its own credential here
            if location not in ("path", "query", "header", "cookie"):
                raise _Unsupported(f"parameter {wire!r} is in {location!r}")
            schema = param.get("schema")
            if schema is None and isinstance(param.get("content"), dict):
                picked = next(iter(param["content"].values()), {})
                schema = picked.get("schema") if isinstance(picked, dict) else None
            required = location == "path" or param.get("required") is True
            ref = self.schemas.type_of(schema, member_hint(hint, wire))
            resolved = self.resolve_annotated(schema)
            params.append(
                self._param(
                    wire, location, ref, required, resolved, param.get("description"), scope, param, where
                )
            )
        declared = {p.wire for p in params if p.location == "path"}
        for wire in _PATH_PLACEHOLDER.findall(path):
            if wire in declared or (wire, "path") in self.merged_parameters(op, shared):
                continue
            # Without an argument for it, the tool could never fill its own path.
            self.warnings.append(
                Diagnostic(f"path parameter {wire!r} is not declared; the tool takes it as a string", where)
            )
            ref = scalar("str")
            params.append(self._param(wire, "path", ref, True, {}, "", scope, {}, where))
        return params

    def resolve_annotated(self, schema: Any) -> dict:
        """The schema a `$ref` means, keeping the annotations written beside the `$ref` (OpenAPI 3.1)."""
        if not isinstance(schema, dict):
            return {}
        resolved = self.schemas.resolve(schema)
        siblings = {k: schema[k] for k in ("default", "description", "title", "example") if k in schema}
        merged = {**resolved, **siblings} if siblings and resolved is not schema else dict(resolved)
        if "default" in merged and not default_fits(resolved, merged["default"]):
            del merged["default"]  # a default of the wrong type would be sent as is
        return merged

    def _is_credential(self, wire: str, location: str) -> bool:
        key = self.auth.api_key
        if key is None or key.location != location:
            return False
        return wire.lower() == key.name.lower() if location == "header" else wire == key.name

    def _param(
        self,
        wire: str,
        location: str,
        ref: TypeRef,
        required: bool,
        schema: dict,
        description: Any,
        scope: Scope,
        source: dict,
        where: str,
    ) -> Param:
        example = (source if "example" in source else schema).get("example")
        default = schema.get("default") if not required and _scalar(schema.get("default")) else None
        constraints = constraints_of(schema, ref)
        if constraints.pattern is not None and not runtime_accepts_pattern(constraints.pattern):
            why = (
                "is not a valid regex"
                if not _python_regex(constraints.pattern)
                else ("uses syntax pydantic's regex engine lacks (look-around, backreferences)")
            )
            self.warnings.append(
                Diagnostic(
                    f"the pattern of {wire!r} ({constraints.pattern!r}) {why}; the argument is not checked "
                    "against it, so the server still starts",
                    where,
                )
            )
            constraints.pattern = None
        return Param(
            name=param_name(wire, location, scope),
            wire=wire,
            location=location,  # type: ignore[arg-type]
            type=ref,
            required=required,
            default=default,
            default_member=self.schemas.enum_member(ref, default) if default is not None else None,
            description=short_text(
                description or schema.get("description") or meaningful_title(schema, wire)
            ),
            constraints=constraints,
            example=example if _scalar(example) else None,
            sample=self.sample(schema, path_hint(wire) if location == "path" else wire),
            path_style=location == "path" and source.get("allowReserved") is True,
        )

    # ---- request body ---------------------------------------------------------------------------------

    def request_body(self, op: dict, where: str, scope: Scope, hint: str) -> RequestBody:
        body = self.deref(op.get("requestBody"))
        if not isinstance(body, dict) or not isinstance(body.get("content"), dict) or not body["content"]:
            return RequestBody()
        picked = _pick_media(body["content"])
        if picked is None:
            raise _Unsupported(
                "request media type " + ", ".join(sorted(body["content"])) + " is not supported"
            )
        kind, media_type, media = picked
        required = body.get("required") is True
        schema = media.get("schema")
        if kind in ("binary", "text"):
            description = "File content, base64-encoded." if kind == "binary" else "The request body text."
            param = Param(
                name=scope.claim(BODY_ARGUMENT),
                wire="body",
                location="body",
                type=scalar("str"),
                required=required,
                description=description,
                sample="aGVsbG8=" if kind == "binary" else "text",
            )
            return RequestBody(kind, media_type, param.name, [param])
        props = self.schemas.object_properties(schema) if schema is not None else None
        if props and props[0] and not self._has_free_form_extras(schema):
            properties, required_names = props
            params = []
            for wire, prop in properties.items():
                resolved = self.resolve_annotated(prop)
                binary = resolved.get("format") in ("binary", "base64") or "contentMediaType" in resolved
                is_file = binary or (
                    resolved.get("type") == "array" and self._is_binary(resolved.get("items"))
                )
                if is_file:
                    ref = list_of(scalar("str")) if resolved.get("type") == "array" else scalar("str")
                    description = (short_text(resolved.get("description")) + " " + FILE_NOTE).strip()
                else:
                    ref = self.schemas.type_of(prop, member_hint(hint, wire))
                    description = short_text(resolved.get("description") or meaningful_title(resolved, wire))
                is_required = required and wire in required_names
                param = self._param(
                    wire, "body", ref, is_required, resolved, description.strip(), scope, resolved, where
                )
                params.append(param.model_copy(update={"file": kind == "multipart" and is_file}))
            return RequestBody(kind, media_type, None, params)
        ref = self.schemas.type_of(schema, member_hint(hint, "body")) if schema is not None else ANY
        param = Param(
            name=scope.claim(BODY_ARGUMENT),
            wire="body",
            location="body",
            type=ref,
            required=required,
            description=short_text(self.schemas.resolve(schema).get("description")) or "The request body.",
            sample=self.sample(schema) if schema is not None else {},
        )
        return RequestBody(kind, media_type, param.name, [param])

    def _file_properties(self, op: dict) -> list[str]:
        body = self.deref(op.get("requestBody")) or {}
        media = (body.get("content") or {}).get("multipart/form-data") or {}
        props = self.schemas.object_properties(media.get("schema")) or ({}, set())
        return [
            wire
            for wire, prop in props[0].items()
            if self._is_binary(prop)
            or (
                self.schemas.resolve(prop).get("type") == "array"
                and self._is_binary(self.schemas.resolve(prop).get("items"))
            )
        ]

    def _is_binary(self, schema: Any) -> bool:
        resolved = self.schemas.resolve(schema)
        return resolved.get("format") in ("binary", "base64") or "contentMediaType" in resolved

    def _has_free_form_extras(self, schema: Any) -> bool:
        extra = self.schemas.resolve(schema).get("additionalProperties")
        return isinstance(extra, dict) and bool(extra)

    # ---- response -------------------------------------------------------------------------------------

    def response(self, op: dict, where: str, hint: str) -> Response:
        responses = op.get("responses") or {}
        codes = sorted(
            (str(c) for c in responses if str(c).startswith("2")), key=lambda c: c.replace("X", "9")
        )
        if not codes and "default" in responses:
            codes = ["default"]
        if not codes:
            return Response(kind="empty", status=200)
        code = codes[0]
        status = int(code) if code.isdigit() else 200
        response = self.deref(responses[code]) or {}
        content = response.get("content") if isinstance(response, dict) else None
        if status == 204 or not isinstance(content, dict) or not content:
            return Response(kind="empty", status=status)
        picked = _pick_media(content)
        if picked is None:
            return Response(kind="binary", status=status)
        kind, _media_type, media = picked
        if kind in ("form", "multipart"):
            kind = "json"
        if kind != "json":
            return Response(kind="text" if kind == "text" else "binary", status=status)
        schema = media.get("schema")
        ref = self.schemas.type_of(schema, member_hint(hint, "response")) if schema is not None else ANY
        if ref.scalar == "none":
            return Response(kind="empty", status=status)
        return Response(
            kind="json",
            status=status,
            type=ref,
            sample=self.response_sample(schema) if schema is not None else {},
        )

    def response_sample(self, schema: Any) -> Any:
        """A backend answer for the generated tests. Its lists hold one item (where a sample would have
        none), so that the tests see their items validated and handed back, and grown into a large answer."""
        try:
            return self.sampler.filled(schema)
        except NoSample:
            pass
        sample = self.sample(schema)
        resolved = self.deref(schema)
        if sample == [] and isinstance(resolved, dict) and resolved.get("maxItems") != 0:
            if isinstance(resolved.get("items"), dict):
                return [self.sample(resolved["items"])]
        return sample

    # ---- relations ------------------------------------------------------------------------------------

    @staticmethod
    def avoid_model_names(tools: list[Tool], functions: Scope, class_names: set[str]) -> None:
        """A tool's operation constant (`URL` for a tool `url`) must not hide a model class so spelled."""
        for tool in tools:
            tool.function = free_of_classes(tool.function, class_names, functions)

    @staticmethod
    def measure_responses(tools: list[Tool], models: list[Model]) -> None:
        """Count the models each JSON response reaches, and the properties of its schema with every model
        inlined (as tools/list shows it): the answers stage keeps large output schemas out."""
        graph = {m.name: m.depends_on() for m in models}
        inlined = _InlinedSize({m.name: m for m in models})
        for tool in tools:
            if tool.response.type is None:
                continue
            seen: set[str] = set()
            stack = list(tool.response.type.models())
            while stack:
                name = stack.pop()
                if name not in seen:
                    seen.add(name)
                    stack.extend(graph.get(name, ()))
            tool.response.schema_models = len(seen)
            tool.response.schema_fields = sum(inlined.of(name) for name in tool.response.type.models())

    def answer_budgets(self, tools: list[Tool], models: list[Model]) -> None:
        """What the generated answer budget needs per tool: how it pages, what `fields` may name (not for an
        operation with its own `fields` argument), and the budget mcpgen.yaml sets for it."""
        for tool in tools:
            tool.paging = paging(tool, models)
            shape = (
                None
                if any(p.name == "fields" for p in tool.params)
                else projection(tool, models, tool.paging is not None)
            )
            if shape is not None:
                tool.fields, tool.fields_in = shape.fields, shape.inside
        names = {tool.name: tool for tool in tools}
        for name, budget in self.options.budgets.items():
            if name in names:
                names[name].budget = budget
            else:
                self.warnings.append(
                    Diagnostic(
                        f"{self.options.curation_file} {pointer('budgets', name)}: "
                        f"{name!r} is not a tool of this project; check its spelling"
                    )
                )

    @staticmethod
    def link_related(tools: list[Tool]) -> None:
        """For a tool on /things/{id}..., the tool that lists /things: suggested when an id is not found."""
        lists = {
            t.path.rstrip("/"): t.name
            for t in tools
            if t.method == "GET" and not t.path.rstrip("/").endswith("}")
        }
        for tool in tools:
            parts = tool.path.rstrip("/").split("/")
            param_positions = [i for i, part in enumerate(parts) if part.startswith("{")]
            if param_positions:
                collection = "/".join(parts[: param_positions[-1]])
                if collection in lists and lists[collection] != tool.name:
                    tool.related["list"] = lists[collection]


class _InlinedSize:
    """The properties a model's schema has with every model it names inlined; a model inside itself counts
    once. Capped, so that deep graphs stay cheap to count."""

    CAP = 100_000

    def __init__(self, models: dict[str, Model]):
        self.models = models
        self.sizes: dict[str, int] = {}

    def of(self, name: str, inside: frozenset[str] = frozenset()) -> int:
        if name in inside:
            return 1
        if name not in self.sizes:
            model = self.models.get(name)
            if model is None or model.kind == "enum":
                return 1
            within = inside | {name}
            size = self.of(model.base, within) if model.base else 0
            for f in model.fields:
                size += 1 + sum(self.of(inner, within) for inner in f.type.models())
            if model.alias is not None:
                size += sum(self.of(inner, within) for inner in model.alias.models())
            self.sizes[name] = min(size, self.CAP)
        return self.sizes[name]


def _scalar(value: Any) -> bool:
    """A default that can stand in a function signature (no None, no mutable containers)."""
    return isinstance(value, str | int | float | bool)


def build_project(
    spec: LoadedSpec, options: BuildOptions, progress: Callable[[int, int], None] | None = None
) -> BuildResult:
    return _Builder(spec, options, progress).build()


def _python_regex(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True
