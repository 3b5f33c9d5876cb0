"""Start an MCP server from nothing, list its tools once, and report how long that took and the memory used.

    python list_tools.py mcpgen PROJECT --out TOOLS.json    # a generated project, in memory
    python list_tools.py fastmcp SPEC --out TOOLS.json      # FastMCP.from_openapi, in memory
    python list_tools.py node ENTRY.js --out TOOLS.json     # a Node MCP server over stdio (its time is not
                                                            # comparable: the server is another process)

Prints one JSON line: seconds from process start to the tools list (BENCH_STARTED_AT, set by the harness
just before it started this process), the CPU time and peak RSS of this process at that moment, and the
tools list's size.
The tools list is written to --out as a client receives it.
"""

import argparse
import asyncio
import json
import os
import resource
import time
from pathlib import Path

from fastmcp import Client

from targets import generated_server, openapi_server, tools_json


async def list_tools(target) -> list:
    async with Client(target) as client:
        return await client.list_tools()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["mcpgen", "fastmcp", "node"])
    parser.add_argument("source", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = float(os.environ.get("BENCH_STARTED_AT") or time.time())

    if args.kind == "mcpgen":
        target = generated_server(args.source)
    elif args.kind == "fastmcp":
        target = openapi_server(args.source)
    else:
        from fastmcp.client.transports import StdioTransport

        target = StdioTransport(command="node", args=[str(args.source)], env=dict(os.environ))
    tools = asyncio.run(list_tools(target))
    seconds = time.time() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_rss = usage.ru_maxrss * 1024
    cpu_seconds = usage.ru_utime + usage.ru_stime

    text = tools_json(tools)
    args.out.write_text(text, encoding="utf-8")
    print(
        json.dumps(
            {
                "seconds_to_list": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss": peak_rss,
                "tools": len(tools),
                "bytes": len(text.encode()),
            }
        ),
        flush=True,
    )
    # Tearing down a large server can take seconds that no client waits for.
    os._exit(0)


if __name__ == "__main__":
    main()
