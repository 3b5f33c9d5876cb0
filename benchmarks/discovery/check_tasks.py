"""Check the discovery task sets against their OpenAPI specs.

    python benchmarks/discovery/check_tasks.py [--specs DIR] [--extra-specs DIR] [--tasks DIR]

Every `expect` entry must be "METHOD /path" with an upper-case method and a path that the spec
declares for that method, exactly as spelled there. Ids must be unique and numbered `<spec>-NNN`.
`split` is `tune` or `held_out`, exactly every third task (ids 003, 006, 009, ...) being `held_out`; or
`fresh`, for tasks written later by an author blind to the ranking and never tuned on, which come after all
the others (the every-third rule and the 60 tasks a file needs count the others only). Prints one line per
problem and exits 1 if there is any; otherwise prints a one-line summary per file and exits 0.

Spec files are looked up in --specs, then in --extra-specs (default: the environment variable
MCPGEN_EXTRA_SPECS, else none) for specs not kept in ../shared/specs, such as discord. A task file
whose spec is found in neither folder is reported as skipped on one line and does not fail the check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
METHODS = {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}
MIN_TASKS = 60
# short name -> file stem under the specs folder, where they differ
STEMS = {"gitea": "gitea-swagger2"}


def load_spec(folders: list[Path], name: str) -> tuple[Path, dict] | None:
    stems = [STEMS.get(name, name), name]
    for specs in folders:
        for stem in stems:
            for ext in (".json", ".yaml", ".yml"):
                p = specs / f"{stem}{ext}"
                if p.is_file():
                    text = p.read_text(encoding="utf-8")
                    return p, (json.loads(text) if ext == ".json" else yaml.safe_load(text))
    return None


def operations(doc: dict) -> set[str]:
    ops = set()
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in item:
            if method.upper() in METHODS:
                ops.add(f"{method.upper()} {path}")
    return ops


def check_file(f: Path, folders: list[Path], seen_ids: dict[str, Path], errors: list[str]) -> str | None:
    def bad(msg: str) -> None:
        errors.append(f"{f.name}: {msg}")

    try:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        bad(f"not valid YAML ({str(e).splitlines()[0]})")
        return None
    if not isinstance(data, dict):
        bad("top level is not a mapping")
        return None
    name = data.get("spec")
    if not isinstance(name, str) or not name:
        bad("missing 'spec'")
        return None
    if "written" not in data:
        bad("missing 'written'")
    tasks = data.get("tasks")
    if not isinstance(tasks, list):
        bad("missing 'tasks' list")
        return None
    loaded = load_spec(folders, name)
    if loaded is None:
        where = " or ".join(str(d) for d in folders) or "no specs folder"
        return f"{f.name}: skipped, no spec file for '{name}' in {where}"
    ops = operations(loaded[1])

    held = fresh = 0
    for n, t in enumerate(tasks, 1):
        if not isinstance(t, dict):
            bad(f"task #{n} is not a mapping")
            continue
        tid = t.get("id")
        where = tid or f"task #{n}"
        if not isinstance(tid, str) or not re.fullmatch(rf"{re.escape(name)}-\d{{3,}}", tid):
            bad(f"{where}: id should look like {name}-{n:03d}")
        elif tid in seen_ids:
            bad(f"{tid}: duplicate id (also in {seen_ids[tid].name})")
        else:
            seen_ids[tid] = f
            if int(tid.rsplit("-", 1)[1]) != n:
                bad(f"{tid}: out of sequence, expected {name}-{n:03d}")
        q = t.get("query")
        if not isinstance(q, str) or not q.strip():
            bad(f"{where}: empty query")
        split = t.get("split")
        if split == "fresh":
            fresh += 1
        elif split not in ("tune", "held_out"):
            bad(f"{where}: split is {split!r}, must be tune, held_out or fresh")
        elif fresh:
            bad(f"{where}: a {split} task after fresh ones; fresh tasks come last")
        else:
            want = "held_out" if n % 3 == 0 else "tune"
            if split != want:
                bad(f"{where}: split is {split}, the every-third rule says {want}")
            held += split == "held_out"
        exp = t.get("expect")
        if not isinstance(exp, list) or not exp:
            bad(f"{where}: expect must be a non-empty list")
            continue
        if len(set(map(str, exp))) != len(exp):
            bad(f"{where}: expect lists an operation twice")
        for e in exp:
            m = re.fullmatch(r"([A-Z]+) (/\S*)", e) if isinstance(e, str) else None
            if not m or m.group(1) not in METHODS:
                bad(f"{where}: {e!r} is not 'METHOD /path'")
            elif ops is not None and e not in ops:
                bad(f"{where}: {e} is not an operation of {loaded[0].name}")

    first = len(tasks) - fresh
    if first < MIN_TASKS:
        bad(f"{first} tasks besides the fresh ones, need at least {MIN_TASKS}")
    if first and not 0.28 <= held / first <= 0.39:
        bad(f"{held}/{first} held_out, should be about a third")
    return f"{f.name}: {len(tasks)} tasks, {first - held} tune, {held} held_out, {fresh} fresh"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--specs",
        type=Path,
        default=REPO.parent / "shared" / "specs",
        help="folder holding the spec files (default: ../shared/specs from the repo root)",
    )
    ap.add_argument(
        "--extra-specs",
        type=Path,
        default=Path(os.environ["MCPGEN_EXTRA_SPECS"]) if os.environ.get("MCPGEN_EXTRA_SPECS") else None,
        help="another folder of spec files, searched after --specs (default: $MCPGEN_EXTRA_SPECS, else none)",
    )
    ap.add_argument("--tasks", type=Path, default=HERE / "tasks", help="folder of task YAML files")
    args = ap.parse_args(argv)
    if not args.specs.is_dir():
        print(f"specs folder not found: {args.specs}")
        return 1
    if args.extra_specs is not None and not args.extra_specs.is_dir():
        print(f"extra specs folder not found: {args.extra_specs}")
        return 1
    folders = [args.specs] + ([args.extra_specs] if args.extra_specs is not None else [])
    files = sorted(args.tasks.glob("*.yaml"))
    if not files:
        print(f"no task files in {args.tasks}")
        return 1
    errors: list[str] = []
    seen: dict[str, Path] = {}
    summaries = [s for f in files if (s := check_file(f, folders, seen, errors))]
    if errors:
        for e in errors:
            print(e)
        return 1
    for s in summaries:
        print(s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
