"""The documents of a generated project keep their promises: configurations that parse and match what mcpgen
prints, fourteen smoke tests naming real tools, criteria whose commands run, a summary of every decision."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mcpgen.render import PROJECT_PLACEHOLDER
from tests.generated import clean_env
from tests.golden.regen import GOLDEN, cases

FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)


def answers_of(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def blocks(text: str, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(text) if lang == language]


@pytest.mark.parametrize("case", cases())
def test_client_setup_configurations_parse_and_start_this_server(case):
    project = GOLDEN / case / "expected"
    package = answers_of(project)["package"]
    text = (project / "CLAUDE_DESKTOP_SETUP.md").read_text()

    configs = [json.loads(body) for body in blocks(text, "json")]
    assert len(configs) >= 7
    for config in configs:
        servers = config.get("mcpServers") or config["servers"]
        assert list(servers) == [package]
    for heading in ("## Claude Desktop", "## Claude Code", "## Cursor", "## VS Code", "## Over http"):
        assert heading in text
    assert f"claude mcp add {package} -- uv --directory" in text
    assert f"claude mcp add --transport http {package} http://127.0.0.1:8765/mcp" in text


def test_the_printed_client_config_is_the_documented_one_with_the_real_path(bundled_example):
    out = bundled_example.out
    summary = bundled_example.summary()
    documented = json.loads(blocks((out / "CLAUDE_DESKTOP_SETUP.md").read_text(), "json")[0])
    filled = json.loads(json.dumps(documented).replace(PROJECT_PLACEHOLDER, str(out.resolve())))

    assert summary["client_config"] == filled
    assert summary["project_dir"] == str(out.resolve())
    assert [s["name"] for s in summary["settings_to_fill"]] == [
        "SERVICE_AUTH_TOKEN",
        "MCP_USER_ID",
        "BACKEND_URL",
    ]
    assert summary["next_commands"][0] == f"cd {out.resolve()}"
    assert "mcpgen keygen --env-file .env" in summary["next_commands"]
    assert all(Path(path).is_absolute() for path in summary["documents"].values())
    assert all(Path(path).is_file() for path in summary["documents"].values())


def smoke_tests(project: Path) -> list[tuple[int, str, str]]:
    text = (project / "E2E_SMOKE_TEST.md").read_text()
    parts = re.split(r"^### (\d+)\. (.+)$", text, flags=re.M)
    return [(int(parts[i]), parts[i + 1], parts[i + 2]) for i in range(1, len(parts), 3)]


@pytest.mark.parametrize("case", cases())
def test_the_smoke_test_has_fourteen_numbered_steps_for_real_tools(case):
    project = GOLDEN / case / "expected"
    tools = {tool["name"] for tool in answers_of(project)["tools"]}
    steps = smoke_tests(project)

    assert [number for number, _, _ in steps] == list(range(1, 15))
    for number, title, body in steps:
        assert "Expected:" in body, f"step {number} ({title}) has no expected result"
        # A tool the step tells to call is one this server has.
        for name in re.findall(r"[Cc]all `(\w+)`", body):
            assert name in tools, f"step {number} calls {name}, which is no tool of {case}"
    named = {name for _, _, body in steps for name in re.findall(r"`(\w+)`", body)} & tools
    assert len(named) >= min(4, len(tools)), named


def test_the_smoke_test_of_the_todo_example_walks_its_crud_tools():
    steps = {number: body for number, _, body in smoke_tests(GOLDEN / "tasks_modular" / "expected")}
    tools = [tool["name"] for tool in answers_of(GOLDEN / "tasks_modular" / "expected")["tools"]]
    by_method = {
        tool["method"]: tool["name"] for tool in answers_of(GOLDEN / "tasks_modular" / "expected")["tools"]
    }
    assert f"`{by_method['DELETE']}`" in steps[7] and "destructiveHint" in steps[7]
    assert "not_found_error" in steps[8]
    assert "validation_error" in steps[9]
    assert "X-User-ID" in steps[10]
    assert "MCP_USER_ID is required" in steps[12]
    assert all(f"`{name}`" in steps[1] for name in tools)


def criteria(project: Path) -> list[str]:
    return blocks((project / "SUCCESS_CRITERIA_VERIFICATION.md").read_text(), "bash")


@pytest.mark.parametrize("case", cases())
def test_the_success_criteria_name_files_and_tests_that_exist(case):
    project = GOLDEN / case / "expected"
    commands = criteria(project)
    assert len(commands) >= 10
    for command in commands:
        for word in shlex.split(command.replace(";", " ; ")):
            if word.startswith("tests/"):
                assert (project / word).is_file(), word


@pytest.mark.slow
@pytest.mark.parametrize("case", cases())
def test_every_success_criterion_command_passes_on_the_generated_project(case, tmp_path):
    project = tmp_path / case
    shutil.copytree(GOLDEN / case / "expected", project)
    # This interpreter's environment stands for the project's venv: "uv run" is dropped, as the document says.
    env = clean_env(PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for command in criteria(project):
        plain = command.strip().replace("uv run ", "")
        done = subprocess.run(
            ["bash", "-c", plain], cwd=project, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"{plain}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.mark.parametrize("case", cases())
def test_the_implementation_summary_states_every_decision_and_tool(case):
    project = GOLDEN / case / "expected"
    answers = answers_of(project)
    text = (project / "IMPLEMENTATION_SUMMARY.md").read_text()

    assert answers["layout_reason"] in text and answers["pattern_reason"] in text
    assert answers["spec"]["sha256"] in text
    for tool in answers["tools"]:
        assert f"| `{tool['name']}` | `{tool['method']} " in text
    for skipped in answers.get("skipped", []):
        assert f"`{skipped['method']} {skipped['path']}`: {skipped['reason']}" in text
    if not answers.get("skipped"):
        assert "every operation of the spec is a tool" in text


@pytest.mark.parametrize("case", cases())
def test_the_readme_covers_setup_configuration_running_testing_clients_and_upgrades(case):
    text = (GOLDEN / case / "expected" / "README.md").read_text()
    for heading in ("## Set up", "## Configure", "## Run", "## Test", "## Connect a client", "## Upgrading"):
        assert heading in text
    assert "uv sync" in text and 'pip install -e ".[test]"' in text and "uv run pytest" in text
    assert "mcpgen update" in text and "copier update" in text
