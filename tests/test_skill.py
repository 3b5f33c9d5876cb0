"""SKILL.md cannot rot: it is a skill file (front matter with name and description), every `mcpgen` command in
its bash blocks names real options, and the slow test runs every block against the bundled example."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import yaml

from mcpgen import cli
from tests.conftest import REPO
from tests.generated import clean_env

SKILL = REPO / "SKILL.md"
# Commands the lead is adding in parallel (issue 7); the lead removes these entries when merging them, and
# from then on the blocks that hold them run like every other.
NOT_YET_IN_THIS_BRANCH: set[str] = set()


def bash_blocks() -> list[list[str]]:
    text = SKILL.read_text()
    return [
        [line for line in body.splitlines() if line.strip()]
        for body in re.findall(r"```bash\n(.*?)```", text, re.S)
    ]


def test_skill_md_has_the_skill_front_matter():
    text = SKILL.read_text()
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n", 2)[1])
    assert front["name"] == "mcpgen"
    assert 50 < len(front["description"]) <= 1024
    for subject in (
        "Pattern 4",
        "--include-tag",
        "--json",
        "uv run pytest",
        "E2E_SMOKE_TEST.md",
        "mcpgen update",
        "--search semantic",
    ):
        assert subject in text, subject


def test_every_mcpgen_command_uses_real_commands_and_options():
    group = typer.main.get_command(cli.app)
    commands = [line for block in bash_blocks() for line in block if line.startswith("mcpgen ")]
    assert len(commands) >= 5
    for line in commands:
        if line in NOT_YET_IN_THIS_BRANCH:
            continue
        words = shlex.split(line)
        command = group.get_command(None, words[1])
        assert command is not None, line
        # Parsing checks every option name and value without running the command.
        command.make_context(words[1], words[2:])


@pytest.mark.slow
def test_every_block_runs_against_the_bundled_example(tmp_path):
    shutil.copy(REPO / "examples" / "todo_backend" / "openapi.json", tmp_path / "openapi.json")
    bin_dir = Path(sys.executable).parent
    env = clean_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    for who in ("AUTHOR", "COMMITTER"):  # the skill commits before it updates
        env[f"GIT_{who}_NAME"], env[f"GIT_{who}_EMAIL"] = "assistant", "assistant@example.com"
    env.pop("VIRTUAL_ENV", None)
    ran = 0
    for block in bash_blocks():
        cwd = tmp_path  # each block starts where the user runs mcpgen
        for line in block:
            if line in NOT_YET_IN_THIS_BRANCH:
                continue
            ran += 1
            if line.startswith("cd "):
                cwd = cwd / line.removeprefix("cd ").strip()
                assert cwd.is_dir(), line
                continue
            done = subprocess.run(
                ["bash", "-o", "pipefail", "-c", line],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert done.returncode == 0, f"{line}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert ran == sum(len(block) for block in bash_blocks()) - len(NOT_YET_IN_THIS_BRANCH)
    assert (tmp_path / "todo-mcp" / ".venv").is_dir() and (tmp_path / "todo-mcp" / ".env").is_file()
