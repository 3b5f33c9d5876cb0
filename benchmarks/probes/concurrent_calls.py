"""Many MCP clients call one tool at the same moment over streamable HTTP; classify what each one got.

    BENCH_MCP_TOKEN=... python concurrent_calls.py --url http://127.0.0.1:PORT/mcp --clients 100

Every client connects and lists the tools first, as an assistant does when a session opens (the MCP client
also needs the list to check a tool's structured output); then all calls start together and each is timed.
An answer is a `result`, a `typed_error` (a tool error whose text is JSON with an `error_type`, the generated
servers' error taxonomy) or `other` (anything else: an untyped error, a transport failure, a timeout).
Prints one JSON line: the counts, the duration of every answered call, and up to five `other` examples.
"""

import argparse
import asyncio
import json
import os
import time
from contextlib import AsyncExitStack

from fastmcp import Client
from fastmcp.client.auth import BearerAuth
from fastmcp.client.transports import StreamableHttpTransport


def classify(result) -> str:
    if not result.is_error:
        return "result"
    text = "".join(getattr(block, "text", "") for block in result.content)
    try:
        body = json.loads(text)
    except ValueError:
        return "other"
    return "typed_error" if isinstance(body, dict) and body.get("error_type") else "other"


async def main(url: str, token: str, clients: int, tool: str, timeout: float) -> dict:
    counts = {"result": 0, "typed_error": 0, "other": 0}
    durations: list[float] = []
    others: list[str] = []
    start = asyncio.Event()

    async def one_call(client: Client) -> None:
        await start.wait()
        began = time.perf_counter()
        try:
            result = await asyncio.wait_for(client.call_tool(tool, {}, raise_on_error=False), timeout)
        except Exception as error:  # noqa: BLE001 - every failure is counted, none may stop the others
            counts["other"] += 1
            others.append(f"{type(error).__name__}: {error}"[:200])
            return
        durations.append(time.perf_counter() - began)
        kind = classify(result)
        counts[kind] += 1
        if kind == "other":
            others.append("".join(getattr(block, "text", "") for block in result.content)[:200])

    async with AsyncExitStack() as stack:
        connected = await asyncio.gather(
            *(
                stack.enter_async_context(Client(StreamableHttpTransport(url, auth=BearerAuth(token))))
                for _ in range(clients)
            )
        )
        await asyncio.gather(*(client.list_tools() for client in connected))
        calls = [asyncio.create_task(one_call(client)) for client in connected]
        start.set()
        await asyncio.gather(*calls)
    return {"counts": counts, "seconds": durations, "others": others[:5]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--tool", default="list_tasks")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    report = asyncio.run(main(args.url, os.environ["BENCH_MCP_TOKEN"], args.clients, args.tool, args.timeout))
    print(json.dumps(report), flush=True)
