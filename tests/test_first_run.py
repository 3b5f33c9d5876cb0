"""What a new user hits on the first run of a generated server: the .env beside the project found from any
directory, a Pattern 4 setting missing at start, the http port, the declared dependencies, `uv sync` then
`uv run pytest`, and two generated servers in one environment.

The fast tests run the committed golden trees (already generated) in subprocesses, as a client would."""

from __future__ import annotations

import ast
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest
import yaml
from fastmcp import Client
from fastmcp.client.transports import StdioTransport

from mcpgen.generate import Request, generate
from tests.generated import build_wheel, clean_env
from tests.golden.regen import GOLDEN, cases

TOKEN = "a-service-token-of-at-least-32-characters-0123"
SETTINGS = "from src.config import get_settings; s = get_settings(); print(s.mcp_port, s.mcp_user_id)"


def project_copy(tmp_path: Path, case: str = "tasks_modular") -> Path:
    """A generated project (the golden tree of `case`, Pattern 4 for tasks_modular) in a folder of its own."""
    project = tmp_path / case
    shutil.copytree(GOLDEN / case / "expected", project)
    return project


def from_root(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Python in `/`, as a desktop client starts a server, with the project importable but not the cwd."""
    return subprocess.run(
        [sys.executable, *args],
        cwd="/",
        env=clean_env(PYTHONPATH=str(project), **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_read_the_projects_env_file_from_any_directory(tmp_path):
    project = project_copy(tmp_path)
    (project / ".env").write_text(f"SERVICE_AUTH_TOKEN={TOKEN}\nMCP_USER_ID=alice\nMCP_PORT=9001\n")

    read = from_root(project, "-c", SETTINGS)
    assert read.returncode == 0, read.stderr
    assert read.stdout.split() == ["9001", "alice"]

    # A real environment variable (a client config's env block) wins over the file.
    overridden = from_root(project, "-c", SETTINGS, MCP_USER_ID="bob")
    assert overridden.stdout.split() == ["9001", "bob"]


def test_the_server_started_from_root_serves_with_its_env_file(tmp_path):
    project = project_copy(tmp_path)
    (project / ".env").write_text(f"SERVICE_AUTH_TOKEN={TOKEN}\nMCP_USER_ID=alice\n")
    transport = StdioTransport(
        command=sys.executable, args=["-m", "src.server"], env=clean_env(PYTHONPATH=str(project)), cwd="/"
    )

    async def tools() -> list[str]:
        async with Client(transport) as client:
            return [tool.name for tool in await client.list_tools()]

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert asyncio.run(tools()) == [tool["name"] for tool in answers["tools"]]


def test_pattern_4_in_stdio_mode_without_a_user_stops_at_start(tmp_path):
    project = project_copy(tmp_path)
    (project / ".env").write_text(f"SERVICE_AUTH_TOKEN={TOKEN}\n")

    started = from_root(project, "-m", "src.server")

    assert started.returncode == 2, started.stderr
    lines = started.stderr.strip().splitlines()
    assert len(lines) == 1, started.stderr
    assert lines[0].startswith("configuration error: MCP_USER_ID is required in stdio mode")
    # It names the file it was looked for in: the project's, not the working directory's.
    assert lines[0].endswith(f"or in {project / '.env'}")


def test_the_http_port_is_not_the_backends_usual_8000(tmp_path):
    read = from_root(project_copy(tmp_path), "-c", SETTINGS, SERVICE_AUTH_TOKEN=TOKEN)

    assert read.returncode == 0, read.stderr
    assert read.stdout.split()[0] == "8765"
    for case in cases():
        project = GOLDEN / case / "expected"
        assert "MCP_PORT=8765" in (project / ".env.example").read_text()
        assert "8000/mcp" not in (project / "README.md").read_text()


def _imported_distributions(files: list[Path]) -> set[str]:
    """The distributions providing the top-level packages `files` import (the standard library aside)."""
    installed = packages_distributions()
    found = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # The names may be submodules: in a namespace package (opentelemetry) they tell its owner.
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("src", "tests", "backend_patches"):
                    continue
                assert top in installed, f"{path}: {top} is imported but not installed here"
                found.add(_normal(_distribution_of(name, installed[top])))
    return found


def _distribution_of(module: str, candidates: list[str]) -> str:
    """The distribution that holds `module`: in a namespace package (opentelemetry) several share the top, so
    the longest part of the dotted name that is one candidate's file or folder decides."""
    if len(candidates) == 1:
        return candidates[0]
    files = {
        candidate: [str(file) for file in distribution(candidate).files or []] for candidate in candidates
    }
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        path = "/".join(parts[:end])
        holders = [
            candidate
            for candidate in candidates
            if any(file == f"{path}.py" or file.startswith(f"{path}/") for file in files[candidate])
        ]
        if len(holders) == 1:
            return holders[0]
    return candidates[0]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(requirements: list[str]) -> set[str]:
    names = {_normal(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]) for requirement in requirements}
    # The fastmcp distribution is the fastmcp-slim one with the server and client extras.
    return names | ({"fastmcp-slim"} if "fastmcp" in names else set())


@pytest.mark.parametrize("case", cases())
def test_every_imported_package_is_declared(case):
    project = GOLDEN / case / "expected"
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    runtime = _requirement_names(pyproject["project"]["dependencies"])
    dev = pyproject["dependency-groups"]["dev"]
    # pip users get the same test tools from the `test` extra.
    assert pyproject["project"]["optional-dependencies"]["test"] == dev

    # What an optional feature imports (Redis, OTLP export) is declared in that feature's extra.
    extras = {
        name
        for extra, requirements in pyproject["project"]["optional-dependencies"].items()
        if extra != "test"
        for name in _requirement_names(requirements)
    }
    server = _imported_distributions(sorted((project / "src").rglob("*.py")))
    assert server - runtime - extras == set()
    tests = _imported_distributions(sorted((project / "tests").rglob("*.py")))
    assert tests - runtime - _requirement_names(dev) == set()


@pytest.mark.slow
def test_uv_sync_then_uv_run_pytest_works(tmp_path):
    uv = pytest.importorskip("uv", reason="uv is part of mcpgen's test extra").find_uv_bin()
    project = tmp_path / "todo-mcp"
    generate(Request(spec=str(Path(__file__).parents[1] / "examples/todo_backend/openapi.json"), out=project))
    env = clean_env(UV_PROJECT_ENVIRONMENT=str(project / ".venv"))
    env.pop("VIRTUAL_ENV", None)

    synced = subprocess.run([uv, "sync"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert synced.returncode == 0, synced.stderr[-3000:]
    tested = subprocess.run(
        [uv, "run", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-2000:]
    summary = tested.stdout.strip().splitlines()[-1]
    # The backend patch's test runs too: FastAPI is in the dev group, so nothing is skipped.
    assert " passed" in summary and "skipped" not in summary, summary


LIST_TOOLS = """
import asyncio, importlib, json, sys
from fastmcp import Client
server = importlib.import_module(sys.argv[1] + ".server")
async def main():
    async with Client(server.mcp) as client:
        return [tool.name for tool in await client.list_tools()]
print(json.dumps(asyncio.run(main())))
"""


@pytest.mark.slow
def test_two_generated_servers_live_side_by_side_in_one_environment(tmp_path):
    projects = {
        "notes": generate(
            Request(spec=str(GOLDEN / "notes_monolithic" / "spec.yaml"), out=tmp_path / "notes")
        ),
        "tasks": generate(Request(spec=str(GOLDEN / "tasks_modular" / "spec.yaml"), out=tmp_path / "tasks")),
    }
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The runtime dependencies come from this interpreter's site-packages instead of a download.
    borrowed = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "_borrowed.pth").write_text(f"import site; site.addsitedir({borrowed!r})\n")
    for name, result in projects.items():
        wheel = build_wheel(result.out, tmp_path / f"wheels-{name}")
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(SERVICE_AUTH_TOKEN=TOKEN, BACKEND_API_KEY="key", MCP_USER_ID="alice")
    for result in projects.values():
        answers = result.answers
        # The import name serves its own tools ...
        listed = subprocess.run(
            [python, "-c", LIST_TOOLS, answers.import_name],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert listed.returncode == 0, listed.stderr[-3000:]
        assert json.loads(listed.stdout) == [tool.name for tool in result.project.tools]

        # ... and so does the console script, over stdio as a client starts it.
        script = venv / "bin" / answers.package
        transport = StdioTransport(command=str(script), args=[], env=env, cwd=str(elsewhere))

        async def tools(transport: StdioTransport = transport) -> list[str]:
            async with Client(transport) as client:
                return [tool.name for tool in await client.list_tools()]

        assert asyncio.run(tools()) == [tool.name for tool in result.project.tools]
