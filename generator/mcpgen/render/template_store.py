"""The template store: one git repository per user holding every template version this mcpgen knows, tagged.

Projects record it as their `_src_path`, so plain `copier update --trust --defaults` finds the versions
offline, and mcpgen renders from it. It is the released history (template_history/releases.bundle) plus the
packaged template committed on top as `v<version>`; every mcpgen run brings it up to date, under a lock, so an
upgraded mcpgen adds its version to the same store.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from .. import __version__
from ..errors import MCPGenError
from ..template_files import template_root

STORE_ENV = "MCPGEN_TEMPLATE_STORE"
# Written with "~" in projects' answers, so the same answers resolve on every machine that has mcpgen.
DEFAULT_STORE = "~/.local/share/mcpgen/template"
TEMPLATE_PARTS = ("copier.yml", "templates", "patterns", "migrations", "tasks")
_GIT = ["git", "-c", "user.name=mcpgen", "-c", "user.email=mcpgen@localhost", "-c", "init.defaultBranch=main"]


def version_tag(version: str = __version__) -> str:
    return f"v{version}"


def store_location() -> str:
    """The store as projects record it: `$MCPGEN_TEMPLATE_STORE`, or `~/.local/share/mcpgen/template`."""
    return os.environ.get(STORE_ENV) or DEFAULT_STORE


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run([*_GIT, *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise MCPGenError(
            f"git {' '.join(args[:2])} failed in the template store: {result.stderr.strip()[:300]}",
            file=str(cwd),
            hint=f"remove the folder to let mcpgen rebuild it, or set {STORE_ENV} to another path",
        )
    return result.stdout.strip()


@contextmanager
def _locked(store: Path) -> Iterator[None]:
    store.parent.mkdir(parents=True, exist_ok=True)
    with open(store.parent / f".{store.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@cache
def template_store() -> Path:
    """The store, with every released version and this mcpgen's own template tagged; made or updated once per
    process."""
    store = Path(store_location()).expanduser()
    root = template_root()
    with _locked(store):
        if not (store / ".git").is_dir():
            if store.exists() and any(store.iterdir()):
                raise MCPGenError(
                    "is not a git repository but is where mcpgen keeps its template versions",
                    file=str(store),
                    hint=f"move it away, or set {STORE_ENV} to another path",
                )
            store.mkdir(parents=True, exist_ok=True)
            _git(store, "init", "-q")
        bundle = root / "template_history" / "releases.bundle"
        if bundle.exists():
            _git(store, "fetch", "-q", "--force", str(bundle), "refs/tags/*:refs/tags/*")
        _commit_packaged_template(store, root)
    return store


def _commit_packaged_template(store: Path, root: Path) -> None:
    """Tag this mcpgen's template as `v<version>` unless the tag already holds exactly these files.

    The packaged template is the truth for its own version: a development checkout that changed the template
    moves the tag to the new files.
    """
    for part in TEMPLATE_PARTS:
        target = store / part
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        source = root / part
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, target)
    _git(store, "add", "-A", "--", *TEMPLATE_PARTS)
    tree = _git(store, "write-tree")
    tag = version_tag()
    tagged = subprocess.run(
        [*_GIT, "rev-parse", "-q", "--verify", f"{tag}^{{tree}}"], cwd=store, capture_output=True, text=True
    )
    if tagged.returncode == 0 and tagged.stdout.strip() == tree:
        return
    parent = subprocess.run(
        [*_GIT, "rev-parse", "-q", "--verify", "HEAD"], cwd=store, capture_output=True, text=True
    )
    parents = ["-p", parent.stdout.strip()] if parent.returncode == 0 else []
    commit = _git(store, "commit-tree", tree, *parents, "-m", f"template {__version__}")
    _git(store, "update-ref", "HEAD", commit)
    _git(store, "tag", "-f", tag, commit)


def released_versions() -> list[str]:
    """The template versions the store holds, oldest first (`2.0.0`, `2.1.0`, ...)."""
    tags = _git(template_store(), "tag", "--list", "v*").split()
    return sorted((t[1:] for t in tags), key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))


def resolve_version(wanted: str) -> str:
    """A version the store has: `2.0` is the newest 2.0.x; an unknown one is an error that lists them."""
    known = released_versions()
    wanted = wanted.removeprefix("v")
    matching = [v for v in known if v == wanted or v.startswith(wanted + ".")]
    if not matching:
        raise MCPGenError(f"template version {wanted} is unknown", hint=f"choose one of {', '.join(known)}")
    return matching[-1]
