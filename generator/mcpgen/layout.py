"""Layout stage: modular (v2.1) or monolithic (v2.0), and where each runtime module lives."""

from __future__ import annotations

from dataclasses import dataclass

from .ir.model import LayoutName, Project

MODULAR_MIN_TOOLS = 5

MODULES: dict[str, dict[str, str]] = {
    "modular": {
        "server": "src.server",
        "tools": "src.tools",
        "models": "src.schemas.models",
        "errors": "src.schemas.errors",
        "config": "src.config",
        "client": "src.client",
        "identity": "src.identity",
        "invoke": "src.invoke",
        "logs": "src.logs",
        "serving": "src.serving",
    },
    "monolithic": {
        "server": "main",
        "tools": "tools",
        "models": "schemas",
        "errors": "errors",
        "config": "config",
        "client": "client",
        "identity": "identity",
        "invoke": "invoke",
        "logs": "logs",
        "serving": "serving",
    },
}


@dataclass(frozen=True)
class Layout:
    name: LayoutName
    reason: str

    @property
    def modules(self) -> dict[str, str]:
        return MODULES[self.name]

    def tool_module(self, module: str) -> str:
        """The dotted module that defines a tool function."""
        return f"{self.modules['tools']}.{module}" if self.name == "modular" else self.modules["tools"]


def decide_layout(project: Project, requested: str = "auto") -> Layout:
    rule, reason = _rule(project)
    if requested in ("modular", "monolithic"):
        return Layout(requested, f"chosen with --layout (the rule would pick {rule}: {reason})")  # type: ignore[arg-type]
    return Layout(rule, reason)  # type: ignore[arg-type]


def _rule(project: Project) -> tuple[str, str]:
    count = len(project.tools)
    if project.auth.pattern == "service-to-service":
        return "modular", "Pattern 4 (service-to-service) uses the modular layout"
    if count >= MODULAR_MIN_TOOLS:
        return "modular", f"{count} tools (5 or more use the modular layout)"
    return "monolithic", f"{count} tool{'s' if count != 1 else ''} (fewer than 5 use the monolithic layout)"
