"""Exposure: how the tools reach an assistant, and the context budget that `auto` decides by.

`all` registers one MCP tool per operation; `discover` registers search_operations, describe_operation and
call_operation (and the pinned tools), which reach every operation. `auto` is `all` when the full tool list
fits the budget, else `discover`.

The size of the full tool list is measured, not guessed: the generated server lists its own tools
(`src.surface`, which also writes mcp-tools.lock), so the decision and the lock agree by construction. With
`auto`, the project is rendered in `discover` first, where the operations server measures the full list
too; only an API whose full list fits is rendered again, in `all`, and those are the small ones.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from .contract import Answers, ExposureData
from .errors import MCPGenError

Mode = Literal["all", "discover"]
MODES = ("all", "discover", "auto")
DEFAULT_BUDGET = 30_000
DISCOVERY_TOOLS = ("search_operations", "describe_operation", "call_operation")


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


def first_mode(requested: str) -> Mode:
    """The mode to render first: `auto` starts in `discover`, which can measure the full list as well."""
    return "all" if requested == "all" else "discover"


def decide(requested: str, budget: int, full_tokens: int | None, tools: int) -> Exposure:
    """The mode for `requested` given the full tool list's estimated tokens."""
    size = f"{full_tokens:,} tokens" if full_tokens is not None else "not measured"
    if requested in ("all", "discover"):
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
            raise MCPGenError(f"--pin {pin}: the project has no tool of that name", hint=fix)


def with_exposure(answers: Answers, mode: Mode, requested: str, budget: int, pins: list[str]) -> Answers:
    """The answers rendered in `mode`."""
    exposure = ExposureData(mode=mode, requested=requested, budget=budget, pins=sorted(set(pins)))
    return answers.model_copy(update={"exposure": exposure})
