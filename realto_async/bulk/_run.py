"""``BulkRun``: the consuming side of a bulk run (iteration, acknowledgements, report)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio

from .._errors import RealtoError
from ..export._bulk import bulk_frame
from ._engine import Delivery, Engine, Inbox, PendingPage, take
from ._report import BulkBatch, BulkProgress, BulkReport
from ._state import StateStore

__all__ = ["BulkRun"]

logger = logging.getLogger("realto")

T = TypeVar("T")


class BulkRun(Generic[T]):
    """A bulk run: ``async for batch in run`` yields :class:`BulkBatch` es (one page of one entity)
    as they arrive; ``await run.collect()`` gathers every record; ``run.report`` tells how it
    ended. Nothing is fetched before iteration starts, and a run is iterated once.

    A batch counts as delivered (its progress is committed to ``state=``) when you ask for the
    next one, or call :meth:`ack`. Breaking out of the loop, an exception in its body, or
    cancelling the task cancels every request in flight; ``async with run:`` (or
    :meth:`aclose`) waits for that to finish. Errors: the typed error of the first failing
    entity with ``fail_fast=True``, or of the entity source (e.g. the fleet listing) if it fails
    after retries; an exception of your own code (an ``entity_ids`` generator, ``map``'s ``fn``,
    ``on_progress``) stops the run and comes out as itself, never wrapped in an ExceptionGroup
    (acknowledged batches stay in ``state=``; ``report`` shows the run as cancelled).
    """

    def __init__(self, engine: Engine[T], state: StateStore | None, listing: str) -> None:
        self._engine = engine
        self._state = state
        self._listing = listing
        self._host: asyncio.Task[None] | None = None
        self._receive: Inbox[T] | None = None
        self._pending: Delivery[T] | None = None
        self._claimed = False
        self._iterator: weakref.ref[AsyncIterator[BulkBatch[T]]] | None = None
        self._report: BulkReport | None = None
        self._stopped: anyio.Event | None = None

    # ------------------------------------------------------------------ iteration

    def __aiter__(self) -> AsyncIterator[BulkBatch[T]]:
        if self._claimed:
            raise RealtoError("this BulkRun was already iterated; start a new run with client.bulk")
        self._claimed = True
        iterator = self._iterate()
        self._iterator = weakref.ref(iterator)
        return iterator

    async def _iterate(self) -> AsyncIterator[BulkBatch[T]]:
        send, receive = anyio.create_memory_object_stream[Delivery[T] | PendingPage[T]](
            self._engine.options.concurrency
        )
        self._receive = receive
        self._host = asyncio.ensure_future(self._engine.run(send))
        completed = False
        try:
            while True:
                await self.ack()
                if self._engine.fatal is not None:
                    raise self._engine.fatal
                try:
                    item: Delivery[T] | PendingPage[T] = await take(receive, self._engine.doorbell)
                except anyio.EndOfStream:
                    break
                if isinstance(item, PendingPage):
                    settled = item.settle()  # decoded here, right before it is handed over
                    if settled is None:  # a cut or malformed page: its worker fetches it again
                        continue
                    delivery = settled
                else:
                    delivery = item
                if delivery.finishes_entity:
                    self._engine.entity_delivered()
                if not delivery.batch.records:
                    await self._commit(delivery)
                    continue
                self._pending = delivery
                self._engine.stats.records += len(delivery.batch.records)
                yield delivery.batch
            await self._host  # the engine closed the stream: it has ended
            if self._engine.fatal is not None:
                raise self._engine.fatal
            completed = True
        finally:
            await self._stop(cancelled=not completed)

    async def ack(self) -> None:
        """Mark the batch last yielded as delivered now (committing its progress to ``state=``),
        instead of when the next one is asked for. Does nothing when there is none.

        Raises:
            RealtoError: the state store could not record the progress (e.g. its SQLite file is
                not writable).
        """
        delivery, self._pending = self._pending, None
        if delivery is not None:
            await self._commit(delivery)

    async def _commit(self, delivery: Delivery[T]) -> None:
        if self._state is not None and delivery.update is not None:
            await self._state.commit(self._listing, delivery.batch.entity_id, delivery.update)

    async def _stop(self, cancelled: bool) -> None:
        """Cancel the engine if it still runs, wait for it, and write the report. Called from the
        iteration's end and from ``aclose`` (whichever comes first does it, the other waits)."""
        with anyio.CancelScope(shield=True):
            if self._stopped is not None:
                await self._stopped.wait()
                return
            self._stopped = anyio.Event()
            try:
                host = self._host
                failure: BaseException | None = None
                if host is not None:
                    if not host.done():
                        host.cancel()
                    await asyncio.wait([host])
                    failure = None if host.cancelled() else host.exception()
                if self._receive is not None:
                    self._receive.close()
                self._report, hook_error = await self._engine.finish(
                    cancelled or self._engine.fatal is not None
                )
            finally:
                self._stopped.set()
            if failure is not None and not cancelled:
                raise RealtoError(f"the bulk run's engine failed unexpectedly: {failure!r}") from failure
            if hook_error is not None:
                if not cancelled and self._engine.fatal is None:
                    raise hook_error
                # Another error (or leaving the loop) ends the run already: that one is raised.
                logger.warning("on_progress raised while the bulk run ended", exc_info=hook_error)

    async def collect(self) -> list[T]:
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
        records: list[T] = []
        async for batch in self:
            records.extend(batch.records)
        return records

    async def aclose(self) -> None:
        """Stop the run: cancel what is in flight and wait for it. The batch last yielded is not
        acknowledged unless :meth:`ack` was called. Closing a run that has ended does nothing.

        Raises:
            RealtoError: the run's engine had failed unexpectedly (a bug; the error is chained).
        """
        self._claimed = True
        iterator = self._iterator() if self._iterator is not None else None
        # Its __anext__ may still be on its way out (a blocking caller's Ctrl+C interrupted it):
        # closing it then would raise RuntimeError; it stops on its own once it gets there.
        if iterator is not None and not iterator.ag_running:  # type: ignore[attr-defined]
            await iterator.aclose()  # type: ignore[attr-defined]
        # The iterator may be gone already (left by an exception): its close is scheduled for
        # later by the event loop, so stop the engine here and now.
        await self._stop(cancelled=True)

    # ------------------------------------------------------------------ DataFrames

    async def to_pandas(self) -> Any:
        """Run to the end and return every record as a ``pandas.DataFrame`` in the export schema
        of ``realto_async.export`` (each batch acknowledged as it is added); needs
        ``realto[pandas]``.

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
        return await bulk_frame(self, "pandas")

    async def to_arrow(self) -> Any:
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
        return await bulk_frame(self, "arrow")

    async def to_polars(self) -> Any:
        """Run to the end and return every record as a ``polars.DataFrame`` in the export schema
        of ``realto_async.export`` (each batch acknowledged as it is added); needs
        ``realto[polars]``.

        Returns:
            polars.DataFrame: as :meth:`to_pandas`.

        Raises:
            MissingDependencyError: polars is not installed (a RealtoError naming the extra).
            APIStatusError: as :meth:`collect`.
            APIConnectionError: as :meth:`collect`.
            RealtoError: the run was iterated before.
        """
        return await bulk_frame(self, "polars")

    async def __aenter__(self) -> BulkRun[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ status

    @property
    def listing(self) -> str:
        """What the run polls: ``"charge_sessions"``, ``"readings"``, ``"commands"``,
        ``"aggregations/<resolution>"`` (e.g. ``"aggregations/PT1H"``), or ``"map"``; also the
        name its progress is kept under in a :class:`StateStore`."""
        return self._listing

    @property
    def progress(self) -> BulkProgress:
        """A snapshot of the run now: entities done, failed and skipped, records, requests,
        retries, seconds throttled and elapsed, and the estimated seconds remaining."""
        return self._engine.progress()

    @property
    def report(self) -> BulkReport:
        """How the run ended: entities done, failed (with their errors) and skipped, records,
        requests, retries, seconds throttled and elapsed, whether it was cancelled.

        Raises:
            RealtoError: the run has not ended yet (iterate it to the end, or ``aclose()`` it).
        """
        if self._report is None:
            raise RealtoError("the bulk run has not ended yet: iterate it to the end (or aclose() it) first")
        return self._report

    @property
    def done(self) -> bool:
        """Whether the run has ended (its :attr:`report` is ready)."""
        return self._report is not None

    def __del__(self) -> None:
        # Left without aclose() (a break, say) in a program that ends at once: the event loop's
        # closing cancels the generator's own close before it runs, and the stream would be
        # reported as unclosed.
        receive = self._receive
        if receive is not None:
            receive.close()

    def __repr__(self) -> str:
        state = (
            "ended" if self._report is not None else "running" if self._host is not None else "not started"
        )
        return f"<BulkRun {self._listing} {state}>"
