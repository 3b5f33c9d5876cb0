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
