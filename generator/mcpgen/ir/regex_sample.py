"""The shortest plain string a regular expression accepts, for sample values of `pattern` strings."""

from __future__ import annotations

import re

try:  # Python 3.11 moved the parser; both spellings are the stdlib's own
    from re import _constants as constants  # type: ignore[attr-defined]
    from re import _parser as parser
except ImportError:  # pragma: no cover
    import sre_constants as constants  # type: ignore[no-redef]
    import sre_parse as parser  # type: ignore[no-redef]

_CATEGORY_SAMPLES = {
    constants.CATEGORY_DIGIT: "0",
    constants.CATEGORY_NOT_DIGIT: "a",
    constants.CATEGORY_WORD: "a",
    constants.CATEGORY_NOT_WORD: "-",
    constants.CATEGORY_SPACE: " ",
    constants.CATEGORY_NOT_SPACE: "a",
}
MAX_REPEAT_SAMPLE = 64


class Unsupported(Exception):
    pass


def _in(items) -> str:
    negated = any(op is constants.NEGATE for op, _ in items)
    if negated:
        excluded = "".join(_in([i for i in items if i[0] is not constants.NEGATE]) or "")
        for candidate in "a0A-_ ":
            if candidate not in excluded:
                return candidate
        raise Unsupported("negated class")
    for op, value in items:
        if op is constants.LITERAL:
            return chr(value)
        if op is constants.RANGE:
            return chr(value[0])
        if op is constants.CATEGORY:
            return _CATEGORY_SAMPLES.get(value, "a")
    raise Unsupported("empty class")


def _emit(tokens) -> str:
    out = []
    for op, value in tokens:
        if op is constants.LITERAL:
            out.append(chr(value))
        elif op is constants.NOT_LITERAL:
            out.append("a" if value != ord("a") else "b")
        elif op is constants.ANY:
            out.append("a")
        elif op is constants.IN:
            out.append(_in(value))
        elif op in (
            constants.MAX_REPEAT,
            constants.MIN_REPEAT,
            getattr(constants, "POSSESSIVE_REPEAT", None),
        ):
            low, _high, inner = value
            if low > MAX_REPEAT_SAMPLE:
                raise Unsupported("long repeat")
            out.append(_emit(inner) * low)
        elif op is constants.SUBPATTERN:
            out.append(_emit(value[-1]))
        elif op is constants.BRANCH:
            out.append(_emit(value[1][0]))
        elif op is constants.AT:
            continue
        elif op is constants.CATEGORY:
            out.append(_CATEGORY_SAMPLES.get(value, "a"))
        else:
            raise Unsupported(str(op))
    return "".join(out)


def shortest_match(pattern: str) -> str | None:
    """A string that `re.search(pattern, ...)` accepts, or None when we cannot make one."""
    try:
        candidate = _emit(parser.parse(pattern))
    except (Unsupported, re.error, RecursionError, TypeError, ValueError):
        return None
    return candidate if re.search(pattern, candidate) else None
