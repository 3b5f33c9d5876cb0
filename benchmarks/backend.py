"""The loopback backends the tool-call benchmarks call, each run as its own process.

    python benchmarks/backend.py todo --db PATH
        examples/todo_backend on uvicorn (SERVICE_AUTH_TOKEN and JWT_SECRET come from the environment).
    python benchmarks/backend.py faulty --seed 7 --fault-rate 0.2
        GET /tasks answering the todo backend's task list, except that a seeded share of requests gets a 500
        or has its connection dropped before any answer. On SIGTERM it prints how many requests met
        which fate.

Both bind 127.0.0.1 on a free port and print `{"port": N}` on stdout once they accept connections.
The todo backend's package must be importable (PYTHONPATH=examples/todo_backend).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
from datetime import UTC, datetime

HOST = "127.0.0.1"
# Bounds the faulty backend: a request head larger than this is refused, so a bad client cannot grow memory.
MAX_HEAD_BYTES = 64 * 1024


def announce(port: int) -> None:
    print(json.dumps({"port": port}), flush=True)


def bound_socket() -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it
    # every keep-alive response written in two parts waits about 40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(1024)
    return sock


def serve_todo(db: str) -> None:
    import uvicorn
    from todo_backend.app import create_app

    os.environ["TODO_DB"] = db
    sock = bound_socket()
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", access_log=False))
    announce(sock.getsockname()[1])
    server.run(sockets=[sock])


def sample_tasks(owner: str, count: int) -> bytes:
    """A task list as the todo backend would answer it, built with its own model so that it stays valid."""
    from todo_backend.models import Priority, Task

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    tasks = [
        Task(
            id=number,
            title=f"Task {number}",
            priority=Priority.medium,
            owner_id=owner,
            created_at=moment,
            updated_at=moment,
        ).model_dump(mode="json")
        for number in range(1, count + 1)
    ]
    return json.dumps(tasks).encode()


class FaultyBackend:
    """A minimal HTTP/1.1 server with keep-alive; each request draws its fate from one seeded generator.

    Requests are served in arrival order, so the sequence of fates is the same in every run even when the
    order in which concurrent clients arrive is not.
    """

    def __init__(self, seed: int, fault_rate: float, body: bytes) -> None:
        self.fates = random.Random(seed)
        self.fault_rate = fault_rate
        self.body = body
        self.counts = {"ok": 0, "error_500": 0, "dropped": 0}

    def fate(self) -> str:
        if self.fates.random() >= self.fault_rate:
            return "ok"
        return "error_500" if self.fates.random() < 0.5 else "dropped"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in header_lines if line)
                }
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                fate = self.fate()
                self.counts[fate] += 1
                if fate == "dropped":
                    writer.transport.abort()
                    return
                method, path = (request_line.split(" ") + ["", ""])[:2]
                if fate == "error_500":
                    await self.answer(writer, 500, b'{"detail": "injected fault"}')
                elif method == "GET" and path.split("?")[0] == "/tasks":
                    await self.answer(writer, 200, self.body)
                else:
                    await self.answer(writer, 404, b'{"detail": "Not Found"}')
        finally:
            writer.close()

    async def answer(self, writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
        reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}[status]
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()


async def serve_faulty(seed: int, fault_rate: float, owner: str) -> None:
    backend = FaultyBackend(seed, fault_rate, sample_tasks(owner, 5))
    sock = bound_socket()
    server = await asyncio.start_server(backend.handle, sock=sock, limit=MAX_HEAD_BYTES)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    announce(sock.getsockname()[1])
    async with server:
        await stop.wait()
    # Read by the harness after it stops this backend: how many requests met which fate.
    print(json.dumps({"requests": backend.counts}), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    kinds = parser.add_subparsers(dest="kind", required=True)
    todo = kinds.add_parser("todo")
    todo.add_argument("--db", required=True)
    faulty = kinds.add_parser("faulty")
    faulty.add_argument("--seed", type=int, default=7)
    faulty.add_argument("--fault-rate", type=float, default=0.2)
    faulty.add_argument("--owner", default="bench")
    args = parser.parse_args(argv)
    if args.kind == "todo":
        serve_todo(args.db)
    else:
        asyncio.run(serve_faulty(args.seed, args.fault_rate, args.owner))


if __name__ == "__main__":
    main()
