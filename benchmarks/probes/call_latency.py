"""Time sequential calls of the todo backend's `GET /tasks`, directly or through an MCP tool.

    python call_latency.py raw     --backend URL                 # httpx2.AsyncClient, response JSON decoded
    python call_latency.py mcpgen  --backend URL --project DIR   # the generated server's list_tasks tool
    python call_latency.py fastmcp --backend URL --spec SPEC     # FastMCP.from_openapi's list_tasks tool

The service token and the user come from SERVICE_AUTH_TOKEN and MCP_USER_ID; the generated server reads
those and BACKEND_URL from the environment itself. MCP tools are called through the in-memory client, so
no transport is timed.
Prints one JSON line: the duration of every timed call, in seconds. Any failed call stops the probe.
"""

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

import httpx2
from fastmcp import Client

from targets import generated_server, openapi_server

OPERATION = "list_tasks"


def backend_headers() -> dict[str, str]:
    return {
        "Authorization": f"Bearer {os.environ['SERVICE_AUTH_TOKEN']}",
        "X-User-ID": os.environ["MCP_USER_ID"],
    }


async def timed(call, calls: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        await call()
    durations = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        durations.append(time.perf_counter() - started)
    return durations


async def raw(backend: str, calls: int, warmup: int) -> list[float]:
    async with httpx2.AsyncClient(base_url=backend, headers=backend_headers()) as client:

        async def call() -> None:
            response = await client.get("/tasks")
            response.raise_for_status()
            response.json()

        return await timed(call, calls, warmup)


async def through_tool(server, calls: int, warmup: int) -> list[float]:
    async with Client(server) as client:

        async def call() -> None:
            result = await client.call_tool(OPERATION, {}, raise_on_error=False)
            if result.is_error:
                text = " ".join(getattr(block, "text", "") for block in result.content)
                sys.exit(f"{OPERATION} failed: {text[:300]}")

        return await timed(call, calls, warmup)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["raw", "mcpgen", "fastmcp"])
    parser.add_argument("--backend", required=True)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--spec", type=Path)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    if args.kind == "raw":
        durations = asyncio.run(raw(args.backend, args.calls, args.warmup))
    elif args.kind == "mcpgen":
        durations = asyncio.run(through_tool(generated_server(args.project), args.calls, args.warmup))
    else:
        server = openapi_server(args.spec, base_url=args.backend, headers=backend_headers())
        durations = asyncio.run(through_tool(server, args.calls, args.warmup))
    print(json.dumps({"seconds": durations}), flush=True)


if __name__ == "__main__":
    main()
