"""The base of every model: frozen, slotted attrs classes that keep unknown fields."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10
    from typing_extensions import dataclass_transform

from .._convert import EMPTY_EXTRAS, FrozenMapping, converter
from .._origin import response_of

__all__ = ["RealtoModel", "model", "wire"]

M = TypeVar("M", bound="RealtoModel")


def _freeze(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return value if isinstance(value, FrozenMapping) else FrozenMapping(dict(value))


def wire(name: str, default: Any = attrs.NOTHING) -> Any:
    """A field whose wire name is not the camelCase of its attribute name."""
    return attrs.field(default=default, metadata={"wire": name})


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(attrs.field, wire))
def model(cls: type[M]) -> type[M]:
    """Declare an API model: frozen, slotted, keyword-only attrs class.

    Type checkers see the class as such (``dataclass_transform``): its generated ``__init__``
    takes the fields by keyword, and assigning to a field is an error.
    """
    if "__attrs_attrs__" in cls.__dict__:  # RealtoModel, made by attrs.define already
        return cls
    return attrs.define(frozen=True, slots=True, kw_only=True)(cls)


# attrs.define makes type checkers see every model as an attrs class (attrs.evolve, attrs.asdict);
# @model, which returns it unchanged, makes them see ``extras`` as a keyword of every model.
@model
@attrs.define(frozen=True, slots=True, kw_only=True)
class RealtoModel:
    """Base of all API objects.

    ``extras`` holds the fields the API sent that this SDK version does not know; they are
    written back unchanged by :meth:`to_dict`.
    """

    __realto_model__: ClassVar[bool] = True

    extras: Mapping[str, Any] = attrs.field(default=EMPTY_EXTRAS, repr=False, hash=False, converter=_freeze)

    @classmethod
    def from_dict(cls: type[M], data: Mapping[str, Any]) -> M:
        """Build the model from its wire JSON (either dialect); raises ResponseValidationError.

        The same as ``realto_async.converter.structure(data, cls)``.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The wire JSON of this model, unknown fields included; ``None`` fields are left out.

        The same as ``realto_async.converter.unstructure(model)``.
        """
        return converter.unstructure(self)  # type: ignore[no-any-return]

    def to_json(self, *, indent: int | None = None) -> str:
        """The wire JSON of this model as text (what :meth:`to_dict` gives, for ``json.loads``)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @property
    def request_id(self) -> str | None:
        """The server's id of the request this object was read from (``x-request-id``); None for
        objects built locally or read from a list. Kept beside the object: not part of equality."""
        info = response_of(self)
        return None if info is None else info.request_id

    if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt attribute is still an error

        def __getattr__(self, name: str) -> Any:
            # Decoding leaves the slots of absent optional fields (and empty extras) unset,
            # which saves a write per field; reading one lands here and gets the default.
            defaults = _defaults.get(type(self))
            if defaults is None:
                defaults = _defaults[type(self)] = _plain_defaults(type(self))
            try:
                return defaults[name]
            except KeyError:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}") from None


_defaults: dict[type, dict[str, Any]] = {}


def _plain_defaults(cls: type) -> dict[str, Any]:
    return {
        field.name: field.default
        for field in attrs.fields(cls)
        if field.default is not attrs.NOTHING and not isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]
    }
