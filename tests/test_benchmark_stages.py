"""benchmarks/stages.py, the profile benchmarks/README.md quotes for issue 19, times every stage it names: a
stage that mcpgen.generate no longer calls by that name would read 0 s and misplace the profile."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_stage_of_a_generation_is_timed():
    done = subprocess.run(
        [sys.executable, "benchmarks/stages.py", "--specs", "example", "--tools", "all"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in done.stdout.splitlines()
        if line.startswith("| ") and not line.startswith("| stage")
    }
    assert len(rows) == 6, done.stdout
    for stage, seconds in rows.items():
        assert seconds.endswith(" s") and float(seconds[:-2]) > 0, f"{stage} was not timed: {seconds}"
