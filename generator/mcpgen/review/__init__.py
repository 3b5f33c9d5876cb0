"""Review stage: a rendered project folder and its answers → SECURITY_REVIEW.md, every claim read from the
generated code (`code_scan.py`) and every tool's risk from its registration (`tool_risk.py`)."""

from .code_scan import REVIEW_FILE, TOOL_SCHEMAS
from .security_review import LOG_GREP_COMMAND, write_security_review

__all__ = ["LOG_GREP_COMMAND", "REVIEW_FILE", "TOOL_SCHEMAS", "write_security_review"]
