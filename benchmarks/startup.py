"""Benchmarks 2 and 3: cold start to the first tools/list with its memory, and the size of that list.

One fresh process per server lists the tools once (probes/list_tools.py); its time, memory and list serve both
benchmarks.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import report
from generation import Generated
from measure import Skip
from peers import build_omg_server
from report import Row, Section
from workspace import Context, Spec

FASTMCP = "FastMCP.from_openapi"
OMG = "openapi-mcp-generator"
START_TIME_GOAL = 0.1
START_RSS_GOAL = 0.15
ALL_MODE_BYTES_GOAL = 0.25
# Starting FastMCP.from_openapi on Stripe has taken 41-47 s and 1.8 GB here.
LIST_TIMEOUT = 900


@dataclass(frozen=True)
class Listing:
    seconds: float
    cpu_seconds: float
    peak_rss: int
    tools: int
    bytes: int
    tokens: int


def sections() -> tuple[Section, Section]:
    start = Section(
        "2. Cold start to the first tools/list, and its memory (`all` mode)",
        "A fresh `python` process imports the generated server (`src.server` or `main`) and lists its tools "
        f"through the in-memory `fastmcp.Client`, against one that builds `{FASTMCP}(openapi_spec=..., "
        "client=httpx2.AsyncClient(base_url=...))` and lists its tools. Time runs from the moment the "
        "process is started to the list result; CPU time and peak RSS are the process's own at that moment. "
        "Generated projects are byte-compiled first, as `pip install` does.",
    )
    size = Section(
        "3. tools/list size: bytes and estimated tokens",
        'The tools list as a client receives it: `json.dumps([t.model_dump(mode="json", by_alias=True, '
        "exclude_none=True) for t in tools])`. openapi-mcp-generator's project is built "
        "(`npm install && npm run build`) and listed over stdio.",
    )
    return start, size


def _listing(
    ctx: Context, kind: str, source: Path, out: Path, repeat: int, cwd: Path | None = None
) -> Listing:
    results = [
        ctx.probe("list_tools.py", kind, source, "--out", out, timeout=LIST_TIMEOUT, cwd=cwd).json_line()
        for _ in range(repeat)
    ]
    text = out.read_text(encoding="utf-8")
    return Listing(
        seconds=statistics.median(result["seconds_to_list"] for result in results),
        cpu_seconds=statistics.median(result["cpu_seconds"] for result in results),
        peak_rss=max(result["peak_rss"] for result in results),
        tools=results[0]["tools"],
        bytes=results[0]["bytes"],
        tokens=ctx.estimator.count(text),
    )


def _mode_label(mode: str) -> str:
    return "default mode" if mode == "default" else f"`{mode}` mode"


def measure(
    ctx: Context, spec: Spec, generated: Generated, start: Section, size: Section, skipped: list[str]
) -> None:
    lists = ctx.folder(spec.name, "tools-lists")
    repeat = ctx.options.repeat
    mine: dict[str, Listing] = {}
    for mode, project in generated.mcpgen_projects.items():
        try:
            mine[mode] = _listing(ctx, "mcpgen", project, lists / f"mcpgen-{mode}.json", repeat, cwd=project)
        except Skip as reason:
            skipped.append(f"{spec.name}: mcpgen {mode} mode did not list its tools ({reason})")
    theirs: dict[str, Listing] = {}
    try:
        theirs[FASTMCP] = _listing(ctx, "fastmcp", spec.path, lists / "fastmcp.json", repeat)
    except Skip as reason:
        skipped.append(f"{spec.name}: {FASTMCP} did not list its tools ({reason})")
    if generated.omg_project is not None:
        try:
            entry = build_omg_server(generated.omg_project)
            theirs[OMG] = _listing(ctx, "node", entry, lists / "omg.json", 1, cwd=generated.omg_project)
        except Skip as reason:
            skipped.append(f"{spec.name}: {OMG}'s tools list ({reason})")

    all_mode = "all" if "all" in mine else "default" if "default" in mine else None
    fastmcp = theirs.get(FASTMCP)
    if all_mode and fastmcp:
        listing = mine[all_mode]
        start.rows.append(
            report.compared(
                spec.name,
                "start to first tools/list",
                listing.seconds,
                FASTMCP,
                fastmcp.seconds,
                report.seconds,
                START_TIME_GOAL,
            )
        )
        start.rows.append(
            report.compared(
                spec.name,
                "CPU time to first tools/list",
                listing.cpu_seconds,
                FASTMCP,
                fastmcp.cpu_seconds,
                report.seconds,
            )
        )
        start.rows.append(
            report.compared(
                spec.name,
                "peak RSS at tools/list",
                listing.peak_rss,
                FASTMCP,
                fastmcp.peak_rss,
                report.size,
                START_RSS_GOAL,
            )
        )
    if "auto" in mine and fastmcp:
        start.rows.append(
            report.compared(
                spec.name,
                "start to first tools/list, `auto` mode",
                mine["auto"].seconds,
                FASTMCP,
                fastmcp.seconds,
                report.seconds,
            )
        )

    for mode, listing in mine.items():
        label = _mode_label(mode)
        for peer, other in theirs.items():
            size.rows.append(
                report.compared(
                    spec.name, f"tools listed, {label}", listing.tools, peer, other.tools, report.count
                )
            )
            goal = ALL_MODE_BYTES_GOAL if peer == FASTMCP and mode in ("all", "default") else None
            size.rows.append(
                report.compared(
                    spec.name,
                    f"tools/list bytes, {label}",
                    listing.bytes,
                    peer,
                    other.bytes,
                    report.size,
                    goal,
                )
            )
            size.rows.append(
                report.compared(
                    spec.name, f"tools/list tokens, {label}", listing.tokens, peer, other.tokens, report.count
                )
            )
        if mode in ("auto", "default"):
            budget = ctx.options.context_budget
            size.rows.append(
                Row(
                    spec.name,
                    f"tools/list tokens, {label}",
                    report.count(listing.tokens),
                    "context budget",
                    report.count(budget),
                    report.times(report.ratio(listing.tokens, budget)),
                    report.verdict("within the budget", listing.tokens <= budget),
                )
            )
