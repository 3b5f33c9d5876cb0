"""Projects generated with every production option pass their own tests, in both layouts: scopes from --scope,
--confirm-destructive (the golden tasks_modular case has spec scopes and an Idempotency-Key header). Their
Redis tests run against a real redis-server when one is installed, as in CI."""

from pathlib import Path

import pytest

from mcpgen.generate import Request, generate
from tests.generated import run_project_tests

TODO_SPEC = Path(__file__).resolve().parents[1] / "examples" / "todo_backend" / "openapi.json"


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["modular", "monolithic"])
def test_a_project_with_every_production_option_passes_its_own_tests(layout, tmp_path):
    out = tmp_path / layout
    scopes = {"tag:tasks": ["tasks:read"], "delete_task": ["tasks:admin"]}
    result = generate(
        Request(spec=str(TODO_SPEC), out=out, layout=layout, scopes=scopes, confirm_destructive=True)
    )

    assert {tool.name: tool.scopes for tool in result.project.tools}["delete_task"] == ["tasks:admin"]
    assert (
        "confirm=True"
        in (out / "src" / ("tools/delete_task.py" if layout == "modular" else "tools.py")).read_text()
    )
    assert " passed" in run_project_tests(out)
