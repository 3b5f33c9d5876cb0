"""Generation decisions for production serving: each tool's OAuth scopes (from the spec, overridden per tool
or tag), the Idempotency-Key header the server fills itself, and confirmation of destructive tools."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpgen.cli import app
from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, prepare
from mcpgen.ir import parse_scope_option

OAUTH = {
    "oauth": {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "https://auth.example/token", "scopes": {}}},
    },
    "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
}
OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}


def spec_file(tmp_path: Path, paths: dict, **extra) -> Path:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
        "components": {"securitySchemes": OAUTH},
    }
    spec.update(extra)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def operation(op_id: str, *, tags=(), security=None, parameters=()) -> dict:
    found = {"operationId": op_id, "tags": list(tags), "parameters": list(parameters), "responses": OK}
    if security is not None:
        found["security"] = security
    return found


def tools_of(spec: Path, **options) -> dict:
    prepared = prepare(Request(spec=str(spec), out=Path("."), **options))
    return {tool.name: tool for tool in prepared.project.tools}


def answers_of(spec: Path, **options) -> dict:
    return prepare(Request(spec=str(spec), out=Path("."), **options)).answers.data()


def test_operation_security_scopes_become_the_tools_scopes(tmp_path):
    spec = spec_file(
        tmp_path,
        {
            "/a": {
                "get": operation("read_a", security=[{"oauth": ["a:read"]}]),
                "post": operation("write_a", security=[{"oauth": ["a:write", "a:read"]}]),
                "put": operation("put_a", security=[{"key": []}]),
                "patch": operation("public_a", security=[]),
            },
            "/b": {"get": operation("read_b")},
        },
        security=[{"oauth": ["global"]}],
    )

    tools = tools_of(spec)

    assert tools["read_a"].scopes == ["a:read"]
    assert tools["write_a"].scopes == ["a:read", "a:write"]
    assert tools["put_a"].scopes == []  # another scheme: no OAuth scope to hold
    assert tools["public_a"].scopes == []  # `security: []` removes the global requirement
    assert tools["read_b"].scopes == ["global"]  # the document's requirement applies


def test_alternative_scope_sets_keep_the_first_and_warn(tmp_path):
    spec = spec_file(
        tmp_path,
        {"/a": {"get": operation("read_a", security=[{"key": []}, {"oauth": ["x"]}, {"oauth": ["y"]}])}},
    )

    prepared = prepare(Request(spec=str(spec), out=Path(".")))

    assert prepared.project.tools[0].scopes == ["x"]
    assert any("other scope sets" in warning for warning in prepared.warnings)


def test_overrides_by_tool_win_over_tags_and_the_spec(tmp_path):
    spec = spec_file(
        tmp_path,
        {
            "/a": {
                "get": operation("read_a", tags=["Tasks"], security=[{"oauth": ["spec"]}]),
                "delete": operation("delete_a", tags=["Tasks", "admin"]),
            },
            "/b": {"get": operation("read_b", security=[{"oauth": ["spec"]}])},
        },
    )

    tools = tools_of(
        spec, scopes={"tag:tasks": ["tasks:read"], "tag:admin": ["admin"], "read_b": [], "read_a": ["mine"]}
    )

    assert tools["read_a"].scopes == ["mine"]
    assert tools["delete_a"].scopes == ["admin", "tasks:read"]  # both tags' entries add up
    assert tools["read_b"].scopes == []  # an empty entry makes a tool public


@pytest.mark.parametrize("key", ["no_such_tool", "tag:nope"])
def test_an_override_that_names_nothing_stops_generation(tmp_path, key):
    spec = spec_file(tmp_path, {"/a": {"get": operation("read_a", tags=["t"])}})

    with pytest.raises(MCPGenError, match="no tool has this"):
        tools_of(spec, scopes={key: ["x"]})


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("delete_task=tasks:write", ("delete_task", ["tasks:write"])),
        ("tag:Admin= a , b ", ("tag:Admin", ["a", "b"])),
        ("public_tool=", ("public_tool", [])),
    ],
)
def test_scope_options_parse(text, parsed):
    assert parse_scope_option(text) == parsed


@pytest.mark.parametrize("text", ["no-equals", "=x", "tag:=x", 'tool=has"quote', "tool=back\\slash"])
def test_bad_scope_options_are_refused(text):
    with pytest.raises(MCPGenError):
        parse_scope_option(text)


def test_the_cli_takes_scope_and_confirmation_options(tmp_path):
    spec = spec_file(tmp_path, {"/a": {"get": operation("read_a"), "delete": operation("delete_a")}})

    result = CliRunner().invoke(
        app, ["answers", str(spec), "--scope", "read_a=r", "--scope", "delete_a=w,r", "--confirm-destructive"]
    )

    assert result.exit_code == 0, result.output
    assert "confirm_destructive: true" in result.output
    bad = CliRunner().invoke(app, ["answers", str(spec), "--scope", "nothing"])
    assert bad.exit_code == 2 and "is not TOOL=scope1,scope2" in bad.output


def test_scopes_and_flags_reach_the_answers_only_where_set(tmp_path):
    idempotency = {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}
    spec = spec_file(
        tmp_path,
        {
            "/a": {
                "get": operation("read_a", security=[{"oauth": ["r"]}]),
                "post": operation("create_a", parameters=[idempotency]),
                "delete": operation("delete_a"),
            }
        },
    )

    answers = answers_of(spec, confirm_destructive=True)
    tools = {tool["name"]: tool for tool in answers["tools"]}

    assert tools["read_a"]["scopes"] == ["r"] and "confirm" not in tools["read_a"]
    assert tools["create_a"]["idempotency_header"] == "Idempotency-Key"
    assert tools["create_a"]["params"] == []  # the key is never an argument
    assert tools["delete_a"]["confirm"] is True
    assert answers["confirm_destructive"] is True
    assert answers_of(spec)["confirm_destructive"] is False


def test_a_spec_parameter_named_confirm_yields_the_name(tmp_path):
    confirm = {"name": "confirm", "in": "query", "schema": {"type": "boolean"}}
    spec = spec_file(tmp_path, {"/a": {"delete": operation("delete_a", parameters=[confirm])}})

    tool = tools_of(spec, confirm_destructive=True)["delete_a"]

    assert tool.confirm and [p.wire for p in tool.params] == ["confirm"]
    assert tool.params[0].name != "confirm"
