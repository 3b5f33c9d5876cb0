"""The Copier template on its own, through pytest-copie: both layouts from one template, answers recorded."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mcpgen.generate import Request, prepare
from mcpgen.render import template_store, version_tag

GOLDEN = Path(__file__).parent / "golden"


def answers_for(case: str, **options) -> dict:
    return prepare(Request(spec=str(GOLDEN / case / "spec.yaml"), out=Path("."), **options)).answers.data()


def copy(copie, answers):
    result = copie.copy(extra_answers=answers, template_dir=template_store(), vcs_ref=version_tag())
    assert result.exit_code == 0, result.exception
    return result.project_dir


def test_monolithic_layout(copie):
    project = copy(copie, answers_for("notes_monolithic"))
    for name in ("server.py", "tools.py", "client.py", "config.py", "schemas.py", "errors.py"):
        assert (project / "src" / name).is_file(), name
    assert not (project / "src" / "tools").exists() and not (project / "src" / "schemas").exists()
    tools = (project / "src" / "tools.py").read_text()
    assert all(f"async def {t}(" in tools for t in ("list_notes", "create_note", "get_note"))


def test_modular_layout_has_one_file_per_tool(copie):
    answers = answers_for("tasks_modular")
    project = copy(copie, answers)
    assert not (project / "src" / "tools.py").exists()
    tool_files = sorted(p.stem for p in (project / "src" / "tools").glob("*.py") if p.stem != "__init__")
    functions = [t.get("function", t["name"]) for t in answers["tools"]]
    assert tool_files == sorted(functions)
    test_files = sorted(p.stem for p in (project / "tests" / "integration").glob("test_*.py"))
    assert {f"test_{function}" for function in functions} <= set(test_files)
    assert (project / "src" / "schemas" / "errors.py").is_file()


def test_layout_override_renders_the_other_layout(copie):
    project = copy(copie, answers_for("tasks_modular", layout="monolithic"))
    assert (project / "src" / "tools.py").is_file() and not (project / "src" / "tools").exists()


def test_answers_are_recorded_for_copier_update(copie):
    answers = answers_for("tasks_modular")
    project = copy(copie, answers)
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["_commit"] == version_tag()
    assert recorded["tools"] == answers["tools"]
    assert recorded["models"] == answers["models"]
    assert recorded["parameters"] == answers["parameters"]
    assert recorded["pattern"] == "service-to-service"
    assert recorded["layout"] == "modular"


def test_rendered_code_is_formatted_by_the_template_tasks(copie):
    project = copy(copie, answers_for("hard_cases"))
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("pattern", ["none", "api-key", "bearer", "service-to-service"])
def test_every_pattern_renders_its_credential(copie, pattern):
    project = copy(copie, answers_for("notes_monolithic", pattern=pattern))
    env = (project / ".env.example").read_text()
    expected = {
        "none": None,
        "api-key": "BACKEND_API_KEY=",
        "bearer": "BACKEND_TOKEN=",
        "service-to-service": "SERVICE_AUTH_TOKEN=",
    }[pattern]
    for variable in ("BACKEND_API_KEY=", "BACKEND_TOKEN=", "SERVICE_AUTH_TOKEN="):
        assert (variable in env) == (variable == expected), variable
    # Only Pattern 4 needs the backend changed, so only it ships the patch and its test.
    patches = {"backend_patches/dependencies.py", "tests/unit/test_backend_patches.py"}
    present = {name for name in patches if (project / name).is_file()}
    assert present == (patches if pattern == "service-to-service" else set())
