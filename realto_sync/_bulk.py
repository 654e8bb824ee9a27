"""Bulk runs for blocking code: ``for batch in client.bulk.charge_sessions(...)`` without await.

The run itself is realto_async's: it fetches on the client's background loop while the caller's
thread works on a batch, and the caller asking for the next batch acknowledges the last one.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio.to_thread

from realto_async.bulk import BulkBatch, BulkProgress, BulkReport, BulkRun
from realto_async.errors import RealtoError

from ._pagination import SyncPaginator
from ._runner import LoopThread

__all__ = ["SyncBulkRun", "async_source", "in_worker_thread"]

T = TypeVar("T")


def in_worker_thread(fn: Callable[[str], Any]) -> Callable[[str], Awaitable[Any]]:
    """``fn`` made awaitable for the run: a blocking function (e.g. a method of the blocking
    client) runs in a worker thread, so it may call the client; a coroutine function is kept."""
    if inspect.iscoroutinefunction(fn):
        return fn

    async def call(entity_id: str) -> Any:
        return await anyio.to_thread.run_sync(fn, entity_id)

    return call


def async_source(entity_ids: Any) -> Any:
    """A blocking listing (``client.entities.list()``) as the async listing it wraps, so the run
    reads it on its own loop; anything else as it is."""
    if isinstance(entity_ids, SyncPaginator):
        return entity_ids._paginator
    return entity_ids


class SyncBulkRun(Generic[T]):
    """A :class:`realto_async.bulk.BulkRun` for blocking code: ``for batch in run`` yields each
    :class:`BulkBatch`; ``collect()`` gathers every record; ``report`` tells how it ended.

    Asking for the next batch (or calling :meth:`ack`) acknowledges the last one. Leaving the
    loop early, or :meth:`close`, cancels what is in flight; ``with run:`` does it for you.
    """

    __slots__ = ("_iterator", "_run", "_runner")

    def __init__(self, runner: LoopThread, run: BulkRun[T]) -> None:
        self._runner = runner
        self._run = run
        self._iterator: Any = None

    def __iter__(self) -> Iterator[BulkBatch[T]]:
        iterator = self._run.__aiter__()
        self._iterator = iterator

        async def following() -> BulkBatch[T] | None:
            try:
                return await iterator.__anext__()
            except StopAsyncIteration:
                return None

        try:
            while True:
                batch = self._runner.run(following)
                if batch is None:
                    return
                yield batch
                del batch
        finally:
            self._iterator = None
            self._close(iterator)

    def _close(self, iterator: Any) -> None:
        if self._runner.running:
            with contextlib.suppress(RealtoError):  # closed from the loop thread during GC
                self._runner.run(iterator.aclose)

    def collect(self) -> list[T]:
        """Run to the end and return every record (for small jobs); each batch is acknowledged."""
        return self._runner.run(self._run.collect)

    def ack(self) -> None:
        """Acknowledge the batch last yielded now, instead of when the next one is asked for."""
        self._runner.run(self._run.ack)

    def close(self) -> None:
        """Stop the run and wait for what was in flight; the last batch stays unacknowledged."""
        iterator, self._iterator = self._iterator, None
        if iterator is not None:
            self._close(iterator)
        if not self._run.done:
            self._runner.run(self._run.aclose)

    @property
    def progress(self) -> BulkProgress:
        """A snapshot of the run now."""
        return self._run.progress

    @property
    def report(self) -> BulkReport:
        """How the run ended; raises :class:`RealtoError` while it is still running."""
        return self._run.report

    @property
    def done(self) -> bool:
        """Whether the run has ended."""
        return self._run.done

    def __enter__(self) -> SyncBulkRun[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._run).replace("BulkRun", "SyncBulkRun", 1)
