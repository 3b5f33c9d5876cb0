"""Rebuild template_history/releases.bundle from template_history/releases.txt.

Each release becomes one commit of a template-only repository (copier.yml, templates/, patterns/, migrations/
as they were at the listed commit of this repository), tagged `v<version>`. mcpgen clones the bundle and adds
its own template on top, so `copier update` finds every released version offline.

Run from the repository root after tagging a release: `python scripts/build_template_history.py`.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "template_history"
PARTS = ("copier.yml", "templates", "patterns", "migrations", "tasks")
GIT = ["git", "-c", "user.name=mcpgen", "-c", "user.email=mcpgen@localhost", "-c", "init.defaultBranch=main"]
# Fixed dates make the bundle the same bytes each time it is rebuilt.
DATE = "2026-01-01T00:00:00+00:00"


def releases() -> list[tuple[str, str, str]]:
    """(version, commit, folder): the folder of the commit that holds the release's own copier.yml and
    templates/ over the repository's (empty: the repository root)."""
    found = []
    for line in (HISTORY / "releases.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            version, commit, *folder = line.split()
            found.append((version, commit, folder[0] if folder else ""))
    return found


def git(*args: str, cwd: Path, stdout: bool = False) -> bytes:
    env = {"GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE, "PATH": "/usr/bin:/bin:/usr/local/bin"}
    result = subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, env=env)
    return result.stdout if stdout else b""


def exists(commit: str, path: str) -> bool:
    return (
        subprocess.run(
            ["git", "cat-file", "-e", f"{commit}:{path}"], cwd=ROOT, capture_output=True
        ).returncode
        == 0
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        git("init", "-q", cwd=repo)
        for version, commit, folder in releases():
            for old in PARTS:
                subprocess.run(["rm", "-rf", str(repo / old)], check=True)
            for prefix in ("", folder) if folder else ("",):
                present = [part for part in PARTS if exists(commit, f"{prefix}/{part}".lstrip("/"))]
                if not present:
                    continue
                tree = f"{commit}:{prefix}" if prefix else commit
                archive = git("archive", tree, *present, cwd=ROOT, stdout=True)
                for part in present:
                    subprocess.run(["rm", "-rf", str(repo / part)], check=True)
                with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                    tar.extractall(repo, filter="data")
            git("add", "-A", cwd=repo)
            git("commit", "-q", "-m", f"template {version}", cwd=repo)
            git("tag", f"v{version}", cwd=repo)
        git("bundle", "create", str(HISTORY / "releases.bundle"), "--all", cwd=repo)
    print(f"wrote {HISTORY / 'releases.bundle'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
