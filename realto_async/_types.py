"""Small shared types."""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias, TypeVar

__all__ = ["NOT_GIVEN", "NotGiven", "Omittable"]

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
