"""Sample values the generated tests send and expect: each must satisfy its schema."""

from mcpgen.ir import Sampler
from mcpgen.ir.samples import named_text, path_hint

DOCUMENT = {
    "components": {
        "schemas": {
            "ModelProperties": {"type": "object", "properties": {"model": {"type": "string"}}},
            "Tools": {
                "allOf": [
                    {"$ref": "#/components/schemas/ModelProperties"},
                    {"properties": {"tools": {"type": "array", "items": {"type": "string"}}}},
                ]
            },
            "Response": {
                "allOf": [
                    {"$ref": "#/components/schemas/Tools"},
                    {
                        "type": "object",
                        "required": ["id", "model", "tools"],
                        "properties": {
                            "id": {"type": "string"},
                            "status": {"type": "string", "default": "done"},
                        },
                    },
                ]
            },
        }
    }
}


def test_an_all_of_part_may_require_a_property_another_part_declares():
    sample = Sampler(DOCUMENT).sample({"$ref": "#/components/schemas/Response"})
    assert sample == {"model": "gpt-4o-mini", "tools": [], "id": "id-123", "status": "done"}


def test_an_all_of_with_a_part_that_is_no_object_keeps_that_part():
    schema = {"allOf": [{"type": "string", "minLength": 3}, {"description": "a code"}]}
    assert Sampler(DOCUMENT).sample(schema) == "example"


def test_a_string_reads_like_a_real_value_of_what_holds_it_never_string():
    person = {
        "type": "object",
        "required": ["agent_id", "email", "created_at", "name", "note", "code", "homepage"],
        "properties": {
            "agent_id": {"type": "string"},
            "email": {"type": "string"},
            "created_at": {"type": "string"},
            "name": {"type": "string"},
            "note": {"type": "string", "example": "Call back on Monday"},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "homepage": {"type": "string", "format": "uri"},
        },
    }

    sample = Sampler(DOCUMENT).sample(person)

    assert sample == {
        "agent_id": "agent-123",
        "email": "ada@example.com",
        "created_at": "2024-01-02T03:04:05Z",
        "name": "my-item",
        "note": "Call back on Monday",  # the spec's own example
        "code": "ABC",  # the pattern rules
        "homepage": "https://example.com/resource",
    }
    assert "string" not in str(sample)


def test_a_path_parameter_reads_as_an_identifier_unless_its_name_says_what_it_is():
    assert [named_text(path_hint(name)) for name in ("customer", "namespace", "agent_id", "name")] == [
        "customer-123",
        "default",
        "agent-123",
        "my-item",
    ]


def test_a_path_parameter_sample_is_one_segment():
    """A path parameter named like a file path must not read "docs/readme.md": a slash is not one segment."""
    from mcpgen.ir.samples import path_hint

    assert path_hint("hyphen-in-path") == "hyphen-in-path_id"
    assert path_hint("namespace") == "namespace" and path_hint("customer") == "customer_id"
