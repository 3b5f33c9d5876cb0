"""A generated server sends every tool's schemas with their `$ref`s inlined, and inlines a tool's schemas
once, when add_tool registers it: FastMCP's own inlining walked every tool again on each tools/list page."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_exposure import generated

# Counts every call of FastMCP's dereference_refs, from each module that holds it, while the server starts
# without its record (every tool derived), a tool and a resource template are added by hand, and the tools are
# listed twice.
LISTING = """
import asyncio, json
from enum import Enum

import fastmcp.server.middleware.dereference as fastmcp_dereference
import fastmcp.utilities.json_schema as json_schema
from fastmcp import Client
from pydantic import BaseModel

import src.tool_schemas as tool_schemas

calls = []


def counted(real):
    def dereference_refs(schema):
        calls.append(json.dumps(schema, sort_keys=True))
        return real(schema)

    return dereference_refs


for module in (json_schema, fastmcp_dereference, tool_schemas):
    module.dereference_refs = counted(module.dereference_refs)

from src.server import mcp


class Note(BaseModel):
    text: str


class Shelf(str, Enum):
    TOP = "top"
    BOTTOM = "bottom"


@mcp.tool
def pin_note(note: Note) -> Note:
    return note


@mcp.resource("notes://{shelf}")
def shelved_notes(shelf: Shelf) -> str:
    return shelf.value


registered = len(calls)


async def listing():
    async with Client(mcp) as client:
        tools = await client.list_tools()
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]


first = asyncio.run(listing())
second = asyncio.run(listing())
listed = len(calls) - registered
templates = asyncio.run(mcp.list_resource_templates())
print(json.dumps({
    "registered": registered,
    "listing": listed,
    "refs": "$ref" in json.dumps(first),
    "template_refs": "$ref" in json.dumps([template.parameters for template in templates]),
    "same": first == second,
    "inlined_again": len(calls) - len(set(calls)),
    "tools": len(first),
}))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("listing") / "todo"
    generated(out, "--tools", "all")
    return out


def test_each_schema_is_inlined_once_at_registration_and_a_hand_added_tool_on_listing(project, tmp_path):
    derived = tmp_path / "todo"
    shutil.copytree(project, derived)
    (derived / "src" / "tool_schemas.json").write_text("{}", encoding="utf-8")  # every tool derived at start

    done = subprocess.run(
        [sys.executable, "-c", LISTING], cwd=derived, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert found["tools"] == 7 and found["same"]
    assert not found["refs"]  # clients that cannot follow `$ref` read every schema
    assert not found["template_refs"]  # a resource template added by hand, as FastMCP would inline it
    assert found["registered"] > 0  # the todo tools' models, inlined when add_tool registered them
    assert found["inlined_again"] == 0  # a schema several tools share (a Task answer) is inlined once
    assert found["listing"] == 1  # only the tool added with `mcp.tool`, on the first listing


def test_a_server_started_from_its_record_lists_what_it_recorded(project):
    tools = subprocess.run(
        [sys.executable, "-m", "src.surface", "--tools"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tools.returncode == 0, tools.stderr
    listed = {tool["name"]: tool for tool in json.loads(tools.stdout.strip().splitlines()[-1])}
    recorded = json.loads((project / "src" / "tool_schemas.json").read_text(encoding="utf-8"))["tools"]

    assert listed.keys() == recorded.keys()
    for name, entry in recorded.items():
        assert listed[name]["inputSchema"] == entry["input"], name
        assert listed[name].get("outputSchema") == entry["output"], name


def test_what_the_server_made_at_start_is_frozen_out_of_the_collectors_walks(project):
    """Each full collection walked every module, model, tool and schema made at start, through each page of
    tools/list too (letta in `all` mode: 0.45 s to list against 0.28 s)."""
    check = (
        "import gc\n"
        "from src.server import mcp\n"
        "print(gc.get_freeze_count() > 0, any(o is mcp for o in gc.get_objects()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=project, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]
