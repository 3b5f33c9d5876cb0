"""Rewrite every tests/golden/<case>/expected tree: `python -m tests.golden.regen`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

from mcpgen.generate import Request, Result, generate
from mcpgen.render import DEFAULT_STORE

GOLDEN = Path(__file__).parent
# Whatever store this run uses, the goldens record the one every user has.
TEMPLATE_SRC = DEFAULT_STORE


def cases() -> list[str]:
    return sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.yaml").exists())


def case_options(case: str) -> dict:
    """The Request options the case's `options.yaml` gives, if it has one."""
    options_file = GOLDEN / case / "options.yaml"
    return yaml.safe_load(options_file.read_text(encoding="utf-8")) if options_file.exists() else {}


def render_case(case: str, out: Path) -> Result:
    options = case_options(case)
    return generate(
        Request(
            spec=str(GOLDEN / case / "spec.yaml"), out=out, force=True, template_src=TEMPLATE_SRC, **options
        )
    )


def main() -> int:
    for case in cases():
        expected = GOLDEN / case / "expected"
        shutil.rmtree(expected, ignore_errors=True)
        render_case(case, expected)
        print(f"rewrote {expected.relative_to(GOLDEN.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
