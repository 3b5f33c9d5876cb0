"""The answers contract: values only, all recorded by Copier, read back unchanged, and used by a template."""

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from mcpgen.generate import Request, prepare
from mcpgen.render import contract, template_store, version_tag
from tests.conftest import SHARED_SPECS
from tests.golden.regen import GOLDEN, case_options, cases

REPO = Path(__file__).resolve().parents[1]
ANSWERS_TEMPLATE = REPO / "templates" / "project" / "{{_copier_conf.answers_file}}.jinja"
BIG_SPEC = 1_000_000  # bytes; larger specs take seconds to build and run in the slow suite
MIGRATION = REPO / "migrations" / "answers_v1_to_v2.py"
SWAGGER_2: tuple[str, ...] = ()


def answers_of(spec: Path, **options) -> dict[str, Any]:
    return prepare(Request(spec=str(spec), out=Path("."), **options)).answers.data()


def questions() -> dict[str, dict]:
    config = yaml.safe_load((REPO / "copier.yml").read_text())
    return {name: question for name, question in config.items() if not name.startswith("_")}


def render_answers_file(data: dict[str, Any]) -> str:
    """The answers file as the template writes it, in an environment configured as Copier's."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(REPO)),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    template = env.from_string(ANSWERS_TEMPLATE.read_text())
    return template.render(_copier_answers={"_commit": version_tag(), "_src_path": "here", **data})


def strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_every_answer_is_a_recorded_question_and_every_question_an_answer():
    answers = answers_of(GOLDEN / "hard_cases" / "spec.yaml")
    asked = questions()
    assert sorted(set(answers) - set(asked)) == []
    assert sorted(set(asked) - set(contract.Answers.model_fields)) == []
    # `when: false` would keep an answer out of .copier-answers.yml; `ask: false` records it.
    assert not [name for name, question in asked.items() if question.get("when") is False]


def contract_keys(model: type[BaseModel]) -> set[str]:
    found = set()
    for name, field in model.model_fields.items():
        found.add(field.alias or name)
        for inner in getattr(field.annotation, "__args__", ()) + (field.annotation,):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                found |= contract_keys(inner)
    return found


def test_every_key_of_the_contract_is_read_by_a_template():
    templates = list((REPO / "templates").rglob("*.jinja"))
    text = "\n".join([p.read_text() for p in templates] + [str(p) for p in templates])
    unread = [key for key in sorted(contract_keys(contract.Answers)) if not re.search(rf"\b{key}\b", text)]
    # The contract's version is read by Copier's migrations, not by a template.
    assert unread == ["ir_version"]


def test_type_records_are_only_those_the_contract_describes():
    answers = answers_of(GOLDEN / "hard_cases" / "spec.yaml")
    kinds = {"list", "dict", "literal", "union", "discriminator"}
    records = [p["type"] for p in answers["parameters"].values()]
    records += [f["type"] for m in answers["models"] for f in m.get("fields", [])]

    def check(record):
        if isinstance(record, str):
            assert re.fullmatch(r"str|int|float|bool|any|none|date|datetime|uuid|[A-Z]\w*", record), record
            return
        assert set(record) <= kinds and len(set(record) - {"discriminator"}) == 1, record
        for key in ("list", "dict"):
            if key in record:
                check(record[key])
        for member in record.get("union", []):
            check(member)

    for record in records:
        check(record)


# What contract-1 answers held: import lines, definitions, annotations, Field(...) and Operation(...) calls.
CODE = re.compile(r"^from \S+ import |\bdef \w+\(|Annotated\[|\bField\(|Operation\(")


@pytest.mark.parametrize("case", cases())
def test_the_answers_hold_values_not_code(case):
    answers = answers_of(GOLDEN / case / "spec.yaml")
    assert [text for text in strings(answers) if CODE.search(text)] == []


@pytest.mark.parametrize("case", cases())
def test_golden_answers_are_what_copier_loads_back(case):
    recorded = yaml.safe_load((GOLDEN / case / "expected" / ".copier-answers.yml").read_text())
    assert {k: v for k, v in recorded.items() if not k.startswith("_")} == answers_of(
        GOLDEN / case / "spec.yaml", **case_options(case)
    )


def shared_openapi3_specs() -> list:
    if not SHARED_SPECS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{SHARED_SPECS} is absent"))]
    found = []
    for path in sorted(SHARED_SPECS.glob("*.*")):
        if path.suffix not in (".json", ".yaml") or path.name in SWAGGER_2:
            continue
        marks = [pytest.mark.slow] if path.stat().st_size > BIG_SPEC else []
        found.append(pytest.param(path, marks=marks, id=path.name))
    return found


@pytest.mark.parametrize("spec", shared_openapi3_specs())
def test_real_spec_answers_load_as_copier_loads_them(spec):
    data = answers_of(spec)
    text = render_answers_file(data)
    assert "!!python" not in text  # yaml.safe_load, which Copier uses, refuses python tags
    loaded = yaml.safe_load(text)
    assert {k: v for k, v in loaded.items() if not k.startswith("_")} == data
    assert [value for value in strings(data) if CODE.search(value)] == []


def test_a_template_asking_for_a_missing_answer_fails_loudly(tmp_path):
    from copier import run_copy

    repo = tmp_path / "template"
    shutil.copytree(template_store(), repo)
    server = repo / "templates" / "project" / "src" / "server.py.jinja"
    server.write_text(server.read_text() + "\n# {{ tools[0].no_such_answer }}\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "commit", "-qam", "asks for a missing answer"], cwd=repo, check=True)
    subprocess.run([*git, "tag", "-f", version_tag()], cwd=repo, check=True, capture_output=True)

    with pytest.raises(Exception, match="no_such_answer"):
        run_copy(
            str(repo),
            str(tmp_path / "out"),
            data=answers_of(GOLDEN / "notes_monolithic" / "spec.yaml"),
            defaults=True,
            unsafe=True,
            vcs_ref=version_tag(),
            quiet=True,
        )


def test_migration_turns_2_1_answers_into_the_contract(tmp_path):
    for old in sorted((Path(__file__).parent / "upgrade" / "v2_1").glob("*.yml")):
        answers_file = tmp_path / ".copier-answers.yml"
        answers_file.write_text("_commit: v2.1.0\n_src_path: here\n" + old.read_text())
        result = subprocess.run(
            [sys.executable, str(MIGRATION), str(answers_file)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        migrated = yaml.safe_load(answers_file.read_text())
        assert migrated["_commit"] == "v2.1.0" and migrated["ir_version"] == contract.IR_VERSION
        contract.Answers.model_validate({k: v for k, v in migrated.items() if not k.startswith("_")})
        # Running it again (Copier may, after a failed update) changes nothing.
        before = answers_file.read_text()
        subprocess.run([sys.executable, str(MIGRATION), str(answers_file)], check=True)
        assert answers_file.read_text() == before


def test_migration_refuses_answers_it_cannot_read_without_touching_them(tmp_path):
    answers_file = tmp_path / ".copier-answers.yml"
    text = "_commit: v2.1.0\nir_version: 1\nliterals: {}\ntools: [{name: x, signature: ['(']}]\n"
    answers_file.write_text(text)
    result = subprocess.run(
        [sys.executable, str(MIGRATION), str(answers_file)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "mcpgen update --spec" in result.stderr and "Traceback" not in result.stderr
    assert answers_file.read_text() == text
