"""The lock step (`src.surface --write` in the generated project) in an interpreter started before the render
(render.LockStep) records what a fresh `python -m src.surface` records, and stops when it is not needed."""

from pathlib import Path

import pytest

from mcpgen.render import LOCK_FILE, LockStep, write_tool_lock
from tests.test_exposure import generated

SCHEMAS = Path("src") / "tool_schemas.json"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lock") / "todo"
    generated(out, "--tools", "all")
    return out


def recorded(project: Path) -> tuple[str, str]:
    return (project / LOCK_FILE).read_text("utf-8"), (project / SCHEMAS).read_text("utf-8")


def test_started_ahead_it_records_what_a_fresh_interpreter_records(project, tmp_path):
    generated_files = recorded(project)  # written by the generation, through LockStep
    (project / LOCK_FILE).unlink()
    (project / SCHEMAS).unlink()

    fresh = write_tool_lock(project)
    assert recorded(project) == generated_files
    with LockStep(tmp_path) as step:
        ahead = step.write_tool_lock(project)
    assert recorded(project) == generated_files
    assert ahead == fresh and ahead.tools == 6 and ahead.tokens > 0


def test_a_step_that_is_not_run_stops_its_interpreter(tmp_path):
    with LockStep(tmp_path) as step:
        pass
    assert step.process.returncode == 0


def test_a_server_that_cannot_list_its_tools_is_an_error_with_its_last_line(tmp_path):
    broken = tmp_path / "broken"
    (broken / "src").mkdir(parents=True)
    (broken / "src" / "__init__.py").write_text("")
    (broken / "src" / "surface.py").write_text("raise SystemExit('no tools here')\n")

    with LockStep(tmp_path) as step, pytest.raises(RuntimeError, match="no tools here"):
        step.write_tool_lock(broken)
    assert step.process.returncode == 1


def test_started_it_runs_while_the_caller_works_and_its_record_is_the_same(project, tmp_path):
    generated_files = recorded(project)
    (project / LOCK_FILE).unlink()
    (project / SCHEMAS).unlink()

    with LockStep(tmp_path) as step:
        step.start(project)
        # Nobody waits on it: the interpreter is fed and drained by the step itself, and finishes.
        step.process.wait(timeout=120)
        surface = step.surface()
    assert recorded(project) == generated_files
    assert surface.tools == 6


def test_a_caller_that_fails_after_the_start_stops_the_interpreter(project, tmp_path):
    with pytest.raises(ValueError), LockStep(tmp_path) as step:
        step.start(project)
        raise ValueError("the generated code does not parse")
    assert step.process.returncode not in (None, 0)


def test_a_caller_that_fails_before_the_start_stops_the_interpreter_at_once(tmp_path):
    with pytest.raises(ValueError), LockStep(tmp_path) as step:
        raise ValueError("the render failed")
    assert step.process.returncode not in (None, 0)
