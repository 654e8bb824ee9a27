"""The base of every model: frozen, slotted attrs classes that keep unknown fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

import attrs

from .._convert import EMPTY_EXTRAS, structure, unstructure

__all__ = ["RealtoModel", "model", "wire"]

M = TypeVar("M", bound="RealtoModel")


@attrs.define(frozen=True, slots=True, kw_only=True)
class RealtoModel:
    """Base of all API objects.

    ``extras`` holds the fields the API sent that this SDK version does not know; they are
    written back unchanged by :meth:`to_dict`.
    """

    __realto_model__: ClassVar[bool] = True

    extras: Mapping[str, Any] = attrs.field(default=EMPTY_EXTRAS, repr=False)

    @classmethod
    def from_dict(cls: type[M], data: Mapping[str, Any]) -> M:
        """Build the model from its wire JSON (either dialect); raises ResponseValidationError."""
        return structure(dict(data) if type(data) is not dict else data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The wire JSON of this model, unknown fields included; ``None`` fields are left out."""
        return unstructure(self)


def model(cls: type[M]) -> type[M]:
    """Declare an API model: frozen, slotted, keyword-only attrs class."""
    return attrs.define(frozen=True, slots=True, kw_only=True)(cls)


def wire(name: str, default: Any = attrs.NOTHING) -> Any:
    """A field whose wire name is not the camelCase of its attribute name."""
    return attrs.field(default=default, metadata={"wire": name})
