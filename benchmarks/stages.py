"""Where a generation's time goes: mcpgen's stages timed inside its own process, spec by spec.

    python benchmarks/stages.py                                   # letta, stripe, the example, kubernetes
    python benchmarks/stages.py --specs letta --tools all --repeat 3

Each generation runs in a fresh interpreter with a command's garbage-collector thresholds, into a scratch
folder, and each stage is timed where `mcpgen.generate` calls it. The lock step runs in an interpreter of its
own, started before the spec loads: the stages marked "beside the lock" run in mcpgen's process while it
lists the tools, and "waiting for the lock step" is what is left of it then. With `auto`, a stage that runs
twice (a second render in another mode) counts both times. Prints a Markdown table of the medians of
`--repeat` runs; writes nothing else.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

from run import resolve_specs

# What each stage is called in the table, and the name `mcpgen.generate` calls it by.
STAGES = (
    ("spec load, IR and answers", "prepare"),
    ("render (Copier, then ruff format)", "render"),
    ("parse check of every module, beside the lock", "check_python_parses"),
    ("security review, beside the lock", "write_security_review"),
)
WAITING = "waiting for the lock step"
WHOLE = "whole generation"
ROWS = (*(label for label, _ in STAGES), WAITING, WHOLE)
DEFAULT_SPECS = ("letta", "stripe", "example", "kubernetes")
TIMEOUT = 900


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--specs", nargs="+", default=list(DEFAULT_SPECS))
    parser.add_argument("--tools", default="auto", choices=("auto", "all", "discover"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(measure(Path(options.child), options.tools)))
        return
    skipped: list[str] = []
    columns: dict[str, dict[str, float]] = {}
    for spec in resolve_specs(options.specs, skipped):
        runs = [timed_run(spec.path, options.tools) for _ in range(max(options.repeat, 1))]
        columns[spec.name] = {row: statistics.median(run.get(row, 0.0) for run in runs) for row in ROWS}
    print(table(columns, options.tools, options.repeat))
    for reason in skipped:
        print(f"- not measured: {reason}")


def timed_run(spec: Path, tools: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(spec), "--tools", tools],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if done.returncode != 0:
        raise SystemExit(f"generating {spec} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(spec: Path, tools: str) -> dict[str, float]:
    """In the child: one generation of `spec`, and the seconds spent in each stage."""
    import mcpgen.generate as generate
    from mcpgen.collector import tune_for_a_command
    from mcpgen.render.post import LockStep

    tune_for_a_command()
    spent: dict[str, float] = defaultdict(float)
    for label, name in STAGES:
        setattr(generate, name, timed(label, getattr(generate, name), spent))
    LockStep.surface = timed(WAITING, LockStep.surface, spent)  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory(prefix="mcpgen-stages-") as scratch:
        request = generate.Request(spec=str(spec), out=Path(scratch) / "project", tools=tools)
        start = perf_counter()
        generate.generate(request)
        spent[WHOLE] = perf_counter() - start
    return dict(spent)


def timed(label: str, function: Callable[..., Any], spent: dict[str, float]) -> Callable[..., Any]:
    def timed_call(*args: Any, **kwargs: Any) -> Any:
        start = perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += perf_counter() - start

    return timed_call


def table(columns: dict[str, dict[str, float]], tools: str, repeat: int) -> str:
    names = list(columns)
    lines = [
        f"`--tools {tools}`, median of {repeat} run(s) per spec:",
        "",
        "| stage | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for row in ROWS:
        lines.append(f"| {row} | " + " | ".join(f"{columns[name][row]:.2f} s" for name in names) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
