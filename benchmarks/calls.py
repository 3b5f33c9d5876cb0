"""Benchmark 4: the overhead of one tool call over a loopback backend, p50 and p99 of sequential calls.

The backend is examples/todo_backend on uvicorn; the operation is its `GET /tasks` (the `list_tasks` tool),
called by the user `bench`, who owns a few tasks.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx2

import report
import services
from measure import Latency, Skip
from report import Section
from workspace import EXAMPLE_BACKEND, Context

USER = "bench"
TASKS = 5
BACKEND_START_TIMEOUT = 60
FASTMCP = "FastMCP.from_openapi tool"
RAW = "raw httpx2 call"
# The generated server's settings this benchmark sets: without them a project cannot reach the backend.
SETTINGS = ("BACKEND_URL", "SERVICE_AUTH_TOKEN", "MCP_USER_ID")


def section(calls: int) -> Section:
    return Section(
        "4. Tool-call overhead over a loopback backend",
        f"{calls} sequential calls (after 20 untimed) of the bundled example's `GET /tasks` (5 tasks), each "
        "side in its own process: a raw `httpx2.AsyncClient` request with its JSON decoded; the generated "
        "server's `list_tasks` tool through the in-memory `fastmcp.Client` (settings from BACKEND_URL, "
        "SERVICE_AUTH_TOKEN, MCP_USER_ID; RATE_LIMIT_PER_MINUTE raised above the run's calls, the limiter "
        f"still on); and the `list_tasks` tool of `FastMCP.from_openapi` on the same "
        "spec, whose httpx2 client sends the same credentials.",
    )


def require_settings(project: Path) -> None:
    example = project / ".env.example"
    text = example.read_text(encoding="utf-8") if example.exists() else ""
    missing = [name for name in SETTINGS if f"{name}=" not in text]
    if missing:
        raise Skip(
            f"the generated project's .env.example has no {', '.join(missing)}; the benchmark sets those"
        )


def add_tasks(backend_url: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}", "X-User-ID": USER}
    with httpx2.Client(base_url=backend_url, headers=headers, timeout=10) as client:
        for number in range(1, TASKS + 1):
            client.post("/tasks", json={"title": f"Task {number}"}).raise_for_status()


def measure(ctx: Context, project: Path, spec_path: Path, into: Section) -> None:
    require_settings(project)
    token = secrets.token_urlsafe(32)
    db = ctx.folder("calls") / "todo.json"
    db.unlink(missing_ok=True)
    # The generated server allows a caller 120 calls a minute by default; the limiter stays on (its cost is
    # part of the overhead measured), with room for every call of the run.
    env = ctx.env(
        {"SERVICE_AUTH_TOKEN": token, "MCP_USER_ID": USER, "RATE_LIMIT_PER_MINUTE": "1000000"},
        pythonpath=EXAMPLE_BACKEND,
    )
    command = [ctx.python, Path(__file__).parent / "backend.py", "todo", "--db", str(db)]
    with services.announced("todo backend", command, env=env, timeout=BACKEND_START_TIMEOUT) as backend:
        add_tasks(backend.url, token)
        calls = str(ctx.options.calls)
        latency = {}
        for kind, args, cwd in (
            ("raw", (), None),
            ("mcpgen", ("--project", project), project),
            ("fastmcp", ("--spec", spec_path), None),
        ):
            run = ctx.probe(
                "call_latency.py",
                kind,
                "--backend",
                backend.url,
                "--calls",
                calls,
                *args,
                env={**env, "BACKEND_URL": backend.url},
                cwd=cwd,
            )
            latency[kind] = Latency.of(run.json_line()["seconds"])
    mine = latency["mcpgen"]
    for peer, theirs, goal in ((FASTMCP, latency["fastmcp"], 1.0), (RAW, latency["raw"], None)):
        into.rows.append(
            report.compared("example", "tool call p50", mine.p50, peer, theirs.p50, report.duration, goal)
        )
        into.rows.append(
            report.compared("example", "tool call p99", mine.p99, peer, theirs.p99, report.duration, goal)
        )
