"""What the user does after generation: the settings to fill in, the commands to run next, and a ready client
configuration with the project's real path. The `--json` summary carries them, for an assistant to act on.

The generated CLAUDE_DESKTOP_SETUP.md shows the same configuration with PROJECT_PLACEHOLDER for the path: a
rendered file cannot know where the project will live, and must not change with it (deterministic output,
clean `copier update` diffs).
"""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..ir import credential_env
from .contract import Answers

PROJECT_PLACEHOLDER = "/ABSOLUTE/PATH/TO/PROJECT"

_CREDENTIAL_WHY = {
    "service-to-service": "the service token the backend also knows (32+ characters); `mcpgen "
    "keygen --env-file "
    ".env` writes a new one",
    "api-key": "the backend's API key",
    "bearer": "the backend bearer token",
    "basic": "the password that goes with BACKEND_USERNAME, sent as HTTP basic authentication",
}


@dataclass(frozen=True)
class Setting:
    """A setting the user must provide before the server works."""

    name: str
    needed: str  # when: "always", "stdio mode", ...
    why: str


def required_settings(answers: Answers) -> list[Setting]:
    """The settings without a working default, from the pattern; everything else is in .env.example."""
    found = []
    credential = credential_env(answers.pattern)
    if answers.pattern == "basic":
        found.append(Setting("BACKEND_USERNAME", "always", "the user name the backend knows this server by"))
    if credential:
        found.append(Setting(credential, "always", _CREDENTIAL_WHY[answers.pattern]))
    if answers.pattern == "service-to-service":
        found.append(
            Setting(
                "MCP_USER_ID",
                "stdio mode",
                "the backend user this server acts for; the server refuses to start without it",
            )
        )
    found.append(
        Setting("BACKEND_URL", f"when the backend is not at {answers.base_url}", "the backend's URL")
    )
    return found


def client_config(project_dir: Path, answers: Answers) -> dict[str, Any]:
    """claude_desktop_config.json for stdio, started by uv in the project folder; its settings come from the
    project's .env, which the server finds wherever it is started."""
    return {
        "mcpServers": {
            answers.package: {
                "command": "uv",
                "args": ["--directory", str(project_dir), "run", answers.package],
            }
        }
    }


def next_commands(project_dir: Path, answers: Answers) -> list[str]:
    """The commands that take the generated project to a running, tested server, in order."""
    commands = [f"cd {shlex.quote(str(project_dir))}", "uv sync", "cp .env.example .env"]
    if answers.pattern == "service-to-service":
        commands.append("mcpgen keygen --env-file .env")
    commands += ["uv run pytest", f"uv run {answers.package}"]
    return commands


def handoff(project_dir: Path, answers: Answers, files: list[str] | None = None) -> dict[str, Any]:
    """The part of the `--json` summary that tells what to do next; `documents` has those of `files` (the
    project's files, when known: an earlier template version writes fewer)."""
    project_dir = project_dir.resolve()
    return {
        "project_dir": str(project_dir),
        # The console script and the Python package the project installs as.
        "package": answers.package,
        "import_name": answers.import_name,
        "env_file": str(project_dir / ".env"),
        "settings_to_fill": [asdict(setting) for setting in required_settings(answers)],
        "next_commands": next_commands(project_dir, answers),
        "client_config": client_config(project_dir, answers),
        "documents": {
            name: str(project_dir / name)
            for name in (
                "README.md",
                "CLAUDE_DESKTOP_SETUP.md",
                "E2E_SMOKE_TEST.md",
                "SUCCESS_CRITERIA_VERIFICATION.md",
                "IMPLEMENTATION_SUMMARY.md",
                "SECURITY_REVIEW.md",
            )
            if files is None or name in files
        },
    }
