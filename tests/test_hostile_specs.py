"""Broken and hostile specs: each gets one clear line and exit 2, or a bounded result with warnings.

The corpus lives in tests/broken_specs/; documents that would be large or unreadable as files are written at
test time. Every case runs the CLI in its own process with a timeout, so a hang or a crash of the
interpreter fails its case instead of the suite. The cases run concurrently to keep the suite fast.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpgen.cli import app
from mcpgen.errors import MCPGenError
from mcpgen.spec import (
    MAX_ALIAS_NODES,
    MAX_NESTING_DEPTH,
    MAX_REF_DEPTH,
    MAX_SPEC_BYTES,
    check_ref_graph,
    jsondata,
    load,
    parse,
    parse_text,
)
from tests.conftest import SHARED_SPECS

CORPUS = Path(__file__).parent / "broken_specs"
CASE_TIMEOUT = 120  # seconds; far above any case's real run time, it only turns a hang into a failure


@dataclass(frozen=True)
class Expect:
    exit_code: int
    phrase: str  # a phrase of the error line (exit 2) or of a warning (exit 0)


def _operation(schema: dict) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Generated", "version": "1"},
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


def _nested_schema(levels: int) -> dict:
    schema: dict = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"inner": schema}}
    return schema


def _ref_chain(links: int, nested: bool) -> dict:
    """S0 -> S1 -> ... -> S<links>: each a bare $ref, or an object whose property is the $ref."""
    document = _operation({"$ref": "#/components/schemas/S0"})
    schemas = {}
    for index in range(links):
        ref = {"$ref": f"#/components/schemas/S{index + 1}"}
        schemas[f"S{index}"] = {"type": "object", "properties": {"next": ref}} if nested else ref
    schemas[f"S{links}"] = {"type": "string"}
    document["components"] = {"schemas": schemas}
    return document


def _write_oversized(path: Path) -> None:
    """A 50 MB sparse file (instant to write, no disk used). Past its first bytes it is NULs, not JSON, so
    a loader that read it would fail with another message than the size limit's."""
    with path.open("wb") as handle:
        handle.write(b'{"openapi": "3.0.3", "x": "')
        handle.truncate(50 * 2**20)


GENERATED = {
    "oversized.json": _write_oversized,
    "deep-schema.json": lambda p: p.write_text(json.dumps(_operation(_nested_schema(150)))),
    "ref-chain.json": lambda p: p.write_text(json.dumps(_ref_chain(150, nested=False))),
    "ref-nesting.json": lambda p: p.write_text(json.dumps(_ref_chain(150, nested=True))),
    "deep-json.json": lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
    "deep-yaml.yaml": lambda p: p.write_text("openapi: 3.0.3\nx: " + "[" * 100_000 + "]" * 100_000 + "\n"),
}

CASES: dict[str, Expect] = {
    # unreadable
    "truncated.json": Expect(2, "invalid JSON at line 1"),
    "truncated.yaml": Expect(2, "invalid YAML at line 7"),
    "binary-garbage.yaml": Expect(2, "is not UTF-8 text"),
    "empty.yaml": Expect(2, "is empty"),
    "oversized.json": Expect(2, f"is 50 MB, more than the {MAX_SPEC_BYTES // 2**20} MB mcpgen reads"),
    "top-level-list.json": Expect(2, "the top level is not an object"),
    "swagger-1.2.json": Expect(2, "#/swagger: Swagger 1.2 is not supported"),
    # YAML that would expand, recurse or run code
    "alias-bomb.yaml": Expect(2, "YAML aliases expand to more than"),
    "recursive-alias.yaml": Expect(2, "#/x-loop/0: a YAML alias refers to the node that contains it"),
    "deep-yaml.yaml": Expect(2, f"nests more than {MAX_NESTING_DEPTH} levels"),
    "python-tag.yaml": Expect(2, "could not determine a constructor"),
    "yaml-binary.yaml": Expect(2, "#/x-logo: is YAML binary data"),
    # values JSON cannot hold
    "not-a-number.yaml": Expect(2, "#/paths/~1x/get/parameters/0/schema/default: .nan is not a JSON number"),
    "infinity.yaml": Expect(2, "#/paths/~1x/get/parameters/0/schema/maximum: .inf is not a JSON number"),
    "infinity.json": Expect(2, "#/paths/~1x/get/parameters/0/schema/maximum: Infinity is not a JSON number"),
    "float-overflow.json": Expect(2, "/schema/maximum: Infinity is not a JSON number"),
    "huge-integer.json": Expect(2, "invalid JSON: an integer with more than"),
    "huge-integer.yaml": Expect(2, "invalid YAML at line 8, column 65: an integer with more than"),
    "lone-surrogate.json": Expect(2, "#/info/title: the text holds a lone UTF-16 surrogate"),
    "float-key.yaml": Expect(2, "#/paths/~1x/get/responses: the mapping key 2.5 is a number"),
    "boolean-key.yaml": Expect(2, "/schema/properties: the mapping key True is a boolean"),
    "null-key.yaml": Expect(2, "#/paths/~1x/get/responses: the mapping key ~ is null"),
    "status-code-twice.yaml": Expect(2, "#/paths/~1x/get/responses/200: the key appears twice"),
    # structure
    "operation-not-object.yaml": Expect(2, "#/paths/~1x/get: the operation is not an object"),
    "empty-paths.yaml": Expect(2, "no operation can become a tool"),
    "self-ref.yaml": Expect(2, "#/components/schemas/Loop: the $ref cycle"),
    "ref-cycle.yaml": Expect(2, "#/components/schemas/A: the $ref cycle"),
    "deep-schema.json": Expect(2, f"nests more than {MAX_NESTING_DEPTH} levels"),
    "deep-json.json": Expect(2, f"nests more than {MAX_NESTING_DEPTH} levels"),
    "ref-chain.json": Expect(2, f"$refs nest more than {MAX_REF_DEPTH} deep"),
    "ref-nesting.json": Expect(2, f"$refs nest more than {MAX_REF_DEPTH} deep"),
    # bounded results: generated, with a warning that says what mcpgen assumed
    "byte-order-mark.json": Expect(0, "wrote"),
    "anchors.yaml": Expect(0, "wrote"),
    "status-codes-unquoted.yaml": Expect(0, "/get/responses/200: 2 unquoted integer keys were read as text"),
    "yaml-dates.yaml": Expect(0, "/info/version: 4 unquoted YAML dates were read as text"),
    "no-responses.yaml": Expect(0, "/paths/~1x/get: the operation declares no responses"),
    "duplicate-operation-ids.yaml": Expect(0, "/~1b/get/operationId: 'fetch' is also the operationId of GET"),
}


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    out: Path


def _invoke(spec: Path, out: Path, result_file: Path) -> None:
    """In the child: run the CLI as a user would and leave what it printed for the parent."""
    result = CliRunner().invoke(app, ["from-openapi", str(spec), "-o", str(out)])
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    crash = "".join(traceback.format_exception(escaped)) if escaped else ""
    result_file.write_text(
        json.dumps({"exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr + crash})
    )


class _Case:
    """One CLI run in a forked child process. The child starts with mcpgen already imported, so a case costs
    only its own work; a hang, a crash of the interpreter or running out of memory stays in the child."""

    def __init__(self, spec: Path, work: Path):
        self.out = work / "out"
        self.result_file = work / "result.json"
        self.process = multiprocessing.get_context("fork").Process(
            target=_invoke, args=(spec, self.out, self.result_file)
        )
        self.process.start()

    def wait(self) -> Run:
        self.process.join(CASE_TIMEOUT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
            pytest.fail(f"the CLI was still running after {CASE_TIMEOUT} s")
        assert self.process.exitcode == 0, f"the CLI's process died (exit code {self.process.exitcode})"
        return Run(**json.loads(self.result_file.read_text()), out=self.out)


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory) -> dict[str, _Case]:
    """Start every case at once; each test waits for its own."""
    root = tmp_path_factory.mktemp("broken")
    runs = {}
    for name in CASES:
        work = root / name
        work.mkdir()
        spec = CORPUS / name
        if name in GENERATED:
            spec = work / name
            GENERATED[name](spec)
        runs[name] = _Case(spec, work)
    yield runs
    for case in runs.values():
        if case.process.is_alive():
            case.process.kill()
        case.process.join()


def test_the_corpus_and_the_table_agree():
    on_disk = {path.name for path in CORPUS.iterdir()}
    assert on_disk == set(CASES) - set(GENERATED)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_spec(name, corpus_runs):
    expect = CASES[name]
    run = corpus_runs[name].wait()
    assert "Traceback" not in run.stderr + run.stdout, run.stderr[-2000:]
    assert run.exit_code == expect.exit_code, run.stderr[-2000:]
    lines = run.stderr.strip().splitlines()
    if expect.exit_code == 2:
        errors = [line for line in lines if line.startswith("error: ")]
        assert len(errors) == 1 and lines[-1] == errors[0], lines
        assert expect.phrase in errors[0]
        assert "internal error" not in errors[0]
        assert not run.out.exists(), "a refused spec leaves no output folder"
    else:
        assert any(expect.phrase in line for line in lines + run.stdout.splitlines()), lines
        assert (run.out / ".copier-answers.yml").exists()


# ---- the limits, in process: exactly at a limit is accepted, one past it is refused ----------------------


def _yaml_nest(levels: int) -> str:
    return "openapi: 3.0.3\nx: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"


def test_yaml_nesting_up_to_the_limit_loads():
    assert parse_text(_yaml_nest(MAX_NESTING_DEPTH), "spec.yaml").document["openapi"] == "3.0.3"
    with pytest.raises(MCPGenError, match=f"nests more than {MAX_NESTING_DEPTH} levels deep"):
        parse_text(_yaml_nest(MAX_NESTING_DEPTH + 1), "spec.yaml")


def test_json_nesting_up_to_the_limit_loads():
    def nest(levels: int) -> str:
        return '{"x": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"

    deepest = parse_text(nest(MAX_NESTING_DEPTH), "spec.json").document["x"]
    for _ in range(MAX_NESTING_DEPTH - 2):
        (deepest,) = deepest
    assert deepest == []
    with pytest.raises(MCPGenError) as caught:
        parse_text(nest(MAX_NESTING_DEPTH + 1), "spec.json")
    assert caught.value.pointer == "/x" + "/0" * (MAX_NESTING_DEPTH - 1)


def test_aliases_may_add_up_to_the_limit_and_no_more():
    anchor = "[" + ", ".join(["1"] * 999) + "]"  # 1,000 nodes with the list itself
    times = MAX_ALIAS_NODES // 1000

    def document(aliases: int) -> str:
        return f"a: &a {anchor}\nb: [" + ", ".join(["*a"] * aliases) + "]\n"

    parsed = parse_text(document(times), "spec.yaml").document
    assert len(parsed["b"]) == times and parsed["b"][0] is parsed["a"]
    with pytest.raises(MCPGenError, match="YAML aliases expand to more than") as caught:
        parse_text(document(times + 1), "spec.yaml")
    assert caught.value.pointer == f"/b/{times}"


def test_alias_expansion_counts_toward_the_document_size(monkeypatch):
    monkeypatch.setattr(parse, "MAX_DOCUMENT_NODES", 50)
    with pytest.raises(MCPGenError, match="has more than 50 keys and values"):
        parse_text("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a]\n", "spec.yaml")


def test_json_documents_have_the_same_size_limit(monkeypatch):
    monkeypatch.setattr(jsondata, "MAX_DOCUMENT_NODES", 50)
    with pytest.raises(MCPGenError, match="has more than 50 keys and values"):
        parse_text(json.dumps({"x": list(range(60))}), "spec.json")


def test_a_few_anchors_load_as_shared_values():
    document = parse_text((CORPUS / "anchors.yaml").read_text(), "anchors.yaml").document
    things, other = document["paths"]["/things"]["get"], document["paths"]["/other-things"]["get"]
    assert other["responses"]["200"] == things["responses"]["200"]
    assert document["components"]["schemas"]["Thing"]["properties"]["parent"] == {
        "type": "integer",
        "minimum": 1,
    }


def test_integer_keys_and_dates_become_their_text():
    parsed = parse_text(
        "info: {version: 2024-01-01}\nat: 2024-02-30T10:00:00Z\nresponses:\n  200: {x: 1}\n  404: {x: 2}\n",
        "spec.yaml",
    )
    assert parsed.document == {
        "info": {"version": "2024-01-01"},
        "at": "2024-02-30T10:00:00Z",  # as written, even where PyYAML's datetime would raise
        "responses": {"200": {"x": 1}, "404": {"x": 2}},
    }
    assert all(type(key) is str for key in parsed.document["responses"])
    assert type(parsed.document["at"]) is str
    assert [str(w) for w in parsed.warnings] == [
        "/responses/200: 2 unquoted integer keys were read as text, the first here; "
        "quote status codes and other numeric keys",
        "/info/version: 2 unquoted YAML dates were read as text, the first here; "
        "quote dates to keep them text",
    ]


def _ref_chain_document(links: int) -> dict:
    return _ref_chain(links, nested=True)


def test_refs_may_nest_up_to_the_limit():
    check_ref_graph(_ref_chain_document(MAX_REF_DEPTH), "spec.json")
    with pytest.raises(MCPGenError, match=f"nest more than {MAX_REF_DEPTH} deep") as caught:
        check_ref_graph(_ref_chain_document(MAX_REF_DEPTH + 1), "spec.json")
    assert caught.value.pointer == "/components/schemas/S0"


def test_recursion_counts_once_however_large_the_cycle():
    """Schemas that reach each other (Stripe has a group of 68) are one step, not a chain."""
    document = _operation({"$ref": "#/components/schemas/S0"})
    size = 3 * MAX_REF_DEPTH
    document["components"] = {
        "schemas": {
            f"S{i}": {
                "type": "object",
                "properties": {"next": {"$ref": f"#/components/schemas/S{(i + 1) % size}"}},
            }
            for i in range(size)
        }
    }
    check_ref_graph(document, "spec.json")


def test_a_ref_into_a_schema_it_sits_in_is_recursion_not_a_cycle():
    document = _operation({"$ref": "#/components/schemas/Tree"})
    document["components"] = {
        "schemas": {
            "Tree": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
                    "parent": {"$ref": "#/components/schemas/Tree/properties/children/items"},
                },
            }
        }
    }
    check_ref_graph(document, "spec.json")


# ---- the size limit: local files are refused before they are read, downloads as they arrive --------------


def test_the_size_limit_leaves_room_for_every_real_spec():
    specs = list(SHARED_SPECS.glob("*.json")) + list(SHARED_SPECS.glob("*.yaml"))
    if not specs:
        pytest.skip(f"{SHARED_SPECS} is absent")
    assert max(spec.stat().st_size for spec in specs) * 4 < MAX_SPEC_BYTES


def test_a_device_without_a_size_is_read_no_further_than_the_limit(monkeypatch):
    if not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    monkeypatch.setattr(load, "MAX_SPEC_BYTES", 2**20)
    with pytest.raises(MCPGenError, match="is more than the 1 MB mcpgen reads"):
        load.load_spec("/dev/zero")


class _Handler(BaseHTTPRequestHandler):
    """Serves a large body, with or without a Content-Length."""

    body = b"openapi: 3.0.3\n" + b"x" * 4096

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.send_header("Content-Type", "application/yaml")
        if self.path == "/declared.yaml":
            self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        try:
            for start in range(0, len(self.body), 512):
                self.wfile.write(self.body[start : start + 512])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its limit: what the test wants

    def log_message(self, *args):
        pass


@pytest.fixture
def large_download():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", ["declared.yaml", "streamed.yaml"])
def test_a_large_download_is_refused(large_download, monkeypatch, name):
    monkeypatch.setattr(load, "MAX_SPEC_BYTES", 1024)
    with pytest.raises(MCPGenError, match="more than the 1 KB mcpgen reads"):
        load.load_spec(f"{large_download}/{name}")


# ---- wrong types where later stages need objects and strings (each crashed the IR before) ----------------


def _with(mutate) -> dict:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "operationId": "get_x",
                    "tags": ["x"],
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {"securitySchemes": {"key": {"type": "apiKey", "name": "X-Key", "in": "header"}}},
    }
    mutate(document)
    return document


def _get(document: dict) -> dict:
    return document["paths"]["/x"]["get"]


@pytest.mark.parametrize(
    ("mutate", "where", "message"),
    [
        (
            lambda d: _get(d).update(operationId=1.5),
            "/paths/~1x/get/operationId",
            "the operationId is not a string",
        ),
        (lambda d: _get(d).update(tags=1.5), "/paths/~1x/get/tags", "'tags' is not a list"),
        (
            lambda d: _get(d).update(parameters={"q": 1}),
            "/paths/~1x/get/parameters",
            "'parameters' is not a list",
        ),
        (
            lambda d: _get(d)["parameters"].append(5),
            "/paths/~1x/get/parameters/1",
            "the parameter is not an object",
        ),
        (
            lambda d: _get(d)["parameters"][0].update({"in": {"a": 1}}),
            "/paths/~1x/get/parameters/0",
            "the parameter has a non-string 'in'",
        ),
        (
            lambda d: _get(d)["parameters"][0].pop("name"),
            "/paths/~1x/get/parameters/0",
            "the parameter has no 'name'",
        ),
        (lambda d: d["paths"].update({"/y": []}), "/paths/~1y", "the path item is not an object"),
        (lambda d: _get(d).update(responses=[1]), "/paths/~1x/get/responses", "'responses' is not an object"),
        (
            lambda d: d["components"]["securitySchemes"]["key"].update(name=["X-Key"]),
            "/components/securitySchemes/key",
            "the security scheme's 'name' is not a string",
        ),
    ],
)
def test_a_wrong_type_is_one_line_with_its_pointer(tmp_path, mutate, where, message):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_with(mutate)))
    result = CliRunner().invoke(app, ["from-openapi", str(spec), "-o", str(tmp_path / "out"), "--dry-run"])
    assert result.exit_code == 2, result.output
    assert f"spec.json#{where}: {message}" in result.stderr


def test_swagger_security_definitions_are_checked_too(tmp_path):
    document = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}},
        "securityDefinitions": {"key": {"type": "apiKey", "in": "header"}},
    }
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    with pytest.raises(MCPGenError, match="the security scheme's 'name' is not a string") as caught:
        load.load_spec(str(spec))
    assert caught.value.pointer == "/securityDefinitions/key"


def big_spec(tmp_path: Path, operations: int = 300) -> Path:
    thing_id = {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    paths = {
        f"/things{n}/{{thing_id}}": {
            "get": {
                "operationId": f"get_thing_{n}",
                "parameters": [thing_id],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {f"field_{k}": {"type": "string"} for k in range(20)}
                }}}}},
            }
        }
        for n in range(operations)
    }  # fmt: skip
    spec = tmp_path / "big.json"
    spec.write_text(
        json.dumps({"openapi": "3.1.0", "info": {"title": "Big", "version": "1"}, "paths": paths})
    )
    return spec


def test_a_terminated_run_leaves_no_temporary_folder_and_no_output(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    env = dict(os.environ, TMPDIR=str(scratch))
    run = subprocess.Popen(
        [sys.executable, "-m", "mcpgen", "from-openapi", str(big_spec(tmp_path)), "-o", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Wait until it renders (it says so), then stop it as a supervisor would.
    for line in run.stderr:
        if line.startswith("rendering"):
            break
    time.sleep(0.5)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)

    assert run.returncode == 130, err
    assert "interrupted; nothing was written" in err
    assert not out.exists()
    assert list(scratch.iterdir()) == []
