"""Benchmark 1: generation wall time and peak RSS, mcpgen against openapi-mcp-generator and datamodel-codegen.

Also leaves behind what the later benchmarks use: mcpgen's projects per exposure mode, byte-compiled as
`pip install` would, and openapi-mcp-generator's project.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import report
from mcpgen.spec import METHODS as HTTP_METHODS
from measure import Run, Skip, run_measured
from peers import Generator
from report import Row, Section
from workspace import EXAMPLE_SPEC, Context, Spec

GENERATION_TIMEOUT = 900
TIME_GOAL = 1.0  # mcpgen's time / openapi-mcp-generator's
UPDATE_GOAL = 2.0  # `mcpgen update --spec` / mcpgen's own generation of the same spec
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "init.defaultBranch=main"]


# datamodel-codegen's answer to a spec with modular references when asked for a single file.
NEEDS_PACKAGE = "require an output directory"


@dataclass(frozen=True)
class Timing:
    seconds: float
    cpu_seconds: float
    peak_rss: int

    @classmethod
    def of(cls, runs: list[Run]) -> Timing:
        """The median time of `runs`, and the largest peak RSS of any."""
        return cls(
            seconds=statistics.median(run.wall_seconds for run in runs),
            cpu_seconds=statistics.median(run.cpu_seconds for run in runs),
            peak_rss=max(run.peak_rss for run in runs),
        )


@dataclass
class Generated:
    """The outputs of one spec's generation, for the benchmarks that run them."""

    mcpgen_projects: dict[str, Path] = field(default_factory=dict)  # by exposure mode
    omg_project: Path | None = None


def section() -> Section:
    return Section(
        "1. Generation: wall time and peak RSS",
        "`mcpgen from-openapi SPEC -o OUT --force` against `openapi-mcp-generator --input SPEC --output DIR` "
        "and `datamodel-codegen --input SPEC --input-file-type openapi --output models.py` (models only); "
        "and `mcpgen update OUT --spec NEW` on that project, committed, where NEW is the spec with one "
        "operation added (a copy of the first one under a new path) and the first operation's description "
        "changed: a typical API release, against mcpgen's own generation of the spec. "
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
    return Timing.of(runs)


def _next_release(spec: Path, into: Path) -> Path:
    """The spec as its next release might be: the first operation's description changed and a copy of it
    added under a new path (path parameters kept, operationId made unique)."""
    document = json.loads(spec.read_text(encoding="utf-8"))
    path, item = next((p, i) for p, i in document["paths"].items() if isinstance(i, dict))
    method = next(m for m in HTTP_METHODS if m in item)
    operation = item[method]
    added = json.loads(json.dumps(operation))
    operation["description"] = (operation.get("description") or "") + " Changed in this release."
    if "operationId" in added:
        added["operationId"] += "_bench_copy"
    document["paths"][path.rstrip("/") + "/bench-copy"] = {method: added}
    release = into / f"next-{spec.name}"
    release.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return release


def _git(project: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=project, check=True, capture_output=True)


def _update_timed(ctx: Context, spec: Spec, project: Path, out: Path) -> Timing:
    """`mcpgen update --spec` of a committed copy of `project` to the spec's next release, each timed run from
    the same commit."""
    copy = out / "mcpgen-update"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy)
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "commit", "-q", "-m", "generated")
    release = _next_release(spec.path, out)
    runs = []
    for _ in range(ctx.options.repeat):
        _git(copy, "reset", "-q", "--hard")
        _git(copy, "clean", "-q", "-fdx")
        run = run_measured(
            [ctx.mcpgen.executable, "update", str(copy), "--spec", str(release)], timeout=GENERATION_TIMEOUT
        )
        if not run.ok:
            raise Skip(f"mcpgen update on {spec.name}: {run.failure()}")
        runs.append(run)
    return Timing.of(runs)


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
    if spec.path.suffix == ".json":
        try:
            update = _update_timed(ctx, spec, out / "mcpgen", out)
        except Skip as reason:
            skipped.append(str(reason))
        else:
            rows.append(
                report.compared(
                    spec.name,
                    "update --spec time",
                    update.seconds,
                    "mcpgen generation",
                    mine.seconds,
                    report.seconds,
                    UPDATE_GOAL,
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
