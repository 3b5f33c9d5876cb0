"""Spec prose as the generated project shows it: one clean line, cut to a budget.

Descriptions reach an assistant's context in every tools/list, so markup that only a browser renders (HTML
tags, the targets of Markdown links) is dropped, and each description is cut at a sentence or word boundary.
"""

from __future__ import annotations

import html
import re
from typing import Any

# What an argument or a field may say about itself; an operation says more (build.MAX_TOOL_DESCRIPTION).
MAX_DESCRIPTION = 160

_HTML_TAG = re.compile(
    r"</?(?:p|a|br|code|pre|em|strong|b|i|u|ul|ol|li|span|div|h[1-6]|table|thead|tbody|tr|td|th|sup|sub|"
    r"blockquote|hr|dl|dt|dd)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_MARKDOWN_LINK = re.compile(r"\[([^\[\]]+)\]\([^()\s]+\)")
# Control characters (Unicode category Cc) that are not whitespace, and lone surrogates (Cs): both categories
# are closed, so the ranges are the same in every Unicode version. One character class, not a category lookup
# per character: a quarter of Kubernetes' spec load and IR went to that lookup over its 20,000 texts.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")


def clean_text(text: Any) -> str:
    """One line of printable text: control characters, HTML tags and link targets dropped, whitespace
    collapsed."""
    if not isinstance(text, str):
        return ""
    text = _MARKDOWN_LINK.sub(r"\1", _HTML_TAG.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    return " ".join(_UNPRINTABLE.sub("", text).split())


def short_text(text: Any, limit: int = MAX_DESCRIPTION) -> str:
    """Clean text cut at a sentence or word boundary."""
    flat = clean_text(text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = cut.rfind(". ")
    if end > limit // 2:
        return cut[: end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + "…" if " " in cut else cut + "…"
