"""JSON Schema → Python type expressions and pydantic model descriptions.

Only schemas that a tool reaches are compiled, so a 500-schema spec with 20 selected tools stays small.
Recursion is safe: a component gets its class name before its body is compiled, and inline `$ref` cycles
that never pass through a named component fall back to `Any`.
"""

from __future__ import annotations

from typing import Any

from ..errors import Diagnostic
from ..load import resolve_pointer
from ..naming import Scope, class_name, enum_member, field_identifier, pascal
from .model import Constraints, EnumMember, Imports, Model, ModelField, TypeRef

COMPONENT_PREFIX = "#/components/schemas/"
MAX_DESCRIPTION = 300
_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_STRING_FORMATS = {
    "date-time": ("datetime", "datetime"),
    "date": ("datetime", "date"),
    "uuid": ("uuid", "UUID"),
}


def _typing(*names: str) -> Imports:
    return Imports(typing=set(names))


_STRUCTURAL_KEYS = frozenset(
    {"$ref", "type", "properties", "additionalProperties", "items"}
    | {"allOf", "oneOf", "anyOf", "enum", "const"}
)


def annotation_only(schema: Any) -> bool:
    """A member such as `{nullable: true}` or `{description: ...}` that adds no structure to an allOf."""
    return isinstance(schema, dict) and not _STRUCTURAL_KEYS & schema.keys()


def union(members: list[TypeRef]) -> TypeRef:
    """`A | B`, flattening duplicates; `None` members make the result nullable."""
    exprs: list[str] = []
    imports = Imports()
    nullable = False
    for member in members:
        nullable = nullable or member.nullable
        imports.add(member.imports)
        if member.expr == "None":
            nullable = True
        elif member.expr not in exprs:
            exprs.append(member.expr)
    if "Any" in exprs:
        return TypeRef(expr="Any", imports=_typing("Any"), nullable=nullable)
    if not exprs:
        return TypeRef(expr="None", nullable=True)
    return TypeRef(expr=" | ".join(exprs), imports=imports, nullable=nullable)


def optional(ref: TypeRef) -> str:
    """The expression with `| None` when the value may be null."""
    if ref.expr in ("Any", "None") or not ref.nullable:
        return ref.expr
    return f"{ref.expr} | None"


def short_text(text: Any, limit: int = MAX_DESCRIPTION) -> str:
    """Collapse whitespace and cut at a sentence or word boundary."""
    if not isinstance(text, str):
        return ""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = cut.rfind(". ")
    if end > limit // 2:
        return cut[: end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + "…" if " " in cut else cut + "…"


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def default_fits(schema: dict, value: Any) -> bool:
    """Whether a spec's default has the schema's own type (specs do say `type: string, default: true`)."""
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds] if isinstance(kinds, str) else []
    if not kinds:
        return True
    for kind in kinds:
        expected = _JSON_TYPES.get(kind, (object,))
        if isinstance(value, expected) and not (isinstance(value, bool) and bool not in expected):
            return True
    return False


def constraints_of(schema: dict) -> Constraints:
    def number(key: str) -> float | int | None:
        value = schema.get(key)
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    found = Constraints(
        ge=number("minimum"),
        le=number("maximum"),
        min_length=schema.get("minLength") if isinstance(schema.get("minLength"), int) else None,
        max_length=schema.get("maxLength") if isinstance(schema.get("maxLength"), int) else None,
        pattern=schema.get("pattern") if isinstance(schema.get("pattern"), str) else None,
    )
    # 3.0 spells exclusivity as booleans beside minimum/maximum; 3.1 as numbers.
    if schema.get("exclusiveMinimum") is True:
        found.gt, found.ge = found.ge, None
    elif number("exclusiveMinimum") is not None:
        found.gt = number("exclusiveMinimum")
    if schema.get("exclusiveMaximum") is True:
        found.lt, found.le = found.le, None
    elif number("exclusiveMaximum") is not None:
        found.lt = number("exclusiveMaximum")
    return found


class SchemaCompiler:
    def __init__(self, document: dict, warnings: list[Diagnostic]):
        self.document = document
        self.warnings = warnings
        self.scope = Scope()
        self.names: dict[str, str] = {}
        self.models: dict[str, Model] = {}
        self._compiling: set[str] = set()
        self._inline_stack: list[str] = []
        schemas = (document.get("components") or {}).get("schemas") or {}
        for name in schemas:
            self.names[COMPONENT_PREFIX + name.replace("~", "~0").replace("/", "~1")] = self.scope.claim(
                class_name(name), sep=""
            )

    # ---- public ---------------------------------------------------------------------------------------

    def type_of(self, schema: Any, hint: str) -> TypeRef:
        """The Python type of a schema; `hint` names inline object models."""
        if not isinstance(schema, dict):
            return TypeRef(expr="Any", imports=_typing("Any"))
        ref = schema.get("$ref")
        if isinstance(ref, str):
            result = self._ref(ref, hint)
            return result.model_copy(update={"nullable": result.nullable or schema.get("nullable") is True})
        result = self._structural(schema, hint)
        if schema.get("nullable") is True:
            result = result.model_copy(update={"nullable": True})
        return result

    def resolve(self, schema: Any) -> dict:
        """Follow `$ref`s (and single-member allOf wrappers) to the schema they mean."""
        seen: set[str] = set()
        while isinstance(schema, dict):
            ref = schema.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and ref not in seen:
                seen.add(ref)
                schema = resolve_pointer(self.document, ref[1:])
                continue
            all_of = schema.get("allOf")
            structural = [m for m in all_of if not annotation_only(m)] if isinstance(all_of, list) else []
            if isinstance(all_of, list) and len(structural) == 1 and not schema.get("properties"):
                schema = structural[0]
                continue
            return schema
        return {}

    def object_properties(
        self, schema: Any, _seen: frozenset[int] = frozenset()
    ) -> tuple[dict[str, Any], set[str]] | None:
        """Properties and required names of an object schema, merging allOf; None if not a plain object."""
        schema = self.resolve(schema)
        if id(schema) in _seen:
            return {}, set()  # an allOf that includes itself adds nothing the second time
        if any(key in schema for key in ("oneOf", "anyOf")):
            return None
        properties: dict[str, Any] = {}
        required: set[str] = set()
        for part in schema.get("allOf") or []:
            merged = self.object_properties(part, _seen | {id(schema)})
            if merged is None:
                return None
            properties.update(merged[0])
            required |= merged[1]
        if isinstance(schema.get("properties"), dict):
            properties.update(schema["properties"])
        required |= {r for r in schema.get("required") or [] if isinstance(r, str)}
        if not properties and not schema.get("allOf") and schema.get("type") not in ("object", None):
            return None
        return properties, required

    def ordered_models(self) -> list[Model]:
        """Classes first (bases before subclasses), then aliases in dependency order."""
        classes = [m for m in self.models.values() if m.kind != "alias"]
        aliases = {m.name: m for m in self.models.values() if m.kind == "alias"}
        ordered: list[Model] = []
        placed: set[str] = set()
        by_name = {m.name: m for m in classes}

        def place_class(model: Model) -> None:
            if model.name in placed:
                return
            placed.add(model.name)
            for base in model.bases:
                if base in by_name:
                    place_class(by_name[base])
            ordered.append(model)

        for model in classes:
            place_class(model)
        visiting: set[str] = set()

        def place_alias(model: Model) -> None:
            if model.name in placed:
                return
            visiting.add(model.name)
            for dep in sorted(model.depends_on):
                if dep in aliases and dep not in placed:
                    if dep in visiting:
                        self.warnings.append(
                            Diagnostic(f"type alias {model.name} is recursive through {dep}; typed as Any")
                        )
                        model.alias = TypeRef(expr="Any", imports=_typing("Any"))
                        continue
                    place_alias(aliases[dep])
            visiting.discard(model.name)
            placed.add(model.name)
            ordered.append(model)

        for model in aliases.values():
            place_alias(model)
        return ordered

    # ---- references -----------------------------------------------------------------------------------

    def _ref(self, ref: str, hint: str) -> TypeRef:
        if ref in self.names:
            name = self.names[ref]
            if ref not in self.models and ref not in self._compiling:
                self._compile_component(ref, name)
            return TypeRef(expr=name, imports=Imports(models={name}))
        if ref in self._inline_stack:
            return TypeRef(expr="Any", imports=_typing("Any"))
        self._inline_stack.append(ref)
        try:
            return self.type_of(resolve_pointer(self.document, ref[1:]), hint)
        finally:
            self._inline_stack.pop()

    def _compile_component(self, ref: str, name: str) -> None:
        self._compiling.add(ref)
        schema = resolve_pointer(self.document, ref[1:])
        model = self._model(schema if isinstance(schema, dict) else {}, name, ref[1:])
        self.models[ref] = model
        self._compiling.discard(ref)

    def _inline_model(self, schema: dict, hint: str) -> TypeRef:
        key = f"inline:{hint}:{id(schema)}"
        name = self.scope.claim(class_name(hint), sep="")
        self.names[key] = name
        self._compiling.add(key)
        self.models[key] = self._model(schema, name, "")
        self._compiling.discard(key)
        return TypeRef(expr=name, imports=Imports(models={name}))

    # ---- models ---------------------------------------------------------------------------------------

    def _model(self, schema: dict, name: str, where: str) -> Model:
        description = short_text(schema.get("description") or schema.get("title"))
        examples = self._examples(schema)
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and self._enum_base(enum):
            members, seen = [], set()
            for value in enum:
                member = enum_member(value)
                while member in seen:
                    member += "_"
                seen.add(member)
                members.append(EnumMember(name=member, value=value))
            return Model(
                name=name,
                kind="enum",
                pointer=where,
                description=description,
                enum_base=self._enum_base(enum),
                members=members,
                examples=examples,
            )
        props = self.object_properties(schema)
        if props is not None and (props[0] or self._is_plain_object(schema)):
            return self._object_model(schema, name, where, description, examples)
        alias = (
            self._structural(schema, name + "Item") if "$ref" not in schema else self.type_of(schema, name)
        )
        return Model(
            name=name,
            kind="alias",
            pointer=where,
            description=description,
            alias=alias,
            examples=examples,
            depends_on=set(alias.imports.models),
        )

    def _is_plain_object(self, schema: dict) -> bool:
        schema = self.resolve(schema)
        extra = schema.get("additionalProperties")
        return schema.get("type") == "object" and not isinstance(extra, dict) and not schema.get("allOf")

    def _object_model(self, schema: dict, name: str, where: str, description: str, examples: list) -> Model:
        bases: list[str] = []
        properties: dict[str, Any] = {}
        required: set[str] = set()
        for part in schema.get("allOf") or []:
            ref = part.get("$ref") if isinstance(part, dict) else None
            if not bases and isinstance(ref, str) and ref in self.names:
                base_type = self._ref(ref, name)
                target = self.models.get(ref)
                if target is not None and target.kind == "object":
                    bases.append(base_type.expr)
                    continue
            merged = self.object_properties(part)
            if merged:
                properties.update(merged[0])
                required |= merged[1]
        if isinstance(schema.get("properties"), dict):
            properties.update(schema["properties"])
        required |= {r for r in schema.get("required") or [] if isinstance(r, str)}
        fields = [self._field(prop, wire, wire in required, name) for wire, prop in properties.items()]
        fields.sort(key=lambda f: not f.required)  # keeps required fields readable at the top
        depends = {base for base in bases}
        for f in fields:
            depends |= f.type.imports.models
        return Model(
            name=name,
            kind="object",
            pointer=where,
            description=description,
            bases=bases,
            fields=self._unique_fields(fields),
            examples=examples,
            depends_on=depends,
        )

    @staticmethod
    def _unique_fields(fields: list[ModelField]) -> list[ModelField]:
        scope = Scope()
        return [f.model_copy(update={"name": scope.claim(f.name)}) for f in fields]

    def _field(self, schema: Any, wire: str, required: bool, owner: str) -> ModelField:
        ref = self.type_of(schema, owner + pascal(wire))
        resolved = schema if isinstance(schema, dict) else {}
        if "default" in resolved and not default_fits(self.resolve(resolved), resolved["default"]):
            resolved = {k: v for k, v in resolved.items() if k != "default"}
        has_default = "default" in resolved
        may_be_missing = not required and resolved.get("default") is None
        return ModelField(
            name=field_identifier(wire),
            wire=wire,
            type=ref.model_copy(update={"nullable": True}) if may_be_missing else ref,
            required=required,
            default=resolved.get("default"),
            has_default=has_default,
            description=short_text(resolved.get("description")),
        )

    @staticmethod
    def _enum_base(values: list) -> str | None:
        if all(isinstance(v, str) for v in values):
            return "StrEnum"
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return "IntEnum"
        return None

    @staticmethod
    def _examples(schema: dict) -> list:
        found = []
        if "example" in schema:
            found.append(schema["example"])
        if isinstance(schema.get("examples"), list):
            found.extend(schema["examples"])
        return found

    # ---- structure ------------------------------------------------------------------------------------

    def _structural(self, schema: dict, hint: str) -> TypeRef:
        if "const" in schema:
            return self._literal([schema["const"]])
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return self._literal(enum)
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self._union(schema, key, hint)
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and all_of:
            structural = [member for member in all_of if not annotation_only(member)]
            if len(structural) == 1 and not schema.get("properties"):
                result = self.type_of(structural[0], hint)
                nullable = any(isinstance(m, dict) and m.get("nullable") is True for m in all_of)
                return result.model_copy(update={"nullable": True}) if nullable else result
            if self.object_properties(schema) is not None:
                return self._inline_model(schema, hint)
            return TypeRef(expr="Any", imports=_typing("Any"))
        kinds = schema.get("type")
        if isinstance(kinds, list):
            members = [self._single_type(dict(schema, type=kind), kind, hint) for kind in kinds]
            return union(members) if members else TypeRef(expr="Any", imports=_typing("Any"))
        return self._single_type(schema, kinds, hint)

    def _single_type(self, schema: dict, kind: Any, hint: str) -> TypeRef:
        if kind == "null":
            return TypeRef(expr="None", nullable=True)
        if kind == "array" or (kind is None and "items" in schema):
            items = self.type_of(schema.get("items"), hint + "Item")
            return TypeRef(expr=f"list[{optional(items)}]", imports=items.imports)
        if kind == "object" or (
            kind is None and ("properties" in schema or "additionalProperties" in schema)
        ):
            if schema.get("properties"):
                return self._inline_model(schema, hint)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                values = self.type_of(extra, hint + "Value")
                return TypeRef(expr=f"dict[str, {optional(values)}]", imports=values.imports)
            return TypeRef(expr="dict[str, Any]", imports=_typing("Any"))
        if kind == "string" and schema.get("format") in _STRING_FORMATS:
            module, name = _STRING_FORMATS[schema["format"]]
            imports = Imports(datetime={name}) if module == "datetime" else Imports(uuid=True)
            return TypeRef(expr=name, imports=imports)
        if kind in _PRIMITIVES:
            return TypeRef(expr=_PRIMITIVES[kind])
        return TypeRef(expr="Any", imports=_typing("Any"))

    def _literal(self, values: list) -> TypeRef:
        usable = [v for v in values if isinstance(v, str | int | bool) or v is None]
        if not usable or len(usable) != len(values):
            return TypeRef(expr="Any", imports=_typing("Any"))
        nullable = None in usable
        concrete = [v for v in usable if v is not None]
        if not concrete:
            return TypeRef(expr="None", nullable=True)
        return TypeRef(
            expr="Literal[" + ", ".join(repr(v) for v in concrete) + "]",
            imports=_typing("Literal"),
            nullable=nullable,
        )

    def _union(self, schema: dict, key: str, hint: str) -> TypeRef:
        members = [self.type_of(member, f"{hint}Option{i + 1}") for i, member in enumerate(schema[key])]
        merged = union(members)
        if schema.get("nullable") is True:
            merged = merged.model_copy(update={"nullable": True})
        discriminator = self._discriminator(schema, key)
        if discriminator and " | " in merged.expr:
            imports = merged.imports.model_copy()
            imports.add(_typing("Annotated"))
            expr = f"Annotated[{merged.expr}, Field(discriminator={discriminator!r})]"
            return TypeRef(expr=expr, imports=imports, nullable=merged.nullable)
        return merged

    def _discriminator(self, schema: dict, key: str) -> str | None:
        """The property name, when every member is a named class whose property is a one-value Literal."""
        disc = schema.get("discriminator")
        prop = disc.get("propertyName") if isinstance(disc, dict) else None
        if not isinstance(prop, str):
            return None
        for member in schema[key]:
            ref = member.get("$ref") if isinstance(member, dict) else None
            if not isinstance(ref, str) or ref not in self.models or self.models[ref].kind != "object":
                return None
            field = next((f for f in self.models[ref].fields if f.wire == prop), None)
            if field is None or not field.type.expr.startswith("Literal[") or "," in field.type.expr:
                return None
            if field.name != prop or not field.required or field.type.nullable:
                return None
        return prop
