"""Swagger 2.0 input: each conversion rule on a small document, then the real 2.0 specs end to end."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpgen.cli import app
from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, generate, prepare
from mcpgen.ir import BuildOptions, build_project
from mcpgen.spec import convert_swagger2, load_spec
from tests.conftest import shared_spec
from tests.generated import run_project_tests

BASE = {
    "swagger": "2.0",
    "info": {"title": "T", "version": "1"},
    "paths": {},
}


def swagger(**parts) -> dict:
    document = copy.deepcopy(BASE)
    document.update(copy.deepcopy(parts))
    return document


def operation(op: dict, method: str = "post", path: str = "/things", **parts) -> dict:
    """Convert a document with one operation; return that converted operation."""
    converted = convert_swagger2(swagger(paths={path: {method: op}}, **parts), "spec.json").document
    return converted["paths"][path][method]


def converted(**parts) -> dict:
    return convert_swagger2(swagger(**parts), "spec.json").document


def warnings(**parts) -> list[str]:
    return [str(w) for w in convert_swagger2(swagger(**parts), "spec.json").warnings]


OK = {"200": {"description": "ok"}}


# ---- the document ---------------------------------------------------------------------------------------


def test_the_result_is_openapi_3_0_3_with_info_tags_docs_and_extensions():
    document = converted(
        tags=[{"name": "pets"}],
        externalDocs={"url": "https://docs.example"},
        **{"x-logo": {"url": "logo.png"}},
    )
    assert document["openapi"] == "3.0.3"
    assert document["info"] == {"title": "T", "version": "1"}
    assert document["tags"] == [{"name": "pets"}]
    assert document["externalDocs"] == {"url": "https://docs.example"}
    assert document["x-logo"] == {"url": "logo.png"}
    assert "swagger" not in document


def test_one_warning_says_the_spec_was_converted():
    found = convert_swagger2(swagger(), "spec.json").warnings
    assert len(found) == 1
    assert found[0].pointer == "/swagger" and "converted from Swagger 2.0" in found[0].message


@pytest.mark.parametrize(
    ("parts", "servers"),
    [
        (
            {"host": "api.example.com", "basePath": "/v2", "schemes": ["http", "https"]},
            ["https://api.example.com/v2", "http://api.example.com/v2"],
        ),
        ({"host": "api.example.com", "schemes": ["http"]}, ["http://api.example.com"]),
        ({"host": "api.example.com", "basePath": "/"}, ["https://api.example.com"]),
        (
            {"host": "localhost:8080", "basePath": "/api/", "schemes": ["ws", "http"]},
            ["http://localhost:8080/api"],
        ),
        ({"basePath": "/api/v1", "schemes": ["https"]}, ["/api/v1"]),
        ({}, []),
    ],
)
def test_servers_from_host_base_path_and_schemes(parts, servers):
    assert [s["url"] for s in converted(**parts).get("servers", [])] == servers


def test_an_operation_with_its_own_schemes_gets_its_own_servers():
    op = operation({"schemes": ["http"], "responses": OK}, host="h.example", schemes=["https"])
    assert op["servers"] == [{"url": "http://h.example"}]
    same = operation({"schemes": ["https"], "responses": OK}, host="h.example", schemes=["https"])
    assert "servers" not in same


def test_operation_fields_are_kept():
    op = operation(
        {
            "operationId": "makeThing",
            "tags": ["things"],
            "summary": "Make a thing",
            "description": "Makes it.",
            "deprecated": True,
            "externalDocs": {"url": "https://docs.example/things"},
            "security": [{"key": []}],
            "x-rate-limit": 5,
            "responses": OK,
        }
    )
    assert op["operationId"] == "makeThing"
    assert op["tags"] == ["things"]
    assert op["summary"] == "Make a thing" and op["description"] == "Makes it."
    assert op["deprecated"] is True
    assert op["externalDocs"] == {"url": "https://docs.example/things"}
    assert op["security"] == [{"key": []}]
    assert op["x-rate-limit"] == 5
    assert "consumes" not in op and "produces" not in op


def test_path_item_extensions_are_kept_and_unknown_keys_dropped():
    document = converted(paths={"/x": {"x-owner": "team", "get": {"responses": OK}}})
    assert document["paths"]["/x"] == {
        "x-owner": "team",
        "get": {"responses": {"200": {"description": "ok"}}},
    }


# ---- request bodies -------------------------------------------------------------------------------------

BODY = {
    "name": "thing",
    "in": "body",
    "required": True,
    "description": "The thing to make.",
    "schema": {"$ref": "#/definitions/Thing"},
}
THING = {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}


def test_a_body_parameter_becomes_the_request_body():
    op = operation({"parameters": [BODY], "responses": OK}, definitions=THING)
    assert "parameters" not in op
    assert op["requestBody"] == {
        "description": "The thing to make.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
        "required": True,
    }


def test_a_body_uses_the_operations_consumes_then_the_global_ones():
    own = operation(
        {"consumes": ["application/xml", "text/plain"], "parameters": [BODY], "responses": OK},
        definitions=THING,
        consumes=["application/json"],
    )
    assert list(own["requestBody"]["content"]) == ["application/xml", "text/plain"]
    inherited = operation({"parameters": [BODY], "responses": OK}, definitions=THING, consumes=["text/plain"])
    assert list(inherited["requestBody"]["content"]) == ["text/plain"]


def test_an_optional_body_is_not_required_and_keeps_its_examples():
    body = {
        "name": "b",
        "in": "body",
        "schema": {"type": "object"},
        "x-examples": {"application/json": {"a": 1}},
    }
    op = operation({"parameters": [body], "responses": OK})
    assert "required" not in op["requestBody"]
    assert op["requestBody"]["content"]["application/json"] == {
        "schema": {"type": "object"},
        "example": {"a": 1},
    }


def test_form_fields_become_an_urlencoded_object():
    fields = [
        {"name": "name", "in": "formData", "type": "string", "required": True, "description": "Name."},
        {"name": "age", "in": "formData", "type": "integer", "minimum": 0},
    ]
    op = operation({"parameters": fields, "responses": OK})
    assert op["requestBody"] == {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "Name."},
                        "age": {"type": "integer", "minimum": 0},
                    },
                    "required": ["name"],
                }
            }
        },
        "required": True,
    }


def test_a_file_field_makes_the_form_multipart_with_a_binary_string():
    fields = [
        {"name": "file", "in": "formData", "type": "file", "required": True},
        {"name": "note", "in": "formData", "type": "string"},
    ]
    op = operation({"consumes": ["application/x-www-form-urlencoded"], "parameters": fields, "responses": OK})
    content = op["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    assert content["multipart/form-data"]["schema"]["properties"]["file"] == {
        "type": "string",
        "format": "binary",
    }


def test_form_fields_are_multipart_when_consumes_says_so():
    fields = [{"name": "note", "in": "formData", "type": "string"}]
    op = operation({"consumes": ["multipart/form-data"], "parameters": fields, "responses": OK})
    assert list(op["requestBody"]["content"]) == ["multipart/form-data"]
    global_form = operation({"parameters": fields, "responses": OK}, consumes=["multipart/form-data"])
    assert list(global_form["requestBody"]["content"]) == ["multipart/form-data"]


def test_an_array_form_field_keeps_its_collection_format_as_an_encoding():
    fields = [{"name": "ids", "in": "formData", "type": "array", "items": {"type": "integer"}}]
    op = operation({"parameters": fields, "responses": OK})
    media = op["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert media["schema"]["properties"]["ids"] == {"type": "array", "items": {"type": "integer"}}
    assert media["encoding"] == {"ids": {"style": "form", "explode": False}}


def test_a_body_beside_form_fields_wins_with_a_warning():
    fields = [BODY, {"name": "x", "in": "formData", "type": "string"}]
    found = warnings(paths={"/t": {"post": {"parameters": fields, "responses": OK}}}, definitions=THING)
    assert any("/paths/~1t/post: more than one request body" in w for w in found)


# ---- parameters -----------------------------------------------------------------------------------------


def test_value_keywords_move_into_the_schema():
    param = {
        "name": "limit",
        "in": "query",
        "description": "How many.",
        "type": "integer",
        "format": "int32",
        "minimum": 1,
        "maximum": 100,
        "exclusiveMaximum": True,
        "default": 20,
        "multipleOf": 5,
        "x-example": 40,
        "x-internal": True,
    }
    op = operation({"parameters": [param], "responses": OK}, method="get")
    assert op["parameters"] == [
        {
            "name": "limit",
            "in": "query",
            "description": "How many.",
            "schema": {
                "type": "integer",
                "format": "int32",
                "default": 20,
                "maximum": 100,
                "exclusiveMaximum": True,
                "minimum": 1,
                "multipleOf": 5,
            },
            "example": 40,
            "x-internal": True,
        }
    ]


def test_string_keywords_enum_and_allow_empty_value():
    param = {
        "name": "code",
        "in": "query",
        "type": "string",
        "enum": ["a", "b"],
        "pattern": "^[ab]$",
        "minLength": 1,
        "maxLength": 1,
        "allowEmptyValue": True,
        "x-nullable": True,
    }
    (converted_param,) = operation({"parameters": [param], "responses": OK}, method="get")["parameters"]
    assert converted_param["allowEmptyValue"] is True
    assert converted_param["schema"] == {
        "type": "string",
        "enum": ["a", "b"],
        "maxLength": 1,
        "minLength": 1,
        "pattern": "^[ab]$",
        "nullable": True,
    }


def test_a_path_parameter_is_always_required():
    param = {"name": "id", "in": "path", "type": "string"}
    (converted_param,) = operation({"parameters": [param], "responses": OK}, method="get", path="/t/{id}")[
        "parameters"
    ]
    assert converted_param["required"] is True


@pytest.mark.parametrize(
    ("location", "collection", "style", "explode"),
    [
        ("query", None, "form", False),
        ("query", "csv", "form", False),
        ("query", "multi", "form", True),
        ("query", "ssv", "spaceDelimited", False),
        ("query", "pipes", "pipeDelimited", False),
        ("path", "csv", "simple", False),
        ("header", None, "simple", False),
    ],
)
def test_collection_formats_become_styles(location, collection, style, explode):
    param = {
        "name": "ids",
        "in": location,
        "required": True,
        "type": "array",
        "items": {"type": "integer", "format": "int64", "minimum": 1},
    }
    if collection:
        param["collectionFormat"] = collection
    (converted_param,) = operation({"parameters": [param], "responses": OK}, method="get", path="/t/{ids}")[
        "parameters"
    ]
    assert (converted_param["style"], converted_param["explode"]) == (style, explode)
    assert converted_param["schema"] == {
        "type": "array",
        "items": {"type": "integer", "format": "int64", "minimum": 1},
    }
    assert "collectionFormat" not in converted_param


@pytest.mark.parametrize(("location", "collection"), [("query", "tsv"), ("header", "pipes")])
def test_a_collection_format_3_0_cannot_say_is_sent_comma_separated_with_a_warning(location, collection):
    param = {"name": "ids", "in": location, "type": "array", "items": {"type": "string"}}
    param["collectionFormat"] = collection
    found = warnings(paths={"/t": {"get": {"parameters": [param], "responses": OK}}})
    assert any(
        f"/paths/~1t/get/parameters/0: collectionFormat '{collection}'" in w and "comma-separated" in w
        for w in found
    )


def test_path_level_parameters_stay_on_the_path_and_body_ones_move_into_each_operation():
    document = converted(
        paths={
            "/t/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "type": "string"},
                    {"name": "thing", "in": "body", "schema": {"type": "object"}},
                ],
                "put": {"responses": OK},
                "patch": {
                    "consumes": ["application/merge-patch+json"],
                    "parameters": [{"name": "thing", "in": "body", "schema": {"type": "string"}}],
                    "responses": OK,
                },
            }
        }
    )
    item = document["paths"]["/t/{id}"]
    assert item["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
    ]
    assert item["put"]["requestBody"]["content"] == {"application/json": {"schema": {"type": "object"}}}
    assert item["patch"]["requestBody"]["content"] == {
        "application/merge-patch+json": {"schema": {"type": "string"}}
    }


# ---- shared parameters and responses, and $refs ---------------------------------------------------------


def test_shared_parameters_and_responses_become_components_and_refs_follow():
    document = converted(
        parameters={
            "limit": {"name": "limit", "in": "query", "type": "integer"},
            "thing": {
                "name": "thing",
                "in": "body",
                "required": True,
                "schema": {"$ref": "#/definitions/Thing"},
            },
            "photo": {"name": "photo", "in": "formData", "type": "file"},
        },
        responses={"NotFound": {"description": "no such thing", "schema": {"$ref": "#/definitions/Thing"}}},
        definitions=THING,
        paths={
            "/t": {
                "get": {
                    "parameters": [{"$ref": "#/parameters/limit"}],
                    "responses": {"200": {"description": "ok"}, "404": {"$ref": "#/responses/NotFound"}},
                },
                "post": {"parameters": [{"$ref": "#/parameters/thing"}], "responses": OK},
                "put": {"parameters": [{"$ref": "#/parameters/photo"}], "responses": OK},
            }
        },
    )
    components = document["components"]
    assert components["parameters"] == {
        "limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    }
    assert components["responses"]["NotFound"] == {
        "description": "no such thing",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
    }
    get, post, put = (document["paths"]["/t"][m] for m in ("get", "post", "put"))
    assert get["parameters"] == [{"$ref": "#/components/parameters/limit"}]
    assert get["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    assert post["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
        "required": True,
    }
    assert "parameters" not in post
    assert put["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"] == {
        "photo": {"type": "string", "format": "binary"}
    }


def test_a_ref_3_0_has_no_place_for_is_refused_with_its_pointer():
    document = swagger(
        paths={"/t": {"get": {"responses": {"200": {"description": "ok", "schema": {"$ref": "#/info"}}}}}}
    )
    with pytest.raises(MCPGenError) as caught:
        convert_swagger2(document, "spec.json")
    assert caught.value.pointer == "/paths/~1t/get/responses/200/schema/$ref"
    assert "cannot be converted from Swagger 2.0" in caught.value.message


def test_a_ref_into_an_inlined_body_parameter_is_refused():
    document = swagger(
        parameters={"thing": {"name": "thing", "in": "body", "schema": {"type": "object"}}},
        definitions={"Alias": {"$ref": "#/parameters/thing/schema"}},
    )
    with pytest.raises(MCPGenError) as caught:
        convert_swagger2(document, "spec.json")
    assert "has no target once converted" in caught.value.message
    assert caught.value.pointer == "/components/schemas/Alias/$ref"


# ---- schemas --------------------------------------------------------------------------------------------


def test_definitions_become_component_schemas_with_nested_refs_rewritten():
    document = converted(
        definitions={
            "Pet": {
                "type": "object",
                "required": ["name"],
                "discriminator": "kind",
                "properties": {
                    "name": {"type": "string", "x-nullable": True},
                    "owner": {"$ref": "#/definitions/Person", "x-nullable": True, "description": "Who."},
                    "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                    "extra": {"type": "object", "additionalProperties": {"$ref": "#/definitions/Tag"}},
                    "$ref": {"type": "string"},
                },
                "allOf": [{"$ref": "#/definitions/Base"}],
                "x-go-name": "Pet",
            },
            "Person": {"type": "object"},
            "Tag": {"type": "string", "x-nullable": False},
            "Base": {"type": "object"},
        }
    )
    pet = document["components"]["schemas"]["Pet"]
    assert pet["discriminator"] == {"propertyName": "kind"}
    assert pet["properties"]["name"] == {"type": "string", "nullable": True}
    assert pet["properties"]["owner"] == {
        "nullable": True,
        "description": "Who.",
        "allOf": [{"$ref": "#/components/schemas/Person"}],
    }
    assert pet["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert pet["properties"]["extra"]["additionalProperties"] == {"$ref": "#/components/schemas/Tag"}
    assert pet["properties"]["$ref"] == {"type": "string"}, "a property named $ref is a property"
    assert pet["allOf"] == [{"$ref": "#/components/schemas/Base"}]
    assert pet["x-go-name"] == "Pet"
    assert document["components"]["schemas"]["Tag"] == {"type": "string"}


# ---- responses ------------------------------------------------------------------------------------------


def test_a_response_schema_becomes_content_for_each_produced_media_type():
    response = {"description": "the thing", "schema": {"$ref": "#/definitions/Thing"}}
    own = operation(
        {"produces": ["application/json", "application/xml"], "responses": {"200": response}},
        definitions=THING,
        produces=["text/plain"],
    )
    assert list(own["responses"]["200"]["content"]) == ["application/json", "application/xml"]
    inherited = operation({"responses": {"200": response}}, definitions=THING, produces=["application/xml"])
    assert list(inherited["responses"]["200"]["content"]) == ["application/xml"]
    default = operation({"responses": {"200": response}}, definitions=THING)
    assert default["responses"]["200"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
    }


def test_a_response_without_a_schema_has_no_content():
    op = operation({"produces": ["application/json"], "responses": {"204": {"description": "gone"}}})
    assert op["responses"]["204"] == {"description": "gone"}


def test_a_file_response_is_a_binary_string():
    op = operation(
        {
            "produces": ["application/octet-stream"],
            "responses": {"200": {"description": "f", "schema": {"type": "file"}}},
        },
        method="get",
    )
    assert op["responses"]["200"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }


def test_response_headers_and_examples():
    response = {
        "description": "ok",
        "schema": {"type": "object"},
        "headers": {"X-Rate-Limit": {"type": "integer", "format": "int32", "description": "Calls left."}},
        "examples": {"application/json": {"id": 1}, "text/plain": "id=1"},
        "x-cache": "none",
    }
    (converted_response,) = operation({"responses": {"200": response}}, method="get")["responses"].values()
    assert converted_response["headers"] == {
        "X-Rate-Limit": {"description": "Calls left.", "schema": {"type": "integer", "format": "int32"}}
    }
    assert converted_response["content"] == {
        "application/json": {"schema": {"type": "object"}, "example": {"id": 1}},
        "text/plain": {"schema": {"type": "object"}, "example": "id=1"},
    }
    assert converted_response["x-cache"] == "none"


def test_a_response_without_a_description_gets_an_empty_one():
    op = operation({"responses": {"default": {"schema": {"type": "string"}}}}, method="get")
    assert op["responses"]["default"]["description"] == ""


# ---- security -------------------------------------------------------------------------------------------


def test_security_definitions_become_security_schemes():
    document = converted(
        securityDefinitions={
            "basic": {"type": "basic", "description": "User and password."},
            "key": {"type": "apiKey", "name": "token", "in": "query"},
            "implicit": {
                "type": "oauth2",
                "flow": "implicit",
                "authorizationUrl": "https://auth.example/authorize",
                "scopes": {"read": "Read things."},
            },
            "password": {
                "type": "oauth2",
                "flow": "password",
                "tokenUrl": "https://auth.example/token",
                "scopes": {},
            },
            "application": {
                "type": "oauth2",
                "flow": "application",
                "tokenUrl": "https://auth.example/token",
                "scopes": {"admin": "All."},
            },
            "accessCode": {
                "type": "oauth2",
                "flow": "accessCode",
                "authorizationUrl": "https://auth.example/authorize",
                "tokenUrl": "https://auth.example/token",
                "scopes": {"read": "Read things."},
            },
        },
        security=[{"key": []}, {"implicit": ["read"]}],
    )
    schemes = document["components"]["securitySchemes"]
    assert schemes["basic"] == {"type": "http", "scheme": "basic", "description": "User and password."}
    assert schemes["key"] == {"type": "apiKey", "name": "token", "in": "query"}
    assert schemes["implicit"]["flows"] == {
        "implicit": {"authorizationUrl": "https://auth.example/authorize", "scopes": {"read": "Read things."}}
    }
    assert schemes["password"]["flows"] == {
        "password": {"tokenUrl": "https://auth.example/token", "scopes": {}}
    }
    assert schemes["application"]["flows"] == {
        "clientCredentials": {"tokenUrl": "https://auth.example/token", "scopes": {"admin": "All."}}
    }
    assert schemes["accessCode"]["flows"] == {
        "authorizationCode": {
            "authorizationUrl": "https://auth.example/authorize",
            "tokenUrl": "https://auth.example/token",
            "scopes": {"read": "Read things."},
        }
    }
    assert document["security"] == [{"key": []}, {"implicit": ["read"]}]


def test_an_unknown_oauth2_flow_is_a_warning():
    found = warnings(securityDefinitions={"o": {"type": "oauth2", "flow": "device", "scopes": {}}})
    assert any("/securityDefinitions/o: oauth2 flow 'device'" in w for w in found)


# ---- through load_spec and the CLI ----------------------------------------------------------------------


def write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document))
    return path


PETS = {
    "swagger": "2.0",
    "info": {"title": "Pets", "version": "1"},
    "host": "pets.example",
    "basePath": "/v1",
    "schemes": ["https"],
    "securityDefinitions": {"key": {"type": "apiKey", "name": "X-Key", "in": "header"}},
    "security": [{"key": []}],
    "paths": {
        "/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "type": "integer"}],
            "get": {
                "operationId": "getPet",
                "produces": ["application/json"],
                "responses": {"200": {"description": "a pet", "schema": {"$ref": "#/definitions/Pet"}}},
            },
        }
    },
    "definitions": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}},
}


def test_load_spec_converts_and_says_so(tmp_path):
    spec = load_spec(str(write(tmp_path, PETS)))
    assert spec.version == "3.0.3"
    assert spec.document["openapi"] == "3.0.3"
    assert [w.message for w in spec.warnings if "converted from Swagger 2.0" in w.message]
    project = build_project(spec, BuildOptions()).project
    (tool,) = project.tools
    assert tool.operation_id == "getPet"
    assert [(p.name, p.location, p.required) for p in tool.params] == [("id", "path", True)]
    assert project.base_url == "https://pets.example/v1"
    assert project.auth.pattern == "api-key" and project.auth.api_key.name == "X-Key"


def test_errors_point_into_the_swagger_file_as_written(tmp_path):
    broken = copy.deepcopy(PETS)
    broken["paths"]["/pets/{id}"]["get"]["responses"]["200"]["schema"] = {"$ref": "#/definitions/Missing"}
    with pytest.raises(MCPGenError) as caught:
        load_spec(str(write(tmp_path, broken)))
    assert caught.value.pointer == "/paths/~1pets~1{id}/get/responses/200/schema/$ref"


def test_the_cli_generates_from_swagger_2(tmp_path):
    result = CliRunner().invoke(
        app, ["from-openapi", str(write(tmp_path, PETS)), "-o", str(tmp_path / "out"), "--dry-run", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [t["name"] for t in summary["tools"]] == ["get_pet"]
    assert any("converted from Swagger 2.0" in w for w in summary["warnings"])


# ---- real specs -----------------------------------------------------------------------------------------


def build(name: str):
    spec = load_spec(str(shared_spec(name)))
    return spec, build_project(spec, BuildOptions()).project


def test_petstore_swagger2():
    spec, project = build("petstore-swagger2.json")
    assert len(project.tools) == 20 and project.skipped == []
    upload = next(t for t in project.tools if t.operation_id == "uploadFile")
    assert upload.content_type == "multipart/form-data" and upload.file_fields == ["file"]
    form = spec.document["paths"]["/pet/{petId}/uploadImage"]["post"]["requestBody"]["content"]
    assert form["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    update = next(t for t in project.tools if t.operation_id == "updatePetWithForm")
    assert update.content_type == "application/x-www-form-urlencoded"
    add = next(t for t in project.tools if t.operation_id == "addPet")
    assert add.request_body == "json" and add.content_type == "application/json"
    body = spec.document["paths"]["/pet"]["post"]["requestBody"]
    assert body["required"] is True and list(body["content"]) == ["application/json", "application/xml"]
    assert project.base_url == "http://petstore.swagger.io/v2"
    schemes = spec.document["components"]["securitySchemes"]
    assert schemes["petstore_auth"]["flows"]["implicit"]["scopes"] == {
        "read:pets": "read your pets",
        "write:pets": "modify pets in your account",
    }


def test_gitea_swagger2():
    spec, project = build("gitea-swagger2.json")
    assert len(project.tools) == 269 and project.skipped == []
    schemes = spec.document["components"]["securitySchemes"]
    assert schemes["AccessToken"] == {"type": "apiKey", "name": "access_token", "in": "query"}
    assert schemes["Token"] == {"type": "apiKey", "name": "token", "in": "query"}
    assert schemes["BasicAuth"] == {"type": "http", "scheme": "basic"}
    assert project.auth.pattern == "api-key" and project.auth.api_key.location == "query"
    assert spec.document["servers"] == [{"url": "/api/v1"}]
    attachment = next(t for t in project.tools if t.file_fields)
    assert attachment.content_type == "multipart/form-data" and attachment.file_fields == ["attachment"]
    original = json.loads(shared_spec("gitea-swagger2.json").read_text())
    assert list(spec.document["components"]["responses"]) == list(original["responses"])


@pytest.mark.slow
def test_kubernetes_swagger2():
    spec, project = build("kubernetes.json")
    assert len(project.tools) == 1123 and project.skipped == []
    item = spec.document["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]
    assert {"$ref": "#/components/parameters/pretty-tJGM1-ng"} in item["parameters"]
    read = next(t for t in project.tools if t.operation_id == "readCoreV1NamespacedPod")
    assert [(p.wire, p.location) for p in read.params if p.required] == [
        ("name", "path"),
        ("namespace", "path"),
    ]
    assert "pretty" in [p.wire for p in read.params]
    patch = next(t for t in project.tools if t.operation_id == "patchCoreV1NamespacedPod")
    assert patch.content_type == "application/json-patch+json" and patch.body_param == "body"
    assert "application/merge-patch+json" in item["patch"]["requestBody"]["content"]


@pytest.mark.slow
def test_petstore_swagger2_generates_a_project_whose_tests_pass(tmp_path):
    out = tmp_path / "petstore"
    result = CliRunner().invoke(
        app, ["from-openapi", str(shared_spec("petstore-swagger2.json")), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "converted from Swagger 2.0" in result.stderr
    summary = run_project_tests(out)
    assert " passed" in summary and "failed" not in summary, summary


QUIRKS = Path(__file__).parent / "breadth" / "swagger2_quirks.json"


def test_items_written_as_a_list_is_converted_with_a_warning():
    """Slack's spec writes `items: [ ... ]` in 30 places; the refs inside must be converted too."""
    prepared = prepare(Request(spec=str(QUIRKS), out=Path(".")))
    members = prepared.project.tools[0]
    assert [p.wire for p in members.params] == ["channel", "teams"]
    warned = [w for w in prepared.warnings if "items is written as a list" in w]
    assert len(warned) == 3, prepared.warnings
    assert any("of 2 schemas; read as any one of them (oneOf)" in w for w in warned)


def test_a_ref_left_in_a_construct_mcpgen_does_not_convert_is_named(tmp_path):
    spec = json.loads(QUIRKS.read_text())
    spec["definitions"]["defs_user_id"] = {
        "type": "object",
        "patternProperties": {"^x-": {"$ref": "#/definitions/defs_workspace_id"}},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(MCPGenError) as raised:
        load_spec(str(path))
    message = str(raised.value)
    assert "'#/definitions/defs_workspace_id' is inside `^x-`, which mcpgen does not convert" in message
    assert "#/components/schemas/defs_user_id/patternProperties/^x-/$ref" in message


def test_a_spec_with_list_form_items_generates(tmp_path):
    result = generate(Request(spec=str(QUIRKS), out=tmp_path / "out"))
    assert [tool.name for tool in result.project.tools] == ["conversations_members"]
    assert (tmp_path / "out" / "src" / "server.py").is_file()
