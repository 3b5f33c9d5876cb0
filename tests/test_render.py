"""mcpgen renders through a faster Copier worker (render.fast_worker), every template version alike (an update
renders the project's old version and the new one); its trees must be byte for byte what plain `copier copy`
writes from the same answers, or `copier update` would see differences that are not edits."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, prepare
from mcpgen.render import released_versions, render_template
from mcpgen.render.copier_render import raise_from_share, render_share
from tests.conftest import REPO, shared_spec
from tests.generated import clean_env
from tests.golden.regen import GOLDEN
from tests.test_golden import tree

TODO = REPO / "examples" / "todo_backend" / "openapi.json"


V2_1_0_ANSWERS = Path(__file__).parent / "upgrade" / "v2_1" / "hard_cases.yml"


def renders_alike(spec: Path, tmp_path: Path, **request) -> dict[str, bytes]:
    answers = prepare(Request(spec=str(spec), out=tmp_path / "unused", **request)).answers.data()
    return answers_render_alike(answers, tmp_path)


def answers_render_alike(answers: dict, tmp_path: Path, version: str | None = None) -> dict[str, bytes]:
    render_template(answers, tmp_path / "fast", version=version)
    render_template(answers, tmp_path / "copier", version=version, fast=False)
    fast, copier = tree(tmp_path / "fast"), tree(tmp_path / "copier")
    assert sorted(fast) == sorted(copier)
    assert [name for name in fast if fast[name] != copier[name]] == []
    return fast


def test_todo_renders_as_copier_copy_does(tmp_path):
    files = renders_alike(TODO, tmp_path)
    assert ".copier-answers.yml" in files
    # Reusing compiled path templates must not leave a `yield` set for the files rendered next.
    tools = [name for name in files if name.startswith("src/tools/") and name != "src/tools/__init__.py"]
    assert len(tools) == 6


@pytest.mark.parametrize("case", ["hard_cases", "notes_monolithic"])
def test_golden_specs_render_as_copier_copy_does(case, tmp_path):
    renders_alike(GOLDEN / case / "spec.yaml", tmp_path)


def test_modular_layout_of_a_small_spec_renders_as_copier_copy_does(tmp_path):
    files = renders_alike(GOLDEN / "notes_monolithic" / "spec.yaml", tmp_path, layout="modular")
    assert any(name.startswith("src/tools/") for name in files)


@pytest.mark.parametrize("version", ["2.0.0", "2.1.0", "2.1.1", "2.2.0"])
def test_every_released_template_version_renders_as_copier_copy_does(version, tmp_path):
    """What `mcpgen update` renders as the project's old version; 2.1.0 takes the answers mcpgen 2.1 wrote."""
    assert version in released_versions()
    if version == "2.1.0":
        recorded = yaml.safe_load(V2_1_0_ANSWERS.read_text(encoding="utf-8"))
        answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
    else:
        request = Request(spec=str(GOLDEN / "hard_cases" / "spec.yaml"), out=tmp_path / "unused")
        answers = prepare(request).answers.data()
    files = answers_render_alike(answers, tmp_path, version)
    assert f"_commit: v{version}" in files[".copier-answers.yml"].decode()


@pytest.mark.slow
def test_a_large_real_spec_renders_as_copier_copy_does(tmp_path):
    """letta: 300 tools, every `yield` file, the answers file's YAML through libyaml."""
    renders_alike(shared_spec("letta.json"), tmp_path)


def test_a_render_of_some_modules_writes_them_as_a_whole_render_does(tmp_path):
    """What an update's old render does: the modules asked for, formatted as in a whole render (ruff sees the
    same packages), every other file as usual, and no module that was left out."""
    answers = prepare(Request(spec=str(TODO), out=tmp_path / "unused")).answers.data()
    render_template(answers, tmp_path / "whole")
    wanted = {"src/tools/list_tasks.py", "tests/conftest.py"}
    render_template(answers, tmp_path / "some", only=wanted.__contains__)
    whole, some = tree(tmp_path / "whole"), tree(tmp_path / "some")

    assert sorted(some) == sorted(name for name in whole if not name.endswith(".py") or name in wanted)
    assert [name for name in some if some[name] != whole[name]] == []
    assert len([name for name in whole if name.endswith(".py")]) > 20


def test_a_render_split_between_two_processes_writes_what_copier_copy_does(tmp_path):
    """On Linux, from a process without other threads, the fast worker renders every other file in a forked
    copy of itself: run in a fresh interpreter (a test process may have threads), counting the forks."""
    answers = prepare(Request(spec=str(TODO), out=tmp_path / "unused")).answers.data()
    (tmp_path / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
    script = f"""
import json, os
from pathlib import Path
from mcpgen.render import render_template
forks = []
fork = os.fork
os.fork = lambda: forks.append(1) or fork()
answers = json.loads(Path({str(tmp_path / "answers.json")!r}).read_text(encoding="utf-8"))
render_template(answers, Path({str(tmp_path / "fast")!r}))
print(len(forks))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == ("1" if sys.platform == "linux" else "0")

    render_template(answers, tmp_path / "copier", fast=False)
    fast, copier = tree(tmp_path / "fast"), tree(tmp_path / "copier")
    assert sorted(fast) == sorted(copier)
    assert [name for name in fast if fast[name] != copier[name]] == []


@pytest.mark.skipif(sys.platform != "linux", reason="renders fork only on Linux")
def test_an_error_in_the_forked_half_is_raised_in_the_caller_as_it_was():
    def failing() -> None:
        raise MCPGenError("a template cannot render", file="src/server.py", hint="report it")

    def not_picklable() -> None:
        raise ValueError(lambda: None)  # a lambda does not pickle

    for render, expected in (
        (failing, "src/server.py: a template cannot render (report it)"),
        (not_picklable, "ValueError: <function"),
    ):
        readable, writable = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(readable)
            render_share(render, writable)
        os.close(writable)
        with pytest.raises(Exception) as raised:
            raise_from_share(child, readable)
        assert str(raised.value).startswith(expected)
