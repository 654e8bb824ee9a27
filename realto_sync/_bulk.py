"""Bulk runs for blocking code: ``for batch in client.bulk.charge_sessions(...)`` without await.

The run itself is realto_async's: while it is iterated, a helper thread runs the client's loop so
the run fetches while the caller's thread works on a batch, and the caller asking for the next
batch acknowledges the last one.
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio.to_thread

from realto_async.bulk import BulkBatch, BulkProgress, BulkReport, BulkRun
from realto_async.errors import RealtoError

from ._pagination import SyncPaginator
from ._runner import LoopRunner

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


# Iterables that hold their items already: read on the loop, no thread needed.
IN_MEMORY = (list, tuple, set, frozenset, dict, range, str, bytes)
# Items taken from a blocking iterable per hop to a worker thread: up to this many, for up to
# this long (a slow generator hands over each item as it comes).
SOURCE_CHUNK = 256
SOURCE_CHUNK_SECONDS = 0.05


def async_source(entity_ids: Any) -> Any:
    """A blocking listing (``client.entities.list()``) as the async listing it wraps, so the run
    reads it on its own loop; any other iterator or generator (which may call the blocking
    client, or block) read in a worker thread, a chunk at a time; anything else as it is."""
    if isinstance(entity_ids, SyncPaginator):
        return entity_ids._paginator
    if isinstance(entity_ids, IN_MEMORY) or not isinstance(entity_ids, Iterable):
        return entity_ids
    return _read_in_worker_thread(entity_ids)


def _take(iterator: Iterator[Any]) -> list[Any]:
    chunk: list[Any] = []
    until = time.monotonic() + SOURCE_CHUNK_SECONDS
    for item in iterator:
        chunk.append(item)
        if len(chunk) >= SOURCE_CHUNK or time.monotonic() >= until:
            break
    return chunk


async def _read_in_worker_thread(entity_ids: Iterable[Any]) -> AsyncIterator[Any]:
    iterator = await anyio.to_thread.run_sync(iter, entity_ids)
    while chunk := await anyio.to_thread.run_sync(_take, iterator):
        for item in chunk:
            yield item


class SyncBulkRun(Generic[T]):
    """A :class:`realto_async.bulk.BulkRun` for blocking code: ``for batch in run`` yields each
    :class:`BulkBatch`; ``collect()`` gathers every record; ``report`` tells how it ended.

    Asking for the next batch (or calling :meth:`ack`) acknowledges the last one. Leaving the
    loop early, or :meth:`close`, cancels what is in flight; ``with run:`` does it for you.
    """

    __slots__ = ("_run", "_runner")

    def __init__(self, runner: LoopRunner, run: BulkRun[T]) -> None:
        self._runner = runner
        self._run = run

    def __iter__(self) -> Iterator[BulkBatch[T]]:
        iterator = self._run.__aiter__()

        async def following() -> BulkBatch[T] | None:
            try:
                return await iterator.__anext__()
            except StopAsyncIteration:
                return None

        try:
            with self._runner.background():  # the run's workers go on while the caller works
                while True:
                    batch = self._runner.run(following)
                    if batch is None:
                        return
                    yield batch
                    del batch
        finally:
            if self._runner.running:
                with contextlib.suppress(RealtoError):  # closed from inside the loop during GC
                    # Through the run, which also copes with an iteration Ctrl+C left half-way.
                    self._runner.run(self._run.aclose)

    def collect(self) -> list[T]:
        """Run to the end and return every record (mind the memory: for small jobs). Each batch is
        acknowledged as it is added.

        Returns:
            list[T]: every record of every entity, in the order the batches arrived.

        Raises:
            APIStatusError: with ``fail_fast=True`` the first failed entity's error, or the entity
                listing's when it fails after retries (failed entities are otherwise only in
                ``report.failed``).
            APIConnectionError: as APIStatusError, when the server could not be reached or did not
                answer in time.
            RealtoError: the run was iterated before.
        """
        return self._runner.run(self._run.collect)

    def ack(self) -> None:
        """Mark the batch last yielded as delivered now (committing its progress to ``state=``),
        instead of when the next one is asked for. Does nothing when there is none.

        Raises:
            RealtoError: the state store could not record the progress (e.g. its SQLite file is
                not writable).
        """
        self._runner.run(self._run.ack)

    def close(self) -> None:
        """Stop the run: cancel what is in flight and wait for it. The batch last yielded is not
        acknowledged unless :meth:`ack` was called. Closing a run that has ended does nothing.

        Raises:
            RealtoError: the run's engine had failed unexpectedly (a bug; the error is chained).
        """
        if not self._run.done:
            self._runner.run(self._run.aclose)

    def to_pandas(self) -> Any:
        """Run to the end and return every record as a ``pandas.DataFrame`` in the export schema of
        ``realto_async.export`` (each batch acknowledged as it is added); needs ``realto[pandas]``.

        Returns:
            pandas.DataFrame: one row per record, columns named with their unit
            (``charge_total_kwh``, ``average_power_kw``...), times as UTC timestamps; aggregations
            carry their batch's ``entity_id``. A run without records gives the schema's columns.

        Raises:
            MissingDependencyError: pandas is not installed (a RealtoError naming the extra).
            APIStatusError: as :meth:`collect`.
            APIConnectionError: as :meth:`collect`.
            RealtoError: the run was iterated before.
        """
        return self._runner.run(self._run.to_pandas)

    def to_arrow(self) -> Any:
        """Run to the end and return every record as a ``pyarrow.Table`` in the export schema of
        ``realto_async.export`` (each batch acknowledged as it is added); needs ``realto[arrow]``.

        Returns:
            pyarrow.Table: as :meth:`to_pandas`, typed by the schema (timestamps in UTC).

        Raises:
            MissingDependencyError: pyarrow is not installed (a RealtoError naming the extra).
            APIStatusError: as :meth:`collect`.
            APIConnectionError: as :meth:`collect`.
            RealtoError: the run was iterated before.
        """
        return self._runner.run(self._run.to_arrow)

    def to_polars(self) -> Any:
        """Run to the end and return every record as a ``polars.DataFrame`` in the export schema of
        ``realto_async.export`` (each batch acknowledged as it is added); needs ``realto[polars]``.

        Returns:
            polars.DataFrame: as :meth:`to_pandas`.

        Raises:
            MissingDependencyError: polars is not installed (a RealtoError naming the extra).
            APIStatusError: as :meth:`collect`.
            APIConnectionError: as :meth:`collect`.
            RealtoError: the run was iterated before.
        """
        return self._runner.run(self._run.to_polars)

    @property
    def listing(self) -> str:
        """What the run polls: ``"charge_sessions"``, ``"readings"``, ``"commands"``,
        ``"aggregations/<resolution>"`` (e.g. ``"aggregations/PT1H"``), or ``"map"``; also the
        name its progress is kept under in a ``StateStore``."""
        return self._run.listing

    @property
    def progress(self) -> BulkProgress:
        """A snapshot of the run now: entities done, failed and skipped, records, requests,
        retries, seconds throttled and elapsed, and the estimated seconds remaining."""
        return self._run.progress

    @property
    def report(self) -> BulkReport:
        """How the run ended: entities done, failed (with their errors) and skipped, records,
        requests, retries, seconds throttled and elapsed, whether it was cancelled.

        Raises:
            RealtoError: the run has not ended yet (iterate it to the end, or ``close()`` it).
        """
        return self._run.report

    @property
    def done(self) -> bool:
        """Whether the run has ended (its :attr:`report` is ready)."""
        return self._run.done

    def __enter__(self) -> SyncBulkRun[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._run).replace("BulkRun", "SyncBulkRun", 1)
