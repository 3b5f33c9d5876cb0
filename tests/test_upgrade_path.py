"""A generated project takes newer templates through plain `copier update`, keeping hand edits.

The template repositories here are throwaway copies of the one mcpgen renders from (the packaged release
history plus this checkout's template, tagged), with a next version committed on top.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mcpgen.generate import Request, generate
from mcpgen.render import template_store, version_tag
from tests.generated import clean_env, run_project_tests

GOLDEN = Path(__file__).parent / "golden"
V2_1_ANSWERS = Path(__file__).parent / "upgrade" / "v2_1"
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
NEXT = "v99.0.0"


def git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True)


def copier(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "copier", *args], cwd=cwd, capture_output=True, text=True, env=clean_env()
    )


@pytest.fixture
def template(tmp_path) -> Path:
    """A template repository with this version tagged, to commit a next version onto."""
    repo = tmp_path / "template"
    shutil.copytree(template_store(), repo)
    return repo


def release_next(repo: Path, changes: list[tuple[str, str, str]]) -> None:
    """Commit the next template version: in each file (relative to templates/project/), replace old by new."""
    for name, old, new in changes:
        path = repo / "templates" / "project" / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new))
    git(repo, "commit", "-qam", "next template")
    git(repo, "tag", NEXT)


def generated_project(tmp_path: Path, template: Path, spec: Path) -> Path:
    project = tmp_path / "project"
    generate(Request(spec=str(spec), out=project, template_src=str(template)))
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def update(project: Path) -> None:
    result = copier(project, "update", "--trust", "--defaults")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"_commit: {NEXT}" in (project / ".copier-answers.yml").read_text()
    conflicts = [
        p
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.parts and "<<<<<<<" in p.read_text(errors="replace")
    ]
    assert conflicts == []


@pytest.mark.slow
def test_a_template_only_change_reaches_the_project_and_hand_edits_survive(tmp_path, template):
    project = generated_project(tmp_path, template, GOLDEN / "tasks_modular" / "spec.yaml")
    tool = project / "src" / "tools" / "get_task.py"
    server = project / "src" / "server.py"
    edit(tool, '"""Get Task.', '"""Get one task of the caller (edited by hand).')
    edit(
        server,
        'instructions="Per-user task lists',
        'instructions="Your tasks (edited by hand); per-user task lists',
    )
    git(project, "commit", "-qam", "hand edits")

    # The next template puts a line above every tool function and a new line in the server module.
    release_next(
        template,
        [
            (
                "_shared/tools.jinja",
                "\n\nasync def {{ function(tool) }}(",
                "\n\n# Reviewed for template 99.\nasync def {{ function(tool) }}(",
            ),
            (
                "src/server.py.jinja",
                'mcp.custom_route("/health"',
                '# Serving since template 99.\nmcp.custom_route("/health"',
            ),
        ],
    )
    update(project)

    tool_text, server_text = tool.read_text(), server.read_text()
    assert "# Reviewed for template 99.\nasync def get_task(" in tool_text
    assert "edited by hand" in tool_text
    assert "# Serving since template 99." in server_text
    assert 'instructions="Your tasks (edited by hand)' in server_text
    for other in (project / "src" / "tools").glob("*.py"):
        if other.stem != "__init__":
            assert "# Reviewed for template 99." in other.read_text(), other.name
    assert " passed" in run_project_tests(project)


LIST_QUERY_SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Tagged", "version": "1"},
    "paths": {
        "/items": {
            "get": {
                "operationId": "list_items",
                "parameters": [
                    {
                        "name": "tag",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                    }
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            }
        }
    },
}


@pytest.mark.slow
def test_a_change_of_wire_encoding_keeps_the_projects_own_tests_passing(tmp_path, template):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(LIST_QUERY_SPEC))
    project = generated_project(tmp_path, template, spec)
    # The generated test of list_items sends two tags; its expectation is derived when it runs.
    assert (
        '"tag": ["urgent", "urgent"]'
        in (project / "tests" / "integration" / "test_list_items.py").read_text()
    )

    # The next template sends a list as one comma-separated value instead of repeating the key.
    release_next(
        template,
        [
            (
                "src/client.py.jinja",
                "        return [pair for item in value for pair in _flatten(name, item)]",
                '        return [(name, ",".join(_scalar(item) for item in value))] if value else []',
            ),
            (
                "_shared/tests/test_client.py.jinja",
                '        ("tag", "a"),\n        ("tag", "b"),',
                '        ("tag", "a,b"),',
            ),
            ("_shared/tests/test_client.py.jinja", "&tags=x&tags=y&", "&tags=x%2Cy&"),
        ],
    )
    update(project)

    assert '",".join(' in (project / "src" / "client.py").read_text()
    assert " passed" in run_project_tests(project)


@pytest.mark.slow
def test_a_2_1_project_updates_to_this_template_through_the_answers_migration(tmp_path, template):
    project = tmp_path / "project"
    copied = copier(
        tmp_path,
        "copy", "--trust", "--defaults", "--vcs-ref", "v2.1.0",
        "--data-file", str(V2_1_ANSWERS / "tasks_modular.yml"),
        str(template), str(project),
    )  # fmt: skip
    assert copied.returncode == 0, copied.stderr[-3000:]
    assert "_commit: v2.1.0" in (project / ".copier-answers.yml").read_text()
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated with 2.1")
    tool = project / "src" / "tools" / "get_task.py"
    edit(tool, '"""Get Task.', '"""Get one task of the caller (edited by hand).')
    git(project, "commit", "-qam", "hand edit")

    result = copier(project, "update", "--trust", "--defaults", "--vcs-ref", version_tag())
    assert result.returncode == 0, result.stderr[-3000:]

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == version_tag() and answers["ir_version"] == 2
    assert "signature" not in json.dumps(answers["tools"])
    text = tool.read_text()
    assert "edited by hand" in text and "    ctx: Context,\n    task_id: int," in text
    assert (project / "tests" / "integration" / "conftest.py").is_file()
    assert " passed" in run_project_tests(project)


def test_plain_copier_update_stops_before_deleting_a_file_that_holds_edits(tmp_path, template):
    """2.0's flat tools.py is split into src/tools/ by 2.2: Copier alone would delete it, edits and all."""
    project = tmp_path / "project"
    generate(
        Request(spec=str(GOLDEN / "notes_monolithic" / "spec.yaml"), out=project, template_src=str(template),
                template_version="2.0")
    )  # fmt: skip
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated with 2.0")
    edit(project / "tools.py", '    """Get a note"""', '    """Get one note by its id (edited by hand)."""')
    git(project, "commit", "-qam", "hand edit")

    refused = copier(project, "update", "--trust", "--defaults")

    assert refused.returncode != 0
    assert "would delete tools.py, which holds your edits; run `mcpgen update`" in refused.stderr
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True)
    assert status.stdout == ""
    assert "edited by hand" in (project / "tools.py").read_text()
    # Without edits there is nothing to lose: the same update goes through.
    git(project, "reset", "-q", "--hard", "HEAD~1")
    updated = copier(project, "update", "--trust", "--defaults")
    assert updated.returncode == 0, updated.stderr[-3000:]
    assert not (project / "tools.py").exists() and (project / "src" / "server.py").is_file()


@pytest.fixture(scope="module")
def bare_copier(tmp_path_factory) -> Path:
    """A Copier installed alone, as `uvx copier` or pipx give it: no ruff, no FastMCP beside it."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "copier>=9.19,<10"],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        pytest.skip(f"copier could not be installed into a fresh venv: {installed.stderr[-300:]}")
    assert subprocess.run([str(venv / "bin" / "python"), "-c", "import ruff"], capture_output=True).returncode
    return venv / "bin" / "copier"


@pytest.mark.slow
def test_copier_alone_copies_and_updates_the_template(tmp_path, template, bare_copier):
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump(answers_data(GOLDEN / "notes_monolithic" / "spec.yaml")))
    project = tmp_path / "project"
    env = clean_env(PATH="/usr/bin:/bin")  # nothing of this test's own environment: no ruff on PATH

    copied = subprocess.run(
        [
            str(bare_copier),
            "copy",
            "--trust",
            "--defaults",
            "--data-file",
            str(answers),
            str(template),
            str(project),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert copied.returncode == 0, copied.stderr[-2000:]
    assert "ruff not found" in copied.stderr and "could not refresh mcp-tools.lock" in copied.stderr
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "copied")
    release_next(
        template, [("src/server.py.jinja", "mcp.custom_route(", "# Template 99.\nmcp.custom_route(")]
    )

    updated = subprocess.run(
        [str(bare_copier), "update", "--trust", "--defaults"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    assert updated.returncode == 0, updated.stderr[-2000:]
    assert "# Template 99." in (project / "src" / "server.py").read_text()


def answers_data(spec: Path) -> dict:
    from mcpgen.generate import Request, prepare

    return prepare(Request(spec=str(spec), out=Path("."))).answers.data()
