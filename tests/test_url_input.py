"""Specs can come from an http(s) URL; remote $refs stay refused unless allowed."""

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpgen.cli import app

GOLDEN_SPEC = Path(__file__).parent / "golden" / "notes_monolithic" / "spec.yaml"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def served(tmp_path):
    """A loopback HTTP server over tmp_path, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_spec_from_a_url(tmp_path, served):
    (tmp_path / "spec.yaml").write_text(GOLDEN_SPEC.read_text())
    result = CliRunner().invoke(
        app, ["from-openapi", f"{served}/spec.yaml", "-o", str(tmp_path / "out"), "--dry-run", "--json"]
    )
    assert result.exit_code == 0, result.output
    names = [t["name"] for t in json.loads(result.stdout)["tools"]]
    assert names == ["list_notes", "create_note", "get_note"]


def test_a_missing_url_is_one_clear_line(served, tmp_path):
    result = CliRunner().invoke(app, ["from-openapi", f"{served}/absent.yaml", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "cannot download the spec" in result.stderr and "absent.yaml" in result.stderr


def test_remote_ref_relative_to_a_url_spec(tmp_path, served):
    (tmp_path / "schemas.yaml").write_text("Thing:\n  type: object\n  properties:\n    id: {type: integer}\n")
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "list_things",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "schemas.yaml#/Thing"}}},
                        }
                    },
                }
            }
        },
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    refused = CliRunner().invoke(app, ["from-openapi", f"{served}/spec.json", "-o", str(tmp_path / "a")])
    assert refused.exit_code == 2 and "remote $ref 'schemas.yaml#/Thing' refused" in refused.stderr
    out = str(tmp_path / "b")
    allowed = CliRunner().invoke(
        app, ["from-openapi", f"{served}/spec.json", "-o", out, "--allow-remote-refs", "--dry-run"]
    )
    assert allowed.exit_code == 0, allowed.output
