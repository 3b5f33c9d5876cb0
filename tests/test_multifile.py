"""Specs split across files (issue 21): relative file refs are part of the spec, each resolved against the
file that holds it; a schema that refers to itself across files is an ordinary recursive model; a ref that
climbs out of the spec's folder is refused unless allowed."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, generate, prepare
from mcpgen.spec import load_spec
from tests.generated import clean_env

SPLIT = Path(__file__).parent / "breadth" / "multifile"


@pytest.fixture(scope="module")
def project():
    return prepare(Request(spec=str(SPLIT / "openapi.yaml"), out=Path("."))).project


def test_every_operation_of_every_file_becomes_a_tool(project):
    assert sorted(tool.name for tool in project.tools) == [
        "droplets_create",
        "droplets_destroy",
        "droplets_get",
        "droplets_list",
    ]
    listed = next(tool for tool in project.tools if tool.name == "droplets_list")
    assert [(p.wire, p.location) for p in listed.params] == [("per_page", "query")]


def test_a_schema_that_refers_to_itself_across_files_is_a_recursive_model():
    schemas = load_spec(str(SPLIT / "openapi.yaml")).document["components"]["schemas"]
    droplet = schemas["droplet"]["properties"]
    assert droplet["snapshots"]["items"] == {"$ref": "#/components/schemas/droplet"}
    # definitions.yml's own "#/apiAgent", from a file in another folder than the spec's.
    assert droplet["agent"] == {"$ref": "#/components/schemas/apiAgent"}
    assert schemas["apiAgent"]["properties"]["parent"] == {"$ref": "#/components/schemas/apiAgent"}
    # A "#/components/..." inside resources/droplets/droplets_create.yml means that file's components.
    assert set(schemas["droplet_create"]["required"]) == {"name", "size"}


def test_a_ref_in_place_of_a_map_of_properties_brings_the_map():
    networks = load_spec(str(SPLIT / "openapi.yaml")).document["components"]["schemas"]["droplet"]
    assert set(networks["properties"]["networks"]["properties"]) == {"v4", "v6", "created_at"}


def test_a_warning_about_another_file_names_that_file():
    warnings = [str(w) for w in load_spec(str(SPLIT / "openapi.yaml")).warnings]
    assert warnings == [
        "models/networks.yml#/created_at/example: 1 unquoted YAML date was read as text, the first here; "
        "quote dates to keep them text"
    ]


def test_bundling_is_deterministic():
    first, second = (load_spec(str(SPLIT / "openapi.yaml")).document for _ in range(2))
    assert json.dumps(first) == json.dumps(second)


def test_a_ref_that_climbs_out_of_the_specs_folder_is_refused_unless_allowed(tmp_path):
    spec = tmp_path / "spec"
    shutil.copytree(SPLIT, spec)
    (tmp_path / "outside.yml").write_text("type: object\nproperties:\n  secret: {type: string}\n")
    model = spec / "models" / "definitions.yml"
    model.write_text(model.read_text() + "secret:\n  $ref: ../../outside.yml\n")
    droplet = spec / "models" / "droplet.yml"
    droplet.write_text(droplet.read_text() + "  secret:\n    $ref: definitions.yml#/secret\n")

    with pytest.raises(MCPGenError) as refused:
        load_spec(str(spec / "openapi.yaml"))

    message = str(refused.value)
    where = "models/definitions.yml#/secret/$ref"
    assert message.startswith(f"{where}: the $ref '../../outside.yml' points outside the spec's folder")
    assert "--allow-remote-refs" in message
    allowed = load_spec(str(spec / "openapi.yaml"), allow_remote_refs=True).document
    assert allowed["components"]["schemas"]["secret"]["properties"] == {"secret": {"type": "string"}}


def test_a_ref_to_a_missing_file_names_the_file_that_holds_it(tmp_path):
    spec = tmp_path / "spec"
    shutil.copytree(SPLIT, spec)
    (spec / "models" / "parameters.yml").unlink()
    with pytest.raises(MCPGenError) as missing:
        load_spec(str(spec / "openapi.yaml"))
    assert str(missing.value).startswith(
        "resources/droplets/droplets_list.yml#/parameters/0/$ref: the $ref "
        "'../../models/parameters.yml#/per_page' names a file that does not exist"
    )


@pytest.mark.slow
def test_a_split_spec_generates_a_server_that_lists_its_tools(tmp_path):
    out = tmp_path / "cloud"
    generate(Request(spec=str(SPLIT / "openapi.yaml"), out=out))
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import asyncio\nfrom src.server import mcp\n"
            "print(sorted(t.name for t in asyncio.run(mcp.list_tools())))",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "droplets_create" in listed.stdout and "droplets_destroy" in listed.stdout
