"""Replaying a user's edit onto a text the template wrote anew.

A three-way merge conflicts whenever the template changed the lines around an edit, and an upgrade that
changes layout rewrites nearly every line: a line added at the top of a tool body, a changed default or a
paragraph appended to the README would all conflict, although each still has an obvious place in the new
text. So an edit (the difference between the old render and the user's file) is replayed hunk by hunk: a
hunk lands where its own lines, or the lines it sits between, are found once in the new text; a hunk whose
place cannot be found is a conflict, as before.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# A changed line is looked for in the new text by similarity when it is not there verbatim: the new template
# may write the same setting with other words around it (a new description, another argument order).
_SIMILAR = 0.6


@dataclass(frozen=True)
class _Hunk:
    """Lines `start:end` of the new text become `lines` (start == end: an insertion)."""

    start: int
    end: int
    lines: list[str]


def replay(ours: str, base: str, theirs: str) -> str | None:
    """`theirs` with the edits that turned `base` into `ours`, or None when one of them has no single place
    in `theirs`."""
    base_lines, our_lines, their_lines = (text.splitlines(keepends=True) for text in (base, ours, theirs))
    hunks = []
    matcher = difflib.SequenceMatcher(None, base_lines, our_lines, autojunk=False)
    for tag, b1, b2, o1, o2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        hunk = _place(base_lines, b1, b2, our_lines[o1:o2], their_lines)
        if hunk is None:
            return None
        hunks.append(hunk)
    hunks.sort(key=lambda h: (h.start, h.end))
    if any(later.start < earlier.end for earlier, later in zip(hunks, hunks[1:], strict=False)):
        return None
    result = list(their_lines)
    for hunk in reversed(hunks):
        result[hunk.start : hunk.end] = hunk.lines
    return "".join(result)


def _place(base: list[str], b1: int, b2: int, new: list[str], theirs: list[str]) -> _Hunk | None:
    if b1 == b2:
        return _insertion(base, b1, new, theirs)
    where = _unique(theirs, base[b1:b2])
    if where is not None:
        return _Hunk(where, where + b2 - b1, new)
    if b2 - b1 == 1 and len(new) == 1:
        return _changed_line(base[b1], new[0], theirs)
    return None


def _insertion(base: list[str], at: int, new: list[str], theirs: list[str]) -> _Hunk | None:
    """Lines added at the start, at the end, or next to a line the new text has once."""
    if at == 0:
        return _Hunk(0, 0, new)
    if at == len(base):
        tail = new if not theirs or theirs[-1].endswith("\n") else ["\n", *new]
        return _Hunk(len(theirs), len(theirs), tail)
    after = _unique(theirs, base[at - 1 : at])
    if after is not None and base[at - 1].strip():
        return _Hunk(after + 1, after + 1, new)
    before = _unique(theirs, base[at : at + 1])
    if before is not None and base[at].strip():
        return _Hunk(before, before, new)
    return None


def _changed_line(old: str, mine: str, theirs: list[str]) -> _Hunk | None:
    """One line changed in place (a default, a constant): the same change on the one new line most like it."""
    prefix = len(_common_prefix(old, mine))
    suffix = len(_common_prefix(old[prefix:][::-1], mine[prefix:][::-1]))
    # Widened to whole words, so that 30.0 -> 45.0 is found as "30.0", not as a "3" somewhere else.
    while prefix and _in_word(old[prefix - 1]):
        prefix -= 1
    while suffix and _in_word(old[len(old) - suffix]):
        suffix -= 1
    removed, added = old[prefix : len(old) - suffix], mine[prefix : len(mine) - suffix]
    if not removed.strip():
        return None
    candidates = [
        (difflib.SequenceMatcher(None, old, line).ratio(), index)
        for index, line in enumerate(theirs)
        if line.count(removed) == 1
    ]
    candidates = [c for c in candidates if c[0] >= _SIMILAR]
    if not candidates:
        return None
    candidates.sort(reverse=True)
    if len(candidates) > 1 and candidates[1][0] == candidates[0][0]:
        return None
    index = candidates[0][1]
    return _Hunk(index, index + 1, [theirs[index].replace(removed, added)])


def _in_word(char: str) -> bool:
    return char.isalnum() or char in "_."


def _common_prefix(a: str, b: str) -> str:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return a[:length]


def _unique(lines: list[str], block: list[str]) -> int | None:
    """Where `block` starts in `lines`, if it occurs exactly once."""
    size = len(block)
    found = [i for i in range(len(lines) - size + 1) if lines[i : i + size] == block]
    return found[0] if len(found) == 1 else None
