"""SECURITY_REVIEW.md is read from the generated code: its line references quote their lines, its checks run
over the output and fail when the code is unsafe, and it is the same when an update writes it again."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mcpgen.generate import Request, generate
from mcpgen.review import LOG_GREP_COMMAND, write_security_review
from tests.golden.regen import GOLDEN, cases

REFERENCE = re.compile(r"`([\w./-]+):(\d+)`: `([^`]*)`")


def review_of(project: Path) -> str:
    return (project / "SECURITY_REVIEW.md").read_text()


def status(review: str, control: str) -> str:
    row = next(line for line in review.splitlines() if line.startswith(f"| {control} |"))
    return row.split("|")[2].strip()


def copy_of(case: str, tmp_path: Path) -> Path:
    project = tmp_path / case
    shutil.copytree(GOLDEN / case / "expected", project)
    return project


def projects(bundled: Path) -> list[Path]:
    return [bundled, *(GOLDEN / case / "expected" for case in cases())]


def test_every_line_reference_quotes_the_line_it_points_at(bundled_example):
    for project in projects(bundled_example.out):
        references = REFERENCE.findall(review_of(project))
        assert len(references) >= 15, project
        for file, line, quoted in references:
            lines = (project / file).read_text().splitlines()
            assert quoted and quoted in lines[int(line) - 1], f"{project.name}/{file}:{line}: {quoted!r}"


def test_pattern_4_cites_the_constant_time_comparison_of_the_backend_patch(bundled_example):
    review = review_of(bundled_example.out)
    section = review.split("## 1.")[1].split("## 2.")[0]
    assert "`backend_patches/dependencies.py:" in section and "hmac.compare_digest(" in section
    assert status(review, "Constant-time comparison of secrets") == "pass"


def test_a_pattern_4_project_without_compare_digest_fails_that_control(tmp_path):
    project = copy_of("tasks_modular", tmp_path)
    patch = project / "backend_patches" / "dependencies.py"
    patch.write_text(patch.read_text().replace("hmac.compare_digest(", "_equal("))

    write_security_review(project)

    assert status(review_of(project), "Constant-time comparison of secrets") == "fail"


def test_the_printed_grep_finds_nothing_in_the_output(bundled_example):
    project = bundled_example.out
    assert LOG_GREP_COMMAND in review_of(project)
    grep = subprocess.run(["bash", "-c", LOG_GREP_COMMAND], cwd=project, capture_output=True, text=True)
    # grep's exit code 1: no line matched.
    assert (grep.returncode, grep.stdout) == (1, "")
    assert "At generation time it printed nothing" in review_of(project)


@pytest.mark.parametrize(
    "leak",
    [
        'logger.info("token %s", settings.service_auth_token.get_secret_value())\n',
        # Over several lines: grep misses it, the ast check does not.
        'logger.warning(\n    "sending %s",\n    self._credential_headers,\n)\n',
    ],
)
def test_a_logging_call_that_reads_a_credential_fails_the_review(tmp_path, leak):
    project = copy_of("tasks_modular", tmp_path)
    client = project / "src" / "client.py"
    client.write_text(client.read_text() + "\n\ndef leak(self, settings):\n" + _indent(leak))

    write_security_review(project)

    review = review_of(project)
    assert status(review, "No token logging") == "fail"
    assert re.search(r"`src/client\.py:\d+`: `logger\.(info|warning)\(", review)


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())


def test_a_hard_coded_secret_fails_the_review_and_test_fixtures_do_not(tmp_path):
    project = copy_of("notes_monolithic", tmp_path)
    review = review_of(project)
    assert status(review, "Secrets stored in the environment only") == "pass"
    config = project / "src" / "config.py"
    key = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    config.write_text(config.read_text() + f'\nDEFAULT_KEY = "{key}"\nOTHER = "Zx81Qp0Lm3Vb7Nc2Rt6Yh9Kw"\n')
    fixtures = project / "tests" / "conftest.py"
    fixtures.write_text(fixtures.read_text() + f'\nFIXTURE_KEY = "{key}"\n')

    write_security_review(project)

    review = review_of(project)
    assert status(review, "Secrets stored in the environment only") == "fail"
    section = review.split("## 3.")[1].split("## 4.")[0]
    assert "Stripe live key: `src/config.py:" in section
    assert "token-like literal: `src/config.py:" in section
    assert "- Stripe live key: `tests/" not in section


def test_the_audit_fields_are_those_the_code_logs(bundled_example):
    review = review_of(bundled_example.out)
    row = next(line for line in review.splitlines() if line.startswith("| `tool_call` |"))
    invoke = (bundled_example.out / "src" / "invoke.py").read_text()
    extra = invoke.split("extra={", 1)[1].split("}", 1)[0]
    assert re.findall(r"`(\w+)`", row.split("|")[2]) == re.findall(r'"(\w+)":', extra)


def test_per_tool_risk_flags_destructive_tools_url_arguments_and_personal_data(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        """
openapi: 3.1.0
info: {title: People, version: "1"}
servers: [{url: "https://people.example"}]
paths:
  /people:
    get:
      operationId: list_people
      responses:
        "200":
          description: everyone
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Person"}}
    post:
      operationId: create_person
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Person"}
      responses: {"201": {description: created}}
  /people/{person_id}:
    delete:
      operationId: delete_person
      parameters: [{name: person_id, in: path, required: true, schema: {type: integer}}]
      responses: {"204": {description: gone}}
  /hooks:
    get:
      operationId: list_hooks
      parameters: [{name: callback_url, in: query, schema: {type: string}}]
      responses: {"200": {description: ok}}
components:
  schemas:
    Person:
      type: object
      properties: {email: {type: string}, home_phone: {type: string}, display: {type: string}}
"""
    )
    generate(Request(spec=str(spec), out=tmp_path / "p"))
    review = review_of(tmp_path / "p")
    rows = {line.split("|")[1].strip(): line for line in review.splitlines() if line.startswith("| `")}

    assert "| destructive |" in rows["`delete_person`"]
    assert "`callback_url`" in rows["`list_hooks`"]
    # An argument by its name; a field of an answer by its model.
    assert "`email`" in rows["`create_person`"] and "display" not in rows["`create_person`"]
    assert "`Person.home_phone`" in rows["`list_people`"] and "| read-only |" in rows["`list_people`"]
    assert status(review, "Per-tool risk") == "review"


def test_writing_it_again_from_the_recorded_answers_gives_the_same_review(tmp_path):
    for case in cases():
        project = copy_of(case, tmp_path)
        before = review_of(project)

        write_security_review(project)  # what `mcpgen update` does, from .copier-answers.yml

        assert review_of(project) == before


def test_every_key_format_is_found_past_the_literal_prefilter(tmp_path):
    """hard_coded_secrets skips the regex for text holding none of the formats' leading literals; one sample
    of each format must still be found."""
    from mcpgen.review.code_scan import KEY_FORMATS, ProjectFiles, Source, hard_coded_secrets

    samples = {
        "AWS access key id": "AKIA" + "ABCDEFGHIJKLMNOP",
        "Stripe live key": "rk_live_" + "4eC39HqLyjWDarjt",
        "OpenAI-style key": "sk-" + "a1B2" * 8,
        "GitHub token": "github_pat_" + "a1B2c3D4e5" * 2,
        "Slack token": "xoxb-" + "1234567890",
        "private key": "-----BEGIN OPENSSH PRIVATE KEY-----",
        "mcpgen API key": "mcp_" + "a" * 43,
        "JWT": "eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl",
    }
    assert set(samples) == set(KEY_FORMATS)
    project = ProjectFiles(root=tmp_path, answers={})
    for index, sample in enumerate(samples.values()):
        project.files[f"doc{index}.md"] = Source(f"doc{index}.md", ["text", f"key {sample} here"])
    found, _ = hard_coded_secrets(project)
    assert sorted(kind for kind, _ in found) == sorted(samples)
