from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_SPECS = REPO.parent / "shared" / "specs"


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
