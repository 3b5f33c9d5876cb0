"""Generated trees must match the committed ones byte for byte; `python -m tests.golden.regen` rewrites."""

import difflib
from pathlib import Path

import pytest

from tests.golden.regen import GOLDEN, cases, render_case


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts
    }


@pytest.mark.parametrize("case", cases())
def test_generated_tree_matches_golden(case, tmp_path):
    expected_dir = GOLDEN / case / "expected"
    actual_dir = tmp_path / case
    result = render_case(case, actual_dir)
    # Nothing the strictest MCP clients refuse (see tests/test_post.py for what that is).
    assert result.surface is not None and result.surface.strict_client_findings == []
    assert expected_dir.exists(), f"no golden tree: run python -m tests.golden.regen ({case})"
    expected, actual = tree(expected_dir), tree(actual_dir)
    assert sorted(actual) == sorted(expected), (
        "file set differs; regenerate with python -m tests.golden.regen"
    )
    for name, content in expected.items():
        if actual[name] != content:
            diff = "".join(
                difflib.unified_diff(
                    content.decode().splitlines(keepends=True),
                    actual[name].decode().splitlines(keepends=True),
                    f"expected/{name}",
                    f"actual/{name}",
                )
            )
            pytest.fail(f"{case}/{name} drifted (python -m tests.golden.regen rewrites it):\n{diff[:4000]}")
