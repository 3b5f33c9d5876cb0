import keyword
import re
from pathlib import Path

import pytest

from mcpgen.naming import (
    SERVER_MODULE_NAMES,
    TOOL_NAME_PATTERN,
    OperationKey,
    class_name,
    counted,
    field_identifier,
    function_name,
    python_identifier,
    tool_names,
)


def names(*keys):
    return tool_names([OperationKey(*k) for k in keys])


def test_fastapi_default_ids_lose_their_route_suffix():
    assert names(
        ("read_items_items_get", "get", "/items"),
        ("read_item_items__item_id__get", "get", "/items/{item_id}"),
        ("create_item_api_v1_items__post", "post", "/api/v1/items/"),
    ) == ["read_items", "read_item", "create_item"]


def test_fastapi_tag_prefixed_ids_lose_the_tag():
    assert names(("items-read_items", "get", "/items", ("items",))) == ["read_items"]
    # not a tag: the dash is part of the name
    assert names(("read-items", "get", "/items", ("things",))) == ["read_items"]


def test_simplification_only_when_unambiguous():
    assert names(
        ("users-create_user", "post", "/users", ("users",)),
        ("private-create_user", "post", "/private/users", ("private",)),
    ) == ["users_create_user", "private_create_user"]


def test_missing_operation_id_uses_method_and_path():
    assert names((None, "get", "/pets/{petId}/photos"), (None, "delete", "/")) == [
        "get_pets_by_pet_id_photos",
        "delete_root",
    ]


def test_camel_case_and_odd_characters():
    assert names(("getPetByID", "get", "/p"), ("upload-photo.v2", "post", "/q")) == [
        "get_pet_by_id",
        "upload_photo_v2",
    ]


def test_long_names_are_cut_readably_and_stay_unique():
    long_a = "get_" + "very_long_segment_" * 6 + "alpha"
    long_b = "get_" + "very_long_segment_" * 6 + "beta"
    result = names((long_a, "get", "/a"), (long_b, "get", "/b"))
    assert all(len(n) <= 64 and TOOL_NAME_PATTERN.match(n) for n in result)
    assert result[0] != result[1]
    assert result[0].startswith("get_very_long_segment")


def test_collisions_resolve_deterministically():
    assert names(("dup", "get", "/a"), ("dup", "get", "/b"), ("dup_2", "get", "/c")) == [
        "dup",
        "dup_2",
        "dup_2_2",
    ]


def test_names_starting_with_a_digit():
    assert names(("2fa_enable", "post", "/x")) == ["op_2fa_enable"]


@pytest.mark.parametrize("word", ["class", "from", "list", "type", "ctx", "invoke", "None", "str"])
def test_python_identifiers_avoid_reserved_words(word):
    name = python_identifier(word)
    assert not keyword.iskeyword(name)
    assert name != word.lower() or word == "None"
    assert name.isidentifier()


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("json", "json_"),
        ("model_config", "field_model_config"),
        ("1_leading_digit", "field_1_leading_digit"),
        ("x-custom header", "x_custom_header"),
        ("$ref", "ref"),
        ("date", "date_"),
        ("str", "str_"),
    ],
)
def test_field_identifiers(wire, expected):
    assert field_identifier(wire) == expected


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ("model.reference.with.Periods", "ModelReferenceWithPeriods"),
        ("Body_login-login_access_token", "BodyLoginLoginAccessToken"),
        ("io.k8s.api.core.v1.Pod", "IoK8sApiCoreV1Pod"),
        ("Field", "FieldModel"),
        ("3dModel", "Model3dModel"),
    ],
)
def test_class_names(schema, expected):
    assert class_name(schema) == expected


@pytest.mark.parametrize(
    "name", ["health", "ready", "metrics", "run", "main", "mcp", "lifespan", "list", "print"]
)
def test_tool_functions_never_shadow_server_names_or_builtins(name):
    assert function_name(name) == name + "_"


def test_every_name_the_server_template_imports_is_kept_from_tool_functions():
    """A tool named like something server.py imports (infinity.json has `metrics`) would redefine it."""
    template = Path(__file__).parents[1] / "templates" / "project" / "src" / "server.py.jinja"
    imported = set()
    for line in template.read_text().splitlines():
        found = re.match(r"from \S+ import ([\w, ]+)$", line)
        if found and "{{ name }}" not in line:
            imported |= {name.strip() for name in found.group(1).split(",")}
    assert imported and imported <= SERVER_MODULE_NAMES


def test_counts_are_singular_for_one():
    assert [counted(n, "tool") for n in (0, 1, 3, 1200)] == ["0 tools", "1 tool", "3 tools", "1,200 tools"]
