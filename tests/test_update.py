"""Updates never lose work: a changed API or a new layout reaches a project through `mcpgen update`, with
every hand edit kept, moved where its code now lives, or listed in UPGRADE_NOTES.md."""

import importlib
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mcpgen.cli import app
from tests.generated import record_surface, run_project_tests

GOLDEN = Path(__file__).parent / "golden"
NOTES_SPEC = GOLDEN / "notes_monolithic" / "spec.yaml"
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"]
runner = CliRunner()


def git(cwd: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def mcpgen(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def committed_project(tmp_path: Path, spec: Path = NOTES_SPEC, *options: str) -> Path:
    project = tmp_path / "project"
    result = mcpgen("from-openapi", spec, "-o", project, *options)
    assert result.exit_code == 0, result.output
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    return project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def commit(project: Path, message: str = "hand edits") -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message)


def grown_notes_spec(tmp_path: Path, **changes) -> Path:
    """The notes API with two more operations (five tools: the layout rule picks modular) and a new filter."""
    spec = yaml.safe_load(NOTES_SPEC.read_text())
    note_id = {"name": "note_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    note = {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}
    spec["paths"]["/notes/{note_id}"]["delete"] = {
        "operationId": "deleteNote",
        "summary": "Delete a note",
        "parameters": [note_id],
        "responses": {"204": {"description": "Deleted."}},
    }
    spec["paths"]["/notes/{note_id}/pin"] = {
        "post": {
            "operationId": "pinNote",
            "summary": "Pin a note",
            "parameters": [note_id],
            "responses": {"200": {"description": "ok", "content": note}},
        }
    }
    spec["paths"]["/notes"]["get"]["parameters"].append(
        {
            "name": "tag",
            "in": "query",
            "schema": {"type": "string"},
            "description": "Only notes with this tag.",
        }
    )
    for path, method in changes.get("remove", []):
        del spec["paths"][path][method]
    out = tmp_path / "grown.yaml"
    out.write_text(yaml.safe_dump(spec, sort_keys=False))
    return out


def test_update_refuses_a_dirty_tree_and_a_folder_outside_git(tmp_path):
    project = tmp_path / "project"
    assert mcpgen("from-openapi", NOTES_SPEC, "-o", project).exit_code == 0
    outside = mcpgen("update", project)
    assert outside.exit_code == 2 and "is not in a git repository" in outside.output
    git(project, "init", "-q")
    commit(project, "generated")
    edit(project / "src" / "tools.py", '"""List notes.', '"""List notes, uncommitted.')
    dirty = mcpgen("update", project)
    assert dirty.exit_code == 2 and "has uncommitted changes" in dirty.output
    assert "uncommitted" in (project / "src" / "tools.py").read_text()


def test_an_uncommitted_edit_of_mcpgen_yaml_is_what_the_update_applies(tmp_path):
    """mcpgen.yaml is the update's input: edit it, run the update, review both in one `git diff`."""
    project = committed_project(tmp_path)
    settings = yaml.safe_load((project / "mcpgen.yaml").read_text())
    settings["descriptions"] = {"list_notes": "Every note, newest first."}
    (project / "mcpgen.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))

    result = mcpgen("update", project)

    assert result.exit_code == 0, result.output
    assert "Every note, newest first." in (project / "src" / "tools.py").read_text()
    assert yaml.safe_load((project / "mcpgen.yaml").read_text())["descriptions"] == settings["descriptions"]


def test_generating_over_a_generated_project_is_refused_without_force(tmp_path):
    project = committed_project(tmp_path)
    result = mcpgen("from-openapi", NOTES_SPEC, "-o", project)
    assert result.exit_code == 2 and "already holds a generated project" in result.output
    assert "mcpgen update" in result.output


@pytest.mark.slow
def test_force_over_a_git_project_updates_it_and_keeps_edits_git_and_other_files(tmp_path):
    project = committed_project(tmp_path)
    edit(project / "src" / "tools.py", '"""Get a note.', '"""Get one note by its id (edited by hand).')
    (project / "NOTES_FOR_US.md").write_text("not generated\n")
    commit(project)

    result = mcpgen("from-openapi", grown_notes_spec(tmp_path), "-o", project, "--force", "--json")

    assert result.exit_code == 0, result.output
    assert (project / ".git").is_dir() and git(project, "log", "--oneline").count("\n") == 2
    assert (project / "NOTES_FOR_US.md").read_text() == "not generated\n"
    assert "edited by hand" in (project / "src" / "tools" / "get_note.py").read_text()
    record_surface(project)  # as the summary asks once the edits are reviewed
    assert " passed" in run_project_tests(project)


def test_force_into_a_folder_that_is_not_a_project_writes_files_and_replaces_nothing(tmp_path):
    out = tmp_path / "existing"
    (out / "docs").mkdir(parents=True)
    (out / "docs" / "ours.md").write_text("ours\n")
    (out / "README.md").write_text("an old readme\n")

    refused = mcpgen("from-openapi", NOTES_SPEC, "-o", out)
    assert refused.exit_code == 2 and "--force" in refused.output

    result = mcpgen("from-openapi", NOTES_SPEC, "-o", out, "--force", "--json")
    assert result.exit_code == 0, result.output
    assert (out / "docs" / "ours.md").read_text() == "ours\n"
    assert (out / "src" / "server.py").is_file()
    # A file mcpgen did not write is never replaced: the generated one goes beside it, and the summary says.
    assert (out / "README.md").read_text() == "an old readme\n"
    assert (out / "README.md.mcpgen").read_text().startswith("# ")
    assert json.loads(result.stdout)["beside"] == ["README.md"]

    other = tmp_path / "other"
    other.mkdir()
    (other / ".env.example").write_text("OURS=1\n")
    told = mcpgen("from-openapi", NOTES_SPEC, "-o", other, "--force")
    assert told.exit_code == 0, told.output
    assert (other / ".env.example").read_text() == "OURS=1\n"
    kept = "kept .env.example, which mcpgen did not write; the generated one is .env.example.mcpgen"
    assert kept in told.output


@pytest.mark.slow
def test_an_api_change_adds_removes_and_retypes_tools_keeping_edits_elsewhere(tmp_path):
    grown = grown_notes_spec(tmp_path)
    project = committed_project(tmp_path, grown)
    edit(project / "src" / "tools" / "list_notes.py", '"""List notes.', '"""List the notes (edited by hand).')
    edit(project / "src" / "server.py", "instructions=", "# Reviewed by the team.\n    instructions=")
    commit(project)
    # Next version of the API: pinning goes away, a note can be archived, and limit becomes a string.
    spec = yaml.safe_load(grown.read_text())
    del spec["paths"]["/notes/{note_id}/pin"]
    spec["paths"]["/notes/{note_id}/archive"] = {
        "post": {"operationId": "archiveNote", "summary": "Archive a note", "parameters": [
            {"name": "note_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ], "responses": {"204": {"description": "Archived."}}}
    }  # fmt: skip
    limit = spec["paths"]["/notes"]["get"]["parameters"][0]
    limit["schema"] = {"type": "string"}
    newer = tmp_path / "newer.yaml"
    newer.write_text(yaml.safe_dump(spec, sort_keys=False))
    lock_before = json.loads((project / "mcp-tools.lock").read_text())

    result = mcpgen("update", project, "--spec", newer, "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert "src/tools/archive_note.py" in summary["changes"]["added"]
    assert "tests/integration/test_archive_note.py" in summary["changes"]["added"]
    assert "src/tools/pin_note.py" in summary["changes"]["removed"]
    assert not (project / "src" / "tools" / "pin_note.py").exists()
    assert not (project / "tests" / "integration" / "test_pin_note.py").exists()
    list_notes = (project / "src" / "tools" / "list_notes.py").read_text()
    assert "edited by hand" in list_notes and "limit: Annotated[str | None" in list_notes
    assert "# Reviewed by the team." in (project / "src" / "server.py").read_text()
    assert "archiveNote" in (project / "openapi.json").read_text()
    lock_after = json.loads((project / "mcp-tools.lock").read_text())
    names = lambda lock: {tool["name"]: tool for tool in lock["tools"]}  # noqa: E731
    assert set(names(lock_after)) - set(names(lock_before)) == {"archive_note"}
    assert set(names(lock_before)) - set(names(lock_after)) == {"pin_note"}
    assert names(lock_after)["list_notes"]["input_schema"] != names(lock_before)["list_notes"]["input_schema"]
    assert names(lock_after)["get_note"] == names(lock_before)["get_note"]
    record_surface(project)  # as the summary asks once the edits are reviewed
    assert " passed" in run_project_tests(project)


@pytest.mark.slow
def test_the_api_growing_past_four_tools_moves_each_tools_edits_into_its_own_module(tmp_path):
    project = committed_project(tmp_path)
    tools = project / "src" / "tools.py"
    edit(tools, '"""List notes.', '"""List the notes (edited by hand).')
    edit(tools, '"""Get a note.', '"""Get one note by its id (edited by hand).')
    tools.write_text(tools.read_text() + "\n\nPAGE_SIZE = 20  # a hand-added constant\n")
    commit(project)

    result = mcpgen("update", project, "--spec", grown_notes_spec(tmp_path), "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert not tools.exists()
    assert "edited by hand" in (project / "src" / "tools" / "list_notes.py").read_text()
    assert "edited by hand" in (project / "src" / "tools" / "get_note.py").read_text()
    assert "tag: Annotated[str | None" in (project / "src" / "tools" / "list_notes.py").read_text()
    notes = (project / "UPGRADE_NOTES.md").read_text()
    assert "PAGE_SIZE = 20  # a hand-added constant" in notes and "src/tools.py" in notes
    assert summary["notes"].endswith("UPGRADE_NOTES.md")
    record_surface(project)  # as the summary asks once the edits are reviewed
    assert " passed" in run_project_tests(project)


@pytest.mark.slow
def test_an_edit_on_a_line_the_update_also_changes_becomes_a_conflict(tmp_path):
    project = committed_project(tmp_path)
    tools = project / "src" / "tools.py"
    edit(tools, "    q: Annotated[", "    q: Annotated[  # the text to look for\n        ")
    commit(project)
    spec = yaml.safe_load(NOTES_SPEC.read_text())
    spec["paths"]["/notes"]["get"]["parameters"][1]["schema"] = {"type": "integer"}
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False))

    result = mcpgen("update", project, "--spec", changed, "--json")

    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["conflicts"] == ["src/tools.py"]
    text = tools.read_text()
    assert "<<<<<<< your version" in text and ">>>>>>> the new template" in text
    assert "the text to look for" in text
    assert any("SECURITY_REVIEW.md not updated" in warning for warning in summary["warnings"])


def test_diff_classifies_changes_and_gates_on_breaking_ones(tmp_path):
    grown = grown_notes_spec(tmp_path)
    added = mcpgen("diff", NOTES_SPEC, grown, "--json")
    assert added.exit_code == 0, added.output
    report = json.loads(added.stdout)
    assert report["breaking"] is False and report["suggested_bump"] == "minor"
    kinds = {(c["tool"], c["kind"]) for c in report["changes"]}
    assert kinds == {
        ("delete_note", "tool-added"),
        ("pin_note", "tool-added"),
        ("list_notes", "argument-added"),
    }

    removed = mcpgen("diff", grown, NOTES_SPEC)
    assert removed.exit_code == 1
    assert (
        "BREAKING  pin_note: tool-removed" in removed.stdout
        and "suggested version bump: major" in removed.stdout
    )

    spec = yaml.safe_load(NOTES_SPEC.read_text())
    spec["paths"]["/notes/{note_id}"]["get"]["parameters"][0]["schema"] = {"type": "string"}
    spec["paths"]["/notes"]["get"]["parameters"][1]["required"] = True
    spec["components"]["schemas"]["Note"]["properties"].pop("pinned")
    spec["paths"]["/notes/{note_id}"]["get"]["operationId"] = "readNote"
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False))
    report = json.loads(mcpgen("diff", NOTES_SPEC, changed, "--json").stdout)
    found = {(c["tool"], c["kind"], c["breaking"]) for c in report["changes"]}
    assert ("get_note", "tool-renamed", True) in found
    assert ("read_note", "argument-retyped", True) in found
    assert ("list_notes", "argument-made-required", True) in found
    assert ("list_notes", "output-field-removed", True) in found  # a field of the listed notes


def test_diff_of_a_project_against_a_spec_uses_the_project(tmp_path):
    project = committed_project(tmp_path)
    same = mcpgen("diff", project, NOTES_SPEC, "--json")
    assert same.exit_code == 0 and json.loads(same.stdout)["changes"] == []


@pytest.mark.slow
def test_add_tool_adds_one_operation_and_touches_nothing_else(tmp_path):
    spec = yaml.safe_load(grown_notes_spec(tmp_path).read_text())
    for item in spec["paths"].values():
        for operation in item.values():
            operation["tags"] = ["pins"] if operation["operationId"] == "pinNote" else ["notes"]
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text(yaml.safe_dump(spec, sort_keys=False))
    project = committed_project(tmp_path, tagged, "--exclude-tag", "pins", "--layout", "modular")
    edit(project / "src" / "tools" / "get_note.py", '"""Get a note.', '"""Get a note (edited by hand).')
    commit(project)
    before = {p: p.read_text() for p in (project / "src" / "tools").glob("*.py")}

    again = mcpgen("add-tool", project, "--operation", "getNote")
    assert again.exit_code == 2 and "already has the tool get_note" in again.output
    unknown = mcpgen("add-tool", project, "--operation", "flyNote")
    assert unknown.exit_code == 2 and "'flyNote' is not in the spec" in unknown.output

    result = mcpgen("add-tool", project, "--operation", "pinNote", "--json")

    assert result.exit_code == 0, result.output
    changed = git(project, "status", "--porcelain").splitlines()
    assert "?? src/tools/pin_note.py" in changed and "?? tests/integration/test_pin_note.py" in changed
    assert " M src/server.py" in changed
    for path, text in before.items():
        assert path.read_text() == text, f"{path.name} changed"
    assert "pinNote" in (project / "mcpgen.yaml").read_text()
    record_surface(project)  # as the summary asks once the edits are reviewed
    assert " passed" in run_project_tests(project)


def test_update_runs_none_of_the_projects_own_code(tmp_path):
    project = committed_project(tmp_path)
    server = project / "src" / "server.py"
    # A module that does something on import: an update must not run it.
    server.write_text(
        server.read_text()
        + '\nimport pathlib\n\npathlib.Path(__file__).parents[1].joinpath("ran-on-import").write_text("y")\n'
    )
    commit(project)
    lock = (project / "mcp-tools.lock").read_text()

    result = mcpgen("update", project, "--json")

    assert result.exit_code == 0, result.output
    assert not (project / "ran-on-import").exists()
    assert (project / "mcp-tools.lock").read_text() == lock
    assert any("python -m src.surface --write" in w for w in json.loads(result.stdout)["warnings"])


@pytest.mark.parametrize(
    ("tools", "order"),
    [
        # The lock step's interpreter starts with the update and is handed the new render before the merge;
        # the update waits for it last, after the review.
        ("all", ["start", "merge", "review", "surface"]),
        # `auto` measures the new render's tool list first, with the interpreter started ahead.
        ("auto", ["start", "surface", "merge", "review"]),
    ],
)
def test_an_update_records_the_new_tools_in_the_interpreter_started_with_it(
    tmp_path, monkeypatch, tools, order
):
    updating = importlib.import_module("mcpgen.project.update")  # the package's `update` is the function
    project = committed_project(tmp_path, NOTES_SPEC, "--tools", tools)
    called = []

    def fresh(_project):
        raise AssertionError("the tools were recorded in a fresh interpreter")

    def spied(name, function):
        def call(*args, **kwargs):
            called.append(name)
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(updating, "write_tool_lock", fresh)
    monkeypatch.setattr(updating.LockStep, "start", spied("start", updating.LockStep.start))
    monkeypatch.setattr(updating.LockStep, "surface", spied("surface", updating.LockStep.surface))
    monkeypatch.setattr(updating, "merge_trees", spied("merge", updating.merge_trees))
    monkeypatch.setattr(updating, "write_security_review", spied("review", updating.write_security_review))

    result = mcpgen("update", project, "--spec", grown_notes_spec(tmp_path), "--json")

    assert result.exit_code == 0, result.output
    assert called == order
    lock = json.loads((project / "mcp-tools.lock").read_text())
    assert {"delete_note", "pin_note"} <= {tool["name"] for tool in lock["tools"]}
    assert "pin_note" in json.loads((project / "src" / "tool_schemas.json").read_text())["tools"]


def test_a_lock_step_that_fails_during_an_update_leaves_the_lock_and_says_so(tmp_path, monkeypatch):
    updating = importlib.import_module("mcpgen.project.update")
    project = committed_project(tmp_path, NOTES_SPEC, "--tools", "all")
    lock = (project / "mcp-tools.lock").read_text()

    def failed(_self):
        raise RuntimeError("the server could not list its tools: ImportError: boom")

    monkeypatch.setattr(updating.LockStep, "surface", failed)

    result = mcpgen("update", project, "--spec", grown_notes_spec(tmp_path), "--json")

    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert "mcp-tools.lock not updated: the server could not list its tools: ImportError: boom" in warnings
    assert (project / "mcp-tools.lock").read_text() == lock


def test_an_answers_file_edited_to_write_outside_the_project_is_a_one_line_error(tmp_path):
    project = committed_project(tmp_path)
    answers = project / ".copier-answers.yml"
    edit(answers, "- name: get_note\n", "- name: get_note\n  function: ../../x\n")
    commit(project)

    result = mcpgen("update", project)

    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith(f"error: {answers}#/tools/") and "/function: String should match pattern" in line
    assert "'../../x'" in line and "mcpgen update --spec" in line and "\n" not in line
    assert git(project, "status", "--porcelain") == "" and not (tmp_path / "x.py").exists()


def test_template_2_0_still_renders_the_flat_layout(tmp_path):
    out = tmp_path / "flat"
    result = mcpgen("from-openapi", NOTES_SPEC, "-o", out, "--template-version", "2.0")
    assert result.exit_code == 0, result.output
    assert "layout flat" in result.output and "layout monolithic" not in result.output
    assert "CLAUDE_DESKTOP_SETUP.md" not in result.output  # 2.0 writes no such file
    assert sorted(p.name for p in out.glob("*.py")) == ["client.py", "config.py", "main.py", "tools.py"]
    assert not (out / "src").exists()
    assert "_commit: v2.0.0" in (out / ".copier-answers.yml").read_text()
    unknown = mcpgen("from-openapi", NOTES_SPEC, "-o", tmp_path / "x", "--template-version", "1.9")
    assert unknown.exit_code == 2 and "template version 1.9 is unknown" in unknown.output


@pytest.mark.slow
def test_a_2_0_project_upgrades_to_the_modular_layout_with_each_tools_edit_moved(tmp_path):
    grown = grown_notes_spec(tmp_path)
    project = committed_project(tmp_path, grown, "--template-version", "2.0")
    assert " passed" in run_project_tests(project)
    edit(project / "tools.py", '    """Get a note"""', '    """Get one note by its id (edited by hand)."""')
    edit(
        project / "tools.py",
        "\nasync def pin_note(",
        "\n# Pinned notes show first in the app.\nasync def pin_note(",
    )
    edit(project / "tools.py", '    """Pin a note"""\n', '    """Pin a note"""\n    assert note_id > 0\n')
    edit(project / "config.py", "default=30.0", "default=45.0")
    (project / "README.md").write_text((project / "README.md").read_text() + "\nOn call: the notes team.\n")
    commit(project)

    result = mcpgen("update", project, "--json")

    summary = json.loads(result.stdout)
    assert summary["from_version"] == "2.0.0" and summary["to_version"] == "2.2.0"
    assert summary["conflicts"] == [] and result.exit_code == 0, result.stdout
    for gone in ("tools.py", "main.py", "client.py", "config.py"):
        assert not (project / gone).exists(), gone
    get_note = (project / "src" / "tools" / "get_note.py").read_text()
    assert '"""Get one note by its id (edited by hand)."""' in get_note
    pin_note = (project / "src" / "tools" / "pin_note.py").read_text()
    assert "# Pinned notes show first in the app.\nasync def pin_note(" in pin_note
    assert '"""\n    assert note_id > 0\n    return await' in pin_note
    assert "default=45.0" in (project / "src" / "config.py").read_text()
    assert (project / "README.md").read_text().endswith("\nOn call: the notes team.\n")
    assert "src/tools/get_note.py (get_note from tools.py)" in summary["changes"]["moved"]
    notes = (project / "UPGRADE_NOTES.md").read_text()
    for row in (
        "| get_note (docstring) | tools.py | src/tools/get_note.py | moved |",
        "| pin_note (above) | tools.py | src/tools/pin_note.py | moved |",
        "| pin_note (body) | tools.py | src/tools/pin_note.py | moved |",
        "| config.py | config.py | src/config.py | moved |",
        "| README.md | README.md | README.md | kept in place |",
    ):
        assert row in notes, notes
    for module in (project / "src").rglob("*.py"):
        compile(module.read_text(), str(module), "exec")  # no conflict markers, nothing misplaced


REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_an_installed_wheel_updates_a_project_offline_from_what_it_ships(tmp_path):
    """The wheel carries every released template: a 2.0 project updates with no template repository around."""
    import sys
    import sysconfig

    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    # The wheel's dependencies come from this environment; mcpgen itself only from the wheel.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    subprocess.run([*install, str(next(dist.glob("mcpgen-*.whl")))], check=True)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),  # a user with no template store yet
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    wheel_mcpgen = str(venv / "bin" / "mcpgen")
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import mcpgen; print(mcpgen.__file__)"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert str(venv) in where.stdout, where.stdout + where.stderr

    project = tmp_path / "project"
    flat = [wheel_mcpgen, "from-openapi", str(NOTES_SPEC), "-o", str(project), "--template-version", "2.0"]
    assert subprocess.run(flat, capture_output=True, env=env).returncode == 0
    git(project, "init", "-q")
    commit(project, "generated with template 2.0")
    edit(project / "tools.py", '    """List notes"""', '    """List the notes (edited by hand)."""')
    commit(project)

    updated = subprocess.run(
        [wheel_mcpgen, "update", str(project), "--json"], capture_output=True, text=True, env=env
    )

    assert updated.returncode == 0, updated.stderr[-2000:]
    assert json.loads(updated.stdout)["to_version"] == "2.2.0"
    assert "edited by hand" in (project / "src" / "tools.py").read_text()
    assert "~/.local/share/mcpgen/template" in (project / ".copier-answers.yml").read_text()
    assert (tmp_path / "home" / ".local" / "share" / "mcpgen" / "template" / ".git").is_dir()


@pytest.mark.slow
def test_curation_in_mcpgen_yaml_survives_template_and_api_updates(tmp_path):
    project = committed_project(tmp_path)
    options = yaml.safe_load((project / "mcpgen.yaml").read_text())
    options["rename"] = {"listNotes": "find_notes", "get_note": "read_note"}
    options["descriptions"] = {"read_note": "One note, by the id find_notes gives."}
    options["exclude_operations"] = ["createNote"]
    (project / "mcpgen.yaml").write_text(yaml.safe_dump(options, sort_keys=False))
    commit(project, "curation")

    def listed() -> list[str]:
        lock = json.loads((project / "mcp-tools.lock").read_text())
        return sorted(tool["name"] for tool in lock["tools"])

    result = mcpgen("update", project, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tools"] == ["find_notes", "read_note"]
    assert json.loads(result.stdout)["skipped"] == []
    assert listed() == ["find_notes", "read_note"]
    assert "One note, by the id find_notes gives." in (project / "src" / "tools.py").read_text()
    commit(project, "curated")

    grown = grown_notes_spec(tmp_path)
    result = mcpgen("update", project, "--spec", grown, "--json")
    assert result.exit_code == 0, result.output
    assert listed() == ["delete_note", "find_notes", "pin_note", "read_note"]
    tools_code = "".join(p.read_text() for p in (project / "src").rglob("*.py"))
    assert "One note, by the id find_notes gives." in tools_code and "create_note" not in tools_code
    kept = yaml.safe_load((project / "mcpgen.yaml").read_text())
    assert kept["rename"] == options["rename"] and kept["exclude_operations"] == ["createNote"]
    commit(project, "grown")

    # The API later adds an operation whose tool name a rename already took: a clear error, nothing written.
    spec = yaml.safe_load(grown.read_text())
    spec["paths"]["/notes/{note_id}/read"] = {
        "post": {
            "operationId": "readNote",
            "summary": "Mark read",
            "responses": {"204": {"description": "ok"}},
        }
    }
    later = tmp_path / "later.yaml"
    later.write_text(yaml.safe_dump(spec, sort_keys=False))
    clash = mcpgen("update", project, "--spec", later)
    assert clash.exit_code == 2
    assert "renaming 'get_note' to 'read_note' collides" in clash.output
    assert "mcpgen.yaml#/rename/get_note" in clash.output
    assert git(project, "status", "--porcelain") == ""
