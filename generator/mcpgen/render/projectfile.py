"""`mcpgen.yaml`: how a project is generated, kept in the project so that every later update does the same.

mcpgen writes it on the first generation and rewrites it when an update changes an option; between updates
it is the user's to edit. Options given on the command line win over the file and are written back to it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..errors import MCPGenError

PROJECT_FILE = "mcpgen.yaml"


def _answer_budget(value: int) -> int:
    if value < 0 or 0 < value < 500:
        raise ValueError("a budget is 0 (none) or at least 500 tokens")
    return value


AnswerBudget = Annotated[int, Field(strict=True), AfterValidator(_answer_budget)]

_HEADER = """\
# How mcpgen generates this project. Every `mcpgen update` reads this file; edit it to change what the next
# update does (command-line options win and are written back). Curate the tools here, too:
#   rename: {tool_or_operationId: new_name}, descriptions: {tool: text}, exclude_operations: [tool, ...]
#   budgets: {tool: tokens}: the most one answer of the tool may cost (0: no budget; default
#   RESPONSE_TOKEN_BUDGET, 25000)
#   transform: {tool: {title, description, annotations, arguments: {arg: {rename, description, default,
#   hide, default_from}}}}: how each tool is shaped for the assistant
# See mcpgen's docs/CLI.md, "Choosing and curating the tools".
"""


class ProjectOptions(BaseModel):
    """The generation options worth keeping: each is a choice about what the server is, not about one run."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    pattern: str = "auto"
    layout: str = "auto"
    base_url: str | None = None
    identity_headers: list[str] = Field(default_factory=list)
    # Which operations become tools (docs/CLI.md, "Choosing the tools"): tags, path globs, operations by
    # operationId or tool name (`--include-op`, `mcpgen add-tool`: kept whatever the other filters say).
    include_tags: list[str] = Field(default_factory=list)
    exclude_tags: list[str] = Field(default_factory=list)
    include_paths: list[str] = Field(default_factory=list)
    exclude_paths: list[str] = Field(default_factory=list)
    include_operations: list[str] = Field(default_factory=list)
    exclude_operations: list[str] = Field(default_factory=list)
    exclude_deprecated: bool = False
    max_tools: int | None = Field(default=None, ge=1)
    # Curation, edited by hand: tool name (or operationId) → its new name; tool → the description an
    # assistant reads instead of the spec's.
    rename: dict[str, str] = Field(default_factory=dict)
    descriptions: dict[str, str] = Field(default_factory=dict)
    # Tool name or "tag:<tag>" → the OAuth scopes a caller needs, replacing the spec's (`--scope`).
    scopes: dict[str, list[str]] = Field(default_factory=dict)
    # DELETE tools ask the user first (`--confirm-destructive`).
    confirm_destructive: bool = False
    # How the tools reach an assistant (`--tools`): all, discover, code or auto (decided by `context_budget`).
    tools: str = "auto"
    # Tools registered directly beside the discovery tools (`--pin`).
    pins: list[str] = Field(default_factory=list)
    # Estimated tokens the exposed tools/list should stay within (`--context-budget`).
    context_budget: int = 30000
    # How search_operations ranks (`--search`): lexical, or semantic too (vectors made at generation time).
    search: Literal["lexical", "semantic"] = "lexical"
    # Tool → the token budget of its answers, instead of RESPONSE_TOKEN_BUDGET (0: none for that tool).
    budgets: dict[str, AnswerBudget] = Field(default_factory=dict)
    # Tool → how it is shaped for the assistant: its arguments renamed, described, defaulted or hidden, its
    # title, description and hints (docs/CLI.md, "Transforming tools"); checked by ir/transform.py.
    transform: dict[str, Any] = Field(default_factory=dict)

    def merged(self, overrides: dict[str, Any]) -> ProjectOptions:
        """These options with every override that was actually given (not None, not empty)."""
        given = {key: value for key, value in overrides.items() if value not in (None, [], (), {})}
        return self.model_copy(update=given)


def read_options(project: Path) -> ProjectOptions | None:
    path = project / PROJECT_FILE
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict) and "tools" not in data:
            # Written before exposure modes: the project lists every tool, and an update keeps it so.
            data["tools"] = "all"
        return ProjectOptions.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        first = exc.errors()[0] if isinstance(exc, ValidationError) else None
        where = "/" + "/".join(str(part) for part in first["loc"]) if first else None
        message = first["msg"] if first else str(exc).splitlines()[0]
        raise MCPGenError(
            f"cannot be read: {message}", file=str(path), pointer=where, hint="fix it or delete it"
        ) from None


def options_text(options: ProjectOptions) -> str:
    data = options.model_dump(mode="json")
    if not data["transform"]:
        del data["transform"]  # written once used, like the curation it is
    return _HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)


def write_options(project: Path, options: ProjectOptions) -> bool:
    """Write the file when its content changes; whether it did."""
    path = project / PROJECT_FILE
    text = options_text(options)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
