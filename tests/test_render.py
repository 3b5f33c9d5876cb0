"""mcpgen renders through a faster Copier worker (render.fast_worker); its trees must be byte for byte what
plain `copier copy` writes from the same answers, or `copier update` would see differences
that are not edits."""

from pathlib import Path

import pytest

from mcpgen.generate import Request, prepare
from mcpgen.render import render_template
from tests.conftest import REPO, shared_spec
from tests.golden.regen import GOLDEN
from tests.test_golden import tree

TODO = REPO / "examples" / "todo_backend" / "openapi.json"


def renders_alike(spec: Path, tmp_path: Path, **request) -> dict[str, bytes]:
    answers = prepare(Request(spec=str(spec), out=tmp_path / "unused", **request)).answers.data()
    render_template(answers, tmp_path / "fast")
    render_template(answers, tmp_path / "copier", fast=False)
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


@pytest.mark.slow
def test_a_large_real_spec_renders_as_copier_copy_does(tmp_path):
    """letta: 300 tools, every `yield` file, the answers file's YAML through libyaml."""
    renders_alike(shared_spec("letta.json"), tmp_path)
