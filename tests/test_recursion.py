"""Recursive, mutually recursive and self-including schemas compile without RecursionError."""

import json

import pytest

from mcpgen.generate import Request, generate, prepare
from tests.generated import run_project_tests

CYCLES = {
    "A": {"allOf": [{"$ref": "#/components/schemas/B"}], "properties": {"a": {"type": "string"}}},
    "B": {"allOf": [{"$ref": "#/components/schemas/A"}], "properties": {"b": {"type": "integer"}}},
    "Self": {"allOf": [{"$ref": "#/components/schemas/Self"}]},
    "Tree": {
        "type": "object",
        "properties": {"kids": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}},
    },
    "Loop": {"oneOf": [{"$ref": "#/components/schemas/Loop"}, {"type": "string"}]},
    "Deep": {
        "type": "object",
        "required": ["next"],
        "properties": {"next": {"$ref": "#/components/schemas/Deep"}},
    },
}


def cyclic_spec(tmp_path):
    paths = {
        f"/{name.lower()}": {
            "post": {
                "operationId": f"post_{name.lower()}",
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                    }
                },
            }
        }
        for name in CYCLES
    }
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Cycles", "version": "1"},
        "paths": paths,
        "components": {"schemas": CYCLES},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def test_cyclic_schemas_generate(tmp_path):
    path = cyclic_spec(tmp_path)
    prepared = prepare(Request(spec=str(path), out=tmp_path / "out"))
    project, warnings = prepared.project, prepared.warnings
    assert [t.name for t in project.tools] == [f"post_{n.lower()}" for n in CYCLES]
    # A required self-reference has no finite sample: that tool gets no generated call, and says why.
    deep = next(t for t in project.tools if t.name == "post_deep")
    assert "nests too deeply" in deep.untestable
    assert any("post_deep" in w for w in warnings)
    models = {m.name: m for m in project.models}
    assert models["A"].base == "B" and models["B"].kind == "object"  # the allOf cycle is broken once


@pytest.mark.slow
def test_cyclic_schemas_give_a_project_that_passes_its_tests(tmp_path):
    out = tmp_path / "out"
    generate(Request(spec=str(cyclic_spec(tmp_path)), out=out))
    assert " passed" in run_project_tests(out)
