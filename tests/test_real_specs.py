"""Real specs by others (../shared/specs) generate projects that build, import, lint and test clean."""

import json
import math
import zipfile
from pathlib import Path

import pytest

from mcpgen.generate import Request, generate
from mcpgen.ir.model import Tool
from mcpgen.naming import import_name, package_name
from mcpgen.render import ruff_findings
from tests.conftest import REPO, shared_spec
from tests.generated import build_wheel, collected_tests, listed_tools, run_project_tests

SPECS = [
    "full-stack-fastapi-template.json",
    "petstore3.yaml",
    "infinity.json",
    "opc-baseline-3.0.json",
    "opc-baseline-3.1.yaml",
    "petstore31.json",
    "unstructured.json",
]


DISCOVERY = ["search_operations", "describe_operation", "call_operation"]
BUNDLED_EXAMPLE = REPO / "examples" / "todo_backend" / "openapi.json"


@pytest.mark.slow
@pytest.mark.parametrize("name", [*SPECS, "bundled-example"])
def test_real_spec_generates_a_working_project(name, tmp_path):
    spec = BUNDLED_EXAMPLE if name == "bundled-example" else shared_spec(name)
    out = tmp_path / "project"
    result = generate(Request(spec=str(spec), out=out))

    assert ruff_findings(out) == []
    wheel = build_wheel(out, tmp_path / "wheels")
    package = import_name(package_name(result.project.title))
    with zipfile.ZipFile(wheel) as archive:
        # The server installs under the project's own name, never as a top-level `src`.
        assert f"{package}/server.py" in archive.namelist()
        assert not [n for n in archive.namelist() if n.startswith("src/")]
    # `auto`: every operation as a tool when the list fits the context budget, else the discovery tools.
    expected = [tool.name for tool in result.project.tools] if result.exposure.mode == "all" else DISCOVERY
    assert listed_tools(out) == expected
    summary = run_project_tests(out)
    assert " passed" in summary and "failed" not in summary, summary


# Every test file but the per-tool ones of the tools left out of the sample: a large API's suite runs its
# shared tests (contract, unit, production) whole, and the per-tool tests of this many tools spread over it.
# A test parametrized over every tool runs for a spread of them too, and always for the tools whose sample
# answers are largest, where answer budgets bite first (letta's agent records are 10,000 tokens each).
PER_TOOL_SAMPLE = 20
LARGEST_ANSWERS = 5
LARGE_SPECS = ["letta.json", "stripe.json", "openai.yaml", "gitea-swagger2.json"]


def sampled_tests(project: Path, tools: list[Tool]) -> list[str]:
    """The test ids to run: an even spread of the per-tool test files and of each test's per-tool cases."""
    files = sorted((project / "tests").rglob("test_*.py"))
    per_tool = [f for f in files if "_sends_the_operation(" in f.read_text(encoding="utf-8")]
    kept = set(per_tool[:: max(1, math.ceil(len(per_tool) / PER_TOOL_SAMPLE))])
    paths = [f.relative_to(project).as_posix() for f in files if f not in per_tool or f in kept]
    largest = sorted(tools, key=lambda tool: -len(json.dumps(tool.response.sample, default=str)))
    always = {tool.name for tool in largest[:LARGEST_ANSWERS]}
    cases: dict[str, list[str]] = {}
    for test_id in collected_tests(project, *paths):
        cases.setdefault(test_id.split("[")[0], []).append(test_id)
    sample = []
    for ids in cases.values():
        spread = set(ids[:: max(1, math.ceil(len(ids) / PER_TOOL_SAMPLE))])
        # A case's id names its tool first: `test_x[create_agent]`, `test_x[create_agent-default]`.
        sample += [i for i in ids if i in spread or i.partition("[")[2].rstrip("]").split("-")[0] in always]
    return sample


@pytest.mark.slow
@pytest.mark.parametrize("name", LARGE_SPECS)
def test_large_spec_generates_a_project_that_passes_its_own_tests(name, tmp_path):
    spec = shared_spec(name)
    out = tmp_path / "project"
    # Every operation as a tool, as `auto` would not list them: that all of them import is the point here
    # (test_exposure.py covers discovery for these specs).
    result = generate(Request(spec=str(spec), out=out, tools="all"))
    assert ruff_findings(out) == []
    tools = listed_tools(out)
    assert tools == [tool.name for tool in result.project.tools]
    assert all(len(t) <= 64 for t in tools)
    summary = run_project_tests(out, *sampled_tests(out, result.project.tools))
    assert " passed" in summary and "failed" not in summary, summary


@pytest.mark.slow
def test_kubernetes_generates_a_project_that_lists_every_operation(tmp_path):
    """1,123 operations: its own suite takes over 15 minutes here, too long for CI; it generates clean, and
    every tool imports and lists."""
    out = tmp_path / "project"
    result = generate(Request(spec=str(shared_spec("kubernetes.json")), out=out, tools="all"))
    assert ruff_findings(out) == []
    assert listed_tools(out) == [tool.name for tool in result.project.tools]
