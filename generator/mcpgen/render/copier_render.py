"""Render stage: answers → a project tree in a temporary folder, through this repo's own copier.yml, plus the
normalised spec the answers came from.

Copier renders from the template store (template_store.py), where this mcpgen's template is tagged with its
version, so that the project records `_commit` and a `_src_path` that `copier update` can reach.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import threading
from collections.abc import Callable
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from .post import format_tree
from .template_store import store_location, template_store, version_tag

ANSWERS_FILE = ".copier-answers.yml"
SPEC_FILE = "openapi.json"


def spec_text(document: dict[str, Any]) -> str:
    """The normalised spec as the project keeps it: JSON, one key per line, in the spec's own order."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def spec_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_template(
    answers: dict[str, Any],
    destination: Path,
    *,
    version: str | None = None,
    fast: bool = True,
    only: Callable[[str], bool] | None = None,
) -> None:
    """Copier renders one template version (this mcpgen's by default) with `answers` into `destination`, a
    folder that does not exist yet; then the tree is formatted once.

    Every version renders through `FastWorker` (the same Copier worker without its per-file overheads, see
    there); `fast=False` is plain `copier copy`, which tests compare it with byte for byte, for every released
    version (an update renders two).

    `only`, given the path of a Python module (relative, with `/`), says whether to render it: an update needs
    its old render only where the project and the new render differ. A module left out is an empty file while
    the tree is formatted, so that ruff sees the same packages and formats every other file as in a whole
    render, and is gone afterwards.
    """
    from copier._main import Worker

    worker_class = fast_worker() if fast else Worker
    if only is not None and not fast:
        raise ValueError("only a fast render renders some of the files")
    with worker_class(
        src_path=str(template_store()),
        dst_path=destination,
        data=answers,
        defaults=True,
        unsafe=True,
        vcs_ref=version_tag(version) if version else version_tag(),
        quiet=True,
        # The template's task formats with whatever ruff it finds; mcpgen formats with its own, once.
        skip_tasks=True,
    ) as worker:
        worker.__dict__["wanted"] = only
        # Half the files in a forked copy of this process, on the other core, when nothing else needs
        # their list (an update's partial render does).
        worker.__dict__["forked"] = fast and only is None and can_fork()
        worker.run_copy()
        left_out = worker.__dict__.get("left_out", [])
    format_tree(destination)
    for placeholder in left_out:
        placeholder.unlink()


@cache
def fast_worker() -> type:
    """Copier's `Worker`, rendering the same files from the same Jinja environment, answers and settings
    (`_envops`, `_exclude`, `_templates_suffix`, `_yield`, the answers file), minus three costs that grow
    with the number of files and do nothing for a fresh destination (a profile of a 300-tool spec found them
    to be most of Copier's time):

    - a `git config` / `git ls-files` call per file to sync executable bits into the destination's git
      index: a folder that did not exist before the render has no file in any index, so the call is a no-op;
    - a Jinja compile of every path part for every file (path parts repeat: `src`, `tools`, the `yield`
      part once per tool), and of the answers file's name for every path part: compiled once here;
    - the answers file's `to_yaml` through PyYAML's pure-Python emitter: libyaml's emitter writes the same
      text (tests/test_render.py compares whole trees with `copier copy`) several times faster.
    """
    from copier._jinja_ext import get_yield_context
    from copier._main import Worker

    class FastWorker(Worker):
        def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
            return None

        @cached_property
        def jinja_env(self):  # type: ignore[override]
            env = super().jinja_env
            env.bytecode_cache = _bytecode_cache()
            if getattr(yaml, "__with_libyaml__", False):
                env.filters["to_yaml"] = _to_yaml_libyaml
            return env

        @cached_property
        def answers_relpath(self) -> Path:  # type: ignore[override]
            # A property Copier renders again for every path part; its inputs do not change during a copy.
            return super().answers_relpath

        def _render_string(self, string: str, extra_context: dict[str, Any] | None = None) -> str:
            compiled = self.__dict__.setdefault("_compiled_strings", {})
            template = compiled.get(string)
            if template is None:
                template = compiled[string] = self.jinja_env.from_string(string)
            self._reset_yield()
            return template.render(**self._render_context(), **(extra_context or {}))

        def _render_template(self) -> None:
            if not self.__dict__.get("forked"):
                return super()._render_template()
            # Both processes walk the same files in the same order; each renders every other one.
            readable, writable = os.pipe()
            child = os.fork()
            if child == 0:
                os.close(readable)
                self.__dict__["share"] = 1
                render_share(super()._render_template, writable)
            os.close(writable)
            self.__dict__["share"] = 0
            try:
                super()._render_template()
            finally:
                raise_from_share(child, readable)

        def _render_file(self, src_relpath: Path, dst_relpath: Path, extra_context=None) -> None:
            share = self.__dict__.get("share")
            if share is not None:
                counted = self.__dict__["files_seen"] = self.__dict__.get("files_seen", 0) + 1
                if counted % 2 != share:
                    return
            self._reset_yield()
            wanted = self.__dict__.get("wanted")
            if wanted is not None and dst_relpath.suffix == ".py" and not wanted(dst_relpath.as_posix()):
                placeholder = Path(self.subproject.local_abspath, dst_relpath)
                placeholder.parent.mkdir(parents=True, exist_ok=True)
                placeholder.touch()
                self.__dict__.setdefault("left_out", []).append(placeholder)
                return
            super()._render_file(src_relpath, dst_relpath, extra_context)

        def _reset_yield(self) -> None:
            # Compiling a template resets the `yield` tag's context (YieldExtension.preprocess), and Copier
            # compiles a string (the answers file's name) before every render; a reused template does not.
            context = get_yield_context(self.jinja_env)
            context.yield_name = context.yield_iterable = None

    return FastWorker


def can_fork() -> bool:
    """Whether a render may fork: on Linux, from a process that runs no other thread (a fork copies only the
    calling thread, and locks another one holds would stay held in the child)."""
    return sys.platform == "linux" and threading.active_count() == 1


def render_share(render: Callable[[], None], writable: int) -> None:
    """In the forked process: render its share of the files and exit; an error goes to the parent, pickled."""
    status = 0
    try:
        render()
    except BaseException as error:  # noqa: BLE001 - every error is the parent's to raise
        status = 1
        try:
            message = pickle.dumps(error)
        except Exception:  # noqa: BLE001 - an error that cannot be pickled still reaches the parent as text
            message = pickle.dumps(RuntimeError(f"{type(error).__name__}: {error}"))
        with os.fdopen(writable, "wb") as pipe:
            pipe.write(message)
    os._exit(status)  # not through the caller's cleanup: the parent owns the template copy and the output


def raise_from_share(child: int, readable: int) -> None:
    """In the parent: wait for the forked process, and raise its error if it failed."""
    with os.fdopen(readable, "rb") as pipe:
        message = pipe.read()
    _, status = os.waitpid(child, 0)
    if message:
        raise pickle.loads(message)
    if status != 0:
        raise RuntimeError(f"rendering half of the files failed (exit status {status})")


@cache
def _bytecode_cache():
    """Compiled templates kept between runs (Jinja checks each against its source's checksum): compiling the
    template's files is most of a small spec's render."""
    from jinja2 import FileSystemBytecodeCache

    class ByName(FileSystemBytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            # Copier renders from a fresh clone each time, so the file name would never match again.
            return super().get_cache_key(name)

    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mcpgen" / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return ByName(str(folder))


def _to_yaml_libyaml(value: Any, *args: Any, **kwargs: Any) -> str:
    """jinja2_ansible_filters' `to_yaml` (what Copier's templates call), with libyaml's emitter."""
    default_flow_style = kwargs.pop("default_flow_style", None)
    return yaml.dump(
        value, *args, Dumper=yaml.CDumper, allow_unicode=True, default_flow_style=default_flow_style, **kwargs
    )


def load_answers(path: Path) -> dict[str, Any]:
    """An answers file as data, through libyaml's loader when PyYAML has it: a large spec's answers are
    megabytes, which the pure-Python loader takes seconds to read."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}


def render(
    answers: dict[str, Any],
    destination: Path,
    *,
    spec: str,
    template_src: str | None = None,
    version: str | None = None,
) -> None:
    """Render into `destination` (which must not exist yet), and keep the spec text beside the answers."""
    render_template(answers, destination, version=version)
    record_template_source(destination / ANSWERS_FILE, template_src or store_location())
    (destination / SPEC_FILE).write_text(spec, encoding="utf-8")


def record_template_source(answers_file: Path, template_src: str) -> None:
    """Point `_src_path` at where `copier update` finds the template: the store as `~/...`, not the path
    Copier saw."""
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("_src_path:"):
            lines[index] = "_src_path: " + yaml.safe_dump(template_src, default_style="'").strip() + "\n"
            break
    answers_file.write_text("".join(lines), encoding="utf-8")
