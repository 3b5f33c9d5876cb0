"""The same spec and options give byte-identical trees, whatever the hash seed."""

import os
import subprocess
import sys
from pathlib import Path

from tests.test_golden import tree

SPEC = Path(__file__).parent / "golden" / "hard_cases" / "spec.yaml"


def generate_with_seed(seed: str, out: Path) -> dict[str, bytes]:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    result = subprocess.run(
        [sys.executable, "-m", "mcpgen", "from-openapi", str(SPEC), "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return tree(out)


def test_output_is_identical_across_runs_and_hash_seeds(tmp_path):
    first = generate_with_seed("0", tmp_path / "a")
    second = generate_with_seed("4242", tmp_path / "b")
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert not different, different
