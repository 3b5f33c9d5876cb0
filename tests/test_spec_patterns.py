"""Issue 10, break 3: a spec regex the server's validator cannot compile (look-around, or no regex at all)
never yields a server that fails to start: the constraint is dropped with a warning naming its pointer."""

from pathlib import Path

import pytest

from mcpgen.generate import Request, generate, prepare
from tests.generated import listed_tools, run_project_tests

SPEC = Path(__file__).parent / "breadth" / "patterns.yaml"


def test_patterns_the_runtime_cannot_compile_are_dropped_with_a_warning_each():
    prepared = prepare(Request(spec=str(SPEC), out=Path(".")))
    params = {p.wire: p for tool in prepared.project.tools for p in tool.params}
    assert all(params[name].constraints.pattern is None for name in ("name", "q", "login", "code"))
    warnings = "\n".join(prepared.warnings)
    assert "/paths/~1users~1{name}/get: the pattern of 'name' ('^(?!admin).*$') uses syntax" in warnings
    assert "the pattern of 'q' ('[') is not a valid regex" in warnings
    assert "the pattern of 'code' ('(a') is not a valid regex" in warnings
    assert "no sample call" not in warnings


@pytest.mark.slow
def test_the_server_starts_and_passes_its_own_tests(tmp_path):
    out = tmp_path / "project"
    generate(Request(spec=str(SPEC), out=out))
    assert listed_tools(out) == ["get_user", "put_user"]
    summary = run_project_tests(out)
    assert " passed" in summary and "failed" not in summary, summary
