"""Small helpers the generated tests share."""

from typing import Any


def without_none(value: Any) -> Any:
    """The value with None-valued keys left out at every depth: models dump their unset optional fields."""
    if isinstance(value, dict):
        return {key: without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_none(item) for item in value]
    return value
