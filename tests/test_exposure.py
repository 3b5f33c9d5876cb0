"""Exposure modes and the context budget: `--tools all|discover|auto`, `--pin` and `--context-budget`.

The generated project's own suite covers discovery end to end (search, describe, call_operation with identity,
errors, validation, unknown names, scopes); these tests generate projects in each mode and run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mcpgen.cli import app
from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, prepare
from mcpgen.render import (
    DEFAULT_BUDGET,
    Answers,
    check_exposure_options,
    decide,
    first_mode,
    minimum_tokens,
    read_options,
)
from tests.generated import clean_env, listed_tools, run_project_tests

ROOT = Path(__file__).parents[1]
TODO = ROOT / "examples" / "todo_backend" / "openapi.json"
SPECS = ROOT.parent / "shared" / "specs"
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
DISCOVERY = {"search_operations", "describe_operation", "call_operation"}
ALL_TODO_TOOLS = {"list_tasks", "create_task", "get_task", "update_task", "delete_task", "mark_completed"}
runner = CliRunner()


def mcpgen(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def generated(out: Path, *options: object) -> dict:
    result = mcpgen("from-openapi", TODO, "-o", out, "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def lock(project: Path) -> dict:
    return json.loads((project / "mcp-tools.lock").read_text(encoding="utf-8"))


def todo_answers() -> Answers:
    return prepare(Request(spec=str(TODO), out=Path("."))).answers


# ---- the decision ---------------------------------------------------------------------------------------


def test_auto_lists_every_tool_within_the_budget_and_discovers_above_it():
    within = decide("auto", 30_000, 2_000, 6)
    above = decide("auto", 30_000, 30_001, 400)

    assert (within.mode, above.mode) == ("all", "discover")
    assert "fits the context budget of 30,000 tokens" in within.reason
    assert "30,001 tokens" in above.reason and "above the context budget" in above.reason
    assert decide("auto", 30_000, 30_000, 6).mode == "all"  # at the budget still fits
    assert decide("all", 10, 99_999, 400).mode == "all"  # asked for: whatever the size
    assert decide("discover", 10**9, 10, 1).mode == "discover"
    assert above.summary() == {
        "mode": "discover",
        "requested": "auto",
        "reason": above.reason,
        "budget": 30_000,
        "tokens": 30_001,
    }


def test_the_lower_bound_skips_the_measuring_render_only_when_it_is_above_the_budget():
    answers = todo_answers()
    bound = minimum_tokens(answers)

    assert 0 < bound < DEFAULT_BUDGET
    assert first_mode("auto", answers, DEFAULT_BUDGET) == "all"
    assert first_mode("auto", answers, bound - 1) == "discover"
    assert first_mode("all", answers, 1) == "all"
    assert first_mode("discover", answers, 10**9) == "discover"


def test_options_that_cannot_be_are_one_line_errors_with_a_fix():
    names = ["list_tasks", "get_task"]
    with pytest.raises(MCPGenError) as unknown:
        check_exposure_options("discover", 30_000, ["get_tsk"], names)
    assert "--pin get_tsk" in str(unknown.value) and "did you mean --pin get_task?" in str(unknown.value)
    with pytest.raises(MCPGenError, match="--context-budget"):
        check_exposure_options("auto", 0, [], names)
    with pytest.raises(MCPGenError, match="--tools"):
        check_exposure_options("some", 30_000, [], names)


def test_an_unknown_pin_stops_the_cli_with_one_line_and_writes_nothing(tmp_path):
    result = mcpgen("from-openapi", TODO, "-o", tmp_path / "out", "--tools", "discover", "--pin", "nope")

    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "--pin nope" in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_project_file_written_before_exposure_modes_keeps_every_tool(tmp_path):
    (tmp_path / "mcpgen.yaml").write_text("pattern: auto\nlayout: auto\n")
    assert read_options(tmp_path).tools == "all"
    (tmp_path / "mcpgen.yaml").write_text("tools: discover\npins: [get_task]\ncontext_budget: 5000\n")
    options = read_options(tmp_path)
    assert (options.tools, options.pins, options.context_budget) == ("discover", ["get_task"], 5000)


def test_answers_record_the_exposure_and_plain_copier_renders_it():
    answers = todo_answers().data()

    assert answers["exposure"] == {"mode": "all", "requested": "auto", "budget": DEFAULT_BUDGET, "pins": []}
    result = mcpgen("answers", TODO, "--tools", "discover", "--pin", "list_tasks")
    assert result.exit_code == 0, result.output
    printed = yaml.safe_load(result.stdout)["exposure"]
    assert printed == {
        "mode": "discover",
        "requested": "discover",
        "budget": DEFAULT_BUDGET,
        "pins": ["list_tasks"],
    }


# ---- generated projects ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def discover_project(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("discover") / "todo"
    return out, generated(out, "--tools", "discover", "--pin", "list_tasks")


def test_discover_lists_the_discovery_tools_and_the_pins_and_its_own_suite_passes(discover_project):
    project, summary = discover_project

    assert set(listed_tools(project)) == DISCOVERY | {"list_tasks"}
    assert (project / "src" / "discovery.py").is_file() and (project / "src" / "catalog.py").is_file()
    assert (project / "tests" / "integration" / "test_discovery.py").is_file()
    assert summary["exposure"]["mode"] == "discover" and summary["exposure"]["requested"] == "discover"
    assert summary["warnings"] == []
    assert "passed" in run_project_tests(project)


def test_the_lock_and_the_summary_agree_on_both_surfaces(discover_project):
    project, summary = discover_project
    recorded = lock(project)

    assert recorded["exposure"] == "discover"
    assert summary["tools_list"]["exposed"] == recorded["total"]
    assert (
        summary["tools_list"]["full"] == recorded["full"]
        and summary["exposure"]["tokens"] == recorded["full"]["tokens"]
    )
    assert {tool["name"] for tool in recorded["operations"]} == {tool["name"] for tool in summary["tools"]}
    assert recorded["full"]["tokens"] == sum(tool["tokens"] for tool in recorded["operations"])
    assert recorded["total"]["tokens"] < recorded["full"]["tokens"]
    assert [tool["name"] for tool in summary["tools_list"]["per_tool"]] == sorted(DISCOVERY | {"list_tasks"})
    full_per_tool = summary["tools_list"]["full_per_tool"]
    assert [(t["name"], t["tokens"]) for t in full_per_tool] == [
        (t["name"], t["tokens"]) for t in recorded["operations"]
    ]
    assert minimum_tokens(todo_answers()) <= recorded["full"]["tokens"]


def test_search_ranks_by_bm25_and_breaks_ties_by_name(discover_project):
    project, _ = discover_project
    script = """
import json
from src.catalog import Entry
from src.discovery import rank
entries = [
    Entry("b_delete_task", "Delete a task", ("tasks",), ("task_id",)),
    Entry("a_delete_task", "Delete a task", ("tasks",), ("task_id",)),
    Entry("list_projects", "List projects", ("projects",), ("limit",)),
    Entry("get_task", "Get one task", ("tasks",), ("task_id",)),
]
queries = ("delete tasks", "project", "nothing here")
print(json.dumps([[e.name for e in rank(q, entries, tuple(entries))] for q in queries]))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, env=clean_env()
    )
    assert result.returncode == 0, result.stderr
    delete, project_query, nothing = json.loads(result.stdout)
    # Equal scores go by name; "tasks" matches "task" (singular), so get_task follows the deletes.
    assert delete[:3] == ["a_delete_task", "b_delete_task", "get_task"]
    assert project_query == ["list_projects"] and nothing == []


def test_auto_keeps_every_tool_for_the_bundled_example(tmp_path):
    summary = generated(tmp_path / "todo")

    assert summary["exposure"]["mode"] == "all" and summary["exposure"]["requested"] == "auto"
    assert summary["exposure"]["tokens"] == lock(tmp_path / "todo")["full"]["tokens"] <= DEFAULT_BUDGET
    assert "fits the context budget" in summary["exposure"]["reason"]
    assert not (tmp_path / "todo" / "src" / "discovery.py").exists()
    assert yaml.safe_load((tmp_path / "todo" / "mcpgen.yaml").read_text())["tools"] == "auto"


def test_auto_discovers_when_the_full_list_is_above_the_budget(tmp_path):
    # The todo tools measure about 2,000 tokens; the lower bound stays under 1,000, so mcpgen renders in all,
    # measures, and renders again in discover.
    summary = generated(tmp_path / "todo", "--context-budget", 1000)

    assert summary["exposure"]["mode"] == "discover"
    assert summary["exposure"]["tokens"] == lock(tmp_path / "todo")["full"]["tokens"] > 1000
    assert summary["tools_list"]["tokens"] <= 1000
    assert set(listed_tools(tmp_path / "todo")) == DISCOVERY


def test_a_project_above_its_budget_warns(tmp_path):
    summary = generated(tmp_path / "todo", "--tools", "all", "--context-budget", 100)

    assert any("above the context budget of 100" in warning for warning in summary["warnings"])


def git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True)


def test_an_update_keeps_the_mode_and_tools_on_update_changes_it(tmp_path):
    project = tmp_path / "todo"
    generated(project, "--tools", "discover")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")

    kept = mcpgen("update", project, "--json")
    assert kept.exit_code == 0, kept.output
    assert set(listed_tools(project)) == DISCOVERY
    assert yaml.safe_load((project / "mcpgen.yaml").read_text())["tools"] == "discover"
    git(project, "add", "-A")
    git(project, "commit", "-qm", "updated", "--allow-empty")

    changed = mcpgen("update", project, "--tools", "all", "--json")
    assert changed.exit_code == 0, changed.output
    assert set(listed_tools(project)) == {tool["name"] for tool in lock(project)["tools"]} == ALL_TODO_TOOLS
    assert yaml.safe_load((project / "mcpgen.yaml").read_text())["tools"] == "all"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["exposure"]["mode"] == "all"
    assert not (project / "src" / "discovery.py").exists()
    assert lock(project)["exposure"] == "all"
    git(project, "add", "-A")
    git(project, "commit", "-qm", "all")

    # auto on update measures the new render: above a small budget it renders discover.
    measured = mcpgen("update", project, "--tools", "auto", "--context-budget", 1000, "--json")
    assert measured.exit_code == 0, measured.output
    exposure = json.loads(measured.stdout)["exposure"]
    assert exposure["mode"] == "discover" and exposure["tokens"] == lock(project)["full"]["tokens"] > 1000
    assert set(listed_tools(project)) == DISCOVERY


def test_discover_output_is_deterministic(tmp_path, discover_project):
    project, _ = discover_project
    again = tmp_path / "again"
    # Another process with another hash seed: the catalog, the ranking and the lock must not depend on it.
    result = subprocess.run(
        [sys.executable, "-m", "mcpgen", "from-openapi", TODO, "-o", again, "--tools", "discover"]
        + ["--pin", "list_tasks"],
        env={**os.environ, "PYTHONHASHSEED": "4242"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts
        }

    first, second = files(project), files(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


# ---- real specs -----------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ["letta.json", "stripe.json"])
def test_auto_discovers_for_large_real_specs(tmp_path, name):
    spec = SPECS / name
    if not spec.is_file():
        pytest.skip(f"{spec} is absent")
    result = mcpgen("from-openapi", spec, "-o", tmp_path / "out", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    recorded = lock(tmp_path / "out")

    assert summary["exposure"]["mode"] == "discover" and summary["exposure"]["requested"] == "auto"
    assert summary["exposure"]["tokens"] == recorded["full"]["tokens"] > DEFAULT_BUDGET
    assert summary["tools_list"]["tokens"] == recorded["total"]["tokens"] <= DEFAULT_BUDGET
    assert {tool["name"] for tool in recorded["tools"]} == DISCOVERY
