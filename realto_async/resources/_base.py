"""What every resource namespace shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import AsyncRealtoClient

__all__ = ["Resource"]


class Resource:
    """A namespace of API calls bound to one client (or client view).

    No ``__slots__`` here, so every namespace has a ``__dict__`` and
    ``mock.patch.object(client.entities, "retrieve")`` works on a real client.
    """

    def __init__(self, client: AsyncRealtoClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"
