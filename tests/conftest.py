import os
from pathlib import Path

import pytest

from mcpgen.render import STORE_ENV

REPO = Path(__file__).resolve().parents[1]
SHARED_SPECS = REPO.parent / "shared" / "specs"


@pytest.fixture(autouse=True, scope="session")
def template_store_of_the_tests(tmp_path_factory):
    """mcpgen keeps its template versions in ~/.local/share/mcpgen; the tests use a store of their own.

    Set in the environment, so that projects record it and subprocesses (Copier, the CLI) find it too.
    """
    os.environ[STORE_ENV] = str(tmp_path_factory.mktemp("store") / "template")
    yield
    os.environ.pop(STORE_ENV, None)


def shared_spec(name: str) -> Path:
    """A real spec from ../shared/specs; the test is skipped when that folder is absent."""
    path = SHARED_SPECS / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared specs live beside the repo)")
    return path


@pytest.fixture(scope="session")
def bundled_example(tmp_path_factory: pytest.TempPathFactory):
    """The bundled todo example (Pattern 4, modular), generated once as a user would; `generate`'s Result."""
    from mcpgen.generate import Request, generate

    out = tmp_path_factory.mktemp("bundled") / "todo-mcp"
    return generate(Request(spec=str(REPO / "examples" / "todo_backend" / "openapi.json"), out=out))
