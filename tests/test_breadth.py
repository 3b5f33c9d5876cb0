"""Spec features real APIs use (issue 10's breadth list), each in tests/breadth/spec.json: path-level
parameters, Stripe's deepObject forms, multipart files in both spellings, vendor media types, `$id`-relative
and `$recursiveRef` references, deprecated operations."""

from pathlib import Path

import pytest

from mcpgen.generate import Request, generate, prepare
from mcpgen.spec import load_spec
from tests.generated import run_project_tests

SPEC = Path(__file__).parent / "breadth" / "spec.json"


@pytest.fixture(scope="module")
def tools():
    project = prepare(Request(spec=str(SPEC), out=Path("."))).project
    return {tool.name: tool for tool in project.tools}


def test_path_level_parameters_reach_every_operation_of_the_path(tools):
    for name in ("get_thing", "patch_thing"):
        assert [(p.wire, p.location, p.required) for p in tools[name].params][:1] == [
            ("thing_id", "path", True)
        ]


def test_a_form_body_keeps_its_nested_objects_for_deep_object_encoding(tools):
    charge = tools["create_charge"]
    assert charge.request_body is not None and charge.content_type == "application/x-www-form-urlencoded"


@pytest.mark.parametrize(("tool", "field"), [("upload_file", "file"), ("upload_image", "image")])
def test_multipart_files_in_both_spellings(tools, tool, field):
    """`format: binary` (OpenAPI 3.0) and `contentMediaType` (3.1) both make a file part."""
    assert tools[tool].content_type == "multipart/form-data" and tools[tool].file_fields == [field]


def test_vendor_json_media_types_are_json(tools):
    assert tools["get_thing"].response.kind == "json"
    assert tools["patch_thing"].content_type == "application/merge-patch+json"
    assert tools["patch_thing"].request_body is not None


def test_recursive_and_id_relative_references_resolve_to_local_refs():
    schemas = load_spec(str(SPEC)).document["components"]["schemas"]
    assert schemas["Tree"]["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Tree"}
    assert schemas["Node"]["properties"]["parent"] == {"$ref": "#/components/schemas/Node"}


def test_a_dynamic_ref_points_at_its_dynamic_anchor(tmp_path):
    spec = SPEC.read_text().replace('"$recursiveAnchor": true', '"$dynamicAnchor": "tree"')
    spec = spec.replace('{"$recursiveRef": "#"}', '{"$dynamicRef": "#tree"}').replace(
        '"$recursiveRef": "#"', '"$dynamicRef": "#tree"'
    )
    (tmp_path / "spec.json").write_text(spec)
    schemas = load_spec(str(tmp_path / "spec.json")).document["components"]["schemas"]
    assert schemas["Tree"]["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Tree"}


def test_deprecated_operations_say_so_to_the_model(tools):
    assert tools["old_list"].deprecated and not tools["get_thing"].deprecated


@pytest.mark.slow
def test_the_breadth_spec_generates_a_project_that_passes_its_own_tests(tmp_path):
    out = tmp_path / "project"
    generate(Request(spec=str(SPEC), out=out))
    assert "Deprecated" in (out / "src" / "tools" / "old_list.py").read_text()
    summary = run_project_tests(out)
    assert " passed" in summary and "failed" not in summary, summary
