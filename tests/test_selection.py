"""Choosing the tools: tag, path and operation filters, deprecation, --max-tools, and the renames and
descriptions of mcpgen.yaml. Each option's effect is checked on the tools it yields."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mcpgen.cli import app
from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, prepare
from mcpgen.ir import Candidate, SelectOptions, path_matches, select

TODO = Path(__file__).parents[1] / "examples" / "todo_backend" / "openapi.json"
runner = CliRunner()


def tools(**options) -> list[str]:
    return [t.name for t in prepare(Request(spec=str(TODO), out=Path("."), **options)).project.tools]


def prepared(**options):
    return prepare(Request(spec=str(TODO), out=Path("."), **options))


@pytest.mark.parametrize(
    ("pattern", "method", "path", "matches"),
    [
        ("/v1/agents/*", "get", "/v1/agents/{agent_id}", True),
        ("/v1/agents/*", "get", "/v1/agents/{agent_id}/tools", False),
        ("/v1/agents/*", "get", "/v1/agents", False),
        ("/v1/agents/**", "get", "/v1/agents", True),
        ("/v1/agents/**", "get", "/v1/agents/{agent_id}/tools/{tool_id}", True),
        ("/v1/**/tools", "get", "/v1/agents/{agent_id}/tools", True),
        ("/v1/**/tools", "get", "/v1/tools", True),
        ("/v1/agent?", "get", "/v1/agents", True),
        ("**", "post", "/anything/at/all", True),
        ("DELETE /v1/**", "delete", "/v1/agents/{agent_id}", True),
        ("DELETE /v1/**", "get", "/v1/agents/{agent_id}", False),
        ("/v1/agents/", "get", "/v1/agents", True),
        ("/v1/a.c", "get", "/v1/abc", False),
    ],
)
def test_path_globs(pattern, method, path, matches):
    assert path_matches(pattern, method, path) is matches


def test_path_filters_choose_operations_and_method_prefixes_narrow_them():
    assert tools(include_paths=["/tasks/*"]) == ["get_task", "delete_task", "update_task"]
    assert tools(exclude_paths=["/tasks/*/**"]) == ["list_tasks", "create_task"]
    assert tools(exclude_paths=["DELETE /tasks/*", "PATCH /**"]) == [
        "list_tasks",
        "create_task",
        "get_task",
        "mark_completed",
    ]


def test_operations_are_named_by_operation_id_or_tool_name():
    assert tools(include_operations=["get_task", "mark_completed"]) == ["get_task", "mark_completed"]
    assert tools(exclude_operations=["delete_task", "update_task"]) == [
        "list_tasks",
        "create_task",
        "get_task",
        "mark_completed",
    ]
    # A named operation joins what the tags and paths include, and beats their exclusions.
    assert tools(include_paths=["/tasks"], include_operations=["get_task"]) == [
        "list_tasks",
        "create_task",
        "get_task",
    ]
    assert tools(exclude_tags=["tasks"], include_paths=["**"], include_operations=["get_task"]) == [
        "get_task"
    ]


def test_a_renamed_tool_is_named_by_its_new_name_too():
    assert tools(rename={"get_task": "fetch_task"}, exclude_operations=["fetch_task"]) == [
        "list_tasks",
        "create_task",
        "delete_task",
        "update_task",
        "mark_completed",
    ]


def test_an_operation_both_included_and_excluded_is_an_error():
    with pytest.raises(MCPGenError, match="both included"):
        tools(include_operations=["get_task"], exclude_operations=["get_task"])


def test_filters_that_match_nothing_are_named_in_warnings():
    result = prepared(
        include_paths=["/tasks/*", "/taks/*"],
        exclude_operations=["delete_tsk"],
        include_tags=["tasks", "Taskz"],
    )
    text = "\n".join(result.warnings)
    assert "'/taks/*' (include_paths) matches no operation" in text
    assert "'delete_tsk' (exclude_operations) matches no operation" in text
    assert "'Taskz' (include_tags)" in text
    assert "'/tasks/*'" not in text and "'tasks'" not in text


def test_a_selection_that_keeps_nothing_says_which_filter_matched_nothing():
    result = runner.invoke(app, ["answers", str(TODO), "--include-op", "getTask"])
    assert result.exit_code == 2
    assert "no operation can become a tool: operation 'getTask' (include_operations)" in result.output


def _candidate(index, name, deprecated=False, path="/x"):
    return Candidate(index, "get", f"{path}/{index}", None, name, frozenset(), deprecated)


def test_exclude_deprecated_leaves_out_deprecated_operations_unless_named():
    candidates = [_candidate(0, "old", True), _candidate(1, "new"), _candidate(2, "older", True)]
    chosen = select(candidates, SelectOptions(exclude_deprecated=True)).chosen
    assert [c.name for c in chosen] == ["new"]
    named = select(candidates, SelectOptions(exclude_deprecated=True, include_operations=["old"]))
    assert [c.name for c in named.chosen] == ["old"]
    assert [c.name for c in select(candidates, SelectOptions()).chosen] == ["old", "new", "older"]


def test_deprecated_operations_of_a_spec_are_left_out(tmp_path):
    spec = json.loads(TODO.read_text())
    spec["paths"]["/tasks/{task_id}"]["delete"]["deprecated"] = True
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    names = [
        t.name for t in prepare(Request(spec=str(path), out=tmp_path, exclude_deprecated=True)).project.tools
    ]
    assert "delete_task" not in names and len(names) == 5


def test_max_tools_keeps_named_tools_first_then_spec_order_and_reports_the_rest():
    result = prepared(max_tools=3, include_paths=["**"], include_operations=["mark_completed"])
    assert [t.name for t in result.project.tools] == ["list_tasks", "create_task", "mark_completed"]
    skipped = result.project.skipped
    assert [(s.method, s.path) for s in skipped] == [
        ("GET", "/tasks/{task_id}"),
        ("DELETE", "/tasks/{task_id}"),
        ("PATCH", "/tasks/{task_id}"),
    ]
    assert all("over --max-tools 3" in s.reason for s in skipped)
    assert any(
        "--max-tools 3 left out 3 tools: get_task, delete_task, update_task" in w for w in result.warnings
    )


def test_max_tools_skipped_tools_reach_the_json_summary(tmp_path):
    result = runner.invoke(
        app,
        ["from-openapi", str(TODO), "-o", str(tmp_path / "p"), "--dry-run", "--json", "--max-tools", "5"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert len(summary["tools"]) == 5
    assert summary["skipped"] == [
        {
            "method": "POST",
            "path": "/tasks/{task_id}/complete",
            "pointer": "/paths/~1tasks~1{task_id}~1complete/post",
            "reason": "over --max-tools 5: tools are kept in spec order, --include-op ones first",
        }
    ]


def test_renames_and_descriptions_change_the_tools():
    result = prepared(
        rename={"get_task": "fetch_task", "mark_completed": "finish_task"},
        descriptions={
            "fetch_task": "Read one task.\nIts id comes from list_tasks.",
            "list_tasks": "All of them.",
        },
    )
    by_name = {t.name: t for t in result.project.tools}
    assert {"fetch_task", "finish_task"} <= set(by_name) and "get_task" not in by_name
    assert by_name["fetch_task"].function == "fetch_task"
    assert by_name["fetch_task"].description == "Read one task. Its id comes from list_tasks."
    assert by_name["list_tasks"].description == "All of them."
    answers = result.answers.data()
    assert [t["name"] for t in answers["tools"]][2] == "fetch_task"


@pytest.mark.parametrize(
    ("rename", "message", "pointer"),
    [
        ({"get_task": "list_tasks"}, "renaming 'get_task' to 'list_tasks' collides", "/rename/get_task"),
        ({"get_task": "fetch-task"}, "is not a valid tool name", "/rename/get_task"),
        ({"get_task": "x" * 65}, "is not a valid tool name", "/rename/get_task"),
        ({"get_task": "9lives"}, "is not a valid tool name", "/rename/get_task"),
    ],
)
def test_bad_renames_are_one_line_errors_naming_the_file_and_pointer(rename, message, pointer):
    with pytest.raises(MCPGenError) as error:
        prepared(rename=rename, curation_file="proj/mcpgen.yaml")
    assert message in error.value.message
    assert error.value.file == "proj/mcpgen.yaml" and error.value.pointer == pointer


def test_renames_and_descriptions_of_unknown_tools_are_warned_about():
    result = prepared(rename={"get_tsk": "fetch_task"}, descriptions={"fetch_tsk": "x"})
    text = "\n".join(result.warnings)
    assert "mcpgen.yaml /rename/get_tsk: 'get_tsk' matches no operation" in text
    assert "mcpgen.yaml /descriptions/fetch_tsk: 'fetch_tsk' is not a tool" in text


def test_a_hostile_description_reaches_the_answers_as_one_clean_line():
    hostile = 'Ends here."""\nimport os; os.system("echo pwned")  # \\ \u2028'
    prepared_answers = prepared(descriptions={"get_task": hostile}).answers.data()
    tool = next(t for t in prepared_answers["tools"] if t["name"] == "get_task")
    assert "os.system" in tool["description"] and "\n" not in tool["description"]


def test_tool_names_do_not_depend_on_the_selection():
    everything = tools()
    for name in everything:
        assert tools(include_operations=[name]) == [name]


def test_mcpgen_yaml_keeps_the_selection_and_rejects_unknown_keys(tmp_path):
    from mcpgen.render import read_options

    out = tmp_path / "p"
    result = runner.invoke(
        app,
        [
            "from-openapi",
            str(TODO),
            "-o",
            str(out),
            "--include-path",
            "/tasks/**",
            "--exclude-op",
            "delete_task",
            "--exclude-deprecated",
            "--max-tools",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    kept = yaml.safe_load((out / "mcpgen.yaml").read_text())
    assert kept["include_paths"] == ["/tasks/**"] and kept["exclude_operations"] == ["delete_task"]
    assert kept["exclude_deprecated"] is True and kept["max_tools"] == 4
    assert kept["rename"] == {} and kept["descriptions"] == {}
    (out / "mcpgen.yaml").write_text("rename: {get_task: 5}\nrenames: {}\n")
    with pytest.raises(MCPGenError) as error:
        read_options(out)
    assert error.value.pointer in ("/rename/get_task", "/renames")
