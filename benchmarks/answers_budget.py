"""Benchmark 6: tokens of large tool answers before and after the answer budget (issue 17).

For a few operations of each spec (the bundled example, letta, Stripe), mcpgen generates a project with only
those tools; a backend mock then answers each call with the operation's response sample grown large (the
sample machinery's answer, every list repeated to --items items, each free text --text characters long). Each
answer is measured as the client receives it (text and structured content, bytes / 4) with the budget off
(RESPONSE_TOKEN_BUDGET=0: what the server sent before), at the default (25,000) and at 5,000, and checked
against the tool's outputSchema.

    python benchmarks/answers_budget.py              # prints the table
    python benchmarks/answers_budget.py --readme     # and writes it into benchmarks/README.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT.parent / "shared" / "specs"
README = Path(__file__).with_name("README.md")
START, END = "<!-- answers-budget:start -->", "<!-- answers-budget:end -->"

# spec label → (spec path, operationIds)
CASES = {
    "example": (ROOT / "examples" / "todo_backend" / "openapi.json", ["list_tasks", "get_task"]),
    "letta": (SPECS / "letta.json", ["list_agents", "retrieve_agent", "list_messages"]),
    "stripe": (SPECS / "stripe.json", ["GetCustomers", "GetCustomersCustomer", "GetInvoices"]),
}

# Runs inside the generated project: its own test module knows every tool's sample answer and type.
PROBE = r"""
import asyncio, json, os, sys
sys.path.insert(0, os.getcwd())
import httpx2, jsonschema
from fastmcp import Client
from pydantic import TypeAdapter
from src.budget import Schema
from src.client import Backend, set_backend
from src.config import get_settings, reset_settings
from src.server import mcp
from tests.integration.test_answer_budget import TOOLS, answer_bytes, inflate

ITEMS, TEXT = int(sys.argv[1]), int(sys.argv[2])
reply = {}
os.environ.setdefault("MCP_USER_ID", "bench")
os.environ.setdefault("BACKEND_API_KEY", "bench-key")
os.environ.setdefault("BACKEND_TOKEN", "bench-token")
os.environ.setdefault("SERVICE_AUTH_TOKEN", "bench-service-token-0123456789abcdef")

def handle(request):
    return httpx2.Response(200, json=reply["json"])

async def main():
    rows = []
    async with Client(mcp) as client:
        listed = {tool.name: tool for tool in await client.list_tools()}
        for name, (arguments, _status, sample, result_type) in TOOLS.items():
            schema = Schema(TypeAdapter(result_type).json_schema())
            reply["json"] = inflate(sample, schema, [schema.root], ITEMS, TEXT)
            row = {"tool": name, "backend_bytes": len(json.dumps(reply["json"], separators=(",", ":")))}
            for label, budget in (("off", "0"), ("default", "25000"), ("5000", "5000")):
                os.environ["RESPONSE_TOKEN_BUDGET"] = budget
                reset_settings()
                set_backend(Backend(get_settings(), transport=httpx2.MockTransport(handle)))
                result = await client.call_tool(name, arguments, raise_on_error=False)
                tokens = answer_bytes(result) // 4
                valid = None
                output = listed[name].output_schema
                if not result.is_error and output is not None and result.structured_content is not None:
                    try:
                        jsonschema.validate(result.structured_content, output)
                        valid = True
                    except jsonschema.ValidationError:
                        valid = False
                text = [b.text for b in result.content if getattr(b, "text", None) is not None]
                structured = result.structured_content
                row[label] = {
                    "tokens": tokens,
                    "error": result.is_error,
                    "valid": valid,
                    "text_bytes": sum(len(t.encode()) for t in text),
                    "structured_bytes": (
                        len(json.dumps(structured, separators=(",", ":"), ensure_ascii=False).encode())
                        if structured is not None
                        else 0
                    ),
                    "note": text[-1][:240] if label != "off" and len(text) > 1 else "",
                }
            rows.append(row)
    print(json.dumps(rows))

asyncio.run(main())
"""


def generate(spec: Path, operations: list[str], out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from mcpgen.generate import Request
    from mcpgen.generate import generate as run

    run(Request(spec=str(spec), out=out, include_operations=operations, tools="all"))


def measure(project: Path, items: int, text: int) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "BACKEND_", "RESPONSE_"))}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(items), str(text)],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def table(results: dict[str, list[dict]], items: int, text: int) -> str:
    lines = [
        f"Backend answers: each operation's response sample with every list repeated to {items:,} items and "
        f"each free text {text:,} characters. Tokens are bytes / 4 of what the client receives (text and "
        'structured content); "off" is RESPONSE_TOKEN_BUDGET=0, the answer as the server sent it before '
        "the budget.",
        "",
        "| spec | tool | backend answer | tokens, budget off (text + structured) | default budget 25,000 "
        "| budget 5,000 | valid against outputSchema |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec, rows in results.items():
        for row in rows:
            off, default, small = row["off"], row["default"], row["5000"]
            valid = {True: "yes", False: "NO", None: "no schema"}
            checks = sorted({valid[default["valid"]], valid[small["valid"]]})

            def cell(measured: dict) -> str:
                return f"{measured['tokens']:,}" + (" (error)" if measured["error"] else "")

            lines.append(
                f"| {spec} | {row['tool']} | {row['backend_bytes'] / 1024:,.0f} KB | {cell(off)} "
                f"({off['text_bytes'] // 4:,} + {off['structured_bytes'] // 4:,}) | {cell(default)} | "
                f"{cell(small)} | {', '.join(checks)} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--text", type=int, default=100)
    parser.add_argument("--specs", nargs="*", default=list(CASES))
    parser.add_argument("--readme", action="store_true", help="write the table into benchmarks/README.md")
    parser.add_argument("--notes", action="store_true", help="print what each shortened answer says")
    options = parser.parse_args()
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="answers-budget-") as scratch:
        for name in options.specs:
            spec, operations = CASES[name]
            if not spec.exists():
                print(f"{name}: {spec} is absent; not measured", file=sys.stderr)
                continue
            project = Path(scratch) / name
            generate(spec, operations, project)
            results[name] = measure(project, options.items, options.text)
    text = table(results, options.items, options.text)
    print(text)
    if options.notes:
        for spec, rows in results.items():
            for row in rows:
                print(f"\n{spec} {row['tool']} (5,000): {row['5000']['note']}")
    if options.readme:
        readme = README.read_text()
        block = f"{START}\n{text}\n{END}"
        head, _, rest = readme.partition(START)
        _, _, tail = rest.partition(END)
        README.write_text(head + block + tail)


if __name__ == "__main__":
    main()
