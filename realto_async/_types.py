"""Small shared types."""

from __future__ import annotations

import enum
import math
from typing import Final, Literal, TypeAlias, TypeVar

__all__ = ["NOT_GIVEN", "NotGiven", "Omittable", "finite_number"]

T = TypeVar("T")


class _NotGivenType(enum.Enum):
    """Marks an argument that was not passed (so that ``None`` can mean null)."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = _NotGivenType.NOT_GIVEN
NotGiven = Literal[_NotGivenType.NOT_GIVEN]
Omittable: TypeAlias = T | NotGiven


def finite_number(value: object) -> float | None:
    """``value`` as a finite float when it is an int or float (not a bool) that is one; else
    None. An int beyond any float (``10**400``) is None too, not an OverflowError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
