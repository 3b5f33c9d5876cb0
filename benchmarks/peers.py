"""The generators compared: mcpgen (this checkout), openapi-mcp-generator (npm), datamodel-code-generator.

Peers are installed once into benchmarks/.cache; an install that fails raises Skip, so the run goes on without
that peer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from measure import Skip, run_checked, run_measured

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
RESULTS = "benchmarks/README.md"
INSTALL_TIMEOUT = 900
OMG_PACKAGE = "openapi-mcp-generator@4"
DATAMODEL_PACKAGE = "datamodel-code-generator"


@dataclass(frozen=True)
class Generator:
    """A command that turns an OpenAPI spec into an output folder."""

    name: str
    version: str
    executable: str

    def command(self, spec: Path, out: Path, extra: tuple[str, ...] = (), package: bool = False) -> list[str]:
        """The command line; `package` makes datamodel-codegen write a package, which specs whose schema
        names are dotted (modular references, as in Stripe) require."""
        if self.name == "mcpgen":
            return [self.executable, "from-openapi", str(spec), "-o", str(out), "--force", *extra]
        if self.name == "openapi-mcp-generator":
            return [self.executable, "--input", str(spec), "--output", str(out), "--force", *extra]
        if self.name == "datamodel-code-generator":
            # Models only: the closest Python peer for the model half of mcpgen's work.
            return [
                self.executable,
                "--input",
                str(spec),
                "--input-file-type",
                "openapi",
                "--output",
                str(out / "models" if package else out / "models.py"),
                *extra,
            ]
        raise ValueError(f"unknown generator {self.name}")


def _git(*args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _git_revision() -> str:
    """The checkout's commit, marked "+ local changes" when tracked files differ from it.

    The results README is left out: every run rewrites it.
    """
    commit = _git("rev-parse", "--short", "HEAD") or "unknown revision"
    changed = _git("status", "--porcelain", "--untracked-files=no", "--", ".", f":(exclude){RESULTS}")
    return f"{commit} + local changes" if changed else commit


def mcpgen() -> Generator:
    """The mcpgen installed beside the Python running the benchmarks (`pip install -e ".[test]"`)."""
    executable = Path(sys.executable).parent / "mcpgen"
    if not executable.exists():
        found = shutil.which("mcpgen")
        if not found:
            raise SystemExit(
                "mcpgen is not installed in this Python; run the benchmarks from the repository's venv "
                '(pip install -e ".[test]")'
            )
        executable = Path(found)
    version = f"{metadata.version('mcpgen')} ({_git_revision()})"
    return Generator("mcpgen", version, str(executable))


def mcpgen_tool_modes(generator: Generator) -> dict[str, tuple[str, ...]]:
    """The exposure modes to measure: `all` and `auto` once mcpgen has `--tools`, else its only one."""
    # A wide terminal, so that the help's option names are never cut short.
    env = {**os.environ, "COLUMNS": "250"}
    run = run_measured([generator.executable, "from-openapi", "--help"], timeout=120, env=env)
    if run.ok and "--tools" in run.stdout:
        return {"all": ("--tools", "all"), "auto": ("--tools", "auto")}
    return {"default": ()}


def openapi_mcp_generator() -> Generator:
    """openapi-mcp-generator from npm, installed with `npm install --prefix benchmarks/.cache/npm`."""
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        raise Skip("npm or node is not installed")
    prefix = CACHE / "npm"
    executable = prefix / "node_modules" / ".bin" / "openapi-mcp-generator"
    if not executable.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        print(f"installing {OMG_PACKAGE} into {prefix}", flush=True)
        run_checked(
            [npm, "install", "--prefix", str(prefix), OMG_PACKAGE, "--no-audit", "--no-fund"],
            timeout=INSTALL_TIMEOUT,
            what=f"npm install {OMG_PACKAGE}",
        )
    version = run_checked([str(executable), "--version"], timeout=60, what="openapi-mcp-generator --version")
    return Generator("openapi-mcp-generator", version.stdout.strip(), str(executable))


def datamodel_code_generator() -> Generator:
    """datamodel-code-generator from PyPI, in its own venv under benchmarks/.cache, apart from mcpgen's."""
    env_dir = CACHE / "datamodel-codegen-venv"
    executable = env_dir / "bin" / "datamodel-codegen"
    if not executable.exists():
        print(f"installing {DATAMODEL_PACKAGE} into {env_dir}", flush=True)
        venv.create(env_dir, with_pip=True, clear=True)
        run_checked(
            [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", DATAMODEL_PACKAGE],
            timeout=INSTALL_TIMEOUT,
            what=f"pip install {DATAMODEL_PACKAGE}",
        )
    version = run_checked([str(executable), "--version"], timeout=60, what="datamodel-codegen --version")
    # It prints "datamodel-codegen X.Y.Z" (older releases: the bare version).
    return Generator("datamodel-code-generator", version.stdout.split()[-1], str(executable))


def build_omg_server(project: Path) -> Path:
    """Build an openapi-mcp-generator project (`npm install && npm run build`); returns its entry point."""
    npm = shutil.which("npm")
    if not npm:
        raise Skip("npm is not installed")
    run_checked(
        [npm, "install", "--no-audit", "--no-fund"],
        cwd=project,
        timeout=INSTALL_TIMEOUT,
        what="npm install in the openapi-mcp-generator project",
    )
    run_checked(
        [npm, "run", "build"],
        cwd=project,
        timeout=INSTALL_TIMEOUT,
        what="npm run build in the openapi-mcp-generator project",
    )
    entry = project / "build" / "index.js"
    if not entry.exists():
        raise Skip(f"the openapi-mcp-generator build left no {entry.relative_to(project)}")
    return entry


def library_versions() -> dict[str, str]:
    """Versions of the runtime libraries both sides of the runtime benchmarks share."""
    versions = {}
    for name in ("fastmcp", "httpx2", "pydantic"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
