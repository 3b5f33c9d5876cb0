"""JSON Schema → Python type expressions and pydantic model descriptions.

Only schemas that a tool reaches are compiled, so a 500-schema spec with 20 selected tools stays small.
Recursion is safe: a component gets its class name before its body is compiled, and inline `$ref` cycles
that never pass through a named component fall back to `Any`.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import Diagnostic
from ..naming import (
    Scope,
    class_name,
    enum_member_names,
    field_identifier,
    inline_class_name,
    member_hint,
    unique_names,
    words,
)
from ..spec import resolve_pointer
from .model import (
    ANY,
    NONE,
    Constraints,
    EnumMember,
    Model,
    ModelField,
    TypeRef,
    dict_of,
    list_of,
    literal_of,
    model_type,
    scalar,
    union_of,
)
from .text import short_text

COMPONENT_PREFIX = "#/components/schemas/"
_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_STRING_FORMATS = {"date-time": "datetime", "date": "date", "uuid": "uuid"}


_STRUCTURAL_KEYS = frozenset(
    {"$ref", "type", "properties", "additionalProperties", "items"}
    | {"allOf", "oneOf", "anyOf", "enum", "const"}
)


def annotation_only(schema: Any) -> bool:
    """A member such as `{nullable: true}` or `{description: ...}` that adds no structure to an allOf."""
    return isinstance(schema, dict) and not _STRUCTURAL_KEYS & schema.keys()


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


def _number(schema: dict, key: str) -> float | int | None:
    value = schema.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _count(schema: dict, key: str) -> int | None:
    value = schema.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def runtime_accepts_pattern(pattern: str) -> bool:
    """Whether pydantic (its Rust regex engine, which has no look-around) compiles `pattern`."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return False
    return True


def constraints_of(schema: dict, ref: TypeRef) -> Constraints:
    """The schema's validation keywords that apply to `ref`'s kind of value."""
    kind = ref.without_none()
    found = Constraints()
    if kind.scalar in ("int", "float"):
        found.ge, found.le = _number(schema, "minimum"), _number(schema, "maximum")
        # 3.0 spells exclusivity as booleans beside minimum/maximum; 3.1 as numbers.
        if schema.get("exclusiveMinimum") is True:
            found.gt, found.ge = found.ge, None
        elif _number(schema, "exclusiveMinimum") is not None:
            found.gt = _number(schema, "exclusiveMinimum")
        if schema.get("exclusiveMaximum") is True:
            found.lt, found.le = found.le, None
        elif _number(schema, "exclusiveMaximum") is not None:
            found.lt = _number(schema, "exclusiveMaximum")
    elif kind.scalar == "str":
        found.min_length, found.max_length = _count(schema, "minLength"), _count(schema, "maxLength")
        pattern = schema.get("pattern")
        found.pattern = pattern if isinstance(pattern, str) else None
    elif kind.items is not None:
        found.min_length, found.max_length = _count(schema, "minItems"), _count(schema, "maxItems")
    return found


class SchemaCompiler:
    def __init__(self, document: dict):
        self.document = document
        self.warnings: list[Diagnostic] = []
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
            return ANY
        ref = schema.get("$ref")
        result = self._ref(ref, hint) if isinstance(ref, str) else self._structural(schema, hint)
        return union_of([result, NONE]) if schema.get("nullable") is True else result

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
        """Enums first (defaults refer to their members), then classes with bases before subclasses, then
        aliases in dependency order."""
        models = list(self.models.values())
        enums = [m for m in models if m.kind == "enum"]
        classes = {m.name: m for m in models if m.kind == "object"}
        aliases = {m.name: m for m in models if m.kind == "alias"}
        ordered: list[Model] = list(enums)
        placed: set[str] = {m.name for m in enums}

        def place_class(model: Model) -> None:
            if model.name in placed:
                return
            placed.add(model.name)
            if model.base in classes:
                place_class(classes[model.base])
            ordered.append(model)

        for model in classes.values():
            place_class(model)
        visiting: set[str] = set()

        def place_alias(model: Model) -> None:
            if model.name in placed:
                return
            visiting.add(model.name)
            for dep in sorted(model.depends_on()):
                if dep in aliases and dep not in placed:
                    if dep in visiting:
                        self.warnings.append(
                            Diagnostic(f"type alias {model.name} is recursive through {dep}; typed as Any")
                        )
                        model.alias = ANY
                        continue
                    place_alias(aliases[dep])
            visiting.discard(model.name)
            placed.add(model.name)
            ordered.append(model)

        for model in aliases.values():
            place_alias(model)
        return ordered

    def enum_member(self, ref: TypeRef, value: Any) -> str | None:
        """The member of the enum model `ref` names whose value is `value`, if there is one."""
        model = next((m for m in self.models.values() if m.name == ref.model), None) if ref.model else None
        if model is None or model.kind != "enum":
            return None
        return next((m.name for m in model.members if m.value == value), None)

    # ---- references -----------------------------------------------------------------------------------

    def _ref(self, ref: str, hint: str) -> TypeRef:
        if ref in self.names:
            name = self.names[ref]
            if ref not in self.models and ref not in self._compiling:
                self._compile_component(ref, name)
            return model_type(name)
        if ref in self._inline_stack:
            return ANY
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
        # Specs repeat the same inline schema in many operations (Stripe: 1,128 inline objects, 425
        # distinct): one class serves every identical copy.
        key = "inline:" + json.dumps(schema, sort_keys=True, default=str)
        if key in self.names:
            return model_type(self.names[key])
        name = self.scope.claim(inline_class_name(hint, schema.get("title")), sep="")
        self.names[key] = name
        self._compiling.add(key)
        self.models[key] = self._model(schema, name, "")
        self._compiling.discard(key)
        return model_type(name)

    # ---- models ---------------------------------------------------------------------------------------

    def _model(self, schema: dict, name: str, where: str) -> Model:
        description = short_text(schema.get("description") or meaningful_title(schema, name))
        examples = self._examples(schema)
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and self._enum_base(enum):
            members = [
                EnumMember(name=member, value=value)
                for member, value in zip(enum_member_names(enum), enum, strict=True)
            ]
            return Model(
                name=name,
                kind="enum",
                pointer=where,
                description=description,
                members=members,
                examples=examples,
            )
        props = self.object_properties(schema)
        if props is not None and (props[0] or self._is_plain_object(schema)):
            return self._object_model(schema, name, where, description, examples)
        alias = (
            self._structural(schema, member_hint(name, "item"))
            if "$ref" not in schema
            else self.type_of(schema, name)
        )
        return Model(
            name=name, kind="alias", pointer=where, description=description, alias=alias, examples=examples
        )

    def _is_plain_object(self, schema: dict) -> bool:
        schema = self.resolve(schema)
        extra = schema.get("additionalProperties")
        return schema.get("type") == "object" and not isinstance(extra, dict) and not schema.get("allOf")

    def _object_model(self, schema: dict, name: str, where: str, description: str, examples: list) -> Model:
        base: str | None = None
        properties: dict[str, Any] = {}
        required: set[str] = set()
        for part in schema.get("allOf") or []:
            ref = part.get("$ref") if isinstance(part, dict) else None
            if base is None and isinstance(ref, str) and ref in self.names:
                base_type = self._ref(ref, name)
                target = self.models.get(ref)
                if target is not None and target.kind == "object":
                    base = base_type.model
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
        names = unique_names([f.name for f in fields])
        return Model(
            name=name,
            kind="object",
            pointer=where,
            description=description,
            base=base,
            fields=[f.model_copy(update={"name": n}) for f, n in zip(fields, names, strict=True)],
            examples=examples,
        )

    def _field(self, schema: Any, wire: str, required: bool, owner: str) -> ModelField:
        ref = self.type_of(schema, member_hint(owner, wire))
        resolved = schema if isinstance(schema, dict) else {}
        default = resolved.get("default")
        if default is not None and (required or not default_fits(self.resolve(resolved), default)):
            default = None
        return ModelField(
            name=field_identifier(wire),
            wire=wire,
            type=ref,
            required=required,
            default=default,
            default_member=self.enum_member(ref, default) if default is not None else None,
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
                return union_of([result, NONE]) if nullable else result
            if self.object_properties(schema) is not None:
                return self._inline_model(schema, hint)
            return ANY
        kinds = schema.get("type")
        if isinstance(kinds, list):
            members = [self._single_type(dict(schema, type=kind), kind, hint) for kind in kinds]
            return union_of(members) if members else ANY
        return self._single_type(schema, kinds, hint)

    def _single_type(self, schema: dict, kind: Any, hint: str) -> TypeRef:
        if kind == "null":
            return NONE
        if kind == "array" or (kind is None and "items" in schema):
            return list_of(self.type_of(schema.get("items"), member_hint(hint, "item")))
        if kind == "object" or (
            kind is None and ("properties" in schema or "additionalProperties" in schema)
        ):
            if schema.get("properties"):
                return self._inline_model(schema, hint)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return dict_of(self.type_of(extra, member_hint(hint, "value")))
            return dict_of(ANY)
        # A malformed `type` or `format` (an object, a list) means nothing here: the value is typed as Any.
        fmt = schema.get("format")
        if kind == "string" and isinstance(fmt, str) and fmt in _STRING_FORMATS:
            return scalar(_STRING_FORMATS[fmt])  # type: ignore[arg-type]
        if isinstance(kind, str) and kind in _PRIMITIVES:
            return scalar(_PRIMITIVES[kind])  # type: ignore[arg-type]
        return ANY

    @staticmethod
    def _literal(values: list) -> TypeRef:
        usable = [v for v in values if isinstance(v, str | int | bool) or v is None]
        if not usable or len(usable) != len(values):
            return ANY
        concrete = list(dict.fromkeys(v for v in usable if v is not None))
        if not concrete:
            return NONE
        result = literal_of(concrete)
        return union_of([result, NONE]) if None in usable else result

    def _union(self, schema: dict, key: str, hint: str) -> TypeRef:
        members = [
            self.type_of(member, member_hint(hint, f"option {i + 1}")) for i, member in enumerate(schema[key])
        ]
        merged = union_of(members)
        if schema.get("nullable") is True:
            merged = union_of([merged, NONE])
        discriminator = self._discriminator(schema, key)
        concrete = merged.without_none()
        if discriminator and concrete.union:
            tagged = TypeRef(union=concrete.union, discriminator=discriminator)
            return union_of([tagged, NONE]) if merged.nullable else tagged
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
            if field is None or not field.type.literal or len(field.type.literal) != 1:
                return None
            if field.name != prop or not field.required:
                return None
        return prop


def meaningful_title(schema: dict, name: str) -> str:
    """A schema's title, unless it only repeats the class name (FastAPI titles every schema with it)."""
    title = schema.get("title")
    return title if isinstance(title, str) and words(title) != words(name) else ""
