"""Code mode against all and discover: MCP round trips, and tokens through the assistant's context, for
scripted multi-step tasks (issue 16).

Each task is one program. In code mode the assistant sends it to `execute` once. In `all` and `discover` modes
an assistant does the same work one call at a time: the same program runs here in CPython, each operation call
a round trip (tools/call of the tool itself, or of call_operation), whose request and answer pass through the
assistant's context. Discovery is counted where a mode needs it: one search_operations and one
describe_operation per operation the task uses (discover and code modes). The tools list is counted once per
task, since it sits in the context the whole time.

Backends: the bundled example runs against its real backend (examples/todo_backend under uvicorn), each task
as a user of its own with seeded tasks. letta's and Stripe's backends are not here: their operations answer
with the spec's own example of the response, as recorded in the generated project's answers (a list answers
LIST_LENGTH items), so for them the requests and answers are counted, not run against a backend; their
discovery answers and tools lists are real (their generated servers answer them).

    python benchmarks/code_mode.py                          # the example, letta and Stripe; prints the table
    python benchmarks/code_mode.py --specs example --readme # and writes it into benchmarks/README.md

Tokens are bytes / 4 (the estimator mcp-tools.lock uses).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT.parent / "shared" / "specs"
EXAMPLE = ROOT / "examples" / "todo_backend"
README = Path(__file__).with_name("README.md")
START, END = "<!-- code-mode-results:start -->", "<!-- code-mode-results:end -->"
MODES = ("all", "discover", "code")
LIST_LENGTH = 8  # items a recorded list answer holds
# A list operation whose recorded example is an empty page takes its items from the one-item operation's.
ITEMS = {"get_charges": "get_charges_charge"}


@dataclass(frozen=True)
class Task:
    spec: str
    title: str
    program: str  # what the assistant runs: in one execute, or call by call
    searches: tuple[tuple[str, str], ...]  # (query, operation) the assistant looks up first
    seed: str = ""  # run before the task, not counted (the example only)


SEED_TASKS = """
priorities = ["high", "low", "high", "medium", "high", "low", "medium", "high", "low", "medium"]
for number, priority in enumerate(priorities):
    title = f"Task {number}: order toner" if number % 3 == 0 else f"Task {number}"
    await create_task(title=title, priority=priority)
"""

TASKS = (
    Task(
        "example",
        "create three tasks, close the second, return their statuses",
        """
tasks = [await create_task(title=title) for title in ["Printer on fire", "Order toner", "Call IT"]]
await mark_completed(task_id=tasks[1]["id"])
[{"title": task["title"], "completed": (await get_task(task_id=task["id"]))["completed"]} for task in tasks]
""",
        (("create task", "create_task"), ("complete task", "mark_completed"), ("get task", "get_task")),
    ),
    Task(
        "example",
        "complete every high-priority task",
        """
high = await list_tasks(priority="high", completed=False)
for task in high:
    await mark_completed(task_id=task["id"])
len(high)
""",
        (("list tasks", "list_tasks"), ("complete task", "mark_completed")),
        SEED_TASKS,
    ),
    Task(
        "example",
        "count open tasks per priority",
        """
counts = {}
for task in await list_tasks(completed=False):
    counts[task["priority"]] = counts.get(task["priority"], 0) + 1
counts
""",
        (("list tasks", "list_tasks"),),
        SEED_TASKS,
    ),
    Task(
        "example",
        "raise every task about toner to high priority",
        """
changed = []
for task in await list_tasks():
    if "toner" in task["title"] and task["priority"] != "high":
        changed.append((await update_task(task_id=task["id"], priority="high"))["id"])
changed
""",
        (("list tasks", "list_tasks"), ("update task", "update_task")),
        SEED_TASKS,
    ),
    Task(
        "example",
        "delete the completed tasks",
        """
done = await list_tasks(completed=True)
for task in done:
    await delete_task(task_id=task["id"])
len(done)
""",
        (("list tasks", "list_tasks"), ("delete task", "delete_task")),
        SEED_TASKS + "for task in (await list_tasks())[:4]:\n    await mark_completed(task_id=task['id'])\n",
    ),
    Task(
        "letta",
        "attach block X to every agent tagged Y",
        """
agents = await list_agents(tags=["support"], limit=50)
for agent in agents:
    await attach_core_memory_block(agent_id=agent["id"], block_id="block-policies")
len(agents)
""",
        (("list agents", "list_agents"), ("attach memory block agent", "attach_core_memory_block")),
    ),
    Task(
        "letta",
        "which agents run on model Z",
        """
[agent["name"] for agent in await list_agents(limit=50) if "gpt" in str(agent.get("llm_config"))]
""",
        (("list agents", "list_agents"),),
    ),
    Task(
        "stripe",
        "refund every charge of a customer",
        """
charges = (await get_charges(customer="cus_123", limit=20))["data"]
for charge in charges:
    await post_refunds(charge=charge["id"])
len(charges)
""",
        (("list charges", "get_charges"), ("create refund", "post_refunds")),
    ),
    Task(
        "stripe",
        "total paid by a customer",
        """
charges = (await get_charges(customer="cus_123", limit=100))["data"]
sum(charge["amount"] for charge in charges if charge["paid"])
""",
        (("list charges", "get_charges"),),
    ),
)

# Runs in the generated project (its `src`), one mode; reads the tasks on stdin, prints the counts as JSON.
DRIVER = r"""
import ast, asyncio, copy, json, os, sys
sys.path.insert(0, os.getcwd())
from fastmcp import Client
from src.server import mcp
from src.config import reset_settings
try:
    from src.operations import operations
except ImportError:
    operations = mcp

job = json.load(sys.stdin)
MODE, RECORDED, SAMPLES, LIST_LENGTH = job["mode"], job["recorded"], job["samples"], job["list_length"]


def tokens(text):
    return -(-len(text.encode()) // 4)


def plain(result):
    structured = result.structured_content
    if isinstance(structured, dict):
        return structured["result"] if set(structured) == {"result"} else structured
    text = "\n".join(block.text for block in result.content if hasattr(block, "text"))
    try:
        return json.loads(text)
    except ValueError:
        return text


def recorded(name):
    sample = copy.deepcopy(SAMPLES.get(name))
    def many(item):
        return [dict(item, id=f"{name}-{n}") if isinstance(item, dict) else item for n in range(LIST_LENGTH)]
    if isinstance(sample, list) and sample:
        return many(sample[0])
    if isinstance(sample, dict) and isinstance(sample.get("data"), list):
        item = sample["data"][0] if sample["data"] else copy.deepcopy(SAMPLES.get(job["items"].get(name, "")))
        return dict(sample, data=many(item)) if item else sample
    return sample


class Context:
    def __init__(self, client):
        self.client, self.round_trips, self.tokens = client, 0, 0

    async def call(self, name, arguments):
        self.round_trips += 1
        self.tokens += tokens(json.dumps({"name": name, "arguments": arguments}))
        result = await self.client.call_tool(name, arguments, raise_on_error=False)
        text = "\n".join(block.text for block in result.content if hasattr(block, "text"))
        self.tokens += tokens(text)
        if result.is_error:
            raise RuntimeError(text)
        return plain(result)

    def record(self, name, arguments, answer):
        self.round_trips += 1
        self.tokens += tokens(json.dumps({"name": name, "arguments": arguments}))
        self.tokens += tokens(json.dumps(answer))
        return answer


async def run(program, functions):
    tree = ast.parse(program)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        tree.body[-1] = ast.Assign([ast.Name("__result__", ast.Store())], tree.body[-1].value)
        ast.fix_missing_locations(tree)
    namespace = {**functions, "json": json}
    code = compile(tree, "<task>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    done = eval(code, namespace)
    if asyncio.iscoroutine(done):
        await done
    return namespace.get("__result__")


def functions(call):
    names = {entry for entry in SAMPLES} | set(job["operations"])
    def bind(name):
        async def operation(**arguments):
            return await call(name, arguments)
        return operation
    return {name: bind(name) for name in names}


async def main():
    out = []
    async with Client(mcp) as client:
        listed = await client.list_tools()
        dumped = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed]
        tools_list = tokens(json.dumps(dumped, separators=(",", ":")))
        for number, task in enumerate(job["tasks"]):
            os.environ["MCP_USER_ID"] = f"bench-{MODE}-{number}-{job['run']}"
            reset_settings()
            if task["seed"]:
                async def direct(name, arguments):
                    return plain(await operations.call_tool(name, arguments))
                await run(task["seed"], functions(direct))
            context = Context(client)
            if MODE != "all":
                for query, name in task["searches"]:
                    await context.call("search_operations", {"query": query})
                    await context.call("describe_operation", {"name": name})
            if RECORDED:
                async def replay(name, arguments):
                    answer = recorded(name)
                    if MODE == "code":  # inside execute: nothing passes through the context
                        return answer
                    if MODE == "all":
                        return context.record(name, arguments, answer)
                    return context.record("call_operation", {"name": name, "arguments": arguments}, answer)
                value = await run(task["program"], functions(replay))
                if MODE == "code":
                    context.record("execute", {"code": task["program"]}, {"result": value, "printed": ""})
            elif MODE == "code":
                await context.call("execute", {"code": task["program"]})
            elif MODE == "all":
                await run(task["program"], functions(context.call))
            else:
                async def dispatch(name, arguments):
                    return await context.call("call_operation", {"name": name, "arguments": arguments})
                await run(task["program"], functions(dispatch))
            discovery = 2 * len(task["searches"]) if MODE != "all" else 0
            out.append({
                "round_trips": context.round_trips,
                "discovery": discovery,
                "tokens": context.tokens,
                "tools_list": tools_list,
            })
    print(json.dumps(out))

asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mcpgen(spec: Path, out: Path, mode: str) -> None:
    if out.exists():
        return
    subprocess.run(
        [sys.executable, "-m", "mcpgen", "from-openapi", str(spec), "-o", str(out), "--tools", mode],
        check=True,
        capture_output=True,
        text=True,
    )


def samples(project: Path) -> dict:
    import yaml

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return {tool["name"]: (tool.get("response") or {}).get("sample") for tool in answers["tools"]}


def drive(project: Path, mode: str, tasks: list[Task], recorded: bool, env: dict[str, str]) -> list[dict]:
    job = {
        "mode": mode,
        "recorded": recorded,
        "samples": samples(project),
        "list_length": LIST_LENGTH,
        "items": ITEMS,
        "operations": sorted({name for task in tasks for _, name in task.searches}),
        "run": secrets.token_hex(3),
        "tasks": [{"program": t.program, "searches": t.searches, "seed": t.seed} for t in tasks],
    }
    done = subprocess.run(
        [sys.executable, "-c", DRIVER],
        cwd=project,
        input=json.dumps(job),
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    if done.returncode != 0:
        raise SystemExit(f"{project} ({mode}) failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def clean_env(**values: str) -> dict[str, str]:
    ours = ("MCP_", "BACKEND_", "SERVICE_AUTH", "CODE_", "RATE_LIMIT")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(ours)}, **values}


def example_backend(work: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    token, port = secrets.token_urlsafe(32), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "todo_backend.app:create_app", "--factory", "--port", str(port)],
        cwd=EXAMPLE,
        env=clean_env(SERVICE_AUTH_TOKEN=token, TODO_DB=str(work / "tasks.json")),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    return process, clean_env(
        BACKEND_URL=f"http://127.0.0.1:{port}", SERVICE_AUTH_TOKEN=token, RATE_LIMIT_PER_MINUTE="0"
    )


def measure(names: list[str], work: Path) -> list[dict]:
    rows = []
    for name in names:
        tasks = [task for task in TASKS if task.spec == name]
        spec = EXAMPLE / "openapi.json" if name == "example" else SPECS / f"{name}.json"
        if not tasks or not spec.exists():
            continue
        backend, env = (None, clean_env(BACKEND_TOKEN="x", BACKEND_API_KEY="x"))
        if name == "example":
            backend, env = example_backend(work)
        try:
            counts = {}
            for mode in MODES:
                project = work / f"{name}-{mode}"
                mcpgen(spec, project, mode)
                counts[mode] = drive(project, mode, tasks, recorded=name != "example", env=env)
        finally:
            if backend is not None:
                backend.terminate()
                backend.wait(timeout=10)
        for index, task in enumerate(tasks):
            rows.append({"spec": name, "task": task.title, **{mode: counts[mode][index] for mode in MODES}})
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| spec | task | round trips (discovery + work): all / discover / code "
        "| tokens through the context: all / discover / code | code / all | code / discover |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        trips = " / ".join(
            f"{row[mode]['discovery']} + {row[mode]['round_trips'] - row[mode]['discovery']}"
            for mode in MODES
        )
        totals = [row[mode]["tokens"] + row[mode]["tools_list"] for mode in MODES]
        shown = " / ".join(f"{total:,}" for total in totals)
        lines.append(
            f"| {row['spec']} | {row['task']} | {trips} | {shown} | {totals[2] / totals[0]:.2f}× "
            f"| {totals[2] / totals[1]:.2f}× |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", nargs="+", default=["example", "letta", "stripe"])
    parser.add_argument("--work", type=Path, default=None, help="keep the generated projects here (reused)")
    parser.add_argument("--readme", action="store_true", help="write the table into benchmarks/README.md")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="code-mode-bench-") as scratch:
        work = options.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        rows = measure(options.specs, work)
    text = table(rows)
    print(text)
    if options.readme:
        readme = README.read_text()
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        command = f"python benchmarks/code_mode.py --specs {' '.join(options.specs)}"
        block = f"{START}\n- Run: {stamp}, `{command}`.\n\n{text}\n{END}"
        start, end = readme.find(START), readme.find(END)
        README.write_text(readme[:start] + block + readme[end + len(END) :])


if __name__ == "__main__":
    main()
