"""Reading a generated project for the security review: its text files with their lines and syntax trees,
lines cited as `file:line` with what they say, and the scans that need no knowledge of the review."""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REVIEW_FILE = "SECURITY_REVIEW.md"
ANSWERS_FILE = ".copier-answers.yml"

# Logging calls: a method of these names on any object (logger, audit, logging).
_LOG_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
# What reads a credential's value in the generated code; a logging call must never touch one of these.
_CREDENTIAL_READS = frozenset(
    {
        "service_auth_token",
        "backend_api_key",
        "backend_token",
        "backend_password",
        "get_secret_value",
        "_credential_headers",
        "_credential_query",
        "_credential_cookies",
    }
)
# Known key formats: found anywhere outside tests/, each is a hard-coded secret.
KEY_FORMATS = {
    "AWS access key id": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
    "OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9_-]{32,}"),
    "GitHub token": re.compile(r"\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "mcpgen API key": re.compile(r"\bmcp_[0-9A-Za-z]{43}\b"),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
}
# All of them in one expression, one search per line: a large project has hundreds of thousands of lines.
_KINDS = {f"k{index}": kind for index, kind in enumerate(KEY_FORMATS)}
# Each alternative starts with a literal the regex engine can look for, so that most text is skipped fast.
_ANY_KEY_FORMAT = re.compile(
    "|".join(
        f"(?P<k{index}>{pattern.pattern.removeprefix(chr(92) + 'b')})"
        for index, pattern in enumerate(KEY_FORMATS.values())
    )
)
# Text that every key format starts with (the `[sr]` of Stripe's dropped): a file holding none of them cannot
# match, and `in` finds out several times faster than the regex on the megabytes of a large spec's copies.
_KEY_FORMAT_LITERALS = (
    "AKIA",
    "k_live_",
    "sk-",
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "github_pat_",
    "xox",
    "-----BEGIN ",
    "mcp_",
    "eyJ",
)
# A string literal this long, of one token's alphabet and this random, is treated as a secret.
SECRET_MIN_LENGTH = 20
SECRET_MIN_ENTROPY = 4.0  # bits per character; English words and identifiers stay well below
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9+/=_\-.~]+")
# The fixtures of the generated tests: credentials for the mock backend, not secrets.
_FIXTURE_FOLDERS = ("tests",)
# The API's published description, copied into the project: scanned for known key formats only.
SPEC_COPIES = ("openapi.json", ANSWERS_FILE)
# The tools' schemas as FastMCP derived them (the server starts from them): the spec's text again, reviewed in
# openapi.json, and megabytes of it for large APIs.
TOOL_SCHEMAS = "src/tool_schemas.json"
_TEXT_SUFFIXES = (".py", ".md", ".toml", ".yml", ".yaml", ".json", ".example", ".txt", ".cfg", ".ini")


@dataclass(frozen=True)
class Ref:
    """A line of a generated file: where it is and what it says."""

    file: str
    line: int
    code: str

    def __str__(self) -> str:
        return f"`{self.file}:{self.line}`: `{self.code}`"


@dataclass
class Source:
    path: str  # relative to the project, with forward slashes
    lines: list[str]
    tree: ast.Module | None = None
    _nodes: list[ast.AST] | None = field(default=None, repr=False)

    @property
    def nodes(self) -> list[ast.AST]:
        """Every node of the syntax tree, walked once: each check reads them, and large projects have many."""
        if self._nodes is None:
            self._nodes = list(ast.walk(self.tree)) if self.tree is not None else []
        return self._nodes

    def ref(self, line: int) -> Ref:
        text = self.lines[line - 1].strip()
        # The quote must be a piece of the line as it is: cut at a backtick (Markdown) and at 110 characters.
        text = text.split("`", 1)[0][:110].rstrip()
        return Ref(self.path, line, text)

    def find(self, pattern: str) -> Ref | None:
        """The first line matching `pattern` (a regular expression)."""
        compiled = re.compile(pattern)
        for number, line in enumerate(self.lines, start=1):
            if compiled.search(line):
                return self.ref(number)
        return None


@dataclass
class ProjectFiles:
    root: Path
    answers: Mapping[str, Any]
    files: dict[str, Source] = field(default_factory=dict)

    def python(self, under: str = "") -> list[Source]:
        return [
            s
            for name, s in self.files.items()
            if s.tree is not None and name.startswith(under) and not is_fixture(name)
        ]

    def find(self, pattern: str, under: str = "src/") -> Ref | None:
        for source in self.python(under):
            found = source.find(pattern)
            if found:
                return found
        return None


def read_project(
    root: Path, answers: Mapping[str, Any], parsed: Mapping[str, tuple[bytes, ast.Module]] | None = None
) -> ProjectFiles:
    """The project's reviewed files. `parsed` (relative path → bytes and syntax tree, as post-render's
    check_python_parses returns them) spares parsing again each module whose bytes are still the same."""
    project = ProjectFiles(root=root, answers=answers)
    parsed = parsed or {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and reviewed(relative):
            raw = path.read_bytes()
            text = raw.decode("utf-8", errors="replace")
            tree = None
            if path.suffix == ".py":
                known = parsed.get(relative)
                tree = known[1] if known and known[0] == raw else ast.parse(text, filename=relative)
            project.files[relative] = Source(relative, text.splitlines(), tree)
    return project


def reviewed(relative: str) -> bool:
    """The project's own text files: not caches, virtual environments, git, or this review."""
    parts = relative.split("/")
    if relative in (REVIEW_FILE, TOOL_SCHEMAS) or "__pycache__" in parts:
        return False
    if any(part.startswith(".") for part in parts[:-1]):
        return False  # .git/, .venv/, .pytest_cache/ ...
    name = parts[-1]
    if name.startswith("."):
        return name in (".env.example", ".gitignore", ANSWERS_FILE)
    return name.endswith(_TEXT_SUFFIXES)


def is_fixture(relative: str) -> bool:
    return relative.split("/", 1)[0] in _FIXTURE_FOLDERS


def called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def is_logging_call(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in _LOG_METHODS
        and isinstance(func.value, ast.Name)
        and (func.value.id in ("logger", "audit", "logging", "log") or func.value.id.endswith("logger"))
    )


def reads_credential(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in _CREDENTIAL_READS:
            return True
        if isinstance(inner, ast.Name) and inner.id in _CREDENTIAL_READS:
            return True
    return False


def calls_of(source: Source, name: str) -> list[Ref]:
    return [
        source.ref(node.lineno)
        for node in source.nodes
        if isinstance(node, ast.Call) and called_name(node) == name
    ]


def hard_coded_secrets(project: ProjectFiles) -> tuple[list[tuple[str, Ref]], list[Ref]]:
    """Secrets outside tests/ (with what they look like), and the fixtures found under tests/."""
    found: list[tuple[str, Ref]] = []
    for name, source in project.files.items():
        flagged = set()
        text = "\n".join(source.lines)
        has_key_literal = any(literal in text for literal in _KEY_FORMAT_LITERALS)
        for match in _ANY_KEY_FORMAT.finditer(text) if has_key_literal else ():
            before = text[match.start() - 1 : match.start()]
            if before.isalnum() or before == "_":
                continue  # inside a longer word: the leading \b each format had
            number = text.count("\n", 0, match.start()) + 1
            if number not in flagged:
                flagged.add(number)
                found.append((_KINDS[match.lastgroup], source.ref(number)))
        if source.tree is None or name in SPEC_COPIES:
            continue
        for node in source.nodes:
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.lineno not in flagged
                and looks_like_a_secret(node.value)
            ):
                flagged.add(node.lineno)
                found.append(("token-like literal", source.ref(node.lineno)))
    secrets = [(kind, ref) for kind, ref in found if not is_fixture(ref.file)]
    fixtures = [ref for _, ref in found if is_fixture(ref.file)]
    return secrets, fixtures


def looks_like_a_secret(value: str) -> bool:
    if len(value) < SECRET_MIN_LENGTH or not _TOKEN_ALPHABET.fullmatch(value):
        return False
    # Generated tokens mix digits with lower- and upper-case letters; names, paths and media types do not.
    if not (re.search(r"\d", value) and re.search(r"[a-z]", value) and re.search(r"[A-Z]", value)):
        return False
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= SECRET_MIN_ENTROPY
