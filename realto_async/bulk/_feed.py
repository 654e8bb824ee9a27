"""The run's entities, handed to the workers one at a time straight from the source.

The workers take turns advancing the source themselves (one at a time, under a lock) instead of
a feeding task passing each entity through a stream: that hand-over woke a task per entity and
cost more than the SDK's own work for the entity's request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import anyio

from ._source import EntityRef

__all__ = ["EntityFeed"]


class FeedCounts(Protocol):
    entities_fed: int
    entities_total: int | None


class EntityFeed:
    """Each entity of ``source`` once (a repeated id is dropped), counted in ``counts``; once the
    source is exhausted ``counts.entities_total`` says how many there were."""

    def __init__(self, source: AsyncIterator[EntityRef], counts: FeedCounts) -> None:
        self._source = source
        self._counts = counts
        self._seen: set[str] = set()
        self._lock = anyio.Lock()
        self._exhausted = False

    async def next(self) -> EntityRef | None:
        """The next entity, or None when there is none left. Raises what the source raises (once;
        the feed is exhausted after it)."""
        try:
            self._lock.acquire_nowait()
        except anyio.WouldBlock:
            await self._lock.acquire()
        try:
            while not self._exhausted:
                try:
                    ref = await self._source.__anext__()
                except StopAsyncIteration:
                    self._exhausted = True
                    self._counts.entities_total = len(self._seen)
                    break
                if ref.id not in self._seen:
                    self._seen.add(ref.id)
                    self._counts.entities_fed += 1
                    return ref
            return None
        except BaseException:
            self._exhausted = True
            raise
        finally:
            self._lock.release()
