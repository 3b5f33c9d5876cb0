"""Benchmark 1: generation wall time and peak RSS, mcpgen against openapi-mcp-generator and datamodel-codegen.

Also leaves behind what the later benchmarks use: mcpgen's projects per exposure mode, byte-compiled as
`pip install` would, and openapi-mcp-generator's project.
"""

from __future__ import annotations

import shutil
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import report
from measure import Run, Skip, run_measured
from peers import Generator
from report import Row, Section
from workspace import EXAMPLE_SPEC, Context, Spec

GENERATION_TIMEOUT = 900
TIME_GOAL = 1.0  # mcpgen's time / openapi-mcp-generator's


# datamodel-codegen's answer to a spec with modular references when asked for a single file.
NEEDS_PACKAGE = "require an output directory"


@dataclass(frozen=True)
class Timing:
    seconds: float
    cpu_seconds: float
    peak_rss: int


@dataclass
class Generated:
    """The outputs of one spec's generation, for the benchmarks that run them."""

    mcpgen_projects: dict[str, Path] = field(default_factory=dict)  # by exposure mode
    omg_project: Path | None = None


def section() -> Section:
    return Section(
        "1. Generation: wall time and peak RSS",
        "`mcpgen from-openapi SPEC -o OUT --force` against `openapi-mcp-generator --input SPEC --output DIR` "
        "and `datamodel-codegen --input SPEC --input-file-type openapi --output models.py` (models only). "
        "Each command runs in a fresh process after one untimed warm-up run of the same tool on the bundled "
        "example. CPU time (user + system) and peak RSS cover the command's whole process tree (peak RSS: "
        "the largest of any one process); CPU time is less disturbed than wall time by other work on the "
        "machine.",
    )


def _generate(
    generator: Generator, spec: Path, out: Path, extra: tuple[str, ...] = (), package: bool = False
) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    if generator.name == "datamodel-code-generator":
        out.mkdir(parents=True)  # it does not create the folder its output goes in
    return run_measured(generator.command(spec, out, extra, package), timeout=GENERATION_TIMEOUT)


def warm_up(ctx: Context) -> None:
    """One untimed run of each generator, so that no timed run pays for first-use caches."""
    for generator in [ctx.mcpgen, *ctx.peers.values()]:
        _generate(generator, EXAMPLE_SPEC, ctx.folder("warm-up") / generator.name)


def _timed(ctx: Context, generator: Generator, spec: Spec, out: Path, notes: list[str]) -> Timing:
    runs = []
    package = False
    while len(runs) < ctx.options.repeat:
        run = _generate(generator, spec.path, out, package=package)
        if not run.ok and not package and NEEDS_PACKAGE in run.stderr:
            # Not counted: the same work again, written as a package.
            package = True
            notes.append(
                f"{spec.name}: datamodel-codegen writes a package (`--output models/`), as this spec's "
                "dotted schema names require."
            )
            continue
        if not run.ok:
            raise Skip(f"{generator.name} on {spec.name}: {run.failure()}")
        runs.append(run)
    return Timing(
        seconds=statistics.median(run.wall_seconds for run in runs),
        cpu_seconds=statistics.median(run.cpu_seconds for run in runs),
        peak_rss=max(run.peak_rss for run in runs),
    )


def byte_compile(ctx: Context, project: Path) -> None:
    """Compile the project's modules as `pip install` does, so that cold starts do not pay for it."""
    run = run_measured([ctx.python, "-m", "compileall", "-q", str(project)], timeout=GENERATION_TIMEOUT)
    if not run.ok:
        raise Skip(f"compileall {project.name}: {run.failure()}")


def measure(ctx: Context, spec: Spec, into: Section, skipped: list[str]) -> Generated:
    generated = Generated()
    out = ctx.folder(spec.name)
    try:
        mine = _timed(ctx, ctx.mcpgen, spec, out / "mcpgen", into.notes)
    except Skip as reason:
        skipped.append(f"{spec.name}: mcpgen failed, so nothing was measured for this spec ({reason})")
        return generated
    rows = []
    for name, generator in ctx.peers.items():
        folder = out / ("omg" if name == "openapi-mcp-generator" else "datamodel")
        try:
            theirs = _timed(ctx, generator, spec, folder, into.notes)
        except Skip as reason:
            skipped.append(f"{spec.name}: {reason}")
            continue
        if name == "openapi-mcp-generator":
            generated.omg_project = folder
        goal = TIME_GOAL if name == "openapi-mcp-generator" else None
        rows.append(
            report.compared(
                spec.name, "generation time", mine.seconds, name, theirs.seconds, report.seconds, goal
            )
        )
        rows.append(
            report.compared(
                spec.name, "generation CPU time", mine.cpu_seconds, name, theirs.cpu_seconds, report.seconds
            )
        )
        rows.append(
            report.compared(
                spec.name, "generation peak RSS", mine.peak_rss, name, theirs.peak_rss, report.size
            )
        )
    into.rows.extend(
        rows
        or [
            Row(
                spec.name,
                "generation time, peak RSS",
                f"{report.seconds(mine.seconds)}, {report.size(mine.peak_rss)}",
            )
        ]
    )

    for mode, extra in ctx.mcpgen_modes.items():
        project = out / "mcpgen" if not extra else out / f"mcpgen-{mode}"
        if extra:
            run = _generate(ctx.mcpgen, spec.path, project, extra)
            if not run.ok:
                skipped.append(f"{spec.name}: mcpgen {' '.join(extra)}: {run.failure()}")
                continue
        byte_compile(ctx, project)
        generated.mcpgen_projects[mode] = project
    return generated
