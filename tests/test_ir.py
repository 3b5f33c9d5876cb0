"""Decisions the IR makes: identity never an argument, pattern and layout with reasons, placement."""

import json
import sys
import unicodedata
from pathlib import Path

import pytest

from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, prepare
from mcpgen.ir.text import clean_text

GOLDEN = Path(__file__).parent / "golden"


def project_for(spec: Path | str, **options):
    prepared = prepare(Request(spec=str(spec), out=Path("."), **options))
    return prepared.project, prepared.layout


def write_spec(tmp_path: Path, operation: dict, **extra) -> Path:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/things/{thing_id}": {"get": operation}},
    }
    spec.update(extra)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def header(name: str, required: bool = False) -> dict:
    return {"name": name, "in": "header", "required": required, "schema": {"type": "string"}}


THING_ID = {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def test_identity_and_authorization_headers_are_never_arguments():
    project, layout = project_for(GOLDEN / "tasks_modular" / "spec.yaml")
    wires = {p.wire.lower() for tool in project.tools for p in tool.params}
    assert not wires & {"x-user-id", "x-organization-id", "authorization"}
    assert project.auth.pattern == "service-to-service"
    assert [(h.header, h.claim) for h in project.auth.identity_headers] == [
        ("X-User-ID", "sub"),
        ("X-Organization-ID", "org_id"),
    ]
    assert layout.name == "modular" and "Pattern 4" in layout.reason


def test_configured_identity_header_carries_a_claim(tmp_path):
    spec = write_spec(
        tmp_path,
        {
            "operationId": "get_thing",
            "parameters": [THING_ID, header("X-Tenant", True)],
            "responses": {"200": {"description": "ok"}},
        },
    )
    project, _ = project_for(spec, identity_headers=["X-Tenant=tenant_id"])
    assert [p.wire for p in project.tools[0].params] == ["thing_id"]
    assert ("X-Tenant", "tenant_id") in [(h.header, h.claim) for h in project.auth.identity_headers]


def test_api_key_parameter_is_supplied_by_the_server(tmp_path):
    spec = write_spec(
        tmp_path,
        {
            "operationId": "get_thing",
            "parameters": [THING_ID, header("X-Api-Key")],
            "security": [{"key": []}],
            "responses": {"200": {"description": "ok"}},
        },
        components={"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "x-api-key"}}},
    )
    project, _ = project_for(spec)
    assert project.auth.pattern == "api-key" and project.auth.api_key.name == "x-api-key"
    assert [p.wire for p in project.tools[0].params] == ["thing_id"]


@pytest.mark.parametrize(
    ("schemes", "expected"),
    [
        ({"b": {"type": "http", "scheme": "bearer"}}, "bearer"),
        ({"o": {"type": "oauth2", "flows": {}}}, "bearer"),
        ({"k": {"type": "apiKey", "in": "query", "name": "key"}}, "api-key"),
        ({}, "none"),
    ],
)
def test_pattern_detection(tmp_path, schemes, expected):
    spec = write_spec(
        tmp_path,
        {"operationId": "get_thing", "parameters": [THING_ID], "responses": {"200": {"description": "ok"}}},
        components={"securitySchemes": schemes},
    )
    project, _ = project_for(spec)
    assert project.auth.pattern == expected and project.auth.reason


def test_pattern_override_and_layout_rule():
    project, layout = project_for(GOLDEN / "notes_monolithic" / "spec.yaml", pattern="bearer")
    assert project.auth.pattern == "bearer" and project.auth.reason == "chosen with --pattern"
    assert layout.name == "monolithic" and "3 tools" in layout.reason
    _, forced = project_for(GOLDEN / "notes_monolithic" / "spec.yaml", layout="modular")
    assert forced.name == "modular" and "the rule would pick monolithic" in forced.reason
    _, five = project_for(GOLDEN / "hard_cases" / "spec.yaml")
    assert five.name == "modular" and "8 tools" in five.reason


def test_parameters_by_location_and_tag_filters():
    project, _ = project_for(GOLDEN / "hard_cases" / "spec.yaml")
    tool = next(t for t in project.tools if t.path == "/pets/{pet-id}")
    assert {p.wire: p.location for p in tool.params} == {
        "pet-id": "path",
        "Int-Enum-Header": "header",
        "session": "cookie",
        "filter": "query",
        "ids": "query",
    }
    assert next(t for t in project.tools if t.name == "upload_photo").file_fields == ["file"]
    assert next(t for t in project.tools if t.name == "upload_blob").request_body == "binary"
    assert next(t for t in project.tools if t.name == "create_cat").request_body == "form"


def test_include_and_exclude_tags(tmp_path):
    ops = {
        "/a": {"get": {"operationId": "a", "tags": ["alpha"], "responses": {"200": {"description": "ok"}}}},
        "/b": {"get": {"operationId": "b", "tags": ["beta"], "responses": {"200": {"description": "ok"}}}},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": ops}))
    assert [t.name for t in project_for(path, include_tags=["Alpha"])[0].tools] == ["a"]
    assert [t.name for t in project_for(path, exclude_tags=["alpha"])[0].tools] == ["b"]


def test_a_path_parameter_marked_allow_reserved_may_hold_slashes():
    project, _ = project_for(GOLDEN / "hard_cases" / "spec.yaml")
    read_file = next(t for t in project.tools if t.name == "read_file")
    assert [(p.wire, p.path_style) for p in read_file.params] == [("file_path", True)]
    others = [p for t in project.tools if t is not read_file for p in t.params if p.location == "path"]
    assert others and not any(p.path_style for p in others)


@pytest.mark.parametrize(
    "schema", [{"type": {"a": 1}}, {"type": "string", "format": ["date"]}, {"type": [["x"]]}]
)
def test_a_malformed_type_or_format_is_typed_loosely_not_a_crash(tmp_path, schema):
    spec = write_spec(
        tmp_path,
        {
            "operationId": "get_thing",
            "parameters": [THING_ID, {"name": "odd", "in": "query", "schema": schema}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}},
        },
    )
    project, _ = project_for(spec)
    odd = next(p for p in project.tools[0].params if p.wire == "odd")
    assert odd.type.scalar in ("any", "str")


def test_ambiguous_names_and_undeclared_path_parameters(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "openapi": "3.1.0",
                "info": {"title": "T", "version": "1"},
                "paths": {
                    "/things/{thing_id}/parts/{part}": {
                        "get": {
                            "operationId": "get_part",
                            "parameters": [THING_ID, *({"name": n, "in": "query"} for n in ("l", "I", "O"))],
                            "responses": {"200": {"description": "ok"}},
                        }
                    }
                },
            }
        )
    )
    prepared = prepare(Request(spec=str(spec), out=Path(".")))
    params = {p.wire: p for p in prepared.project.tools[0].params}
    # ruff (E741) refuses l, I and O as names; the wire names stay.
    assert {params[w].name for w in ("l", "I", "O")} == {"l_", "i", "o"}
    # A placeholder the spec forgot to declare still gets an argument, or the tool could never succeed.
    assert params["part"].location == "path" and params["part"].required
    assert any("'part' is not declared" in w for w in prepared.warnings)


def test_a_base_url_must_be_an_absolute_http_url(tmp_path):
    for bad in ("/api", "file:///etc/passwd", "https://", "http://a b.example"):
        with pytest.raises(MCPGenError, match="not an absolute http"):
            prepare(Request(spec=str(GOLDEN / "notes_monolithic" / "spec.yaml"), out=Path("."), base_url=bad))


def test_spec_prose_keeps_every_printable_character_and_drops_control_characters():
    # Every code point between two letters: control characters (category Cc) and lone surrogates (Cs) go, any
    # whitespace becomes one space, and everything else, in any script, stays as the spec wrote it.
    for point in range(sys.maxunicode + 1):
        character = chr(point)
        if character.isspace():
            expected = "a b"
        elif unicodedata.category(character) in ("Cc", "Cs"):
            expected = "ab"
        else:
            expected = f"a{character}b"
        assert clean_text(f"a{character}b") == expected, hex(point)
    assert clean_text("Read\x00 the\u200b <b>task</b>\x1b[0m &amp; its [notes](https://x.example)") == (
        "Read the\u200b task [0m & its notes"
    )
