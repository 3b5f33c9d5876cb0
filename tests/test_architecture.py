"""The generator's folders are its pipeline stages, and every import points down the pipeline.

A module may import its own stage, an earlier stage, and the helpers at the top; another stage only through
its package (`from ..spec import load_spec`, not `from ..spec.load import load_spec`); and no chain of imports
may come back to where it started. docs/architecture.md shows the stages. The source is read with `ast`, not
imported, so the test takes milliseconds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "generator" / "mcpgen"
ROOT = "mcpgen"

# The stages in pipeline order: a subpackage is the stage of its name; modules at the top are placed here.
STAGES = ("helpers", "spec", "ir", "render", "review", "commands", "project", "cli")
TOP_LEVEL = {
    "__init__": "helpers",  # __version__
    "collector": "helpers",
    "errors": "helpers",
    "naming": "helpers",
    "template_files": "helpers",
    "generate": "commands",  # runs spec → ir → render → review into a new project
    "keygen": "commands",  # a new secret; reads the auth patterns (ir)
    "__main__": "cli",
}


def modules(package: Path) -> dict[str, Path]:
    """Every module under `package` by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = [package.name, *path.relative_to(package).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def is_package(name: str, known: dict[str, Path]) -> bool:
    return known[name].name == "__init__.py"


def stage(name: str) -> str | None:
    """The stage of a module, or None when it has none yet."""
    parts = name.split(".")[1:]
    if not parts:
        return TOP_LEVEL["__init__"]
    if parts[0] in STAGES:
        return parts[0]
    return TOP_LEVEL.get(parts[0])


def unit(name: str) -> str:
    """What a module belongs to: its subpackage (`mcpgen.spec`) or, at the top, itself (`mcpgen.generate`)."""
    return ".".join(name.split(".")[:2])


def ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str, int]]:
    """(the module as written, a module the import runs, line) for each mcpgen import in `name`, in functions
    too. Importing `a.b.c` runs the packages `a` and `a.b` first, unless `name` is already inside them."""
    here = (name if is_package(name, known) else name.rpartition(".")[0]).split(".")
    inside = set(ancestors(name))
    found = []
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            module = node.module.split(".") if node.module else []
            if node.level:
                written = ".".join([*here[: len(here) - node.level + 1], *module])
            elif module[0] == ROOT:
                written = node.module
            else:
                continue
            submodules = [f"{written}.{alias.name}" for alias in node.names]
            named = [(written, target) for target in submodules if target in known]
            if len(named) < len(submodules):  # names defined in the module (or package) itself
                named.append((written, written))
        elif isinstance(node, ast.Import):
            named = [(alias.name, alias.name) for alias in node.names if alias.name.split(".")[0] == ROOT]
        else:
            continue
        for written, target in named:
            runs = [run for run in ancestors(target) if run not in inside and run != name]
            found += [(written, run, node.lineno) for run in [*runs, target] if run != name]
    return found


def where(name: str, known: dict[str, Path], line: int) -> str:
    return f"{known[name].relative_to(known[ROOT].parent.parent)}:{line}"


def unplaced(package: Path) -> list[str]:
    known = modules(package)
    return sorted(f"{where(name, known, 1)} has no stage" for name in known if stage(name) is None)


def upward_imports(package: Path) -> list[str]:
    """Imports of a later stage, and of another stage's modules past its package."""
    known = modules(package)
    problems = []
    for name, path in known.items():
        mine = stage(name)
        for written, run, line in imports(name, path, known):
            theirs = stage(run)
            if mine is None or theirs is None:
                continue
            if STAGES.index(theirs) > STAGES.index(mine):
                problems.append(
                    f"{where(name, known, line)}: {name} ({mine}) imports {run} ({theirs}, a later stage)"
                )
            elif (
                unit(written) != unit(name)
                and written != unit(written)
                and not written.startswith(unit(name) + ".")
            ):
                problems.append(
                    f"{where(name, known, line)}: {name} imports {written}; import {unit(written)} instead "
                    f"(its __init__ lists what other stages use)"
                )
    return sorted(set(problems))


def cycles(package: Path) -> list[list[str]]:
    """Each strongly connected group of modules (Tarjan), as one cycle through it."""
    known = modules(package)
    graph = {name: sorted({run for _, run, _ in imports(name, path, known)}) for name, path in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, []):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, []):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_module_has_a_stage():
    assert unplaced(PACKAGE) == [], f"add the module to a stage folder, or to TOP_LEVEL in {__file__}"


def test_imports_point_down_the_pipeline():
    assert upward_imports(PACKAGE) == []


def test_no_imports_go_round_in_a_cycle():
    assert cycles(PACKAGE) == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / ROOT


@pytest.mark.parametrize(
    ("importer", "statement", "found"),
    [
        ("spec/load.py", "from ..render import render\n", "imports mcpgen.render (render, a later stage)"),
        ("spec/load.py", "import mcpgen.render.post\n", "imports mcpgen.render (render, a later stage)"),
        ("ir/build.py", "def f():\n    from ..project import update\n", "(project, a later stage)"),
        ("errors.py", "from .spec import load_spec\n", "mcpgen.errors (helpers) imports mcpgen.spec"),
        ("render/post.py", "from ..spec.load import load_spec\n", "import mcpgen.spec instead"),
    ],
)
def test_the_check_finds_an_import_that_points_up(tmp_path, importer, statement, found):
    files = {
        "__init__.py": "",
        "errors.py": "",
        "spec/__init__.py": "from .load import load_spec\n",
        "spec/load.py": "from ..errors import MCPGenError\n",
        "ir/__init__.py": "",
        "ir/build.py": "from ..spec import load_spec\n",
        "render/__init__.py": "",
        "render/post.py": "",
        "project/__init__.py": "",
    }
    assert upward_imports(_tree(tmp_path / "clean", files)) == []
    files[importer] += statement
    problems = upward_imports(_tree(tmp_path / "changed", files))
    assert any(found in problem for problem in problems), problems


def test_the_check_finds_a_cycle(tmp_path):
    package = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "spec/__init__.py": "from .load import load_spec\n",
            # A module importing its own package, which imports it: a cycle even within one stage.
            "spec/load.py": "from . import parse\n",
            "spec/parse.py": "from mcpgen.spec import load_spec\n",
        },
    )
    assert cycles(package) == [["mcpgen.spec", "mcpgen.spec.load", "mcpgen.spec.parse"]]
