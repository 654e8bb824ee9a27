"""What every resource namespace shares."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._client import AsyncRealtoClient

__all__ = ["Namespace", "Resource", "expose_namespaces"]


# No __slots__ on the base: every namespace then has a __dict__, so that
# mock.patch.object(client.entities, "retrieve") works on a real client.
class Resource:
    """A namespace of API calls bound to one client (or client view)."""

    def __init__(self, client: AsyncRealtoClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class Namespace:
    """A namespace attribute (``client.entities``): the object on an instance, its class on the
    class, so ``unittest.mock.create_autospec`` sees every namespace and its methods."""

    def __init__(self, name: str, find_type: Callable[[], type | None], slot: Any = None) -> None:
        self._name = name
        self._find_type = find_type
        self._slot = slot  # the member descriptor when the attribute lives in __slots__

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            found = self._find_type()
            if found is None:
                raise AttributeError(self._name)
            return found
        if self._slot is not None:
            return self._slot.__get__(instance, owner)
        try:
            return instance.__dict__[self._name]
        except KeyError:
            raise AttributeError(self._name) from None

    def __set__(self, instance: object, value: Any) -> None:
        if self._slot is not None:
            self._slot.__set__(instance, value)
        else:
            instance.__dict__[self._name] = value

    def __delete__(self, instance: object) -> None:
        if self._slot is not None:
            self._slot.__delete__(instance)
        else:
            del instance.__dict__[self._name]


def expose_namespaces(cls: type, types: dict[str, Callable[[], type | None]] | None = None) -> None:
    """Put a :class:`Namespace` on ``cls`` for each namespace attribute.

    By default these are the attributes ``cls`` annotates with a class (names resolved in its
    module when first asked for); ``types`` gives them explicitly instead.
    """
    if types is None:
        module = sys.modules[cls.__module__].__dict__
        types = {
            name: functools.partial(_lookup, module, hint)
            for name, hint in inspect.get_annotations(cls).items()
        }
    for name, find_type in types.items():
        setattr(cls, name, Namespace(name, find_type, cls.__dict__.get(name)))


def _lookup(module: dict[str, Any], hint: object) -> type | None:
    found = module.get(hint) if isinstance(hint, str) else hint
    return found if isinstance(found, type) else None
