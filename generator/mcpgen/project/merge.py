"""Three-way merge of a project with two renders of its template: the old one it came from, and the new one.

Each file the template writes is merged like `copier update` merges it: the user's edits (old render →
project) are applied to the new render with `git merge-file`; where that conflicts, each edit is replayed on
its own (`replay.py`), and only an edit with no place in the new text becomes conflict markers. Unlike
Copier, a file the new template no longer writes is never dropped with edits in it: when the
layout changes (`tools.py` becomes `src/tools/<tool>.py`, `main.py` becomes `src/server.py`), each edited
tool and each edited module is merged into the file that holds it now, and whatever cannot be placed is
kept, with its text, in UPGRADE_NOTES.md, which lists every edit and where it went."""

from __future__ import annotations

import ast
import difflib
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from .replay import replay

NOTES_FILE = "UPGRADE_NOTES.md"
CONFLICT_START = "<<<<<<< your version"
LABELS = ("your version", "the previous template", "the new template")

ChangeKind = Literal["added", "updated", "merged", "conflicted", "removed", "moved"]
Outcome = Literal["kept", "moved", "conflicted", "not placed"]

# A module's role, by its path in any template version: roles survive layout changes.
_ROLE_PATHS = {
    "server": ("main.py", "src/server.py"),
    "models": ("schemas.py", "src/schemas.py", "src/schemas/models.py"),
    "errors": ("errors.py", "src/errors.py", "src/schemas/errors.py"),
    "client": ("client.py", "src/client.py"),
    "config": ("config.py", "src/config.py"),
    "identity": ("identity.py", "src/identity.py"),
    "invoke": ("invoke.py", "src/invoke.py"),
    "logs": ("logs.py", "src/logs.py"),
    "serving": ("serving.py", "src/serving.py"),
}
_TOOL_MODULES = ("tools.py", "src/tools.py")


@dataclass(frozen=True)
class Change:
    path: str
    kind: ChangeKind
    detail: str = ""


@dataclass(frozen=True)
class Edit:
    """One of the user's edits and where the update put it."""

    what: str  # "README.md", "get_note (docstring)"
    source: str  # the file it was made in
    target: str | None  # the file that holds it now (None: not placed)
    outcome: Outcome


@dataclass
class MergeResult:
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # edits that could not be placed, as Markdown sections
    edits: list[Edit] = field(default_factory=list)

    def paths(self, kind: ChangeKind) -> list[str]:
        return [c.path for c in self.changes if c.kind == kind]

    @property
    def needs_notes(self) -> bool:
        """Whether an edit moved, conflicted or found no place: the user reads where it went."""
        return any(edit.outcome != "kept" for edit in self.edits)


def merge_text(ours: str, base: str, theirs: str) -> tuple[str, bool]:
    """`git merge-file` of three texts: the merged text, and whether it has conflicts."""
    with tempfile.TemporaryDirectory(prefix="mcpgen-merge-") as scratch:
        files = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(scratch) / name
            path.write_text(text, encoding="utf-8")
            files.append(str(path))
        labels = [arg for label in LABELS for arg in ("-L", label)]
        result = subprocess.run(
            ["git", "merge-file", "-p", *labels, *files], capture_output=True, text=True, encoding="utf-8"
        )
    if result.returncode < 0 or result.returncode > 127:
        raise RuntimeError(f"git merge-file failed: {result.stderr.strip()}")
    return result.stdout, result.returncode > 0


def carry(ours: str, base: str, theirs: str) -> tuple[str, bool]:
    """The user's edits (base → ours) on `theirs`: merged, else replayed edit by edit, else with conflicts."""
    merged, conflicted = merge_text(ours, base, theirs)
    if not conflicted:
        return merged, False
    replayed = replay(ours, base, theirs)
    return (replayed, False) if replayed is not None else (merged, True)


def _files(root: Path, skip: frozenset[str]) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and ".git" not in path.parts
            and relative not in skip
            and "__pycache__" not in path.parts
        ):
            found[relative] = path
    return found


def _read(path: Path | None) -> str | None:
    return path.read_text(encoding="utf-8") if path is not None and path.exists() else None


def merge_trees(old: Path, new: Path, project: Path, skip: frozenset[str]) -> MergeResult:
    """Bring `project`, rendered from `old` and edited since, to `new`, keeping the edits."""
    result = MergeResult()
    old_files, new_files = _files(old, skip), _files(new, skip)
    orphans: dict[str, tuple[str, str]] = {}  # edited files the new template no longer writes
    for relative in sorted(set(old_files) | set(new_files)):
        base, theirs = _read(old_files.get(relative)), _read(new_files.get(relative))
        target = project / relative
        ours = _read(target)
        if base is not None and theirs is not None:
            if ours is None or ours == theirs:
                continue  # deleted by the user, or already current
            if theirs == base:
                result.edits.append(Edit(relative, relative, relative, "kept"))
                continue  # only edited by the user
            if ours == base:
                target.write_text(theirs, encoding="utf-8")
                result.changes.append(Change(relative, "updated"))
                continue
            merged, conflicted = carry(ours, base, theirs)
            target.write_text(merged, encoding="utf-8")
            result.changes.append(Change(relative, "conflicted" if conflicted else "merged"))
            result.edits.append(Edit(relative, relative, relative, "conflicted" if conflicted else "kept"))
        elif base is not None:
            if ours is None:
                continue
            if ours != base:
                orphans[relative] = (base, ours)
            target.unlink()
            result.changes.append(Change(relative, "removed"))
        elif theirs is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            if ours is None or ours == theirs:
                if ours is None:
                    target.write_text(theirs, encoding="utf-8")
                    result.changes.append(Change(relative, "added"))
                continue
            # A file of the user's where the new template now writes one: both kept, as a conflict.
            merged, _ = merge_text(ours, "", theirs)
            target.write_text(merged, encoding="utf-8")
            result.changes.append(Change(relative, "conflicted", "the template now writes this file"))
            result.edits.append(Edit(relative, relative, relative, "conflicted"))
    for relative, (base, ours) in orphans.items():
        _place_edits(relative, base, ours, project, result)
    return result


# ---- edits in files the new template no longer writes ------------------------------------------------------


def _role(relative: str) -> str | None:
    return next((role for role, paths in _ROLE_PATHS.items() if relative in paths), None)


def _place_edits(relative: str, base: str, ours: str, project: Path, result: MergeResult) -> None:
    if relative in _TOOL_MODULES or PurePosixPath(relative).parent.as_posix() == "src/tools":
        _place_tool_edits(relative, base, ours, project, result)
        return
    role = _role(relative)
    target = next((p for p in _ROLE_PATHS.get(role or "", ()) if (project / p).exists()), None)
    if target is None:
        result.notes.append(_note(relative, base, ours, "the new template has no file for it"))
        result.edits.append(Edit(relative, relative, None, "not placed"))
        return
    merged, conflicted = carry(ours, base, (project / target).read_text(encoding="utf-8"))
    (project / target).write_text(merged, encoding="utf-8")
    result.changes.append(Change(target, "conflicted" if conflicted else "moved", f"edits of {relative}"))
    result.edits.append(Edit(relative, relative, target, "conflicted" if conflicted else "moved"))


@dataclass(frozen=True)
class _Block:
    """A tool's lines in a module: its Operation, decorators, the comments just above, and its function."""

    start: int  # 0-based, inclusive
    end: int  # exclusive

    def text(self, lines: list[str]) -> str:
        return "".join(lines[self.start : self.end])


def tool_blocks(source: str) -> dict[str, _Block]:
    """The tools a module defines, by function name (empty when it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines = source.splitlines(keepends=True)
    constants = {
        node.targets[0].id: node.lineno - 1
        for node in tree.body
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    }
    blocks = {}
    for node in tree.body:
        if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) or node.end_lineno is None:
            continue
        start = min([node.lineno - 1, *(d.lineno - 1 for d in node.decorator_list)])
        start = min(start, constants.get(node.name.upper(), start))
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        blocks[node.name] = _Block(start, node.end_lineno)
    return blocks


def _without(source: str, blocks: dict[str, _Block]) -> str:
    lines = source.splitlines(keepends=True)
    dropped = {index for block in blocks.values() for index in range(block.start, block.end)}
    return "".join(line for index, line in enumerate(lines) if index not in dropped)


def _place_tool_edits(relative: str, base: str, ours: str, project: Path, result: MergeResult) -> None:
    base_blocks, our_blocks = tool_blocks(base), tool_blocks(ours)
    base_lines, our_lines = base.splitlines(keepends=True), ours.splitlines(keepends=True)
    for name, block in base_blocks.items():
        before = block.text(base_lines)
        if name not in our_blocks:
            result.notes.append(_note(f"{relative}: {name}", before, "", "you removed this tool by hand"))
            result.edits.append(Edit(f"{name} (removed)", relative, None, "not placed"))
            continue
        after = our_blocks[name].text(our_lines)
        if after == before:
            continue
        target = _file_defining(project, name)
        if target is None:
            result.notes.append(
                _note(f"{relative}: {name}", before, after, "the new template has no such tool")
            )
            result.edits.append(Edit(name, relative, None, "not placed"))
            continue
        text = target.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        block_now = tool_blocks(text)[name]
        merged, conflicted = merge_tool(after, before, block_now.text(lines))
        target.write_text(
            "".join(lines[: block_now.start]) + merged + "".join(lines[block_now.end :]), "utf-8"
        )
        where = target.relative_to(project).as_posix()
        result.changes.append(
            Change(where, "conflicted" if conflicted else "moved", f"{name} from {relative}")
        )
        for part in _edited_parts(after, before):
            result.edits.append(
                Edit(f"{name} ({part})", relative, where, "conflicted" if conflicted else "moved")
            )
    rest_before, rest_after = _without(base, base_blocks), _without(ours, our_blocks)
    if rest_before != rest_after:
        result.notes.append(
            _note(f"{relative} (outside any tool)", rest_before, rest_after, "no place for it")
        )
        result.edits.append(Edit(f"{relative} (outside any tool)", relative, None, "not placed"))


def _edited_parts(ours: str, base: str) -> list[str]:
    parts = [_ToolParts.of(text) for text in (ours, base)]
    if parts[0] is None or parts[1] is None:
        return ["the whole tool"]
    return [name for name in _ToolParts.NAMES if getattr(parts[0], name) != getattr(parts[1], name)]


@dataclass(frozen=True)
class _ToolParts:
    """A tool block cut where edits usually fall: above the function, its signature, docstring, body."""

    above: str
    signature: str
    docstring: str
    body: str

    NAMES = ("above", "signature", "docstring", "body")

    @classmethod
    def of(cls, block: str) -> _ToolParts | None:
        try:
            tree = ast.parse(block)
        except SyntaxError:
            return None
        function = next((n for n in tree.body if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef)), None)
        if function is None or not function.body:
            return None
        lines = block.splitlines(keepends=True)
        starts_at = min([function.lineno, *(d.lineno for d in function.decorator_list)]) - 1
        first = function.body[0]
        has_docstring = isinstance(first, ast.Expr) and isinstance(
            getattr(first, "value", None), ast.Constant
        )
        body_at = first.lineno - 1
        after_docstring = (first.end_lineno or first.lineno) if has_docstring else body_at
        return cls(
            above="".join(lines[:starts_at]),
            signature="".join(lines[starts_at:body_at]),
            docstring="".join(lines[body_at:after_docstring]),
            body="".join(lines[after_docstring:]),
        )


def merge_tool(ours: str, base: str, theirs: str) -> tuple[str, bool]:
    """Merge a tool's edits into its new block part by part, since the new template may write a different
    shape around them: an edited docstring or a line added above the function carries over alone."""
    parts = [_ToolParts.of(text) for text in (ours, base, theirs)]
    if any(part is None for part in parts):
        return carry(ours, base, theirs)
    mine, old, new = parts
    assert mine is not None and old is not None and new is not None
    merged, conflicted = [], False
    for name in _ToolParts.NAMES:
        a, b, c = getattr(mine, name), getattr(old, name), getattr(new, name)
        if a == b:
            merged.append(c)
        elif name == "docstring" or c == b:
            merged.append(a)  # the user's own words win over the template's
        elif name == "above" and not b.strip():
            merged.append(
                c + a
            )  # lines the user put above a function that had none: kept, after the new ones
        else:
            text, clash = carry(a, b, c)
            merged.append(text)
            conflicted = conflicted or clash
    return "".join(merged), conflicted


def _file_defining(project: Path, function: str) -> Path | None:
    candidates = [project / "src" / "tools" / f"{function}.py", project / "src" / "tools.py"]
    return next(
        (path for path in candidates if path.exists() and function in tool_blocks(path.read_text("utf-8"))),
        None,
    )


def _note(what: str, before: str, after: str, why: str) -> str:
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), "template", "yours"
        )
    )
    return f"## {what}\n\nNot placed automatically: {why}. Your change:\n\n```diff\n{diff.rstrip()}\n```\n"


_OUTCOMES = {
    "kept": "kept in place",
    "moved": "moved",
    "conflicted": "conflict: resolve the markers",
    "not placed": "not placed: below",
}


def notes_text(result: MergeResult, from_version: str, to_version: str) -> str:
    """Every edit and where it went; then, with their text, the edits that found no place."""
    rows = [
        f"| {edit.what} | {edit.source} | {edit.target or '—'} | {_OUTCOMES[edit.outcome]} |"
        for edit in result.edits
    ]
    text = (
        f"# Upgrade notes ({from_version} → {to_version})\n\n"
        "`mcpgen update` carried each of your edits into the file that holds its code now. Check the ones "
        "marked conflict or not placed, then delete this file.\n\n"
        "| your edit | made in | now in | outcome |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    if result.notes:
        text += "\n" + "\n".join(result.notes)
    return text
