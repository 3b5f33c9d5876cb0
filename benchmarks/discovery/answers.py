"""What the assistant reads in discover mode, measured on real specs: tools/list, the API's map, the largest
search answer at limit 10 and the largest describe answer (tokens ~ bytes / 4 of text and structured content
together, as the generated project's src/surface.py counts them).

    python benchmarks/discovery/answers.py                      # the five specs in ../shared/specs
    python benchmarks/discovery/answers.py SPEC... --out DIR    # keep the generated projects in DIR

Each spec is generated with `--tools discover`, then measured inside its own project (each project is a `src`
package, so each is measured in a process of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT.parent / "shared" / "specs"
DEFAULT_SPECS = ("letta.json", "stripe.json", "kubernetes.json", "openai.yaml", "gitea-swagger2.json")
BUDGETS = {"tools_list": 1_000, "map": 2_000, "search": 2_000, "describe": 8_000}

# Runs inside a generated project: prints one JSON object of maxima.
PROBE = r"""
import asyncio, json, math, sys
from fastmcp import Client
from src.catalog import CATALOG
from src.discovery import words
from src.server import mcp
from src.surface import entries, listed_tools, totals

DISCOVERY = {"search_operations", "describe_operation", "call_operation"}


def tokens(result):
    text = sum(len(block.text.encode()) for block in result.content if hasattr(block, "text"))
    structured = result.structured_content
    dumped = json.dumps(structured, separators=(",", ":"), ensure_ascii=False) if structured else ""
    size = len(dumped.encode())
    return math.ceil((text + size) / 4)


async def main():
    listed = [tool for tool in await listed_tools() if tool["name"] in DISCOVERY]
    found = {"operations": len(CATALOG), "tools_list": totals(entries(listed))["tokens"]}
    queries = sorted({w for entry in CATALOG for w in [*words(entry.name), *words(" ".join(entry.tags))]})
    async with Client(mcp) as client:
        found["map"] = tokens(await client.call_tool("search_operations", {}))
        search = (0, "")
        for query in queries[:400]:
            size = tokens(await client.call_tool("search_operations", {"query": query, "limit": 10}))
            search = max(search, (size, query))
        found["map_answer"] = (await client.call_tool("search_operations", {})).structured_content["result"]
        describe = (0, "")
        placeholders = []
        for entry in CATALOG:
            result = await client.call_tool("describe_operation", {"name": entry.name})
            describe = max(describe, (tokens(result), entry.name))
            # An example call that sends "string" was made up, not taken from the spec or its formats.
            answer = result.structured_content
            if '"string"' in answer["example"] or any(
                mark in answer["description"] for mark in ('="string"', ': "string"')
            ):
                placeholders.append(entry.name)
    found["placeholders"] = placeholders
    found["search"], found["search_query"] = search
    found["describe"], found["describe_operation"] = describe
    print(json.dumps(found))


asyncio.run(main())
"""


def generate(spec: Path, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "mcpgen", "from-openapi", str(spec), "-o", str(out), "--tools", "discover"],
        check=True,
        capture_output=True,
    )


def measure(project: Path) -> dict:
    # The settings a stdio server needs to start (no backend is called: only discovery's own answers).
    env = {
        **os.environ,
        **{name: "unused-" + "0" * 40 for name in ("BACKEND_TOKEN", "BACKEND_API_KEY", "SERVICE_AUTH_TOKEN")},
        "BACKEND_USERNAME": "bench",
        "BACKEND_PASSWORD": "unused-" + "0" * 40,
        "MCP_USER_ID": "bench",
        "MCP_ORG_ID": "bench",
        "RATE_LIMIT_PER_MINUTE": "0",
    }
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=project, capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"measuring {project} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, help="where to keep the generated projects")
    parser.add_argument("--reuse", action="store_true", help="measure projects already in --out")
    options = parser.parse_args(argv)
    specs = options.specs or [SPECS / name for name in DEFAULT_SPECS if (SPECS / name).exists()]
    out = options.out or Path(tempfile.mkdtemp(prefix="mcpgen-answers-"))
    print("| spec | operations | tools/list | map | largest search @10 | largest describe |")
    print("|---|---|---|---|---|---|")
    over = False
    for spec in specs:
        project = out / spec.name.split(".")[0]
        if not (options.reuse and project.exists()):
            shutil.rmtree(project, ignore_errors=True)
            generate(spec, project)
        m = measure(project)
        over |= any(m[key] > limit for key, limit in BUDGETS.items()) or bool(m["placeholders"])
        print(
            f"| {spec.name} | {m['operations']} | {m['tools_list']} | {m['map']} "
            f"| {m['search']} ({m['search_query']!r}) | {m['describe']} ({m['describe_operation']}) |",
            flush=True,
        )
        if m["placeholders"]:
            print(f"  made-up example values in: {', '.join(m['placeholders'][:10])}", flush=True)
    print(f"\nbudgets (tokens): {BUDGETS}" + ("; something is OVER its budget" if over else "; all within"))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
