"""Benchmark 5: concurrent tool calls over streamable HTTP while the backend fails a share of its requests.

The generated example server runs as its own process in http mode (MCP_TRANSPORT=http, clients authenticated
through MCP_DEV_TOKENS_FILE); its backend (backend.py faulty) answers `GET /tasks` but gives a seeded 20% of
requests a 500 or a dropped connection. Every client must get a result or a typed error, never anything else.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import httpx2

import report
import services
from calls import USER, require_settings
from measure import Latency, Skip
from report import Row, Section
from workspace import EXAMPLE_BACKEND, Context

SERVER_START_TIMEOUT = 120
BACKEND_START_TIMEOUT = 60
# Retries as generated, then none: with retries most faults are absorbed, without them they reach the client.
VARIANTS = (("retries as generated", {}), ("RETRY_ATTEMPTS=1", {"RETRY_ATTEMPTS": "1"}))
HTTP_SETTINGS = ("MCP_TRANSPORT", "MCP_HOST", "MCP_PORT", "MCP_DEV_TOKENS_FILE")


def section(clients: int, fault_rate: float, seed: int) -> Section:
    return Section(
        f"5. {clients} concurrent tool calls over streamable HTTP, {fault_rate:.0%} backend faults",
        f"{clients} MCP clients connect to the generated example server over streamable HTTP and list its "
        f"tools, then call `list_tasks` at the same moment. The backend fails {fault_rate:.0%} of its "
        f"requests (half 500s, half dropped connections; seed {seed}). A call gets a result, a typed error "
        "(tool error text that is JSON with `error_type`) or anything else; latency is per call, from the "
        "moment all calls start.",
    )


def server_command(ctx: Context, project: Path) -> list[str]:
    if (project / "src" / "server.py").exists():
        return [ctx.python, "-m", "src.server"]
    return [ctx.python, "main.py"]


def _run_variant(ctx: Context, project: Path, label: str, extra: dict[str, str], into: Section) -> None:
    options = ctx.options
    token, mcp_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    folder = ctx.folder("faults")
    tokens_file = folder / "dev-tokens.json"
    tokens_file.write_text(json.dumps({mcp_token: {"user_id": USER}}), encoding="utf-8")
    backend_command = [
        ctx.python,
        Path(__file__).parent / "backend.py",
        "faulty",
        "--seed",
        str(options.seed),
        "--fault-rate",
        str(options.fault_rate),
        "--owner",
        USER,
    ]
    backend_env = ctx.env(pythonpath=EXAMPLE_BACKEND)
    with services.announced(
        "faulty backend", backend_command, env=backend_env, timeout=BACKEND_START_TIMEOUT
    ) as backend:
        port = services.free_port()
        env = ctx.env(
            {
                "BACKEND_URL": backend.url,
                "SERVICE_AUTH_TOKEN": token,
                "MCP_TRANSPORT": "http",
                "MCP_HOST": "127.0.0.1",
                "MCP_PORT": str(port),
                "MCP_DEV_TOKENS_FILE": str(tokens_file),
                **extra,
            }
        )
        health = f"http://127.0.0.1:{port}/health"
        with services.polled(
            "generated server",
            server_command(ctx, project),
            health_url=health,
            env=env,
            cwd=str(project),
            timeout=SERVER_START_TIMEOUT,
        ) as server:
            cpu_before = server.cpu_seconds()
            run = ctx.probe(
                "concurrent_calls.py",
                "--url",
                f"http://127.0.0.1:{port}/mcp",
                "--clients",
                str(options.clients),
                env=ctx.env({"BENCH_MCP_TOKEN": mcp_token}),
            )
            cpu_after = server.cpu_seconds()
            try:
                stayed_up = server.running and httpx2.get(health, timeout=5).status_code == 200
            except httpx2.TransportError:
                stayed_up = False
    outcome = run.json_line()
    fates = (backend.last_json() or {}).get("requests", {})
    counts = outcome["counts"]
    answered = counts["result"] + counts["typed_error"]
    rows = [
        Row(
            "example",
            f"calls answered ({label})",
            f"{answered} / {options.clients}",
            goal=report.verdict("every call answered", answered == options.clients),
        ),
        Row(
            "example",
            f"results / typed errors / other ({label})",
            f"{counts['result']} / {counts['typed_error']} / {counts['other']}",
            goal=report.verdict("other = 0", counts["other"] == 0),
        ),
        Row(
            "example",
            f"server stayed up ({label})",
            "yes" if stayed_up else "no",
            goal=report.verdict("no crash", stayed_up),
        ),
        Row(
            "example",
            f"backend requests: all / 500 / dropped ({label})",
            f"{sum(fates.values())} / {fates.get('error_500', 0)} / {fates.get('dropped', 0)}",
        ),
    ]
    if outcome["seconds"]:
        latency = Latency.of(outcome["seconds"])
        rows.append(
            Row(
                "example",
                f"call latency p50 / p99 ({label})",
                f"{report.duration(latency.p50)} / {report.duration(latency.p99)}",
                goal="p99 reported",
            )
        )
    if cpu_before is not None and cpu_after is not None:
        # Connecting and listing are included: the server's own cost per client, apart from the client's.
        rows.append(
            Row(
                "example",
                f"server CPU per client, connect to answer ({label})",
                report.duration((cpu_after - cpu_before) / options.clients),
            )
        )
    into.rows.extend(rows)
    into.notes.extend(f"{label}: a call that got neither: {text}" for text in outcome["others"])


def measure(ctx: Context, project: Path, into: Section, skipped: list[str]) -> None:
    require_settings(project)
    example = (project / ".env.example").read_text(encoding="utf-8")
    missing = [name for name in HTTP_SETTINGS if f"{name}=" not in example]
    if missing:
        raise Skip(f"the generated project's .env.example has no {', '.join(missing)}; http mode needs those")
    for label, extra in VARIANTS:
        try:
            _run_variant(ctx, project, label, extra, into)
        except Skip as reason:
            skipped.append(f"example, concurrent calls ({label}): {reason}")
