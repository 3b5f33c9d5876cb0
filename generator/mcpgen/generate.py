"""The pipeline, in one direction: load → IR → layout → answers → render (Copier + ruff) → checks → move."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .answers import build_answers
from .contract import Answers
from .errors import MCPGenError
from .ir.build import BuildOptions, build_project
from .ir.model import Project
from .layout import Layout, decide_layout
from .load import load_spec
from .post import check_python_parses, list_files, ruff_findings
from .render import SPEC_FILE, render, spec_digest, spec_text

Progress = Callable[[str], None]


@dataclass
class Request:
    spec: str
    out: Path
    name: str | None = None
    pattern: str = "auto"
    layout: str = "auto"
    base_url: str | None = None
    identity_headers: list[str] = field(default_factory=list)
    include_tags: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    # Tool name or "tag:<tag>" → the OAuth scopes its callers need (replacing the spec's); [] for none.
    scopes: dict[str, list[str]] = field(default_factory=dict)
    confirm_destructive: bool = False
    force: bool = False
    dry_run: bool = False
    allow_remote_refs: bool = False
    template_src: str | None = None


@dataclass
class Result:
    out: Path
    project: Project
    layout: Layout
    files: list[str]
    warnings: list[str]
    seconds: float
    written: bool

    def summary(self) -> dict:
        """The machine-readable summary `--json` prints."""
        return {
            "out": str(self.out),
            "written": self.written,
            "layout": self.layout.name,
            "layout_reason": self.layout.reason,
            "pattern": self.project.auth.pattern,
            "pattern_reason": self.project.auth.reason,
            "base_url": self.project.base_url,
            "tools": [
                {"name": t.name, "method": t.method, "path": t.path, "summary": t.summary, "scopes": t.scopes}
                for t in self.project.tools
            ],
            "skipped": [s.model_dump() for s in self.project.skipped],
            "files": self.files,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 2),
        }


def check_destination(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise MCPGenError("exists and is not a folder", file=str(out), hint="choose another -o path")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise MCPGenError(
            "exists and is not empty", file=str(out), hint="pass --force to replace it, or choose another -o"
        )


def _replace(staged: Path, out: Path) -> None:
    """Move the finished tree into place; an old tree is removed only once the new one is there."""
    out.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{time.time_ns()}")
        out.rename(old)
    try:
        shutil.move(str(staged), str(out))
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@dataclass
class Prepared:
    """Everything up to the Copier answers; no file touched yet."""

    project: Project
    layout: Layout
    answers: Answers
    spec: str  # the normalised spec the project keeps
    warnings: list[str]


def prepare(request: Request, progress: Progress | None = None) -> Prepared:
    """Load, build the IR, decide the layout and the answers."""
    say = progress or (lambda _message: None)
    spec = load_spec(request.spec, allow_remote_refs=request.allow_remote_refs)
    operations = sum(1 for item in (spec.document.get("paths") or {}).values() if isinstance(item, dict))
    say(f"loaded {request.spec} (OpenAPI {spec.version}, {operations} paths)")

    def tick(done: int, total: int) -> None:
        if total >= 100 and (done % 100 == 0 or done == total):
            say(f"built {done}/{total} operations")

    options = BuildOptions(
        pattern=request.pattern,
        base_url=request.base_url,
        identity_headers=request.identity_headers,
        include_tags=request.include_tags,
        exclude_tags=request.exclude_tags,
        scopes=request.scopes,
        confirm_destructive=request.confirm_destructive,
    )
    built = build_project(spec, options, tick)
    layout = decide_layout(built.project, request.layout)
    text = spec_text(spec.document)
    answers = build_answers(
        built.project,
        layout,
        spec_file=SPEC_FILE,
        spec_sha256=spec_digest(text),
        name=request.name,
        confirm_destructive=request.confirm_destructive,
    )
    warnings = [str(w) for w in [*spec.warnings, *built.warnings]]
    return Prepared(built.project, layout, answers, text, warnings)


def generate(request: Request, progress: Progress | None = None) -> Result:
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    check_destination(request.out, request.force)
    prepared = prepare(request, progress)
    project, layout, warnings = prepared.project, prepared.layout, prepared.warnings
    say(f"layout {layout.name}: {layout.reason}; pattern {project.auth.pattern}: {project.auth.reason}")
    say(f"rendering {len(project.tools)} tools and {len(project.models)} models")
    with tempfile.TemporaryDirectory(prefix="mcpgen-") as scratch:
        staged = Path(scratch) / "project"
        render(prepared.answers.data(), staged, spec=prepared.spec, template_src=request.template_src)
        check_python_parses(staged)
        findings = ruff_findings(staged)
        if findings:
            warnings.append(
                f"ruff reports {len(findings)} findings in the generated code; first: {findings[0]}"
            )
        files = list_files(staged)
        if not request.dry_run:
            _replace(staged, request.out)
    return Result(
        out=request.out,
        project=project,
        layout=layout,
        files=files,
        warnings=warnings,
        seconds=time.perf_counter() - started,
        written=not request.dry_run,
    )
