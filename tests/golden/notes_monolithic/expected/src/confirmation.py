"""The user's confirmation before a destructive tool runs (projects generated with --confirm-destructive).

The server asks the user itself, through MCP elicitation, whenever the client can show a question: on
2026-07-28 connections by answering the call with an input request that the client puts to the user before
calling again (this works in stateless http mode too), on older ones by a server-to-client request. The
question carries state naming the call it asks about, which the MCP layer seals: an answer is accepted only
with it, so a call sent with a confirmation already filled in is asked like any other. (Replicas behind one
address each seal with a key of their own: an answer that reaches another replica is refused, safely.) The
tool's `confirm` argument is read only when the client cannot ask: then the assistant must ask the user in
the conversation and call again with confirm=true. An assistant could set it without asking; clients with
elicitation never give it that chance.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import mcp_types
from fastmcp import Context
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from .errors import BackendError

if TYPE_CHECKING:
    from .invoke import Operation

# The key of our question among the input requests of a call, and of its answer among the responses.
QUESTION = "confirm_destructive"
_ANSWER_SCHEMA = {
    "type": "object",
    "properties": {
        "confirm": {"type": "boolean", "title": "Go ahead", "description": "This cannot be undone."}
    },
    "required": ["confirm"],
}
# An argument value longer than this is cut in the question: the user needs to recognise it, not read it all.
_SHOWN_VALUE = 80


async def confirm_destructive(
    ctx: Context, operation: "Operation", arguments: Mapping[str, Any], confirm: bool
) -> mcp_types.InputRequiredResult | None:
    """None when the call may go ahead; an input request for the client to put to the user; or a typed error
    (declined, or no way to ask and no confirm=true)."""
    question = _question(operation, arguments)
    asked = _asked(operation, arguments)
    answers = ctx.input_responses
    # An answer counts only with the state this server sent with its question (sealed by the MCP layer, so a
    # client cannot forge it): a call that arrives already "confirmed" is asked like any other.
    if answers is not None and QUESTION in answers and ctx.request_state == asked:
        _check_answer(operation, answers[QUESTION])
        return None
    session = ctx.session
    capabilities = session.client_capabilities
    if capabilities is not None and capabilities.elicitation is not None:
        if session.protocol_version in MODERN_PROTOCOL_VERSIONS:
            request = mcp_types.ElicitRequest(
                params=mcp_types.ElicitRequestFormParams(
                    message=question, requested_schema=_ANSWER_SCHEMA
                )
            )
            return mcp_types.InputRequiredResult(
                input_requests={QUESTION: request}, request_state=asked
            )
        if session.can_send_request:
            result = await ctx.elicit(question, response_type=bool, response_title="Go ahead")
            answer = mcp_types.ElicitResult(
                action=result.action, content={"confirm": getattr(result, "data", False) is True}
            )
            _check_answer(operation, answer)
            return None
    if confirm:
        return None
    raise BackendError(
        "validation_error",
        f"{operation.tool} cannot be undone, so it runs only once the user has confirmed it, and this MCP "
        "client cannot ask them. Ask the user in the conversation whether to go ahead: " + question,
        details={
            "confirmation_required": True,
            "fields": [
                {
                    "field": "confirm",
                    "location": "argument",
                    "message": "true once the user has confirmed",
                }
            ],
        },
        hints=(
            f"Only after the user has said yes, call {operation.tool} again with the same arguments and confirm=true.",
            "Never set confirm=true without asking the user first.",
        ),
    )


def _asked(operation: "Operation", arguments: Mapping[str, Any]) -> str:
    """The state sent with the question: it names the call asked about, so an answer fits no other call."""
    call = json.dumps([operation.tool, dict(arguments)], sort_keys=True, default=str)
    return f"{QUESTION}:{hashlib.sha256(call.encode()).hexdigest()}"


def _question(operation: "Operation", arguments: Mapping[str, Any]) -> str:
    shown = ", ".join(
        f"{name}={_shown(value)}" for name, value in arguments.items() if value is not None
    )
    target = f" with {shown}" if shown else ""
    return f"Run {operation.tool} ({operation.method} {operation.path}){target}? This cannot be undone."


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN_VALUE else text[:_SHOWN_VALUE] + "…"


def _check_answer(operation: "Operation", answer: Any) -> None:
    accepted = (
        isinstance(answer, mcp_types.ElicitResult)
        and answer.action == "accept"
        and (answer.content or {}).get("confirm") is True
    )
    if not accepted:
        raise BackendError(
            "authorization_error",
            f"The user did not confirm {operation.tool}, so it did not run; nothing was changed.",
            details={"confirmed": False},
            hints=("Do not retry unless the user asks for it again.",),
        )
