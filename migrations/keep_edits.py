"""Copier migration, before every update: stop if the update would delete a file that holds the user's edits.

Copier's update merges edits into files both template versions write, but a file the new version no longer
writes (v2.0's flat `tools.py`, which 2.2 splits into `src/tools/`) is deleted, edits and all, and the update
still exits 0. This runs before Copier changes anything: it renders the project's own template version again
from its answers (what Copier compares the project with), and the new version's file list; a generated file
that differs from its old render holds edits, and if the new version does not write it, the update stops
with one line pointing to `mcpgen update`, which moves each edit into the new layout.

Only the standard library, PyYAML and Copier itself are used, so this runs in whatever environment Copier
runs in. Arguments: the answers file, then the new template's folder.
"""

from __future__ import annotations

import filecmp
import os
import sys
import tempfile
from pathlib import Path

import yaml


def rendered_files(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


def render(src: str, destination: Path, answers: dict, vcs_ref: str | None, *, formatted: bool) -> set[str]:
    from copier import run_copy

    run_copy(
        src,
        destination,
        data=answers,
        vcs_ref=vcs_ref,
        defaults=True,
        overwrite=True,
        quiet=True,
        unsafe=True,
        # The old render is compared with the project byte for byte, so it is formatted as the project was;
        # of the new one only the file names count.
        skip_tasks=not formatted,
    )
    return rendered_files(destination)


def new_answers(answers: dict) -> dict:
    """The answers the new template reads: contract 1 (template 2.1) is migrated first, in memory."""
    if answers.get("ir_version", 2) >= 2:
        return answers
    sys.path.insert(0, str(Path(__file__).parent))
    from answers_v1_to_v2 import migrate  # type: ignore[import-not-found]

    return migrate(answers)


def lost_edits(project: Path, answers_file: str, new_template: str) -> list[str]:
    recorded = yaml.safe_load((project / answers_file).read_text(encoding="utf-8")) or {}
    source, commit = recorded.get("_src_path"), recorded.get("_commit")
    if not source or not commit:
        return []
    answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory(prefix="mcpgen-keep-edits-") as scratch:
        old, new = Path(scratch) / "old", Path(scratch) / "new"
        old_files = render(os.path.expanduser(source), old, answers, commit, formatted=True)
        new_files = render(new_template, new, new_answers(answers), None, formatted=False)
        return sorted(
            name
            for name in old_files - new_files - {answers_file}
            if (project / name).is_file() and not filecmp.cmp(project / name, old / name, shallow=False)
        )


def main(answers_file: str, new_template: str) -> int:
    lost = lost_edits(Path.cwd(), answers_file, new_template)
    if not lost:
        return 0
    shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
    holds = "which hold" if len(lost) > 1 else "which holds"
    print(
        f"mcpgen: nothing was changed: this update would delete {shown}, {holds} your edits; "
        "run `mcpgen update` instead, which moves each edit into the new layout",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
