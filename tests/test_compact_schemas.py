"""tools/list carries what an assistant needs and no more: small output schemas kept, large ones declared
loosely; model schemas without `additionalProperties: true` or null defaults; strict clients satisfied."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mcpgen.generate import Request, generate, prepare
from mcpgen.render import strict_client_findings
from mcpgen.render.answers import MAX_OUTPUT_FIELDS
from tests.conftest import shared_spec


def _spec(tmp_path: Path, fields: int, nested: int = 0) -> Path:
    """One GET whose JSON answer is a Thing with `fields` properties and `nested` Part objects of 3 each."""
    properties = {f"f{i}": {"type": "string", "description": f"Field {i}."} for i in range(fields)}
    properties |= {f"part{i}": {"$ref": "#/components/schemas/Part"} for i in range(nested)}
    part = {"type": "object", "properties": {k: {"type": "integer"} for k in "abc"}}
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Things", "version": "1"},
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "getThing",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"Thing": {"type": "object", "properties": properties}, "Part": part}},
    }
    path = tmp_path / f"spec_{fields}_{nested}.json"
    path.write_text(json.dumps(spec))
    return path


def _loose(spec: Path) -> bool:
    answers = prepare(Request(spec=str(spec), out=spec.parent)).answers.data()
    return answers["tools"][0]["response"].get("loose", False)


def test_an_output_schema_is_kept_while_small_and_loose_past_the_budget(tmp_path):
    assert not _loose(_spec(tmp_path, MAX_OUTPUT_FIELDS))
    assert _loose(_spec(tmp_path, MAX_OUTPUT_FIELDS + 1))
    # Properties of the models a response names count where they are inlined, each time.
    assert not _loose(_spec(tmp_path, MAX_OUTPUT_FIELDS - 8, nested=2))
    assert _loose(_spec(tmp_path, MAX_OUTPUT_FIELDS - 8, nested=3))


def _listed(project: Path) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "src.surface", "--tools"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def test_listed_schemas_leave_out_what_says_nothing_and_satisfy_strict_clients(bundled_example):
    tools = _listed(bundled_example.out)
    by_name = {tool["name"]: tool for tool in tools}
    for tool in tools:
        assert strict_client_findings(tool) == []
        for node in _nodes([tool["inputSchema"], tool.get("outputSchema")]):
            assert node.get("additionalProperties") is not True, tool["name"]
            assert "title" not in node or not isinstance(node["title"], str), tool["name"]
    # Model fields drop their null default; the task's own shape is still there for the assistant.
    task = by_name["get_task"]["outputSchema"]
    assert task["properties"]["description"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert set(task["required"]) >= {"id", "title"}


@pytest.mark.slow
def test_letta_tools_list_is_a_quarter_of_fastmcps_at_most(tmp_path):
    spec = shared_spec("letta.json")
    result = generate(Request(spec=str(spec), out=tmp_path / "letta"))
    assert result.surface is not None and result.surface.strict_client_findings == []
    # FastMCP.from_openapi lists 4.8 MB of tools for this spec (issue 9).
    assert result.surface.bytes <= 0.25 * 4_800_000
