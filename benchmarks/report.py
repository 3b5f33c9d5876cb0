"""The results table: rows of formatted values with goals judged, as Markdown for the console and README."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DASH = "—"
START_MARKER = "<!-- benchmark-results:start -->"
END_MARKER = "<!-- benchmark-results:end -->"
COLUMNS = ("spec", "measure", "mcpgen", "compared with", "its value", "mcpgen / it", "goal")


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def duration(value: float) -> str:
    """A latency: milliseconds below a second, seconds above."""
    return f"{value * 1000:.1f} ms" if value < 1 else seconds(value)


def size(value: float) -> str:
    """Bytes in decimal units (1 MB = 1,000,000 bytes)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if value >= scale:
            scaled = value / scale
            return f"{scaled:.1f} {unit}" if scaled >= 100 else f"{scaled:.2f} {unit}"
    return f"{value:.0f} B"


def count(value: int) -> str:
    return f"{value:,}"


def ratio(mine: float, theirs: float) -> float:
    return mine / theirs if theirs else float("inf")


def times(value: float) -> str:
    return f"{value:.2f}×" if value < 100 else f"{value:.0f}×"


def verdict(goal: str, met: bool) -> str:
    return f"{goal}: met" if met else f"{goal}: **missed**"


@dataclass(frozen=True)
class Row:
    spec: str
    measure: str
    mcpgen: str
    peer: str = DASH
    peer_value: str = DASH
    ratio: str = DASH
    goal: str = DASH

    def cells(self) -> tuple[str, ...]:
        return (self.spec, self.measure, self.mcpgen, self.peer, self.peer_value, self.ratio, self.goal)


def compared(
    spec: str, measure: str, mine: float, peer: str, theirs: float, fmt, goal_ratio: float | None = None
) -> Row:
    """A row comparing mcpgen's value with a peer's, judged against `goal_ratio` (mcpgen / peer) if given."""
    value = ratio(mine, theirs)
    goal = verdict(f"≤ {goal_ratio}×", value <= goal_ratio) if goal_ratio is not None else DASH
    return Row(spec, measure, fmt(mine), peer, fmt(theirs), times(value), goal)


@dataclass
class Section:
    title: str
    how: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", self.how, ""]
        if self.rows:
            lines.append("| " + " | ".join(COLUMNS) + " |")
            lines.append("|" + "---|" * len(COLUMNS))
            lines.extend(
                "| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells()) + " |"
                for row in self.rows
            )
        else:
            lines.append("Nothing was measured.")
        if self.notes:
            lines.append("")
            lines.extend(f"- {note}" for note in self.notes)
        return "\n".join(lines)


class NotMeasured(list[str]):
    """Why something was not measured; each reason is also printed the moment it is known."""

    def append(self, reason: str) -> None:
        print(f"[bench] not measured: {reason}", file=sys.stderr, flush=True)
        super().append(reason)


@dataclass
class Report:
    facts: list[str]
    sections: list[Section]
    skipped: list[str]

    def markdown(self) -> str:
        parts = ["\n".join(f"- {fact}" for fact in self.facts)]
        parts.extend(section.markdown() for section in self.sections)
        if self.skipped:
            parts.append("### Not measured\n\n" + "\n".join(f"- {reason}" for reason in self.skipped))
        return "\n\n".join(parts)


def write_into_readme(readme: Path, markdown: str) -> None:
    """Replace what lies between the result markers of `readme` with `markdown`."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START_MARKER) + ".*?" + re.escape(END_MARKER), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(
            f"{readme} has no {START_MARKER} ... {END_MARKER} markers to write the results between"
        )
    block = f"{START_MARKER}\n{markdown}\n{END_MARKER}"
    readme.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
