"""Secrets for the backend credential: made, hashed, and written into a `.env` file only when asked.

Two kinds:

- `service-token` (Pattern 4's SERVICE_AUTH_TOKEN): `secrets.token_urlsafe(32)`, 32 random bytes as 43
  characters of the URL-safe base64 alphabet (A-Z a-z 0-9 - _), 256 bits.
- `api-key` (Pattern 2's BACKEND_API_KEY): `<prefix>_<body>`, the prefix `mcp` unless chosen, the body
  43 characters drawn uniformly from A-Z a-z 0-9 (43 x log2(62) = 256 bits). The body has no `-` or `_`,
  so the key selects with a double click and the prefix lets secret scanners recognise it.

Only the SHA-256 hash is meant to be kept by whoever checks the secret; the raw value goes to the one place
that sends it.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import secrets
import stat
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import MCPGenError
from .ir import credential_env

Kind = Literal["service-token", "api-key"]
KINDS: tuple[Kind, ...] = ("service-token", "api-key")

# The pattern whose credential each kind is: `--env-file .env` fills the variable the generated server reads.
PATTERN_OF_KIND: dict[Kind, str] = {"service-token": "service-to-service", "api-key": "api-key"}

RANDOM_BYTES = 32
API_KEY_ALPHABET = string.ascii_letters + string.digits
API_KEY_BODY_LENGTH = 43
DEFAULT_API_KEY_PREFIX = "mcp"
PREFIX_RULE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}")
ENV_VAR_RULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ENV_FILE_MODE = 0o600
SAFE_VALUE = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Secret:
    """A new secret, its hash, and the variable it belongs in."""

    kind: Kind
    value: str
    sha256: str
    env_var: str

    @property
    def entropy_bits(self) -> int:
        if self.kind == "service-token":
            return RANDOM_BYTES * 8
        return math.floor(API_KEY_BODY_LENGTH * math.log2(len(API_KEY_ALPHABET)))


@dataclass(frozen=True)
class EnvFileWrite:
    """What `write_env_file` did, for the message the user sees."""

    path: Path
    action: Literal["created", "replaced", "appended"]
    previous_mode: int | None  # set only when a looser mode was tightened


def default_env_var(kind: Kind) -> str:
    """SERVICE_AUTH_TOKEN for a service token, BACKEND_API_KEY for an API key."""
    return str(credential_env(PATTERN_OF_KIND[kind]))


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def make_secret(
    kind: str = "service-token", *, prefix: str | None = None, env_var: str | None = None
) -> Secret:
    """A new secret of `kind`; `prefix` applies to API keys only."""
    if kind not in KINDS:
        raise MCPGenError(f"unknown kind {kind!r}", hint=f"use --kind {' or --kind '.join(KINDS)}")
    if prefix is not None and kind != "api-key":
        raise MCPGenError("--prefix applies to API keys only", hint="add --kind api-key or drop --prefix")
    variable = env_var if env_var is not None else default_env_var(kind)
    if not ENV_VAR_RULE.fullmatch(variable):
        raise MCPGenError(
            f"{variable!r} is not an environment variable name",
            hint="use letters, digits and underscores, not starting with a digit",
        )
    if kind == "service-token":
        value = secrets.token_urlsafe(RANDOM_BYTES)
    else:
        chosen = DEFAULT_API_KEY_PREFIX if prefix is None else prefix
        if not PREFIX_RULE.fullmatch(chosen):
            raise MCPGenError(
                f"prefix {chosen!r} is not allowed",
                hint="use 1 to 16 letters and digits starting with a letter, like acme",
            )
        body = "".join(secrets.choice(API_KEY_ALPHABET) for _ in range(API_KEY_BODY_LENGTH))
        value = f"{chosen}_{body}"
    return Secret(kind=kind, value=value, sha256=sha256_hex(value), env_var=variable)  # type: ignore[arg-type]


def _assignment(variable: str) -> re.Pattern[bytes]:
    # `NAME=...` or `export NAME=...`, as python-dotenv and shells read them; comments never match.
    return re.compile(rb"^[ \t]*(?:export[ \t]+)?" + re.escape(variable.encode()) + rb"[ \t]*=[ \t]*")


def _line_ending(content: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in content else b"\n"


def updated_env_content(content: bytes, variable: str, value: str) -> tuple[bytes, int]:
    """`content` with every assignment of `variable` set to `value`, or one appended; other bytes unchanged.

    Every assignment is replaced, not only the first, because dotenv readers let a later one win.
    Returns the new content and how many lines were replaced.
    """
    if not SAFE_VALUE.fullmatch(value):
        raise ValueError("only generated secrets are written: they need no quoting in a dotenv file")
    lines = content.splitlines(keepends=True)
    matcher = _assignment(variable)
    replaced = 0
    for index, line in enumerate(lines):
        match = matcher.match(line)
        if match:
            ending = line[len(line.rstrip(b"\r\n")) :]
            lines[index] = match.group(0) + value.encode() + ending
            replaced += 1
    if replaced:
        return b"".join(lines), replaced
    newline = _line_ending(content)
    separator = newline if content and not content.endswith((b"\n", b"\r")) else b""
    return content + separator + f"{variable}={value}".encode() + newline, 0


def write_env_file(path: Path, variable: str, value: str) -> EnvFileWrite:
    """Set `variable` in the dotenv file `path`, atomically, leaving the file with mode 0600.

    The file is written to a temporary file beside it and moved into place, so a crash leaves either the
    old file or the new one, and the secret never sits in a file anyone else can read.
    """
    target = Path(os.path.realpath(path))  # a symlinked .env keeps its link; the file it names changes
    if target.is_dir():
        raise MCPGenError("is a folder, not a file", file=str(path), hint="name a file inside it, like .env")
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise MCPGenError(f"{folder} is a file, not a folder", file=str(path), hint="choose another path")
    if not folder.is_dir():
        raise MCPGenError(f"the folder {folder} does not exist", file=str(path), hint="create it first")
    previous_mode = None
    try:
        content = target.read_bytes() if target.exists() else None
        if content is not None:
            mode = stat.S_IMODE(target.stat().st_mode)
            previous_mode = mode if mode & ~ENV_FILE_MODE else None
    except OSError as error:
        raise MCPGenError(f"cannot read it: {error.strerror}", file=str(path)) from None
    new_content, replaced = updated_env_content(content or b"", variable, value)
    action = "created" if content is None else "replaced" if replaced else "appended"
    _replace_atomically(target, new_content, shown_as=path)
    return EnvFileWrite(path=target, action=action, previous_mode=previous_mode)


def _replace_atomically(target: Path, content: bytes, *, shown_as: Path) -> None:
    temporary = None
    try:
        # mkstemp opens with O_EXCL and mode 0600 whatever the umask; fchmod makes that explicit.
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(descriptor, "wb") as stream:
            os.fchmod(stream.fileno(), ENV_FILE_MODE)
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise MCPGenError(
            f"cannot write it: {error.strerror or error}",
            file=str(shown_as),
            hint="choose a path in a folder you can write to",
        ) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
