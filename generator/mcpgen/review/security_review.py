"""SECURITY_REVIEW.md, written from the generated files after rendering and formatting: every claim it makes
comes from reading the code (with `ast` or line by line), and every `file:line` it cites quotes that line.

`write_security_review(project_dir, answers)` is the one entry point: generation calls it on the staged tree,
and an update calls it again on the updated project. It reads nothing but the project folder and the answers.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .. import __version__
from ..ir import credential_env, patterns
from ..render import load_answers
from .code_scan import (
    ANSWERS_FILE,
    REVIEW_FILE,
    SECRET_MIN_ENTROPY,
    SECRET_MIN_LENGTH,
    SPEC_COPIES,
    ProjectFiles,
    Ref,
    called_name,
    calls_of,
    hard_coded_secrets,
    is_logging_call,
    read_project,
    reads_credential,
)
from .tool_risk import ToolRisk, tool_risks

Status = Literal["pass", "review", "fail", "n/a"]

# The command the review prints, and runs itself (line by line, as grep does) over src/ at generation time.
LOG_GREP_PATTERN = (
    r"(logger|audit|logging)\.(debug|info|warning|error|exception|critical|log)\("
    r".*(get_secret_value|service_auth_token|backend_api_key|backend_token|backend_password)"
)
LOG_GREP_COMMAND = f'grep -rnE "{LOG_GREP_PATTERN}" src/'
_AUDIT_FIELDS = ("tool", "user_id", "outcome", "duration_ms")


@dataclass
class Check:
    """One row of the compliance summary."""

    control: str
    status: Status
    evidence: str


def write_security_review(
    project_dir: Path, answers: Any = None, parsed: Mapping[str, tuple[bytes, ast.Module]] | None = None
) -> Path:
    """Write SECURITY_REVIEW.md into `project_dir` from its files; `answers` is a contract.Answers, its data,
    or None to read the project's .copier-answers.yml. `parsed`: the modules' trees already parsed (see
    code_scan.read_project)."""
    data = _answers_data(project_dir, answers)
    project = read_project(project_dir, data, parsed)
    path = project_dir / REVIEW_FILE
    path.write_text(render_review(project), encoding="utf-8")
    return path


def _answers_data(project_dir: Path, answers: Any) -> Mapping[str, Any]:
    if answers is None:
        loaded = load_answers(project_dir / ANSWERS_FILE)
        return {key: value for key, value in loaded.items() if not key.startswith("_")}
    if hasattr(answers, "data"):
        return answers.data()
    return answers


# ---------------------------------------------------------------------------------------------------------
# The checks. Each returns its section's Markdown lines and its row of the compliance summary.


def _constant_time(project: ProjectFiles) -> tuple[list[str], Check]:
    uses = []
    for source in project.python():
        for node in source.nodes:
            if isinstance(node, ast.Call) and called_name(node) == "compare_digest":
                uses.append(source.ref(node.lineno))
    plain = _plain_secret_comparisons(project)
    lines = []
    if uses:
        lines.append(
            "Secrets are compared with `hmac.compare_digest`, whose time does not depend on where the inputs"
        )
        lines.append("differ:")
        lines += [f"- {ref}" for ref in uses]
    else:
        lines.append(
            "No code in this project compares a secret: the backend checks the credential this "
            "server sends, and in "
            "http mode FastMCP's JWT verifier checks signatures."
        )
    if plain:
        lines.append("")
        lines.append("Comparisons with `==` or `!=` that involve a credential-like name (check each):")
        lines += [f"- {ref}" for ref in plain]
    else:
        lines.append("")
        lines.append("No `==` or `!=` comparison involves a credential-like name.")
    # Pattern 4's backend checks the service token: that comparison must be the constant-time one, whatever
    # else (the metrics token) is compared so.
    in_backend = [ref for ref in uses if ref.file.startswith("backend_patches/")]
    if project.answers.get("pattern") == "service-to-service" and not in_backend:
        status: Status = "fail"
    elif plain:
        status = "review"
    else:
        status = "pass" if uses else "n/a"
    evidence = (
        f"{len(uses)} `compare_digest` use(s), {len(plain)} plain comparison(s) of credential-like names"
    )
    return lines, Check("Constant-time comparison of secrets", status, evidence)


def _plain_secret_comparisons(project: ProjectFiles) -> list[Ref]:
    found = []
    credential = re.compile(r"(?i)token|secret|api_?key|password")
    for source in project.python():
        for node in source.nodes:
            if not isinstance(node, ast.Compare) or not any(
                isinstance(op, ast.Eq | ast.NotEq) for op in node.ops
            ):
                continue
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Constant) for o in operands):
                continue  # against a literal (None, "unknown"): not a secret comparison
            if any(credential.search(ast.unparse(o)) for o in operands):
                found.append(source.ref(node.lineno))
    return found


def _logging(project: ProjectFiles) -> tuple[list[str], Check]:
    grep = re.compile(LOG_GREP_PATTERN)
    grep_hits = [
        source.ref(number)
        for source in project.python("src/")
        for number, line in enumerate(source.lines, start=1)
        if grep.search(line)
    ]
    calls, leaking = 0, []
    for source in project.python("src/"):
        for node in source.nodes:
            if isinstance(node, ast.Call) and is_logging_call(node):
                calls += 1
                arguments = [*node.args, *(k.value for k in node.keywords)]
                if any(reads_credential(argument) for argument in arguments):
                    leaking.append(source.ref(node.lineno))
    protected = [ref for source in project.python("src/") for ref in calls_of(source, "protect")]
    redaction = project.find(r"^_install_redaction\(\)")
    lines = [
        "Run in this folder:",
        "",
        "```bash",
        LOG_GREP_COMMAND,
        "```",
        "",
        f"At generation time it printed {'nothing' if not grep_hits else f'{len(grep_hits)} line(s)'}: "
        + ("no logging call on one line reads a credential." if not grep_hits else "see below."),
    ]
    lines += [f"- {ref}" for ref in grep_hits]
    lines.append(
        f"mcpgen also parsed all {calls} logging calls in `src/` (calls that span lines included): "
        + (
            "none passes a credential's value."
            if not leaking
            else f"{len(leaking)} pass a credential's value:"
        )
    )
    lines += [f"- {ref}" for ref in leaking]
    lines += [
        "",
        "What keeps a credential out of the logs even when code (this project's or a library's) logs it:",
    ]
    if redaction:
        lines.append(
            f"- every log record is redacted where it is created, before any handler sees it: {redaction}"
        )
    lines += [f"- the secret is registered for redaction where it is read: {ref}" for ref in protected]
    lines += [
        "",
        "At run time: `uv run pytest -q tests/integration/test_logging.py "
        "tests/unit/test_log_safety.py` (part",
        "of the project's tests) logs the credentials through every path and finds none in the output.",
    ]
    status: Status = "fail" if grep_hits or leaking else "pass"
    evidence = (
        f"grep: {len(grep_hits)} match(es); {calls} logging calls parsed, {len(leaking)} read a credential"
    )
    return lines, Check("No token logging", status, evidence)


def _storage(project: ProjectFiles) -> tuple[list[str], Check]:
    pattern = project.answers.get("pattern", "none")
    variable = credential_env(pattern)
    fields = _secret_fields(project)
    findings, fixtures = hard_coded_secrets(project)
    ignore = project.files.get(".gitignore")
    ignored = ignore.find(r"^\.env$") if ignore else None
    lines = []
    if variable:
        lines.append(f"The backend credential `{variable}` is read from the environment or `.env` only:")
    else:
        lines.append(
            "This pattern sends no backend credential. Secret settings, read from the environment only:"
        )
    for ref, has_default in fields:
        lines.append(f"- {ref}" + (" (has a default: a secret must not)" if has_default else ""))
    if ignored:
        lines.append(f"- `.env` is ignored by git: {ignored}")
    in_spec = [(kind, ref) for kind, ref in findings if ref.file in SPEC_COPIES]
    in_code = [(kind, ref) for kind, ref in findings if ref.file not in SPEC_COPIES]
    example = f" ({len(fixtures)} such value(s), e.g. {fixtures[0]})" if fixtures else ""
    lines += [
        "",
        "Hard-coded secrets: every text file was scanned for known key formats (AWS, Stripe, OpenAI, "
        "GitHub, Slack, private keys, JWTs, mcpgen API keys), and Python string literals for token-like "
        f"values: at least {SECRET_MIN_LENGTH} characters of one token alphabet, mixing digits with lower- "
        f"and upper-case letters, with at least {SECRET_MIN_ENTROPY} bits of entropy per character.",
        "",
        "By rule, files under `tests/` are left out: they hold the fixtures the generated tests use against "
        f"a mock backend{example}. The spec copies (`openapi.json`, `.copier-answers.yml`) hold the API's "
        "published text: they are scanned for known key formats only, and what they hold is reported for "
        "review, since documentation examples are usually not live keys.",
        "",
        "Found in the code: " + ("nothing." if not in_code else f"{len(in_code)} value(s):"),
    ]
    lines += [f"- {kind}: {ref}" for kind, ref in in_code]
    if in_spec:
        lines += ["", f"Found in the spec copies ({len(in_spec)}), to check:"]
        lines += [f"- {kind}: {ref}" for kind, ref in in_spec]
    bad_fields = [ref for ref, has_default in fields if has_default]
    status: Status = "fail" if in_code or bad_fields else ("review" if in_spec else "pass")
    evidence = (
        f"{len(fields)} secret setting(s) without defaults; "
        f"{len(in_code)} hard-coded secret(s) outside tests/, {len(in_spec)} in the spec copies"
    )
    return lines, Check("Secrets stored in the environment only", status, evidence)


def _secret_fields(project: ProjectFiles) -> list[tuple[Ref, bool]]:
    source = project.files.get("src/config.py")
    found = []
    if source is None or source.tree is None:
        return found
    for node in source.nodes:
        if isinstance(node, ast.AnnAssign) and "SecretStr" in ast.unparse(node.annotation):
            # `= None` leaves an optional feature off; any other default would be a secret in the code.
            unset = node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None)
            found.append((source.ref(node.lineno), not unset))
    return found


def _audit(project: ProjectFiles) -> tuple[list[str], Check]:
    events = []
    for source in project.python("src/"):
        for node in source.nodes:
            if not (isinstance(node, ast.Call) and is_logging_call(node)):
                continue
            extra = next((k.value for k in node.keywords if k.arg == "extra"), None)
            if not isinstance(extra, ast.Dict):
                continue
            keys = [k.value for k in extra.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            event = next(
                (
                    v.value
                    for k, v in zip(extra.keys, extra.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "event" and isinstance(v, ast.Constant)
                ),
                None,
            )
            events.append((event, keys, source.ref(node.lineno)))
    lines = [
        "Structured records, as JSON lines on stderr, by event (fields read from each call's `extra`):",
        "",
    ]
    lines += ["| event | fields | where |", "|---|---|---|"]
    for event, keys, ref in sorted(events, key=lambda item: (str(item[0]), item[2].file, item[2].line)):
        lines.append(f"| `{event}` | {', '.join(f'`{k}`' for k in keys)} | `{ref.file}:{ref.line}` |")
    lines.append("")
    lines.append("Where each record is written:")
    lines += [f"- {ref}" for _, _, ref in sorted(events, key=lambda item: (item[2].file, item[2].line))]
    tool_call = next((keys for event, keys, _ in events if event == "tool_call"), [])
    missing = [name for name in _AUDIT_FIELDS if name not in tool_call]
    lines += [
        "",
        "Every tool call writes one `tool_call` record, success or failure, with who called "
        "which tool, the outcome "
        "(`success` or the error type) and the duration; arguments and answers are not logged, "
        "so their personal data "
        "stays out of the log.",
    ]
    status: Status = "pass" if tool_call and not missing else "fail"
    evidence = (
        f"`tool_call` records {', '.join(tool_call)}"
        if not missing
        else f"`tool_call` lacks {', '.join(missing)}"
    )
    return lines, Check("Audit logging", status, evidence)


def _input_validation(project: ProjectFiles) -> tuple[list[str], Check]:
    tools_under = "src/tools"
    functions = constrained = typed = 0
    for source in project.python(tools_under):
        for node in source.nodes:
            if isinstance(node, ast.AsyncFunctionDef) and node.args.args and node.args.args[0].arg == "ctx":
                functions += 1
                for argument in [*node.args.args[1:], *node.args.kwonlyargs]:
                    typed += argument.annotation is not None
                    text = ast.unparse(argument.annotation) if argument.annotation else ""
                    constrained += bool(re.search(r"\b(ge|le|gt|lt|min_length|max_length|pattern)=", text))
    models = sum(
        1
        for source in project.python("src/schemas")
        for node in source.nodes
        if isinstance(node, ast.ClassDef)
    )
    evidence_refs = [
        (
            "arguments FastMCP refuses become a `validation_error` before any request",
            r"except ArgumentsError",
        ),
        ("a path value cannot add path segments (`/`, `\\`, encoded forms)", r"^_PATH_STRUCTURE = "),
        ("header values must be visible ASCII", r"^_HEADER_VALUE = "),
        ("the backend's answer is validated against the declared type", r"validate_json\(content\)"),
        ("larger answers are refused unread", r"max_response_bytes: int"),
        ("redirects are not followed, so credentials cannot be sent elsewhere", r"follow_redirects=False"),
    ]
    lines = [
        f"{functions} tool functions with {typed} typed arguments, {constrained} of them with "
        "constraints from the "
        f"spec (ranges, lengths, patterns); {models} model and error classes in `src/schemas`. "
        "pydantic checks "
        "every argument before the tool runs.",
        "",
    ]
    found = 0
    for what, pattern in evidence_refs:
        ref = project.find(pattern)
        found += ref is not None
        lines.append(f"- {what}: {ref}" if ref else f"- {what}: not found in this code")
    status: Status = "pass" if found == len(evidence_refs) and typed else "review"
    return lines, Check(
        "Input validation", status, f"{typed} typed arguments; {found}/{len(evidence_refs)} guards found"
    )


def _error_sanitisation(project: ProjectFiles) -> tuple[list[str], Check]:
    evidence_refs = [
        ("unexpected exceptions reach the client as a generic message", r"mask_error_details=True"),
        ("backend error bodies are cut before any stack trace and redacted", r"^def sanitize_body\("),
        ("the stack trace markers recognised (Python, Java, .NET, Node.js, Go, PHP)", r"^_STACK_TRACE = "),
        ("at most this much of a backend body is shown", r"^MAX_BODY_CHARS = "),
        ("credentials are removed from error text", r"clean = redact\("),
        (
            "an error the tools did not classify says only that the server failed",
            r"The server failed while running",
        ),
    ]
    lines = [
        "Every failure reaches the assistant as `ErrorResponse` JSON (`error_type`, `message`, "
        "`details`, `suggestions`):",
        "",
    ]
    found = 0
    for what, pattern in evidence_refs:
        ref = project.find(pattern)
        found += ref is not None
        lines.append(f"- {what}: {ref}" if ref else f"- {what}: not found in this code")
    status: Status = "pass" if found == len(evidence_refs) else "review"
    return lines, Check("Error sanitisation", status, f"{found}/{len(evidence_refs)} safeguards found")


def _per_tool(project: ProjectFiles, risks: list[ToolRisk]) -> tuple[list[str], Check]:
    pattern = project.answers.get("pattern", "none")
    needs_user = pattern == "service-to-service"
    refusal = project.find(r"This call has no user identity")
    lines = [
        "| tool | operation | kind | URL arguments | PII-like fields | needs a user identity |",
        "|---|---|---|---|---|---|",
    ]
    for risk in risks:
        lines.append(
            f"| `{risk.name}` | `{_cell(risk.operation)}` | {risk.hints} | "
            f"{', '.join(f'`{u}`' for u in risk.urls) or '-'} | "
            f"{', '.join(f'`{p}`' for p in risk.pii) or '-'} | "
            f"{'yes' if needs_user else 'no'} |"
        )
    destructive = [r for r in risks if r.destructive]
    url_tools = [r for r in risks if r.urls]
    pii_tools = [r for r in risks if r.pii]
    lines += ["", "Kinds come from each registration's annotations in `src/server.py`."]
    if destructive:
        lines.append(f"Destructive tools ({len(destructive)}), which clients should confirm before running:")
        lines += [f"- {r.registration}" if r.registration else f"- `{r.name}`" for r in destructive]
    else:
        lines.append("No tool is destructive.")
    lines.append("")
    if url_tools:
        lines.append(
            "Arguments that take a URL are passed to the backend as they are: the backend must "
            "not fetch them "
            "unchecked (SSRF): " + ", ".join(f"`{r.name}`" for r in url_tools) + "."
        )
    else:
        lines.append("No argument takes a URL.")
    if pii_tools:
        lines.append(
            "Fields whose names suggest personal data travel through "
            + ", ".join(f"`{r.name}`" for r in pii_tools)
            + "; the audit log records neither arguments nor answers."
        )
    else:
        lines.append("No argument or field name suggests personal data.")
    lines.append("")
    if needs_user:
        lines.append(
            "Identity: Pattern 4 sends every call for a user, and a call without one is "
            "refused before it is sent" + (f": {refusal}" if refusal else ".")
        )
        start = project.find(r"^def require_user\(")
        if start:
            lines.append(f"In stdio mode the server does not start without `MCP_USER_ID`: {start}")
    else:
        lines.append(
            "Identity: the backend sees this server's credential"
            + (
                " and the caller's identity headers when there is a caller"
                if project.answers.get("auth", {}).get("identity_headers")
                else ""
            )
            + "; no tool needs a user, so in stdio mode (or http with `MCP_ALLOW_ANONYMOUS`) "
            "anyone who can start "
            "the server or reach it uses every tool with the server's credential."
        )
    status: Status = "review" if destructive or url_tools or pii_tools or not needs_user else "pass"
    evidence = (
        f"{len(destructive)} destructive, {len(url_tools)} with URL arguments, "
        f"{len(pii_tools)} with PII-like "
        f"fields; identity {'required' if needs_user else 'not required'}"
    )
    return lines, Check("Per-tool risk", status, evidence)


def _backend_authentication(project: ProjectFiles) -> tuple[list[str], Check]:
    """Whether the server can authenticate to the backend the way the spec requires."""
    answers = project.answers
    pattern = answers.get("pattern", "none")
    unsupported = (answers.get("auth") or {}).get("unsupported")
    reason = answers.get("pattern_reason", "")
    if unsupported:
        lines = [
            f"**Fails.** The spec requires authentication the server cannot send: {unsupported}.",
            "",
            "Give the server a pattern it can use (`mcpgen update . --pattern api-key|bearer|basic`) if the "
            "backend also accepts one, or add the credential to `src/client.py` by hand.",
        ]
        return lines, Check("Backend authentication", "fail", _cell(unsupported))
    variable = credential_env(pattern)
    if variable is None:
        lines = [f"The server sends no backend credential ({reason or 'pattern none'})."]
        return lines, Check("Backend authentication", "n/a", _cell(reason or "no credential required"))
    lines = [f"Pattern {patterns()[pattern]['number']}: {patterns()[pattern]['sends']} ({reason})."]
    return lines, Check("Backend authentication", "pass", _cell(f"`{variable}`, {reason}"))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


# ---------------------------------------------------------------------------------------------------------
# The document.


def render_review(project: ProjectFiles) -> str:
    answers = project.answers
    pattern = answers.get("pattern", "none")
    info = patterns()[pattern]
    risks = tool_risks(project)
    sections = [
        ("Constant-time comparison", _constant_time(project)),
        ("Token logging prevention", _logging(project)),
        ("Token storage", _storage(project)),
        ("Audit logging", _audit(project)),
        ("Input validation", _input_validation(project)),
        ("Error sanitisation", _error_sanitisation(project)),
        ("Per-tool risk", _per_tool(project, risks)),
        ("Backend authentication", _backend_authentication(project)),
    ]
    checks = [check for _, (_, check) in sections]
    out = [
        f"# Security review: {answers.get('project_name', project.root.name)}",
        "",
        f"Written by mcpgen {__version__} from the generated files, after rendering and formatting; "
        "`mcpgen update` writes it again. Each `file:line` quotes the line it points at. Pattern "
        f"{info['number']} ({info['title']}): {len(answers.get('tools', []))} tools.",
    ]
    for number, (title, (lines, _)) in enumerate(sections, start=1):
        out += ["", f"## {number}. {title}", "", *lines]
    out += ["", f"## {len(sections) + 1}. Positive findings", ""]
    out += [f"- {check.control}: {check.evidence}." for check in checks if check.status == "pass"] or [
        "- none"
    ]
    out += ["", f"## {len(sections) + 2}. Recommendations", ""]
    out += [f"- {text}" for text in _recommendations(project, checks, risks)]
    out += [
        "",
        f"## {len(sections) + 3}. Compliance summary",
        "",
        "| control | status | evidence |",
        "|---|---|---|",
    ]
    out += [f"| {check.control} | {check.status} | {check.evidence} |" for check in checks]
    return "\n".join(out) + "\n"


def _recommendations(project: ProjectFiles, checks: list[Check], risks: list[ToolRisk]) -> list[str]:
    pattern = project.answers.get("pattern", "none")
    variable = credential_env(pattern)
    found = (
        [
            "Fix what the summary marks `fail` first: "
            f"{', '.join(c.control for c in checks if c.status == 'fail')}."
        ]
        if any(c.status == "fail" for c in checks)
        else []
    )
    if pattern == "service-to-service":
        found.append(
            "Rotate `SERVICE_AUTH_TOKEN` with `mcpgen keygen --env-file .env` and give the "
            "backend the same value; "
            "keep it out of client configs and tickets. Switch the backend's endpoints to "
            "`get_current_user_or_service` (backend_patches/README.md) so that it enforces per-user access."
        )
    elif variable:
        found.append(
            f"Keep `{variable}` in `.env` (mode 0600) or a secret store; rotate it on the backend's schedule."
        )
    else:
        found.append(
            "The backend takes no credential: expose it only on a trusted network, or switch "
            "to a pattern with one "
            "(`mcpgen from-openapi --pattern ...`)."
        )
    found += [
        "In http mode verify JWTs (`MCP_JWT_PUBLIC_KEY` or `MCP_JWT_JWKS_URI` with issuer and audience); "
        "`MCP_DEV_TOKENS_FILE` and `MCP_ALLOW_ANONYMOUS` are for development only.",
        "Serve http behind TLS, and list the public host name in `MCP_ALLOWED_HOSTS`.",
    ]
    destructive = [r.name for r in risks if r.destructive]
    if destructive:
        found.append(
            "Keep the destructive tools' `destructiveHint` so that clients ask before "
            + ", ".join(f"`{name}`" for name in destructive)
            + "; leave them out with `--exclude-tag` if assistants should never call them."
        )
    if any(r.urls for r in risks):
        found.append(
            "Make sure the backend validates the URL arguments before fetching anything (allow-list)."
        )
    if any(r.pii for r in risks):
        found.append(
            "Review the PII-like fields against your data policy: answers reach the assistant's context."
        )
    found.append(
        "Re-run the project's tests (`uv run pytest`) after every edit, and read this review "
        "after every update."
    )
    return found
