"""Small helpers resources share to build queries and bodies."""

from __future__ import annotations

from typing import Any

__all__ = ["cooldown_query", "drop_unset"]


def drop_unset(values: dict[str, Any]) -> dict[str, Any]:
    """The entries whose value is not None."""
    return {key: value for key, value in values.items() if value is not None}


def cooldown_query(ignore_cooldown: bool) -> dict[str, str]:
    """``ignoreCooldown`` as the API wants it (only sent when true)."""
    if not isinstance(ignore_cooldown, bool):
        from .._errors import InvalidArgumentError

        raise InvalidArgumentError(f"ignore_cooldown must be True or False, got {ignore_cooldown!r}")
    return {"ignoreCooldown": "true"} if ignore_cooldown else {}
