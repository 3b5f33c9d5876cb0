"""Commands on an existing generated project: `update` (a newer template or a changed API, merged three ways
by `merge.py` → `UpdateResult`), `add_tool`, and `diff` (two APIs or projects → `SurfaceDiff`: what breaks
AI clients)."""

from .diff import SurfaceDiff, diff_answers, format_diff
from .merge import MergeResult
from .update import UpdateRequest, UpdateResult, add_tool, side_answers, update

__all__ = [
    "MergeResult",
    "SurfaceDiff",
    "UpdateRequest",
    "UpdateResult",
    "add_tool",
    "diff_answers",
    "format_diff",
    "side_answers",
    "update",
]
