"""Code mode (`--tools code`): search_operations, describe_operation and execute, which runs a Python program
calling the operations in a pydantic-monty sandbox. The generated project proves the program paths in its own
suite (tests/integration/test_code_mode.py there); tests/e2e/test_code_mode_e2e.py serves it over HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from mcpgen.render import check_exposure_options
from tests.generated import clean_env, listed_tools, run_project_tests
from tests.test_exposure import ALL_TODO_TOOLS, GIT, generated, lock, mcpgen

CODE_TOOLS = {"search_operations", "describe_operation", "execute"}


@pytest.fixture(scope="module")
def code_project(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("code") / "todo"
    return out, generated(out, "--tools", "code", "--pin", "list_tasks", "--confirm-destructive")


def dependencies(project: Path) -> list[str]:
    return tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]


def test_code_is_a_mode_and_auto_never_picks_it():
    check_exposure_options("code", 30_000, ["list_tasks"], ["list_tasks"])
    result = mcpgen("from-openapi", "x.json", "-o", "out", "--tools", "cod")
    assert result.exit_code != 0 and "code" in result.output


def test_code_lists_search_describe_execute_and_the_pins(code_project):
    project, summary = code_project

    assert set(listed_tools(project)) == CODE_TOOLS | {"list_tasks"}
    for name in ("code_mode.py", "discovery.py", "catalog.py", "operations.py"):
        assert (project / "src" / name).is_file(), name
    assert (project / "tests" / "integration" / "test_code_mode.py").is_file()
    assert summary["exposure"]["mode"] == "code" and summary["exposure"]["requested"] == "code"
    assert summary["warnings"] == []
    recorded = lock(project)
    assert recorded["exposure"] == "code"
    assert {tool["name"] for tool in recorded["operations"]} == ALL_TODO_TOOLS
    assert yaml.safe_load((project / "mcpgen.yaml").read_text())["tools"] == "code"


def test_tools_list_in_code_mode_stays_within_one_and_a_half_thousand_tokens(tmp_path):
    summary = generated(tmp_path / "todo", "--tools", "code")

    assert summary["tools_list"]["exposed"]["tokens"] <= 1500
    assert [tool["name"] for tool in summary["tools_list"]["per_tool"]] == sorted(CODE_TOOLS)


def test_pydantic_monty_is_a_dependency_of_code_mode_projects_only(code_project, bundled_example):
    project, _ = code_project

    assert any(line.startswith("pydantic-monty") for line in dependencies(project))
    assert not any(line.startswith("pydantic-monty") for line in dependencies(bundled_example.out))
    assert not (bundled_example.out / "src" / "code_mode.py").exists()


def test_describe_shows_the_python_signature_a_program_calls(code_project):
    project, _ = code_project
    script = """
import asyncio, json
from fastmcp import Client
from src.server import mcp
async def main():
    async with Client(mcp) as client:
        found = {}
        for name in ("create_task", "get_task", "list_tasks"):
            result = await client.call_tool("describe_operation", {"name": name})
            found[name] = result.structured_content["python"]
            found[name + " example"] = result.structured_content["example"]
        return found
print(json.dumps(asyncio.run(main())))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(MCP_USER_ID="alice", SERVICE_AUTH_TOKEN="s" * 40),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    signatures = json.loads(result.stdout.strip().splitlines()[-1])

    # `fields` (issue 17's projection) is offered on tools whose answers have many fields.
    assert signatures["get_task"].startswith("async def get_task(*, task_id: int, fields: list[Literal[")
    assert signatures["get_task"].endswith("]] | None = None) -> dict")
    assert signatures["create_task"].startswith("async def create_task(*, title: str, ")
    assert "priority: Literal['low', 'medium', 'high'] = 'medium'" in signatures["create_task"]
    assert signatures["list_tasks"].endswith("-> list[dict]")
    # The example is a line of a program, not a call_operation, which code mode does not have.
    assert signatures["get_task example"] == "await get_task(task_id=1)"


WHOLE_ANSWERS_TEST = """
import json

from src.config import reset_settings


async def test_a_program_reads_every_item_of_an_answer_over_the_budget(monkeypatch, backend_mock, client):
    monkeypatch.setenv("RESPONSE_TOKEN_BUDGET", "500")
    reset_settings()
    task = {"title": "Printer on fire " * 8, "priority": "high", "completed": False, "owner_id": "alice",
            "created_at": "2026-12-04T10:00:00Z", "updated_at": "2026-12-04T10:00:00Z"}
    backend_mock.reply(json=[{**task, "id": n} for n in range(1, 61)])

    result = await client.call_tool("execute", {"code": "tasks = await list_tasks()\\nlen(tasks)"})

    assert result.structured_content["result"] == 60  # the program saw all 60, about 6,000 tokens of them
    backend_mock.reply(json=[{**task, "id": n} for n in range(1, 61)])
    everything = await client.call_tool("execute", {"code": "await list_tasks()"})
    sent = len(json.dumps(everything.structured_content)) + sum(len(c.text) for c in everything.content)
    assert not everything.is_error and sent <= 500 * 4 * 1.05  # execute's own answer keeps the budget
    backend_mock.reply(json=[{**task, "id": n} for n in range(1, 61)])
    direct = await client.call_tool("list_tasks", {})
    assert len(direct.structured_content["result"]) < 60  # a direct answer still fits its budget
"""


def test_a_program_reads_whole_answers_and_its_own_answer_gets_the_budget(code_project):
    project, _ = code_project
    whole = project / "tests" / "integration" / "test_whole_answers.py"
    whole.write_text(WHOLE_ANSWERS_TEST)
    try:
        assert " passed" in run_project_tests(project, str(whole.relative_to(project)))
    finally:
        whole.unlink()


@pytest.mark.slow
def test_the_code_mode_project_passes_its_own_suite(code_project):
    project, _ = code_project

    assert "passed" in run_project_tests(project)


@pytest.mark.slow
def test_an_update_switches_a_project_to_code_mode_and_back(tmp_path):
    project = tmp_path / "todo"
    generated(project, "--tools", "all")
    for message in ("generated",):
        subprocess.run([*GIT, "init", "-q"], cwd=project, check=True)
        subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
        subprocess.run([*GIT, "commit", "-qm", message], cwd=project, check=True)

    changed = mcpgen("update", project, "--tools", "code", "--json")
    assert changed.exit_code == 0, changed.output
    assert set(listed_tools(project)) == CODE_TOOLS
    assert (project / "src" / "code_mode.py").is_file()
    assert any(line.startswith("pydantic-monty") for line in dependencies(project))
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "-qm", "code"], cwd=project, check=True)

    back = mcpgen("update", project, "--tools", "all", "--json")
    assert back.exit_code == 0, back.output
    assert set(listed_tools(project)) == ALL_TODO_TOOLS
    assert not (project / "src" / "code_mode.py").exists()
    assert not any(line.startswith("pydantic-monty") for line in dependencies(project))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv to resolve the lowest versions")
def test_code_mode_runs_on_the_bottom_of_its_declared_ranges(code_project, tmp_path):
    """pydantic-monty 1.1 (and fastmcp 4.1, pydantic 2.12): the oldest releases pyproject.toml allows."""
    project, _ = code_project
    venv = tmp_path / "lowest"
    subprocess.run(["uv", "venv", "-q", str(venv), "-p", sys.executable], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = ["uv", "pip", "install", "-q", "--python", str(python), "--resolution", "lowest-direct"]
    subprocess.run([*install, "-e", f"{project}[test]"], check=True, timeout=900, env=clean_env())
    versions = subprocess.run(
        [str(python), "-c", "import pydantic_monty; print(pydantic_monty.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/integration/test_code_mode.py"],
        cwd=project,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=900,
    )

    assert versions == "1.1.0"
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
