"""Errors and warnings as values: every problem names the file, the JSON pointer and what to do."""

from __future__ import annotations

from dataclasses import dataclass


def pointer(*parts: str | int) -> str:
    """Build a JSON pointer (RFC 6901) from path segments."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "/" + "/".join(escaped) if parts else ""


@dataclass(frozen=True)
class Diagnostic:
    """A warning about the spec: generation went on, but the user should know."""

    message: str
    pointer: str = ""

    def __str__(self) -> str:
        return f"{self.pointer}: {self.message}" if self.pointer else self.message


class MCPGenError(Exception):
    """A problem that stops generation, rendered as one line for the user."""

    def __init__(self, message: str, *, file: str | None = None, pointer: str | None = None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.file = file
        self.pointer = pointer
        self.hint = hint

    def __str__(self) -> str:
        where = self.file or ""
        if self.pointer is not None:
            where += f"#{self.pointer}"
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text
