"""Client options for the workers, with every value hidden from reprs, tokens and logs."""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Mapping
from typing import Any

from .._client import AsyncRealtoClient
from .._errors import InvalidArgumentError

__all__ = ["ClientOptions"]

# A session and a clock belong to one process and one event loop: each worker makes its own.
_PER_PROCESS = frozenset({"session", "clock"})


def _accepted() -> frozenset[str]:
    parameters = inspect.signature(AsyncRealtoClient.__init__).parameters
    return frozenset(name for name in parameters if name != "self") - _PER_PROCESS


class ClientOptions:
    """Keyword arguments of ``AsyncRealtoClient`` that each shard's client is opened with.

    The values (credentials among them) are pickled into the task and shown nowhere: the repr
    lists the names only, and Dask's token of the object is made of the names only.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        if values is not None and not isinstance(values, Mapping):
            raise InvalidArgumentError(
                f"client_options must be a dict of AsyncRealtoClient arguments, got {type(values).__name__}"
            )
        items = dict(values or {})
        accepted = _accepted()
        for name in items:
            if name in _PER_PROCESS:
                raise InvalidArgumentError(
                    f"client_options cannot hold {name!r}: each worker opens its own client; leave it out"
                )
            if name not in accepted:
                raise InvalidArgumentError(
                    f"client_options has an unknown argument {name!r}; AsyncRealtoClient takes "
                    f"{', '.join(sorted(accepted))}"
                )
            try:
                pickle.dumps(items[name])
            except Exception:
                raise InvalidArgumentError(
                    f"client_options[{name!r}] cannot be sent to the workers (it does not pickle); "
                    "pass a plain value"
                ) from None
        self._values = items

    def client(self) -> AsyncRealtoClient:
        """A new client with these options (``REALTO_*`` variables fill in what is missing)."""
        return AsyncRealtoClient(**self._values)

    def __repr__(self) -> str:
        names = ", ".join(f"{name}=***" for name in sorted(self._values))
        return f"ClientOptions({names})"

    def __dask_tokenize__(self) -> object:
        return ("realto.ClientOptions", tuple(sorted(self._values)))

    def __getstate__(self) -> dict[str, Any]:
        return self._values

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._values = state
