"""The pipeline, in one direction: load → IR → layout → answers → render (Copier + ruff) → checks → move."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MCPGenError
from .ir import BuildOptions, Project, build_project
from .naming import counted
from .render import (
    ANSWERS_FILE,
    DEFAULT_BUDGET,
    SPEC_FILE,
    Answers,
    Exposure,
    Layout,
    LockStep,
    ProjectOptions,
    Surface,
    build_answers,
    check_exposure_options,
    check_python_parses,
    check_search,
    decide,
    decide_layout,
    first_mode,
    handoff,
    layout_of_template,
    list_files,
    render,
    resolve_version,
    ruff_findings,
    spec_digest,
    spec_text,
    with_exposure,
    write_options,
    write_vectors,
)
from .review import write_security_review
from .spec import load_spec

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
    include_operations: list[str] = field(default_factory=list)
    include_paths: list[str] = field(default_factory=list)
    exclude_paths: list[str] = field(default_factory=list)
    exclude_operations: list[str] = field(default_factory=list)
    exclude_deprecated: bool = False
    max_tools: int | None = None
    # The curation mcpgen.yaml keeps: tool → new name, tool → description.
    rename: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    # Tool name or "tag:<tag>" → the OAuth scopes its callers need (replacing the spec's); [] for none.
    scopes: dict[str, list[str]] = field(default_factory=dict)
    confirm_destructive: bool = False
    # Tool → the token budget of its answers (mcpgen.yaml `budgets`; 0: none for that tool).
    budgets: dict[str, int] = field(default_factory=dict)
    # Tool → how it is shaped for the assistant (mcpgen.yaml `transform`).
    transform: dict[str, Any] = field(default_factory=dict)
    tools: str = "auto"  # exposure: all, discover or auto (see render/exposure.py)
    pins: list[str] = field(default_factory=list)  # tools kept direct beside the discovery tools
    context_budget: int = DEFAULT_BUDGET  # estimated tokens the exposed tools/list should stay within
    search: str = "lexical"  # discover mode's search: lexical, or semantic too (render/vectors.py)
    force: bool = False
    dry_run: bool = False
    allow_remote_refs: bool = False
    template_src: str | None = None
    template_version: str | None = None  # an earlier template (2.0) instead of this mcpgen's
    curation_file: str = "mcpgen.yaml"  # named in errors about renames and descriptions

    def options(self) -> dict:
        """The options mcpgen.yaml keeps for later updates."""
        kept = ("name", "pattern", "layout", "base_url", "identity_headers", "include_tags", "exclude_tags")
        selection = (
            "include_paths",
            "exclude_paths",
            "include_operations",
            "exclude_operations",
            "exclude_deprecated",
            "max_tools",
            "rename",
            "descriptions",
        )
        exposure = ("tools", "pins", "context_budget", "search")
        return {
            name: getattr(self, name)
            for name in (
                *kept,
                *selection,
                *exposure,
                "scopes",
                "confirm_destructive",
                "budgets",
                "transform",
            )
        }


@dataclass
class Result:
    out: Path
    project: Project
    layout: Layout
    files: list[str]
    # Files of an existing folder that mcpgen did not write, kept by --force; the generated one is beside.
    beside: list[str]
    surface: Surface | None  # tools/list as recorded in mcp-tools.lock (template 2.2 and later)
    warnings: list[str]
    seconds: float
    written: bool
    answers: Answers | None = None
    spec: str | None = None  # the spec as the request named it
    exposure: Exposure | None = None  # how the tools reach an assistant (template 2.2 and later)

    def summary(self) -> dict:
        """The machine-readable summary `--json` prints."""
        summary = {
            "out": str(self.out),
            "written": self.written,
            "layout": self.layout.name,
            "layout_reason": self.layout.reason,
            "pattern": self.project.auth.pattern,
            "pattern_reason": self.project.auth.reason,
            # Why the server cannot authenticate to the backend, when it cannot (else null).
            "backend_auth_unsupported": self.project.auth.unsupported,
            "base_url": self.project.base_url,
            "tools": [
                {"name": t.name, "method": t.method, "path": t.path, "summary": t.summary, "scopes": t.scopes}
                for t in self.project.tools
            ],
            "skipped": [s.model_dump() for s in self.project.skipped],
            "files": self.files,
            "beside": self.beside,
            "tools_list": self.surface.summary() if self.surface else None,
            "exposure": self.exposure.summary() if self.exposure else None,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 2),
        }
        if self.spec is not None:
            # A local spec by its absolute path; a URL as given.
            local = Path(self.spec)
            summary["spec"] = str(local.resolve()) if local.exists() else self.spec
        if self.answers is not None:
            summary.update(handoff(self.out, self.answers, self.files))
        return summary


# A generated file whose place holds a file mcpgen did not write goes beside it, with this added to its name.
BESIDE_SUFFIX = ".mcpgen"


def is_generated_project(out: Path) -> bool:
    """Whether `out` holds a project mcpgen generated (its answers name a template version)."""
    answers = out / ANSWERS_FILE
    return answers.is_file() and "_commit:" in answers.read_text(encoding="utf-8", errors="replace")


def check_destination(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise MCPGenError("exists and is not a folder", file=str(out), hint="choose another -o path")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if is_generated_project(out):
        raise MCPGenError(
            "already holds a generated project",
            file=str(out),
            hint=f"update it with `mcpgen update {out} --spec SPEC` (or pass --force, which does the same)",
        )
    if not force:
        raise MCPGenError(
            "exists and is not empty",
            file=str(out),
            hint="choose another -o, or pass --force to write the project's files into it (nothing else is "
            "touched or deleted)",
        )
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "."], cwd=out, capture_output=True, text=True
    )
    if status.returncode == 0 and status.stdout.strip():
        raise MCPGenError(
            "has uncommitted changes", file=str(out), hint="commit or stash them before writing into it"
        )


def _placed(staged: Path, out: Path) -> list[str]:
    try:
        return _place(staged, out)
    except OSError as error:
        raise MCPGenError(
            f"cannot be written: {error.strerror or error}",
            file=str(out),
            hint="choose an -o folder you can write to",
        ) from error


def _place(staged: Path, out: Path) -> list[str]:
    """Put the finished tree in place: a new folder is moved in whole; into an existing one the project's
    files are copied one by one, and nothing else there is touched. A file already there that says something
    else was not written by mcpgen (a generated project goes through `update`): it is kept, and the generated
    one is written beside it as `<name>.mcpgen`. Returns the files so kept."""
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), str(out))
        return []
    kept = []
    for source in sorted(p for p in staged.rglob("*") if p.is_file()):
        relative = source.relative_to(staged)
        target = out / relative
        if target.exists():
            if target.read_bytes() == source.read_bytes():
                continue
            kept.append(relative.as_posix())
            target = target.with_name(target.name + BESIDE_SUFFIX)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return kept


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
        include_operations=request.include_operations,
        include_paths=request.include_paths,
        exclude_paths=request.exclude_paths,
        exclude_operations=request.exclude_operations,
        exclude_deprecated=request.exclude_deprecated,
        max_tools=request.max_tools,
        rename=request.rename,
        descriptions=request.descriptions,
        curation_file=request.curation_file,
        scopes=request.scopes,
        confirm_destructive=request.confirm_destructive,
        budgets=request.budgets,
        transform=request.transform,
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
    check_exposure_options(
        request.tools, request.context_budget, request.pins, [t.name for t in built.project.tools]
    )
    check_search(request.search)
    answers = with_exposure(
        answers,
        first_mode(request.tools, answers, request.context_budget),
        request.tools,
        request.context_budget,
        request.pins,
    )
    warnings = [str(w) for w in [*spec.warnings, *built.warnings]]
    return Prepared(built.project, layout, answers, text, warnings)


def generate(request: Request, progress: Progress | None = None) -> Result:
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    check_destination(request.out, request.force)
    # The lock step's interpreter imports FastMCP on the other core while the spec loads and the IR builds.
    with tempfile.TemporaryDirectory(prefix="mcpgen-") as scratch, LockStep(Path(scratch)) as lock_step:
        prepared = prepare(request, progress)
        version = resolve_version(request.template_version) if request.template_version else None
        project, warnings = prepared.project, prepared.warnings
        layout = layout_of_template(prepared.layout, version)
        if version is not None and project.auth.pattern == "basic" and version.startswith(("2.0.", "2.1.")):
            raise MCPGenError(
                f"template {version} cannot send HTTP basic authentication (pattern basic)",
                hint="generate with this mcpgen's own template (leave out --template-version)",
            )
        say(f"layout {layout.name}: {layout.reason}; pattern {project.auth.pattern}: {project.auth.reason}")
        say(f"rendering {counted(len(project.tools), 'tool')} and {counted(len(project.models), 'model')}")
        answers = prepared.answers
        staged, surface = _render_checked(
            request, prepared, answers, Path(scratch) / "project", version, lock_step, review=True
        )
        exposure = None
        if surface is not None:
            exposure = decide(
                request.tools, request.context_budget, surface.full.get("tokens"), len(project.tools)
            )
            if exposure.mode != answers.exposure.mode:
                say(f"tools: {exposure.mode} ({exposure.reason}); rendering again")
                answers = with_exposure(
                    answers, exposure.mode, request.tools, request.context_budget, request.pins
                )
                with LockStep(Path(scratch)) as again:
                    staged, surface = _render_checked(
                        request, prepared, answers, Path(scratch) / "again", version, again, review=True
                    )
        if surface is not None and exposure is not None:
            warnings += surface.strict_client_findings
            if surface.tokens > exposure.budget:
                warnings.append(
                    f"the exposed tool list is about {surface.tokens:,} tokens, above the context budget of "
                    f"{exposure.budget:,}: use --tools discover, pin fewer tools or raise --context-budget"
                )
        findings = ruff_findings(staged)
        if findings:
            warnings.append(
                f"ruff reports {len(findings)} findings in the generated code; first: {findings[0]}"
            )
        files = list_files(staged)
        beside = [] if request.dry_run else _placed(staged, request.out)
    return Result(
        out=request.out,
        project=project,
        layout=layout,
        files=files,
        beside=beside,
        surface=surface,
        warnings=warnings,
        seconds=time.perf_counter() - started,
        written=not request.dry_run,
        answers=answers,
        spec=request.spec,
        exposure=exposure,
    )


def measured_exposure(
    request: Request, answers: Answers, rendered: Path, tools: int, lock_step: LockStep
) -> Exposure | None:
    """With `auto`, the mode the tool list of `rendered` (a render of `answers`) calls for, measured by
    `lock_step`; None when the mode was asked for, or already decided by the lower bound (see
    exposure.first_mode), or the template is too old to measure itself."""
    if request.tools != "auto" or answers.exposure.mode == "discover":
        return None
    if not (rendered / "src" / "surface.py").exists():
        return None
    surface = lock_step.write_tool_lock(rendered)
    return decide(request.tools, request.context_budget, surface.full.get("tokens"), tools)


def resolve_exposure(
    request: Request, prepared: Prepared, version: str | None = None
) -> tuple[Answers, Exposure | None]:
    """The answers in the mode `request.tools` resolves to. `auto` is measured by rendering once, in `all`, in
    a scratch folder, unless the full list's lower bound already decided it; `all` and `discover` need no
    render."""
    answers = prepared.answers
    if request.tools != "auto" or answers.exposure.mode == "discover":
        return answers, None  # asked for, or certainly above the budget (see exposure.first_mode)
    with (
        tempfile.TemporaryDirectory(prefix="mcpgen-measure-") as scratch,
        LockStep(Path(scratch)) as lock_step,
    ):
        _, surface = _render_checked(
            request, prepared, answers, Path(scratch) / "project", version, lock_step
        )
    if surface is None:
        return answers, None
    exposure = decide(
        request.tools, request.context_budget, surface.full.get("tokens"), len(prepared.project.tools)
    )
    return with_exposure(
        answers, exposure.mode, request.tools, request.context_budget, request.pins
    ), exposure


def _render_checked(
    request: Request,
    prepared: Prepared,
    answers: Answers,
    staged: Path,
    version: str | None,
    lock_step: LockStep,
    review: bool = False,
) -> tuple[Path, Surface | None]:
    """Render `answers` into `staged`, check that the code parses, keep the options, write the search vectors
    and, with `review`, the security review, and measure the tool list (writing mcp-tools.lock) with
    `lock_step`, whose interpreter the caller started ahead and whose step is not yet run."""
    render(answers.data(), staged, spec=prepared.spec, template_src=request.template_src, version=version)
    write_options(staged, ProjectOptions.model_validate(request.options()))
    # Templates before 2.2 have no tool-surface module to write mcp-tools.lock with.
    locked = (staged / "src" / "surface.py").exists()
    if locked:
        # The server lists its tools on the other core while this one checks the files. Nothing below
        # reads what it writes: the review leaves out tool_schemas.json and the lock.
        lock_step.start(staged)
    parsed = check_python_parses(staged)
    if request.search == "semantic" and answers.exposure.mode in ("discover", "code"):
        write_vectors(answers, staged)
    if review:
        # From the finished, formatted files, before the tree moves into place.
        write_security_review(staged, answers, parsed)
    surface = lock_step.surface() if locked else None
    return staged, surface
