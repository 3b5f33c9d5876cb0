"""The production proof: two replicas of a server generated from examples/todo_backend, stateless, sharing
their rate limits through a real redis-server, behind a round-robin proxy, in front of the real backend with
a fault-injecting proxy between them; all on loopback. It checks that calls alternate replicas, that one
caller's limit holds across both, that scopes hide and refuse tools, and that 100 concurrent calls with 20%
backend faults all get an answer while the circuit opens and recovers and /metrics counts every call."""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.server.auth.providers.jwt import RSAKeyPair
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_todo_e2e import BACKEND_DIR, Service, clean_env, free_port, install, mcpgen, run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HERE = Path(__file__).parent
ISSUER = "https://auth.todo.example"
AUDIENCE = "todo-mcp"
# Read tools need tasks:read, changes tasks:write, deleting tasks:admin (given at generation with --scope).
SCOPES = ["tag:tasks=tasks:read", "create_task=tasks:write", "update_task=tasks:write",
          "mark_completed=tasks:write", "delete_task=tasks:admin"]  # fmt: skip
EVERYTHING = ["tasks:read", "tasks:write", "tasks:admin"]
BURST = 5  # each caller's rate-limit burst; one more token a minute after it
RECOVERY_SECONDS = 0.5
LOAD_CALLS = 100
LOAD_USERS = LOAD_CALLS // BURST


@dataclass
class Stack:
    keys: RSAKeyPair
    entry: str  # the round-robin proxy
    replicas: list[Service]
    faults: str  # the fault-injecting proxy in front of the backend
    processes: list[Service]

    def token(self, user: str, scopes: list[str]) -> str:
        return self.keys.create_token(subject=user, issuer=ISSUER, audience=AUDIENCE, scopes=scopes)

    def client(self, user: str, scopes: list[str] = EVERYTHING, answers: list | None = None) -> Client:
        async def keep(response: httpx2.Response) -> None:
            if answers is not None and response.request.method == "POST":
                answers.append(response)

        def factory(**options: Any) -> httpx2.AsyncClient:
            return httpx2.AsyncClient(**options, event_hooks={"response": [keep]})

        transport = StreamableHttpTransport(
            self.entry + "/mcp", auth=self.token(user, scopes), httpx_client_factory=factory
        )
        return Client(transport, timeout=60)

    def logs(self) -> str:
        return "\n".join(service.output() for service in self.processes)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    work = tmp_path_factory.mktemp("production")
    spec = work / "openapi.json"
    spec.write_text(run(sys.executable, "-m", "todo_backend.export_openapi", cwd=BACKEND_DIR).stdout)
    out = work / "todo-mcp"
    scope_options = [word for option in SCOPES for word in ("--scope", option)]
    run(*mcpgen(), "from-openapi", spec, "-o", out, *scope_options)
    python = install(out, work / "venv")
    # The installed console script: what the Dockerfile runs.
    package = yaml.safe_load((out / ".copier-answers.yml").read_text())["package"]
    server_command = [str(python.with_name(package))]

    token = secrets.token_urlsafe(32)
    keys = RSAKeyPair.generate()
    ports = {name: free_port() for name in ("redis", "backend", "faults", "a", "b", "entry")}
    redis = Service(
        "redis",
        [redis_server, "--port", str(ports["redis"]), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        cwd=work, env=clean_env(), port=ports["redis"], log=work / "redis.log",
    )  # fmt: skip
    backend = Service(
        "backend",
        [sys.executable, "-m", "uvicorn", "todo_backend.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(ports["backend"])],
        cwd=BACKEND_DIR, env=clean_env(SERVICE_AUTH_TOKEN=token, TODO_DB=str(work / "tasks.json")),
        port=ports["backend"], log=work / "backend.log",
    )  # fmt: skip
    faults = Service(
        "fault proxy",
        [sys.executable, str(HERE / "proxies.py"), "faulty", "--port", str(ports["faults"]),
         "--upstream", f"http://127.0.0.1:{ports['backend']}"],
        cwd=HERE, env=clean_env(), port=ports["faults"], log=work / "faults.log",
    )  # fmt: skip
    replica_env = dict(
        BACKEND_URL=f"http://127.0.0.1:{ports['faults']}",
        SERVICE_AUTH_TOKEN=token,
        MCP_TRANSPORT="http",
        MCP_HOST="127.0.0.1",
        MCP_STATELESS_HTTP="true",
        MCP_JWT_PUBLIC_KEY=keys.public_key,
        MCP_JWT_ISSUER=ISSUER,
        MCP_JWT_AUDIENCE=AUDIENCE,
        REDIS_URL=f"redis://127.0.0.1:{ports['redis']}/0",
        RATE_LIMIT_PER_MINUTE="1",
        RATE_LIMIT_BURST=str(BURST),
        CIRCUIT_FAILURE_THRESHOLD="5",
        CIRCUIT_RECOVERY_SECONDS=str(RECOVERY_SECONDS),
        RETRY_BACKOFF="0.05",
        LOG_LEVEL="WARNING",
    )
    replicas = [
        Service(
            f"replica {name}",
            server_command,
            cwd=work,
            env=clean_env(**replica_env, MCP_PORT=str(ports[name])),
            port=ports[name],
            log=work / f"replica-{name}.log",
        )
        for name in ("a", "b")
    ]
    entry = Service(
        "round-robin proxy",
        [sys.executable, str(HERE / "proxies.py"), "roundrobin", "--port", str(ports["entry"]),
         "--upstream", f"http://127.0.0.1:{ports['a']}", "--upstream", f"http://127.0.0.1:{ports['b']}"],
        cwd=HERE, env=clean_env(), port=ports["entry"], log=work / "entry.log",
    )  # fmt: skip
    processes = [backend, faults, *replicas, entry]
    started: list[Service] = []
    try:
        redis_start(redis)
        started.append(redis)
        for service in processes:
            service.start()
            started.append(service)
        yield Stack(
            keys=keys,
            entry=f"http://127.0.0.1:{ports['entry']}",
            replicas=replicas,
            faults=f"http://127.0.0.1:{ports['faults']}",
            processes=[redis, *processes],
        )
    finally:
        for service in reversed(started):
            service.stop()


def redis_start(service: Service) -> None:
    """redis-server speaks no HTTP: started, then waited for on its port."""
    import socket
    import subprocess

    with service.log.open("ab") as out:
        service.process = subprocess.Popen(
            service.cmd, cwd=service.cwd, env=service.env, stdout=out, stderr=out
        )
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", service.port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.02)
    pytest.fail(f"redis-server did not listen\n{service.output()}", pytrace=False)


# ---- helpers --------------------------------------------------------------------------------------------


def outcome(result: Any) -> str:
    """success, or the error_type of the typed error; anything else fails the test."""
    if not result.is_error:
        return "success"
    error = json.loads(result.content[0].text)
    assert {"error_type", "message", "details", "suggestions"} <= set(error), error
    return error["error_type"]


def metric_samples(text: str) -> list:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def metric(texts: list[str], name: str, **labels: str) -> float:
    return sum(
        sample.value
        for text in texts
        for sample in metric_samples(text)
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


async def scrape(stack: Stack) -> list[str]:
    """Each replica's /metrics, asked directly (the load balancer would pick one at random)."""
    async with httpx2.AsyncClient() as http:
        return [(await http.get(f"http://127.0.0.1:{r.port}/metrics")).text for r in stack.replicas]


def rss_mb(service: Service) -> float:
    for line in Path(f"/proc/{service.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def assert_alive(stack: Stack) -> None:
    for service in stack.processes:
        assert service.process is not None and service.process.poll() is None, f"{service.name} exited"


# ---- the checks -----------------------------------------------------------------------------------------


async def test_successive_calls_alternate_replicas_and_all_succeed(stack: Stack) -> None:
    answers: list[httpx2.Response] = []
    async with stack.client("walker", answers=answers) as walker:
        task = json.loads((await walker.call_tool("create_task", {"title": "spread"})).content[0].text)
        for _ in range(3):
            result = await walker.call_tool("get_task", {"task_id": task["id"]}, raise_on_error=False)
            assert outcome(result) == "success"

    replicas = [answer.headers["x-replica"] for answer in answers]
    assert set(replicas) == {"0", "1"}
    assert all(first != second for first, second in zip(replicas, replicas[1:], strict=False)), replicas


async def test_one_callers_rate_limit_holds_across_both_replicas(stack: Stack) -> None:
    answers: list[httpx2.Response] = []
    async with stack.client("hasty", answers=answers) as hasty:
        outcomes = [
            outcome(await hasty.call_tool("list_tasks", {}, raise_on_error=False)) for _ in range(BURST + 3)
        ]

    assert outcomes == ["success"] * BURST + ["rate_limit_error"] * 3
    limited = [a for a in answers if "x-ratelimit-remaining" in a.headers]
    assert {a.headers["x-replica"] for a in limited} == {"0", "1"}  # both replicas drew from one bucket
    assert [a.headers["x-ratelimit-remaining"] for a in limited][:BURST] == [
        str(BURST - n) for n in range(1, BURST + 1)
    ]
    assert all("retry-after" in a.headers for a in limited[BURST:])


async def test_a_caller_without_a_scope_sees_fewer_tools_and_is_refused(stack: Stack) -> None:
    async with (
        stack.client("reader", ["tasks:read", "tasks:write"]) as reader,
        stack.client("admin") as admin,
    ):
        seen_by_reader = {tool.name for tool in await reader.list_tools()}
        seen_by_admin = {tool.name for tool in await admin.list_tools()}
        refused = await reader.call_tool("delete_task", {"task_id": 1}, raise_on_error=False)

    assert seen_by_admin - seen_by_reader == {"delete_task"}
    error = json.loads(refused.content[0].text)
    assert error["error_type"] == "authorization_error" and error["details"]["missing_scopes"] == [
        "tasks:admin"
    ]


async def test_100_concurrent_calls_with_backend_faults_all_get_an_answer(stack: Stack, capsys) -> None:
    # The latency of one call at a time, for comparison: one caller, sequential, healthy backend.
    async with stack.client("baseline") as caller:
        sequential = []
        for _ in range(BURST):
            started = time.perf_counter()
            assert outcome(await caller.call_tool("list_tasks", {}, raise_on_error=False)) == "success"
            sequential.append(time.perf_counter() - started)
    before = await scrape(stack)
    rss_before = [rss_mb(replica) for replica in stack.replicas]
    async with httpx2.AsyncClient() as http:
        # 20 backend requests in a row fail with 503 once the first 10 of the run have passed: a backend
        # instance dying mid-run. Retries and the circuit breaker must turn every one into an answer.
        await http.post(stack.faults + "/_faults", json={"skip": 10, "fail": LOAD_CALLS // 5})

    latencies: list[float] = []
    outcomes: list[str] = []

    async def user_calls(user: str) -> None:
        async with stack.client(user) as caller:

            async def one() -> None:
                started = time.perf_counter()
                result = await caller.call_tool("list_tasks", {}, raise_on_error=False)
                latencies.append(time.perf_counter() - started)
                outcomes.append(outcome(result))

            await asyncio.gather(*(one() for _ in range(BURST)))

    started = time.perf_counter()
    await asyncio.gather(*(user_calls(f"load-{n}") for n in range(LOAD_USERS)))
    wall = time.perf_counter() - started
    during = await scrape(stack)
    async with httpx2.AsyncClient() as http:
        # The breaker kept some planned faults from being reached; the backend is healthy from here on.
        injected = (await http.post(stack.faults + "/_faults", json={"skip": 0, "fail": 0})).json()

    # Recovery: once the circuit's wait is over, the next call on each replica probes the backend, succeeds
    # and closes the circuit. One client's successive calls alternate replicas, so both are probed.
    await asyncio.sleep(RECOVERY_SECONDS + 0.5)
    async with stack.client("after") as caller:
        recovered = [
            outcome(await caller.call_tool("list_tasks", {}, raise_on_error=False)) for _ in range(4)
        ]
    after = await scrape(stack)
    async with httpx2.AsyncClient() as http:
        ready = [await http.get(f"http://127.0.0.1:{r.port}/ready") for r in stack.replicas]
    rss_after = [rss_mb(replica) for replica in stack.replicas]

    counts = {kind: outcomes.count(kind) for kind in sorted(set(outcomes))}
    duration = "mcp_tool_call_duration_seconds"
    server_seconds = metric(during, f"{duration}_sum", tool="list_tasks") - metric(
        before, f"{duration}_sum", tool="list_tasks"
    )
    server_calls = metric(during, f"{duration}_count", tool="list_tasks") - metric(
        before, f"{duration}_count", tool="list_tasks"
    )
    p50, p99 = statistics.median(latencies), sorted(latencies)[int(0.99 * len(latencies)) - 1]
    with capsys.disabled():
        print(
            f"\nproduction proof: {LOAD_CALLS} concurrent calls in {wall:.2f} s, outcomes {counts}, "
            f"{injected['failed']} of {injected['seen']} backend requests failed by injection; "
            f"latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
            f"(one call at a time: p50 {statistics.median(sequential) * 1000:.0f} ms; "
            f"inside the replicas: mean {server_seconds / max(server_calls, 1) * 1000:.0f} ms); "
            f"replica RSS before {', '.join(f'{m:.0f}' for m in rss_before)} MB, after "
            f"{', '.join(f'{m:.0f}' for m in rss_after)} MB; circuit opened "
            f"{metric(after, 'mcp_circuit_opened_total'):.0f} times"
        )

    # Every call got an answer: a result or a typed error (outcome() fails on anything else).
    assert len(outcomes) == LOAD_CALLS
    assert injected["failed"] >= 5  # at least one circuit's threshold
    assert set(outcomes) <= {"success", "backend_error"}, counts
    # The circuit opened under the faults, and closed again.
    assert metric(during, "mcp_circuit_opened_total") >= 1
    assert recovered == ["success"] * 4
    assert metric(after, "mcp_circuit_state") == 0
    assert [response.status_code for response in ready] == [200, 200]
    # /metrics counted exactly the calls made, by outcome, across both replicas.
    for kind, number in counts.items():
        made = metric(during, "mcp_tool_calls_total", tool="list_tasks", outcome=kind)
        made -= metric(before, "mcp_tool_calls_total", tool="list_tasks", outcome=kind)
        assert made == number, (kind, made, number)
    made_after = metric(after, "mcp_tool_calls_total", tool="list_tasks") - metric(
        during, "mcp_tool_calls_total", tool="list_tasks"
    )
    assert made_after == len(recovered)
    assert_alive(stack)
