"""The command line as a person and an assistant meet it: help that fits a terminal and shows examples, errors
as JSON under --json for every command, and docs/CLI.md in step with the commands."""

from __future__ import annotations

import gc
import json

import pytest
from typer.testing import CliRunner

from mcpgen import cli
from mcpgen.collector import THRESHOLDS
from tests.cli_doc import DOC, rewritten
from tests.conftest import REPO

EXAMPLE = str(REPO / "examples" / "todo_backend" / "openapi.json")
ERROR_KEYS = {"message", "file", "pointer", "hint", "exit_code"}


def run(*args: str):
    return CliRunner().invoke(cli.app, list(args), terminal_width=80)


@pytest.mark.parametrize("command", ["from-openapi", "keygen", "answers"])
def test_help_fits_80_columns_without_cutting_anything_off(command):
    result = run(command, "--help")

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    assert "…" not in result.output
    for option in ("--json", "--allow-remote-refs", "--identity-header", "--include-tag", "--env-file"):
        if f"{option} " in _declared(command):
            assert option in result.output


def _declared(command: str) -> str:
    import typer

    group = typer.main.get_command(cli.app)
    params = group.get_command(None, command).params
    return " ".join(f"{opt} " for param in params for opt in param.opts)


@pytest.mark.parametrize("command", ["from-openapi", "keygen"])
def test_help_ends_with_examples(command):
    output = run(command, "--help").output
    examples = output.split("Examples:", 1)[1]
    assert f"mcpgen {command}" in examples


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["from-openapi", "/no/such/spec.yaml", "--json"], 2, "file not found"),
        (["from-openapi", "--json"], 2, "Missing argument 'SPEC'"),
        (["from-openapi", EXAMPLE, "--json", "--no-such-option"], 2, "No such option"),
        (["from-openapi", EXAMPLE, "--json", "--pattern", "magic"], 2, "--pattern must be one of"),
        (["keygen", "--kind", "nope", "--json"], 2, "unknown kind"),
    ],
)
def test_errors_are_json_on_stdout_under_json(args, code, words):
    result = run(*args)

    assert result.exit_code == code
    error = json.loads(result.stdout)["error"]
    assert set(error) == ERROR_KEYS
    assert words in error["message"] and error["exit_code"] == code


def test_a_spec_error_carries_its_file_pointer_and_hint(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {/a: {get: 42}}\n")

    error = json.loads(run("from-openapi", str(spec), "-o", str(tmp_path / "out"), "--json").stdout)["error"]

    assert error["file"] == str(spec) and error["pointer"].startswith("/paths/") and error["hint"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("raised", "code"), [(KeyboardInterrupt(), 130), (RuntimeError("boom"), 3)], ids=["interrupt", "internal"]
)
def test_interruptions_and_internal_errors_keep_their_exit_codes_in_json(monkeypatch, tmp_path, raised, code):
    def fail(*_args, **_kwargs):
        raise raised

    monkeypatch.setattr(cli.from_openapi, "generate", fail)
    monkeypatch.delenv("MCPGEN_DEBUG", raising=False)

    result = run("from-openapi", EXAMPLE, "-o", str(tmp_path / "out"), "--json")

    assert result.exit_code == code
    assert json.loads(result.stdout)["error"]["exit_code"] == code


def test_without_json_an_error_is_one_line_on_stderr():
    result = run("from-openapi", "/no/such/spec.yaml")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: /no/such/spec.yaml: file not found (check the path to the OpenAPI spec)"
    ]


def test_the_text_summary_ends_with_the_next_steps(monkeypatch, bundled_example):
    out = bundled_example.out
    monkeypatch.setattr(cli.from_openapi, "generate", lambda *_args, **_kwargs: bundled_example)

    result = run("from-openapi", EXAMPLE, "-o", str(out))

    assert result.exit_code == 0, result.output
    steps = result.stdout.split("next:\n", 1)[1]
    assert f"cd {out.resolve()}" in steps and "uv sync" in steps and "mcpgen keygen --env-file .env" in steps
    assert "set MCP_USER_ID in .env" in steps


def test_docs_cli_md_documents_every_command_and_option():
    text = DOC.read_text()
    assert text == rewritten(text), "docs/CLI.md is out of date: run python -m tests.cli_doc"


def test_a_command_collects_garbage_with_a_commands_thresholds():
    """A command's spec, IR and rendered files live to its end: the collector's default thresholds had it
    walk them again and again (Stripe: 8.2 s against 6.5 s for the whole generation)."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        assert run("--version").exit_code == 0
        assert gc.get_threshold() == THRESHOLDS
    finally:
        gc.set_threshold(*before)
