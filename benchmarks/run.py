"""Run mcpgen's benchmarks against its peers, print the results table and write it into benchmarks/README.md.

    python benchmarks/run.py                   # letta, Stripe (from ../shared/specs) and the bundled example
    python benchmarks/run.py --quick           # the bundled example only, fewer calls, README left alone
    python benchmarks/run.py --specs letta path/to/spec.yaml --repeat 3

Run it with the Python of the repository's venv (`pip install -e ".[test]"`); optionally
`pip install -r benchmarks/requirements.txt` for cl100k_base token counts. Whatever cannot run here (a missing
spec, npm, a peer that fails to install) is skipped with a note in the table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import calls
import faults
import generation
import peers
import report
import startup
from mcpgen.spec import METHODS as HTTP_METHODS
from measure import Skip
from tokens import token_estimator
from workspace import EXAMPLE_SPEC, Context, Options, Spec

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
SHARED_SPECS = peers.REPO.parent / "shared" / "specs"
DEFAULT_SPECS = ("letta", "stripe", "example")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only the bundled example, 50 calls; the README is not written unless --readme",
    )
    parser.add_argument(
        "--specs",
        nargs="+",
        metavar="SPEC",
        help="letta, stripe (../shared/specs/NAME.json), example, or paths (default: all three)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="timed runs of each generation and cold start; the median is reported (default 1)",
    )
    parser.add_argument("--calls", type=int, help="sequential calls per side in benchmark 4 (default 200)")
    parser.add_argument("--clients", type=int, default=100, help="concurrent clients in benchmark 5")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of backend requests that fail")
    parser.add_argument("--seed", type=int, default=7, help="seed of the backend's faults")
    parser.add_argument("--context-budget", type=int, default=30_000, help="tokens a tools list may cost")
    parser.add_argument("--timeout", type=float, default=600, help="seconds any one probe may take")
    parser.add_argument(
        "--work",
        type=Path,
        default=peers.CACHE / "work",
        help="where generated projects and tools lists are kept (default benchmarks/.cache/work)",
    )
    readme = parser.add_mutually_exclusive_group()
    readme.add_argument(
        "--readme",
        dest="readme",
        action="store_true",
        default=None,
        help="write the table into benchmarks/README.md (the default, except with --quick)",
    )
    readme.add_argument("--no-readme", dest="readme", action="store_false")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.specs = args.specs or (["example"] if args.quick else list(DEFAULT_SPECS))
    args.calls = args.calls or (50 if args.quick else 200)
    args.readme = (not args.quick) if args.readme is None else args.readme
    return args


def resolve_specs(names: list[str], skipped: list[str]) -> list[Spec]:
    specs = []
    for name in names:
        if name == "example":
            path = EXAMPLE_SPEC
        elif "/" not in name and "." not in name:
            path = SHARED_SPECS / f"{name}.json"
        else:
            path = Path(name).resolve()
            name = path.stem
        if path.is_file():
            specs.append(Spec(name, path))
        else:
            skipped.append(f"{name}: no spec at {path}")
    return specs


def operation_count(spec: Spec) -> int | None:
    try:
        document = load_document(spec.path)
    except (OSError, ValueError):
        return None
    paths = document.get("paths") or {}
    return sum(
        1 for item in paths.values() if isinstance(item, dict) for method in item if method in HTTP_METHODS
    )


def load_document(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


def machine(load_at_start: float) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory / 2**30:.0f} GiB, {platform.system()} "
        f"{platform.release()}; 1-minute load average {load_at_start:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (other work may share the machine)"
    )


def node_version() -> str:
    node = shutil.which("node")
    if not node:
        return "not installed"
    try:
        return subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def byte_compile() -> str:
    """Byte-compile every Python environment the measured sides import from (this venv's site-packages with
    FastMCP, mcpgen's own package, datamodel-code-generator's venv), as `pip install` does. Without it, and
    with PYTHONDONTWRITEBYTECODE set (as in some sandboxes, and uv installs do not compile), every measured
    process would compile its imports from source, which is not what an installed tool does."""
    import sysconfig

    import mcpgen

    folders = [Path(sysconfig.get_paths()["purelib"]), Path(mcpgen.__file__).parent]
    folders += sorted(peers.CACHE.glob("*venv*/lib/python*/site-packages"))
    for folder in folders:
        python = sys.executable
        if peers.CACHE in folder.parents:
            python = str(folder.parents[2] / "bin" / "python")
        subprocess.run(
            [python, "-m", "compileall", "-q", "-j", "0", str(folder)], capture_output=True, check=False
        )
    return (
        "Python environments byte-compiled first, as `pip install` does (site-packages, mcpgen, peers' venv)"
    )


def build_context(args: argparse.Namespace, skipped: list[str]) -> Context:
    mcpgen = peers.mcpgen()
    ctx = Context(
        options=Options(
            repeat=args.repeat,
            calls=args.calls,
            clients=args.clients,
            fault_rate=args.fault_rate,
            seed=args.seed,
            context_budget=args.context_budget,
            timeout=args.timeout,
        ),
        work=args.work.resolve(),
        mcpgen=mcpgen,
        mcpgen_modes=peers.mcpgen_tool_modes(mcpgen),
        estimator=token_estimator(),
    )
    for install in (peers.openapi_mcp_generator, peers.datamodel_code_generator):
        try:
            peer = install()
        except Skip as reason:
            skipped.append(f"peer not available: {reason}")
            continue
        ctx.peers[peer.name] = peer
    return ctx


def facts(ctx: Context, specs: list[Spec], started: float, load_at_start: float) -> list[str]:
    versions = [f"mcpgen {ctx.mcpgen.version}"]
    versions += [f"{peer.name} {peer.version}" for peer in ctx.peers.values()]
    versions += [f"{name} {version}" for name, version in peers.library_versions().items()]
    modes = (
        ", ".join(f"`{mode}`" for mode in ctx.mcpgen_modes)
        if "default" not in ctx.mcpgen_modes
        else (
            "the default only, one tool per operation (this mcpgen has no `--tools` option), judged both as "
            "`all` mode and as the default"
        )
    )
    described = ", ".join(
        f"{spec.name} ({count} operations)" if (count := operation_count(spec)) is not None else spec.name
        for spec in specs
    )
    command = " ".join(["python", "benchmarks/run.py", *(sys.argv[1:])])
    return [
        f"Run: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, `{command}`, "
        f"{time.monotonic() - started:.0f} s in all; one timed run per measurement unless --repeat.",
        f"Machine: {machine(load_at_start)}.",
        f"Versions: {', '.join(versions)}; Python {platform.python_version()}, node {node_version()}.",
        f"Specs: {described}.",
        f"mcpgen exposure modes measured: {modes}.",
        f"Tokens: {ctx.estimator.name}; context budget {ctx.options.context_budget:,} tokens.",
        "Ratios are mcpgen / the other; below 1 means mcpgen is faster or smaller. 1 MB = 1,000,000 bytes.",
    ]


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    args = parse_args(argv)
    skipped = report.NotMeasured()
    specs = resolve_specs(args.specs, skipped)
    progress("finding mcpgen and installing the peers (cached in benchmarks/.cache)")
    ctx = build_context(args, skipped)
    shutil.rmtree(ctx.work, ignore_errors=True)
    progress("byte-compiling the Python environments")
    compiled = byte_compile()

    generation_section = generation.section()
    start_section, size_section = startup.sections()
    calls_section = calls.section(ctx.options.calls)
    faults_section = faults.section(ctx.options.clients, ctx.options.fault_rate, ctx.options.seed)

    progress("warming up every generator once on the bundled example")
    generation.warm_up(ctx)
    example = None
    for spec in specs:
        progress(f"{spec.name}: generation")
        generated = generation.measure(ctx, spec, generation_section, skipped)
        progress(f"{spec.name}: cold start and tools/list")
        startup.measure(ctx, spec, generated, start_section, size_section, skipped)
        if spec.path == EXAMPLE_SPEC:
            example = generated

    project = None
    if example is not None:
        project = example.mcpgen_projects.get("all") or example.mcpgen_projects.get("default")
    if project is None:
        skipped.append(
            "tool calls (benchmarks 4 and 5): they need mcpgen's project of the bundled example "
            "(`--specs example`)"
        )
    else:
        progress("example: tool-call overhead")
        try:
            calls.measure(ctx, project, EXAMPLE_SPEC, calls_section)
        except Skip as reason:
            skipped.append(f"example, tool-call overhead: {reason}")
        progress("example: concurrent calls with backend faults")
        try:
            faults.measure(ctx, project, faults_section, skipped)
        except Skip as reason:
            skipped.append(f"example, concurrent calls: {reason}")

    results = report.Report(
        facts=[*facts(ctx, specs, started, load_at_start), f"{compiled}."],
        sections=[generation_section, start_section, size_section, calls_section, faults_section],
        skipped=skipped,
    )
    markdown = results.markdown()
    print(markdown)
    if args.readme:
        report.write_into_readme(README, markdown)
        progress(f"wrote the table into {README.relative_to(peers.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
