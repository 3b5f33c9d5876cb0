"""Template 2.1 renders from the answers this mcpgen writes.

Release 2.1.0 (tag v2.1.0) renders from answers contract 1, code as strings, which mcpgen 2.1 wrote and which
projects it generated still hold: `copier update` renders their old version from it, so it stays as tagged.
Release 2.1.1 (template_history/v2.1) renders the same project from contract 2, the values this mcpgen writes:
`--template-version 2.1` picks it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mcpgen import __version__
from mcpgen.cli import app
from mcpgen.render import template_store
from tests.generated import clean_env, run_project_tests

HERE = Path(__file__).parent
REPO = HERE.parent
V2_1_ANSWERS = HERE / "upgrade" / "v2_1"
MIGRATION = REPO / "migrations" / "answers_v1_to_v2.py"
TODO_SPEC = REPO / "examples" / "todo_backend" / "openapi.json"
NOTES_SPEC = HERE / "golden" / "notes_monolithic" / "spec.yaml"
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
ANSWERS_FILE = ".copier-answers.yml"
runner = CliRunner()

# Where 2.1.1's render may differ from 2.1.0's, and why; in each file, 2.1.0's text is replaced by 2.1.1's
# before the two are compared. Everything else must be the same bytes.
KNOWN_DIFFERENCES = {
    "README.md": [
        # The README names the template version that rendered the project.
        (
            "rendered from the mcpgen template 2.1.0.",
            "rendered from the mcpgen template 2.1.1.",
        ),
        # Contract 2 keeps how prose names the backend (api.name "Todo API", for the spec titles "Todo" and
        # "Todo API" alike), not the title itself: 2.1.0 wrote "the Todo API API" for a title that already
        # ended in "API", which 2.1.1 cannot tell apart from the title "Todo".
        ("the Todo API API,", "the Todo API,"),
    ],
    "pyproject.toml": [('"MCP server for the Todo API API"', '"MCP server for the Todo API"')],
}


def copier(cwd: Path, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "copier", *args], cwd=cwd, capture_output=True, text=True, env=clean_env()
    )
    assert result.returncode == 0, result.stderr[-3000:]


def migrated(answers: Path, into: Path) -> Path:
    """Contract-1 answers turned into contract 2 by the migration `copier update` runs."""
    copy = into / "answers-contract-2.yml"
    shutil.copy(answers, copy)
    subprocess.run([sys.executable, str(MIGRATION), str(copy)], check=True)
    assert yaml.safe_load(copy.read_text())["ir_version"] == 2
    return copy


def files(tree: Path) -> dict[str, str]:
    return {
        str(path.relative_to(tree)): path.read_text("utf-8")
        for path in sorted(tree.rglob("*"))
        if path.is_file() and path.name != ANSWERS_FILE and ".git" not in path.parts
    }


@pytest.mark.parametrize("answers", sorted(V2_1_ANSWERS.glob("*.yml")), ids=lambda path: path.stem)
def test_template_2_1_1_renders_from_contract_2_what_2_1_0_rendered_from_contract_1(tmp_path, answers):
    """Each fixture: answers mcpgen 2.1 wrote (both layouts, all four auth patterns among them), rendered by
    2.1.0 as they are and by 2.1.1 once migrated; both renders formatted by the template's own task."""
    store = template_store()
    old, new = tmp_path / "2.1.0", tmp_path / "2.1.1"
    copier(tmp_path, "copy", "--trust", "--defaults", "--vcs-ref", "v2.1.0", "--data-file", str(answers),
           str(store), str(old))  # fmt: skip
    copier(tmp_path, "copy", "--trust", "--defaults", "--vcs-ref", "v2.1.1",
           "--data-file", str(migrated(answers, tmp_path)), str(store), str(new))  # fmt: skip

    expected, rendered = files(old), files(new)
    assert sorted(rendered) == sorted(expected)
    for name, changes in KNOWN_DIFFERENCES.items():
        for before, after in changes:
            expected[name] = expected[name].replace(before, after)
    for name, text in expected.items():
        assert rendered[name] == text, name
    assert "_commit: v2.1.1" in (new / ANSWERS_FILE).read_text()


def test_the_fixtures_cover_both_layouts_and_every_auth_pattern():
    seen = [yaml.safe_load(path.read_text()) for path in V2_1_ANSWERS.glob("*.yml")]
    assert {answers["layout"] for answers in seen} == {"modular", "monolithic"}
    assert {answers["pattern"] for answers in seen} == {"none", "api-key", "bearer", "service-to-service"}
    assert all(answers["ir_version"] == 1 for answers in seen)


def mcpgen(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_template_2_1_renders_the_modular_layout_and_its_tests_pass(tmp_path):
    out = tmp_path / "todo"
    result = mcpgen("from-openapi", TODO_SPEC, "-o", out, "--template-version", "2.1")
    assert result.exit_code == 0, result.output
    assert "layout modular" in result.output
    assert sorted(p.name for p in (out / "src" / "tools").glob("*.py"))[:3] == [
        "__init__.py",
        "create_task.py",
        "delete_task.py",
    ]
    assert not (out / "main.py").exists()
    answers_text = (out / ANSWERS_FILE).read_text()
    assert "_commit: v2.1.1" in answers_text and "ir_version: 2" in answers_text
    # The migration Copier runs on the way to 2.2 leaves contract-2 answers as they are.
    subprocess.run([sys.executable, str(MIGRATION), str(out / ANSWERS_FILE)], check=True)
    assert (out / ANSWERS_FILE).read_text() == answers_text
    assert " passed" in run_project_tests(out)


def test_template_2_1_renders_the_monolithic_layout_and_its_tests_pass(tmp_path):
    out = tmp_path / "notes"
    result = mcpgen("from-openapi", NOTES_SPEC, "-o", out, "--template-version", "2.1")
    assert result.exit_code == 0, result.output
    assert "layout monolithic" in result.output
    assert {"main.py", "tools.py", "schemas.py", "client.py"} <= {p.name for p in out.glob("*.py")}
    assert not (out / "src").exists()
    assert "_commit: v2.1.1" in (out / ANSWERS_FILE).read_text()
    assert " passed" in run_project_tests(out)


@pytest.mark.slow
def test_a_2_1_1_project_updates_to_this_template_without_conflicts(tmp_path):
    project = tmp_path / "todo"
    result = mcpgen("from-openapi", TODO_SPEC, "-o", project, "--template-version", "2.1")
    assert result.exit_code == 0, result.output
    subprocess.run([*GIT, "init", "-q"], cwd=project, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "-qm", "generated with template 2.1"], cwd=project, check=True)

    updated = mcpgen("update", project)

    assert updated.exit_code == 0, updated.output
    assert "from template 2.1.1 to " + __version__ in updated.output
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text())
    assert answers["_commit"] == "v" + __version__ and answers["ir_version"] == 2
    conflicted = [
        str(p.relative_to(project))
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.parts and "<<<<<<<" in p.read_text(errors="replace")
    ]
    assert conflicted == []
    assert " passed" in run_project_tests(project)
