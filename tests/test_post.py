"""The post-render checks: what strict MCP clients would refuse in a generated server's tools/list."""

import pytest

from mcpgen.render import strict_client_findings


def tool(name: str = "get_thing", **schema) -> dict:
    return {"name": name, "inputSchema": {"type": "object", "properties": {}, **schema}}


def test_a_tool_a_strict_client_accepts_has_no_finding():
    ok = tool(properties={"ids": {"type": "array", "items": {"$ref": "#/$defs/Id"}}}, **{"$defs": {"Id": {}}})
    assert strict_client_findings(ok) == []


@pytest.mark.parametrize(
    ("bad", "phrase"),
    [
        (tool("x" * 65), "its name is not 1-64"),
        (tool("has space"), "its name is not 1-64"),
        ({"name": "t", "inputSchema": {"oneOf": [{"type": "object"}]}}, "not a plain object at the top"),
        (tool(anyOf=[{"type": "object"}]), "not a plain object at the top"),
        (tool(properties={"a": {"type": "array"}}), "#/properties/a is an array without items"),
        (tool(properties={"a": {"type": ["array", "null"]}}), "is an array without items"),
        (tool(properties={"a": {"$ref": "#/$defs/Gone"}}), "refers to #/$defs/Gone"),
        (tool(properties={"a": {"$ref": "#/components/schemas/A"}}), "which the schema does not define"),
    ],
)
def test_each_thing_strict_clients_refuse_is_found(bad, phrase):
    assert any(phrase in finding for finding in strict_client_findings(bad))
