"""The lock step (`src.surface --write` in the generated project) in an interpreter started before the render
(render.LockStep) records what a fresh `python -m src.surface` records, and stops when it is not needed."""

import importlib
from pathlib import Path

import pytest

from mcpgen.collector import THRESHOLDS
from mcpgen.errors import MCPGenError
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


def test_its_interpreter_collects_garbage_with_a_commands_thresholds(tmp_path):
    """The lock step builds every tool's schemas, which live to its end: with CPython's default thresholds
    the collector walked them again and again (Kubernetes: 17.5 s against 14.1 s)."""
    probe = tmp_path / "probe"
    (probe / "src").mkdir(parents=True)
    (probe / "src" / "__init__.py").write_text("")
    surface = "import gc\nraise SystemExit(f'thresholds {gc.get_threshold()}')\n"
    (probe / "src" / "surface.py").write_text(surface)

    with LockStep(tmp_path) as step, pytest.raises(RuntimeError) as raised:
        step.write_tool_lock(probe)
    assert f"thresholds {THRESHOLDS}" in str(raised.value)


def test_a_fresh_interpreter_collects_garbage_with_the_same_thresholds(tmp_path):
    probe = tmp_path / "probe"
    (probe / "src").mkdir(parents=True)
    (probe / "src" / "__init__.py").write_text("")
    surface = "import gc\nraise SystemExit(f'thresholds {gc.get_threshold()}')\n"
    (probe / "src" / "surface.py").write_text(surface)

    with pytest.raises(RuntimeError) as raised:
        write_tool_lock(probe)
    assert f"thresholds {THRESHOLDS}" in str(raised.value)


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


def test_a_generation_starts_its_interpreter_before_the_spec_loads_and_stops_it_on_a_bad_spec(
    tmp_path, monkeypatch
):
    """Importing FastMCP takes the other core while the spec loads and the IR builds; a spec that fails to
    load leaves no interpreter behind."""
    generating = importlib.import_module("mcpgen.generate")
    events, steps = [], []

    class Spied(LockStep):
        def __init__(self, folder: Path) -> None:
            events.append("interpreter")
            steps.append(self)
            super().__init__(folder)

    def loading(*args, **kwargs):
        events.append("spec")
        return load_spec(*args, **kwargs)

    load_spec = generating.load_spec
    monkeypatch.setattr(generating, "LockStep", Spied)
    monkeypatch.setattr(generating, "load_spec", loading)
    bad = tmp_path / "bad.json"
    bad.write_text('{"openapi": "3.1.0", "info": {"title": "x"}, "paths": {"/a": {"get": 1}}}')

    with pytest.raises(MCPGenError):
        generating.generate(generating.Request(spec=str(bad), out=tmp_path / "out"))

    assert events == ["interpreter", "spec"]
    assert steps[0].process.returncode not in (None, 0)
    assert not (tmp_path / "out").exists()
