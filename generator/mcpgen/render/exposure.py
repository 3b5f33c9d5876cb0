"""Exposure: how the tools reach an assistant, and the context budget that `auto` decides by.

`all` registers one MCP tool per operation; `discover` registers search_operations, describe_operation and
call_operation (and the pinned tools), which reach every operation; `code` registers search_operations,
describe_operation and execute, which runs a short Python program calling the operations as functions, in a
sandbox (only when asked for). `auto` is `all` when the full tool list fits the budget, else `discover`.

The size of the full tool list is measured, not guessed: the generated server lists its own tools
(`src.surface`, which also writes mcp-tools.lock; in `discover` its operations server lists the full list),
so the decision and the lock agree by construction. `auto` renders in `all` and measures; only a list above
the budget is rendered again, in `discover`. An API whose list is certainly above the budget skips the
first render: `minimum_tokens` is a lower bound of the full list's size computed from the answers alone.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass
from typing import Literal

from ..errors import MCPGenError
from .contract import Answers, ExposureData

Mode = Literal["all", "discover", "code"]
MODES = ("all", "discover", "code", "auto")
DEFAULT_BUDGET = 30_000
DISCOVERY_TOOLS = ("search_operations", "describe_operation", "call_operation")
CODE_TOOLS = ("search_operations", "describe_operation", "execute")


@dataclass(frozen=True)
class Exposure:
    """The exposure chosen for a project, and why."""

    mode: Mode
    requested: str
    reason: str
    budget: int
    tokens: int | None  # the full tool list, in estimated tokens (None when not measured)

    def summary(self) -> dict:
        return {
            "mode": self.mode,
            "requested": self.requested,
            "reason": self.reason,
            "budget": self.budget,
            "tokens": self.tokens,
        }


# Every tool lists its four hints; the values do not change the size much, and "false" is the longest.
_ANNOTATIONS = {
    "readOnlyHint": False,
    "destructiveHint": False,
    "idempotentHint": False,
    "openWorldHint": False,
}
# Of the description's text, at least this share reaches tools/list: the docstring wraps it, and whitespace at
# the wrapping points may be dropped.
_KEPT_TEXT = 0.9


def minimum_tokens(answers: Answers) -> int:
    """A lower bound of the full tool list's estimated tokens (bytes of each tool's JSON / 4, rounded up, as
    src/surface.py counts them): each tool's name, title, the text of its description, its argument names
    and their descriptions, and its annotations. The real list has all that and more (types, examples,
    output schemas), so a bound above the budget means `discover` for certain."""
    total = 0
    for tool in answers.tools:
        params = [answers.parameters[key] for key in tool.params]
        entry = {
            "name": tool.name,
            "title": tool.title,
            "inputSchema": {"properties": {p.name: {"description": p.description} for p in params}},
            "annotations": _ANNOTATIONS,
        }
        size = len(json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode())
        text = len((tool.title + tool.description).encode())
        total += math.ceil((size + int(text * _KEPT_TEXT)) / 4)
    return total


def first_mode(requested: str, answers: Answers, budget: int) -> Mode:
    """The mode to render first: the one asked for; with `auto`, `all` unless even the lower bound of the
    full list is above the budget."""
    if requested in ("all", "discover", "code"):
        return requested  # type: ignore[return-value]
    return "discover" if minimum_tokens(answers) > budget else "all"


def decide(requested: str, budget: int, full_tokens: int | None, tools: int) -> Exposure:
    """The mode for `requested` given the full tool list's estimated tokens."""
    size = f"{full_tokens:,} tokens" if full_tokens is not None else "not measured"
    if requested in ("all", "discover", "code"):
        reason = f"--tools {requested} was asked for (the full tool list of {tools} tools is {size})"
        return Exposure(requested, requested, reason, budget, full_tokens)  # type: ignore[arg-type]
    if full_tokens is None or full_tokens <= budget:
        reason = f"the full tool list of {tools} tools ({size}) fits the context budget of {budget:,} tokens"
        return Exposure("all", requested, reason, budget, full_tokens)
    reason = (
        f"the full tool list of {tools} tools ({size}) is above the context budget of {budget:,} tokens; "
        "three discovery tools reach every operation"
    )
    return Exposure("discover", requested, reason, budget, full_tokens)


def check_exposure_options(requested: str, budget: int, pins: list[str], tool_names: list[str]) -> None:
    """One-line errors for a mode, budget or pinned tool that cannot be."""
    if requested not in MODES:
        raise MCPGenError(
            f"--tools must be one of {', '.join(MODES)} (got {requested!r})", hint="use --tools auto"
        )
    if budget <= 0:
        raise MCPGenError(
            f"--context-budget must be a positive number of tokens (got {budget})",
            hint=f"use --context-budget {DEFAULT_BUDGET}",
        )
    known = set(tool_names)
    for pin in pins:
        if pin not in known:
            close = difflib.get_close_matches(pin, sorted(known), n=1)
            fix = f"did you mean --pin {close[0]}?" if close else "pin one of the tools `mcpgen diff` lists"
            raise MCPGenError(
                f"--pin {pin}: the project has no tool of that name",
                hint=f"{fix}; pins are kept in mcpgen.yaml, so remove it there if the API dropped it",
            )


def with_exposure(answers: Answers, mode: Mode, requested: str, budget: int, pins: list[str]) -> Answers:
    """The answers rendered in `mode`."""
    exposure = ExposureData(mode=mode, requested=requested, budget=budget, pins=sorted(set(pins)))
    return answers.model_copy(update={"exposure": exposure})
