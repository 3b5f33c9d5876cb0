"""mcpgen.yaml `transform`: tools shaped for the assistant in their generated code, kept by every update, and
refused with a pointer and a fix when a value would make bad code or no longer matches the API."""

import ast
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mcpgen.cli import app
from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, prepare
from tests.generated import run_project_tests

TICKETS = Path(__file__).parent / "transform" / "tickets.yaml"
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
runner = CliRunner()

# The example.
EXAMPLE = {
    "create_ticket": {
        "title": "Open a support ticket",
        "arguments": {
            "title": {"rename": "summary", "description": "One line that says what is wrong"},
            "priority": {"hide": True, "default": "high"},
            "tags": {"default": ["web"]},
        },
        "annotations": {"openWorldHint": False},
    }
}


def prepared(transform: dict):
    return prepare(Request(spec=str(TICKETS), out=Path("."), transform=transform))


def tool_of(answers, name: str):
    return next(tool for tool in answers.tools if tool.name == name)


def test_the_example_shapes_the_tools_answers():
    answers = prepared(EXAMPLE).answers
    tool = tool_of(answers, "create_ticket")
    params = {key: answers.parameters[key] for key in tool.params}
    assert [p.name for p in params.values()] == ["summary", "tags"]
    summary = next(p for p in params.values() if p.name == "summary")
    assert (summary.wire, summary.required, summary.description) == (
        "title",
        True,
        "One line that says what is wrong",
    )
    tags = next(p for p in params.values() if p.name == "tags")
    assert (tags.required, tags.fallback) == (False, ["web"])
    assert [(f.wire, f.location, f.value) for f in tool.fixed] == [("priority", "field", "high")]
    assert tool.title == "Open a support ticket" and tool.hints == {"openWorldHint": False}


def test_a_hidden_argument_may_come_from_a_setting():
    answers = prepared({"list_tickets": {"arguments": {"q": {"hide": True, "default_from": "TICKET_QUERY"}}}})
    tool = tool_of(answers.answers, "list_tickets")
    assert tool.params == [] and [(f.wire, f.setting) for f in tool.fixed] == [("q", "TICKET_QUERY")]
    assert [(s.name, s.type) for s in answers.answers.settings] == [("TICKET_QUERY", "str")]


def test_an_argument_is_named_by_its_wire_name_too_and_a_default_makes_it_optional():
    answers = prepared({"get_ticket": {"arguments": {"ticket_id": {"default": "T-1"}}}}).answers
    (key,) = tool_of(answers, "get_ticket").params
    assert (answers.parameters[key].required, answers.parameters[key].default) == (False, "T-1")


ARGS = "mcpgen.yaml#/transform/create_ticket/arguments"


def server_settings() -> set[str]:
    """Every setting the golden projects' config modules read (the Settings fields, as environment names)."""
    names = set()
    for config in Path(__file__).parent.glob("golden/*/expected/**/config.py"):
        for node in ast.walk(ast.parse(config.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name == "Settings":
                names |= {item.target.id.upper() for item in node.body if isinstance(item, ast.AnnAssign)}
    return names


@pytest.mark.parametrize("setting", sorted(server_settings()))
def test_no_hidden_argument_takes_a_setting_the_server_reads_itself(setting):
    """transform.py keeps its own list of the server's settings; a setting added to config.py must join it."""
    with pytest.raises(MCPGenError, match="the server's own settings"):
        prepared({"create_ticket": {"arguments": {"title": {"hide": True, "default_from": setting}}}})


@pytest.mark.parametrize(
    ("transform", "where", "says"),
    [
        ({"title": {"rename": "two words"}}, f"{ARGS}/title/rename", "not a lower-case Python identifier"),
        ({"title": {"rename": "class"}}, f"{ARGS}/title/rename", "reserved Python name"),
        ({"title": {"rename": "Ticket"}}, f"{ARGS}/title/rename", "not a lower-case Python identifier"),
        ({"title": {"rename": "get_settings"}}, f"{ARGS}/title/rename", "name the generated code uses"),
        ({"title": {"rename": "ctx"}}, f"{ARGS}/title/rename", "name the generated code uses"),
        ({"title": {"rename": "tags"}}, f"{ARGS}/title/rename", "'tags' is already an argument"),
        ({"priority": {"hide": True}}, f"{ARGS}/priority:", "hides the required argument 'priority'"),
        (
            {"priority": {"default": "urgent"}},
            f"{ARGS}/priority/default",
            "not a value of the argument's type",
        ),
        ({"tags": {"default": "web"}}, f"{ARGS}/tags/default", "not a value of the argument's type"),
        ({"tags": {"default": [1]}}, f"{ARGS}/tags/default", "not a value of the argument's type"),
        ({"title": {"renam": "summary"}}, f"{ARGS}/title/renam", "unknown key 'renam'"),
        ({"status": {"hide": True}}, f"{ARGS}/status", "create_ticket has no argument 'status'"),
        ({"priority": {"hide": "yes"}}, f"{ARGS}/priority/hide", "not true or false"),
        ({"priority": {"default_from": "PRIORITY"}}, f"{ARGS}/priority/default_from", "hidden argument"),
        (
            {"priority": {"hide": True, "default_from": "priority"}},
            f"{ARGS}/priority/default_from",
            "not a setting name",
        ),
        (
            {"priority": {"hide": True, "default_from": "BACKEND_URL"}},
            f"{ARGS}/priority/default_from",
            "the server's own settings",
        ),
        (
            {"tags": {"hide": True, "default_from": "TAGS"}},
            f"{ARGS}/tags/default_from",
            "cannot be read from a setting",
        ),
    ],
)
def test_a_bad_argument_transformation_is_refused_with_its_pointer_and_a_fix(transform, where, says):
    with pytest.raises(MCPGenError) as error:
        prepared({"create_ticket": {"arguments": transform}})
    message = str(error.value)
    assert where in message and says in message and "(" in message  # the hint, in parentheses
    assert "\n" not in message


@pytest.mark.parametrize(
    ("transform", "where", "says"),
    [
        ({"create_tickets": {"title": "x"}}, "#/transform/create_tickets:", "not a tool of this project"),
        ({"create_ticket": {"titel": "x"}}, "#/transform/create_ticket/titel", "unknown key 'titel'"),
        ({"create_ticket": {"title": ""}}, "#/transform/create_ticket/title", "is not a text"),
        (
            {"create_ticket": {"annotations": {"readOnly": True}}},
            "#/transform/create_ticket/annotations/readOnly",
            "unknown key",
        ),
        (
            {"create_ticket": {"annotations": {"readOnlyHint": "yes"}}},
            "#/transform/create_ticket/annotations/readOnlyHint",
            "not true or false",
        ),
    ],
)
def test_a_bad_tool_transformation_is_refused_with_its_pointer(transform, where, says):
    with pytest.raises(MCPGenError) as error:
        prepared(transform)
    assert where in str(error.value) and says in str(error.value)


# A test the project runs with its own fixtures: the in-memory client and the backend mock.
CALLS = """
import json

from src.server import mcp


async def test_tools_list_shows_the_transformed_tool(client):
    tool = next(t for t in await client.list_tools() if t.name == "create_ticket")
    assert set(tool.inputSchema["properties"]) == {"summary", "tags"}
    assert tool.inputSchema["required"] == ["summary"]
    assert tool.inputSchema["properties"]["summary"]["description"] == "One line that says what is wrong"
    # The signature's default is None (a list default would be shared by calls): the description says it.
    assert tool.inputSchema["properties"]["tags"]["description"] == 'Default when left out: ["web"].'
    assert tool.title == "Open a support ticket"
    assert tool.annotations.openWorldHint is False


async def test_the_backend_gets_the_wire_names_and_the_hidden_value(backend_mock, client):
    backend_mock.reply(status=201, json={"id": "T-1", "title": "Printer on fire"})
    result = await client.call_tool("create_ticket", {"summary": "Printer on fire"}, raise_on_error=False)
    assert not result.is_error, result.content
    sent = json.loads(backend_mock.last.content)
    assert sent == {"title": "Printer on fire", "priority": "high", "tags": ["web"]}
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def mcpgen(*args) -> object:
    return runner.invoke(app, [str(a) for a in args])


def commit(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message)


def changed_spec(tmp_path: Path, name: str, change) -> Path:
    spec = yaml.safe_load(TICKETS.read_text())
    change(spec)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def check_calls(project: Path) -> None:
    test = project / "tests" / "test_transformed_calls.py"
    test.write_text(CALLS)
    try:
        assert "2 passed" in run_project_tests(project, "tests/test_transformed_calls.py")
    finally:
        test.unlink()


def body_properties(spec: dict) -> dict:
    return spec["paths"]["/tickets"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"
    ]


@pytest.mark.slow
def test_the_example_reaches_the_generated_server_and_survives_updates(tmp_path):
    project = tmp_path / "project"
    result = mcpgen("from-openapi", TICKETS, "-o", project)
    assert result.exit_code == 0, result.output
    git(project, "init", "-q")
    commit(project, "generated")
    options = yaml.safe_load((project / "mcpgen.yaml").read_text())
    options["transform"] = EXAMPLE
    (project / "mcpgen.yaml").write_text(yaml.safe_dump(options, sort_keys=False))
    commit(project, "transform")

    result = mcpgen("update", project)
    assert result.exit_code == 0, result.output
    code = (project / "src" / "tools.py").read_text()
    assert '"title": summary' in code and '"priority": "high"' in code
    lock = json.loads((project / "mcp-tools.lock").read_text())
    assert (
        next(t for t in lock["tools"] if t["name"] == "create_ticket")["annotations"]["openWorldHint"]
        is False
    )
    schemas = json.loads((project / "src" / "tool_schemas.json").read_text())
    recorded = json.dumps(schemas)
    assert '"summary"' in recorded
    check_calls(project)
    run_project_tests(project)
    commit(project, "updated")

    # The API changes: a new optional field. The transformation is kept, and still generated into the code.
    grown = changed_spec(
        tmp_path, "grown.yaml", lambda spec: body_properties(spec).update({"due": {"type": "string"}})
    )
    result = mcpgen("update", project, "--spec", grown)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((project / "mcpgen.yaml").read_text())["transform"] == EXAMPLE
    assert "due" in (project / "src" / "tools.py").read_text()
    check_calls_grown = CALLS.replace('{"summary", "tags"}', '{"summary", "tags", "due"}')
    test = project / "tests" / "test_transformed_calls.py"
    test.write_text(check_calls_grown)
    assert "2 passed" in run_project_tests(project, "tests/test_transformed_calls.py")
    test.unlink()
    commit(project, "grown")

    # A bad value is refused by the update too, with its pointer, and nothing is written.
    options["transform"] = {"create_ticket": {"arguments": {"title": {"rename": "class"}}}}
    (project / "mcpgen.yaml").write_text(yaml.safe_dump(options, sort_keys=False))
    commit(project, "bad transform")
    result = mcpgen("update", project)
    assert result.exit_code != 0
    assert "mcpgen.yaml#/transform/create_ticket/arguments/title/rename" in result.output
    assert git(project, "status", "--porcelain") == ""
    options["transform"] = EXAMPLE
    (project / "mcpgen.yaml").write_text(yaml.safe_dump(options, sort_keys=False))
    commit(project, "transform again")

    # The API drops the hidden argument: the update stops, names the entry, and writes nothing.
    shrunk = changed_spec(tmp_path, "shrunk.yaml", lambda spec: body_properties(spec).pop("priority"))
    result = mcpgen("update", project, "--spec", shrunk)
    assert result.exit_code != 0
    assert "mcpgen.yaml#/transform/create_ticket/arguments/priority" in result.output
    (error,) = [line for line in result.output.splitlines() if line.startswith("error")]
    assert "has no argument 'priority' (its arguments are: title, tags;" in error
    assert git(project, "status", "--porcelain") == ""


# Code mode reaches each operation through its tool function: the program sees the transformed signature.
CODE_MODE_CALLS = """
import json


async def test_describe_and_execute_see_the_transformed_tool(backend_mock, client):
    described = await client.call_tool("describe_operation", {"name": "create_ticket"})
    info = json.loads(described.content[0].text)
    assert set(info["input_schema"]["properties"]) == {"summary", "tags"}
    assert info["title"] == "Open a support ticket" and info["annotations"]["idempotentHint"] is True

    backend_mock.reply(status=201, json={"id": "T-1", "title": "Printer on fire"})
    program = 'await create_ticket(summary="Printer on fire")'
    result = await client.call_tool("execute", {"code": program}, raise_on_error=False)
    assert not result.is_error, result.content
    sent = json.loads(backend_mock.last.content)
    assert sent == {"title": "Printer on fire", "priority": "high", "tags": ["web"]}


async def test_a_hidden_argument_sends_its_setting(backend_mock, client, monkeypatch):
    backend_mock.reply(status=200, json=[])
    result = await client.call_tool("execute", {"code": "await list_tickets()"}, raise_on_error=False)
    assert not result.is_error, result.content
    assert backend_mock.last.url.params["q"] == "report"  # the value the project's conftest sets
"""


@pytest.mark.slow
def test_code_mode_and_a_setting_backed_argument_in_a_generated_project(tmp_path):
    project = tmp_path / "project"
    transform = json.loads(json.dumps(EXAMPLE))
    transform["create_ticket"]["annotations"]["idempotentHint"] = True
    transform["list_tickets"] = {"arguments": {"q": {"hide": True, "default_from": "TICKET_QUERY"}}}
    result = mcpgen("from-openapi", TICKETS, "-o", project, "--tools", "code")
    assert result.exit_code == 0, result.output
    options = yaml.safe_load((project / "mcpgen.yaml").read_text())
    git(project, "init", "-q")
    commit(project, "generated")
    options["transform"] = transform
    (project / "mcpgen.yaml").write_text(yaml.safe_dump(options, sort_keys=False))
    commit(project, "transform")
    result = mcpgen("update", project)
    assert result.exit_code == 0, result.output
    assert "TICKET_QUERY=" in (project / ".env.example").read_text()
    assert "ticket_query: str" in (project / "src" / "config.py").read_text()
    # mcpgen diff reads the spec with the project's transform: nothing differs.
    assert "no change" in mcpgen("diff", project, TICKETS).output
    test = project / "tests" / "test_transformed_calls.py"
    test.write_text(CODE_MODE_CALLS)
    assert "2 passed" in run_project_tests(project, "tests/test_transformed_calls.py")
    test.unlink()
    run_project_tests(project)


HOSTILE = '"""); import os; os.system("x") #\\ {{ title }} \'\'\''


def test_hostile_text_reaches_the_code_only_as_checked_literals(tmp_path):
    from mcpgen.generate import generate

    transform = {
        "create_ticket": {
            "title": HOSTILE,
            "description": HOSTILE,
            "arguments": {
                "title": {"description": HOSTILE, "default": HOSTILE},
                "priority": {"hide": True, "default": "high"},
            },
        }
    }
    out = tmp_path / "project"
    generate(Request(spec=str(TICKETS), out=out, transform=transform))
    code = (out / "src" / "tools.py").read_text()
    tree = ast.parse(code)
    # Every hostile text is a string constant (the default, descriptions, the docstring), never code.
    assert not any(isinstance(node, ast.Attribute) and node.attr == "system" for node in ast.walk(tree))
    assert not any(isinstance(node, ast.Import) for node in ast.walk(tree))
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert HOSTILE in strings  # the default, exactly
    assert sum("os.system" in text for text in strings) >= 3  # the default, its description, the docstring
    server = ast.parse((out / "src" / "server.py").read_text())
    assert not any(isinstance(node, ast.Attribute) and node.attr == "system" for node in ast.walk(server))
