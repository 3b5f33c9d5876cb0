"""What an assistant reads in discover mode, within the budgets of issue 15: tools/list ≤ 1k tokens, the map
and a search answer at limit 10 ≤ 2k, any description ≤ 8k (text and structured content together, bytes / 4),
every search hit with its signature, and example calls made from the spec, never "string".

Measured inside generated projects by benchmarks/discovery/answers.py, the script that prints the table."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.discovery.answers import BUDGETS, measure
from tests.generated import clean_env

ROOT = Path(__file__).parents[1]
TODO = ROOT / "examples" / "todo_backend" / "openapi.json"
SPECS = ROOT.parent / "shared" / "specs"
REAL_SPECS = ["letta.json", "stripe.json", "kubernetes.json", "openai.yaml", "gitea-swagger2.json"]


def discover(spec: Path, out: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "mcpgen", "from-openapi", str(spec), "-o", str(out), "--tools", "discover"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def within_budgets(measured: dict) -> dict:
    """Each budget's measure, and whether it is within."""
    return {key: (measured[key], measured[key] <= limit) for key, limit in BUDGETS.items()}


@pytest.fixture(scope="module")
def todo(tmp_path_factory) -> Path:
    return discover(TODO, tmp_path_factory.mktemp("answers") / "todo")


def test_the_example_stays_within_every_budget_and_has_no_made_up_example(todo):
    measured = measure(todo)

    assert all(within for _, within in within_budgets(measured).values()), within_budgets(measured)
    assert measured["placeholders"] == []


def test_the_map_of_the_example_groups_every_operation_by_resource_and_is_deterministic(todo):
    first, again = measure(todo)["map_answer"], measure(todo)["map_answer"]

    assert first == again
    assert first["groups"] == [
        {
            "group": "tasks",
            "operations": 6,
            "examples": ["get_task", "list_tasks", "create_task"],
        }
    ]
    assert first["more_groups"] == 0 and "tag=" in first["hint"]


def test_signatures_show_the_required_arguments_and_their_types(todo):
    script = """
import json
from src.catalog import CATALOG
print(json.dumps({entry.name: entry.signature for entry in CATALOG}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=todo, capture_output=True, text=True, env=clean_env()
    )
    assert result.returncode == 0, result.stderr

    assert json.loads(result.stdout) == {
        "create_task": "create_task(title: str, ...)",
        "delete_task": "delete_task(task_id: int)",
        "get_task": "get_task(task_id: int)",
        "list_tasks": "list_tasks(...)",
        "mark_completed": "mark_completed(task_id: int)",
        "update_task": "update_task(task_id: int, ...)",
    }


def test_the_discovery_tools_say_how_to_get_the_map(todo):
    tools = (todo / "src" / "discovery.py").read_text(encoding="utf-8")

    assert "Without a query, the API's map" in tools
    assert "describe_operation(name, part=...)" in tools


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_SPECS)
def test_real_specs_stay_within_every_budget(tmp_path, name):
    spec = SPECS / name
    if not spec.is_file():
        pytest.skip(f"{spec} is absent")
    measured = measure(discover(spec, tmp_path / "out"))

    assert all(within for _, within in within_budgets(measured).values()), within_budgets(measured)
    assert measured["placeholders"] == [], measured["placeholders"][:10]
