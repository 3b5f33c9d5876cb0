"""Spec text becomes Python source only through these functions, each checked by parsing its own output."""

from __future__ import annotations

import ast
import inspect
from typing import Any


def literal(value: Any) -> str:
    """A Python literal for a JSON-like value (`repr`, checked to round-trip)."""
    text = repr(value)
    if ast.literal_eval(text) != value:  # pragma: no cover - repr of JSON data always round-trips
        raise ValueError(f"cannot write {value!r} as a literal")
    return text


def _escape_char(char: str) -> str:
    if char == "\n" or char.isprintable():
        return char
    return repr(char)[1:-1]


def docstring(text: str, indent: str = "    ") -> str:
    """A triple-quoted docstring literal whose cleaned value is `text`, indented for a function body."""
    lines = [line.rstrip() for line in text.strip().splitlines()] or [""]
    quoted = any('"""' in line for line in lines) or lines[-1].endswith('"')
    escaped = []
    for line in lines:
        line = "".join(_escape_char(c) for c in line.replace("\\", "\\\\"))
        # Escaping every quote, only when a quote could end the literal early, keeps ordinary text readable.
        escaped.append(line.replace('"', '\\"') if quoted else line)
    body = escaped[0] + "".join("\n" + (indent + line if line else "") for line in escaped[1:])
    if len(escaped) > 1:
        body += "\n" + indent
    result = '"""' + body + '"""'
    value = ast.literal_eval(result)
    if inspect.cleandoc(value) != inspect.cleandoc(
        "\n".join(lines)
    ):  # pragma: no cover - guards the escaping above
        raise ValueError("docstring escaping lost text")
    return result
