"""`mcpgen answers`: the Copier answers a spec gives, for `copier copy --data-file`."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from ..generate import prepare, resolve_exposure
from .common import run
from .options import (
    BaseUrlOpt,
    BudgetOpt,
    ConfirmOpt,
    DeprecatedOpt,
    ExcludeOpOpt,
    ExcludeOpt,
    ExcludePathOpt,
    IdentityOpt,
    IncludeOpOpt,
    IncludeOpt,
    IncludePathOpt,
    LayoutOpt,
    MaxToolsOpt,
    NameOpt,
    PatternOpt,
    PinOpt,
    RemoteOpt,
    ScopeOpt,
    Selection,
    SpecArg,
    ToolsOpt,
    make_request,
)


def answers(
    spec: SpecArg,
    name: NameOpt = None,
    pattern: PatternOpt = "auto",
    layout: LayoutOpt = "auto",
    base_url: BaseUrlOpt = None,
    identity_header: IdentityOpt = None,
    include_tag: IncludeOpt = None,
    exclude_tag: ExcludeOpt = None,
    include_path: IncludePathOpt = None,
    exclude_path: ExcludePathOpt = None,
    include_op: IncludeOpOpt = None,
    exclude_op: ExcludeOpOpt = None,
    exclude_deprecated: DeprecatedOpt = None,
    max_tools: MaxToolsOpt = None,
    allow_remote_refs: RemoteOpt = False,
    scope: ScopeOpt = None,
    confirm_destructive: ConfirmOpt = None,
    tools: ToolsOpt = None,
    pin: PinOpt = None,
    context_budget: BudgetOpt = None,
) -> None:
    """Print the Copier answers for SPEC, for `copier copy --trust --defaults --data-file`.

    With --tools auto (the default) the tool list is measured by rendering the project once in a scratch
    folder, so that the answers record the mode it needs."""
    selection = Selection(include_path, exclude_path, include_op, exclude_op, exclude_deprecated, max_tools)
    request = make_request(
        spec,
        Path("."),
        name,
        pattern,
        layout,
        base_url,
        identity_header,
        include_tag,
        exclude_tag,
        allow_remote_refs,
        scope,
        confirm_destructive,
        selection,
        tools,
        pin,
        context_budget,
    )

    def resolved():
        answers, _ = resolve_exposure(request, prepare(request))
        return answers

    answers = run(resolved)
    sys.stdout.write(yaml.safe_dump(answers.data(), sort_keys=False, allow_unicode=True))
