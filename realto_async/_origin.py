"""Which answer an object came from, kept beside the object (so its equality, hash and pickling
stay what they were): a table keyed by identity, emptied as the objects die."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._attempt import ResponseInfo

__all__ = ["remember_response", "response_of"]

_ORIGINS: dict[int, tuple[weakref.ref[object], ResponseInfo]] = {}


def _forget(key: int) -> None:
    _ORIGINS.pop(key, None)


def remember_response(obj: object, info: ResponseInfo) -> None:
    """Note that ``obj`` was decoded from the answer ``info`` (ignored for objects without weakrefs)."""
    key = id(obj)
    try:
        ref = weakref.ref(obj, lambda _, key=key: _forget(key))  # type: ignore[misc]
    except TypeError:  # lists, dicts and the like cannot be watched; they are not tracked
        return
    _ORIGINS[key] = (ref, info)


def response_of(obj: object) -> ResponseInfo | None:
    """The answer ``obj`` was decoded from, if the SDK decoded it from a single-object answer."""
    found = _ORIGINS.get(id(obj))
    if found is None or found[0]() is not obj:
        return None
    return found[1]
