"""Bad input gets one line naming the file, the pointer and a fix; a non-zero exit; and no output folder."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpgen import generate as pipeline
from mcpgen.cli import app

runner = CliRunner()
GOOD = Path(__file__).parent / "golden" / "notes_monolithic" / "spec.yaml"


def run(*args: str):
    return runner.invoke(app, ["from-openapi", *args])


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], lines  # progress may precede it; nothing follows
    assert "Traceback" not in result.output
    return errors[0]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


MINIMAL = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {}}


def spec_with(tmp_path: Path, schema: dict) -> Path:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "operationId": "get_x",
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
                    },
                }
            }
        },
    }
    return write(tmp_path, "spec.json", json.dumps(document))


def test_missing_file(tmp_path):
    out = tmp_path / "out"
    line = one_line_error(run(str(tmp_path / "nope.yaml"), "-o", str(out)))
    assert "nope.yaml" in line and "file not found" in line and "check the path" in line
    assert not out.exists()


def test_bad_json_names_line_and_column(tmp_path):
    spec = write(tmp_path, "spec.json", '{"openapi": "3.1.0",\n  "info": }')
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    assert "spec.json" in line and "invalid JSON at line 2" in line


def test_bad_yaml_names_line(tmp_path):
    spec = write(tmp_path, "spec.yaml", "openapi: 3.1.0\ninfo: [unclosed\n")
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    assert "spec.yaml" in line and "invalid YAML at line" in line


@pytest.mark.parametrize("text", ["just a string\n", "- a list\n", "title: no openapi field\n"])
def test_not_openapi(tmp_path, text):
    spec = write(tmp_path, "spec.yaml", text)
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    assert "is not an OpenAPI document" in line and "pass an OpenAPI 3.0 or 3.1 spec" in line


def test_unsupported_version(tmp_path):
    spec = write(tmp_path, "spec.yaml", "openapi: 4.0.0\ninfo: {title: T, version: '1'}\npaths: {}\n")
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    assert "spec.yaml#/openapi" in line and "4.0.0 is not supported" in line


def test_swagger_before_2_gets_a_clear_message(tmp_path):
    spec = write(tmp_path, "spec.json", json.dumps({"swagger": "1.2", "info": {}, "paths": {}}))
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    assert "Swagger 1.2 is not supported" in line and "#/swagger" in line and "convert it" in line


def test_swagger_2_is_converted_and_then_checked_like_any_spec(tmp_path):
    spec = write(tmp_path, "spec.json", json.dumps({"swagger": "2.0", "info": {}, "paths": {}}))
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    assert "no operation can become a tool" in line


def test_unresolvable_ref_names_its_pointer(tmp_path):
    spec = spec_with(tmp_path, {"$ref": "#/components/schemas/Missing"})
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    expected_pointer = "#/paths/~1x/get/responses/200/content/application~1json/schema/$ref"
    assert expected_pointer in line and "unresolvable $ref '#/components/schemas/Missing'" in line


@pytest.mark.parametrize(
    ("ref", "why"),
    [
        ("https://evil.example/schema.json", "remote $ref"),
        ("file:///etc/passwd", "remote $ref"),
        ("../other.yaml#/Thing", "points outside the spec's folder"),
        ("sub/../../../etc/passwd", "points outside the spec's folder"),
    ],
)
def test_remote_ref_is_refused(tmp_path, ref, why):
    spec = spec_with(tmp_path, {"$ref": ref})
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    assert why in line and "refused" in line and "--allow-remote-refs" in line
    assert "#/paths/~1x/get" in line


def test_remote_ref_to_a_file_is_inlined_when_allowed(tmp_path):
    write(tmp_path, "other.yaml", "Thing:\n  type: object\n  properties:\n    name: {type: string}\n")
    spec = spec_with(tmp_path, {"$ref": "other.yaml#/Thing"})
    result = run(str(spec), "-o", str(tmp_path / "out"), "--allow-remote-refs", "--json")
    assert result.exit_code == 0, result.output
    assert [t["name"] for t in json.loads(result.stdout)["tools"]] == ["get_x"]


def test_existing_non_empty_out_needs_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    line = one_line_error(run(str(GOOD), "-o", str(out)))
    assert "exists and is not empty" in line and "--force" in line
    assert (out / "keep.txt").read_text() == "mine"


def test_failed_render_leaves_no_output(tmp_path, monkeypatch):
    def broken_render(answers, destination, **kwargs):
        destination.mkdir(parents=True)
        (destination / "half.py").write_text("x = ")
        raise pipeline.MCPGenError("render failed", hint="test")

    monkeypatch.setattr(pipeline, "render", broken_render)
    out = tmp_path / "out"
    one_line_error(run(str(GOOD), "-o", str(out)))
    assert not out.exists()


def test_force_replaces_only_after_success(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    monkeypatch.setattr(
        pipeline, "render", lambda *a, **k: (_ for _ in ()).throw(pipeline.MCPGenError("boom"))
    )
    one_line_error(run(str(GOOD), "-o", str(out), "--force"))
    assert (out / "old.txt").read_text() == "old"


def test_unsupported_operation_is_skipped_and_listed(tmp_path):
    document = dict(MINIMAL)
    document["paths"] = {
        "/ok": {"get": {"operationId": "ok", "responses": {"200": {"description": "ok"}}}},
        "/sdp": {
            "post": {
                "operationId": "send_sdp",
                "requestBody": {"content": {"application/sdp": {"schema": {"type": "string"}}}},
                "responses": {"201": {"description": "ok"}},
            }
        },
    }
    spec = write(tmp_path, "spec.json", json.dumps(document))
    result = run(str(spec), "-o", str(tmp_path / "out"), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [t["name"] for t in summary["tools"]] == ["ok"]
    assert summary["skipped"][0]["path"] == "/sdp"
    assert "application/sdp" in summary["skipped"][0]["reason"]
    assert any("skipped POST /sdp" in w for w in summary["warnings"])
    assert not (tmp_path / "out").exists(), "--dry-run writes nothing"


def test_no_operations_is_an_error(tmp_path):
    spec = write(tmp_path, "spec.json", json.dumps(MINIMAL))
    line = one_line_error(run(str(spec), "-o", str(tmp_path / "out")))
    assert "no operation can become a tool" in line


def test_bad_option_value(tmp_path):
    line = one_line_error(run(str(GOOD), "-o", str(tmp_path / "out"), "--pattern", "magic"))
    assert "--pattern must be one of" in line


def test_an_out_folder_that_cannot_be_written_is_a_clean_error(tmp_path):
    blocker = write(tmp_path, "a-file", "not a folder\n")
    out = blocker / "project"

    line = one_line_error(run(str(GOOD), "-o", str(out)))

    assert str(out) in line and "cannot be written" in line and "choose an -o folder" in line
