"""Sample values the generated tests send and expect: each must satisfy its schema."""

from mcpgen.ir import Sampler

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
    assert sample == {"model": "string", "tools": [], "id": "string", "status": "done"}


def test_an_all_of_with_a_part_that_is_no_object_keeps_that_part():
    schema = {"allOf": [{"type": "string", "minLength": 3}, {"description": "a code"}]}
    assert Sampler(DOCUMENT).sample(schema) == "string"
