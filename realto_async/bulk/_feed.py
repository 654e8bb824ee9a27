"""The run's entities, handed to the workers one at a time straight from the source.

The workers take turns advancing the source themselves instead of a feeding task passing each
entity through a stream: that hand-over woke a task per entity and cost more than the SDK's own
work for the entity's request. A plain iterable is advanced without a wait; an async one (a
fleet listing, the caller's async generator) by one worker at a time, under a lock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Protocol

import anyio

from ._source import EntityRef

__all__ = ["EntityFeed"]


class FeedCounts(Protocol):
    entities_fed: int
    entities_total: int | None


class EntityFeed:
    """Each entity of ``source`` once (a repeated id is dropped), counted in ``counts``; once the
    source is exhausted ``counts.entities_total`` says how many there were. ``async with`` it to
    close the source at the end."""

    def __init__(self, source: Iterator[EntityRef] | AsyncIterator[EntityRef], counts: FeedCounts) -> None:
        self._source = source
        self._counts = counts
        self._seen: set[str] = set()
        self._lock = anyio.Lock()
        self._exhausted = False

    async def next(self) -> EntityRef | None:
        """The next entity, or None when there is none left. Raises what the source raises (once;
        the feed is exhausted after it)."""
        if isinstance(self._source, Iterator):
            return self._take(self._source)
        try:
            self._lock.acquire_nowait()
        except anyio.WouldBlock:
            await self._lock.acquire()
        try:
            while not self._exhausted:
                try:
                    ref = await self._source.__anext__()
                except StopAsyncIteration:
                    self._end()
                    break
                if self._is_new(ref):
                    return ref
            return None
        except BaseException:
            self._exhausted = True
            raise
        finally:
            self._lock.release()

    def _take(self, source: Iterator[EntityRef]) -> EntityRef | None:
        try:
            while not self._exhausted:
                ref = next(source, None)
                if ref is None:
                    self._end()
                elif self._is_new(ref):
                    return ref
            return None
        except BaseException:
            self._exhausted = True
            raise

    def _is_new(self, ref: EntityRef) -> bool:
        if ref.id in self._seen:
            return False
        self._seen.add(ref.id)
        self._counts.entities_fed += 1
        return True

    def _end(self) -> None:
        self._exhausted = True
        self._counts.entities_total = len(self._seen)

    async def __aenter__(self) -> EntityFeed:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        source = self._source
        if isinstance(source, Iterator):
            close = getattr(source, "close", None)
            if close is not None:
                close()
        else:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()
