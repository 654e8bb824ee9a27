"""``client.bulk``: poll a listing, or call any per-entity coroutine, over many entities."""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from .._errors import InvalidArgumentError
from .._types import finite_number
from .._validate import check_enum, check_page_size
from ..models.charge_sessions import ChargingRecord
from ..models.commands import Command
from ..models.entities import Entity
from ..models.enums import EntityType
from ..models.readings import Aggregation, Reading
from ..resources._base import Resource
from ._engine import Engine, EngineOptions, ListingJob, MapJob, ProgressHook
from ._gc import GcMode, check_gc_mode
from ._listings import Listing, aggregations_listing, charge_sessions, commands, readings
from ._run import BulkRun
from ._source import EntityRef, EntitySource, check_source, entity_refs
from ._state import StateStore
from ._window import resolve_window

if TYPE_CHECKING:
    from .._pagination import Page

__all__ = ["Bulk", "DEFAULT_CONCURRENCY"]

T = TypeVar("T")
DEFAULT_CONCURRENCY = 16
FLEET_PAGE_SIZE = 200


def _positive_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgumentError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


class Bulk(Resource):
    """Bulk polling: one listing (or any per-entity call) over many entities, concurrently,
    fault-tolerant, rate-limited, incremental and resumable. Each method returns a
    :class:`BulkRun`; see it for iteration, acknowledgement and the report.

    The options every method shares:

    - ``concurrency``: requests in flight at most (default 16, never above the client's
      ``connector_limit``). A 429 pauses the whole run for its ``Retry-After`` and halves it;
      it then grows back by one per window of successful requests (AIMD).
    - ``rate``: requests per second at most (a token bucket; None: no limit).
    - ``entity_retries``: how often an entity whose request failed after the client's own
      retries is tried again, from the same continuation token, with backoff (default 3).
      After that it lands in ``report.failed`` and the run goes on.
    - ``fail_fast``: stop the run and raise at the first failed entity instead.
    - ``on_progress``: called with a :class:`BulkProgress` at most every 0.5 s and once at the
      end (a function or a coroutine function).
    - ``gc``: ``"throughput"`` freezes the start-up heap and raises the garbage collector's
      thresholds for the run only (restored after, even on errors): faster large polls.
    """

    __slots__ = ()

    # ------------------------------------------------------------------ listings

    def charge_sessions(
        self,
        entity_ids: EntitySource | None = None,
        *,
        entity_type: EntityType | str | None = None,
        start: datetime | timedelta,
        end: datetime | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
        entity_retries: int = 3,
        fail_fast: bool = False,
        state: StateStore | None = None,
        lookback: timedelta | None = None,
        on_progress: ProgressHook | None = None,
        page_size: int | None = None,
        gc: GcMode = "default",
    ) -> BulkRun[ChargingRecord]:
        """Charge sessions of many EVs: ``GET /v1/entities/{entityId}/charge-sessions`` per entity
        and page. Entities of a type without charge sessions (known from an ``Entity``) are
        skipped, not failed.

        Args:
            entity_ids: the entities: ids (``str``/``UUID``) or ``Entity`` objects from any iterable
                or async iterable (``client.entities.list()`` streams in). None: list them with
                ``GET /v1/entities`` (an inferred endpoint), of ``entity_type`` when given, else all.
            entity_type: with ``entity_ids`` left out, only entities of this type (e.g. ``"EV"``);
                giving both is refused.
            start: beginning of the time frame: a timezone-aware datetime, or a ``timedelta`` back
                from ``end`` (e.g. ``timedelta(days=30)``).
            end: end of the time frame, timezone-aware (None: now, when the run is made, in UTC);
                fixed for the whole run.
            concurrency: requests in flight at most (default 16, never above the client's
                ``connector_limit``); a 429 halves it, success grows it back (AIMD).
            rate: requests per second at most, a token bucket (None: no limit).
            entity_retries: how often an entity whose request failed after the client's own retries
                is tried again, from its continuation token, with backoff; then it lands in
                ``report.failed`` and the run goes on.
            fail_fast: stop the run and raise at the first failed entity instead.
            state: a :class:`StateStore` (``SQLiteStateStore(path)``): each entity starts at its
                watermark minus ``lookback``, and no record already delivered comes again
                (None: no state, the whole time frame).
            lookback: how far before an entity's watermark to start again (a ``timedelta``; None:
                the listing's default, 48 h: sessions are published after they end, once a day).
            on_progress: called with a :class:`BulkProgress` at most every 0.5 s and once at the end
                (a function or a coroutine function; None: no reports).
            page_size: records per request asked of the server, 1 to 1000 (None: the server's
                default).
            gc: ``"throughput"`` freezes the start-up heap and raises the garbage collector's
                thresholds for the run only (restored after, even on errors); ``"default"`` leaves
                them alone.

        Returns:
            BulkRun[ChargingRecord]: iterate it (``async for batch in run``) for one
            :class:`BulkBatch` per entity and page, as they arrive, of
            charge sessions (energy in kWh, times in UTC); ``collect()``
            gathers every record, ``report`` tells how it ended. Nothing is sent before
            iteration starts.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, with ``fail_fast=True`` the first failed entity's error
                (the subclass names the status: AuthenticationError, RateLimitError...), or the
                entity listing's when it fails after retries; otherwise failed entities are only
                in ``report.failed``.
            APIConnectionError: while iterating, as APIStatusError, when the server could not be
                reached or did not answer in time (APITimeoutError).
            RealtoError: the run is iterated a second time.
        """
        return self._listing(
            charge_sessions, entity_ids, entity_type, start, end, concurrency, rate, entity_retries,
            fail_fast, state, lookback, on_progress, page_size, gc,
        )  # fmt: skip

    def readings(
        self,
        entity_ids: EntitySource | None = None,
        *,
        entity_type: EntityType | str | None = None,
        start: datetime | timedelta,
        end: datetime | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
        entity_retries: int = 3,
        fail_fast: bool = False,
        state: StateStore | None = None,
        lookback: timedelta | None = None,
        on_progress: ProgressHook | None = None,
        page_size: int | None = None,
        gc: GcMode = "default",
    ) -> BulkRun[Reading]:
        """Readings of many entities: ``GET /v1/entities/{entityId}/readings`` per entity and page.

        Args:
            entity_ids: the entities: ids (``str``/``UUID``) or ``Entity`` objects from any iterable
                or async iterable (``client.entities.list()`` streams in). None: list them with
                ``GET /v1/entities`` (an inferred endpoint), of ``entity_type`` when given, else all.
            entity_type: with ``entity_ids`` left out, only entities of this type (e.g. ``"EV"``);
                giving both is refused.
            start: beginning of the time frame: a timezone-aware datetime, or a ``timedelta`` back
                from ``end`` (e.g. ``timedelta(days=30)``).
            end: end of the time frame, timezone-aware (None: now, when the run is made, in UTC);
                fixed for the whole run.
            concurrency: requests in flight at most (default 16, never above the client's
                ``connector_limit``); a 429 halves it, success grows it back (AIMD).
            rate: requests per second at most, a token bucket (None: no limit).
            entity_retries: how often an entity whose request failed after the client's own retries
                is tried again, from its continuation token, with backoff; then it lands in
                ``report.failed`` and the run goes on.
            fail_fast: stop the run and raise at the first failed entity instead.
            state: a :class:`StateStore` (``SQLiteStateStore(path)``): each entity starts at its
                watermark minus ``lookback``, and no record already delivered comes again
                (None: no state, the whole time frame).
            lookback: how far before an entity's watermark to start again (a ``timedelta``; None:
                the listing's default, 1 h).
            on_progress: called with a :class:`BulkProgress` at most every 0.5 s and once at the end
                (a function or a coroutine function; None: no reports).
            page_size: records per request asked of the server, 1 to 1000 (None: the server's
                default).
            gc: ``"throughput"`` freezes the start-up heap and raises the garbage collector's
                thresholds for the run only (restored after, even on errors); ``"default"`` leaves
                them alone.

        Returns:
            BulkRun[Reading]: iterate it (``async for batch in run``) for one
            :class:`BulkBatch` per entity and page, as they arrive, of
            readings (values with their units: W, kWh, V, A, %...; times in UTC); ``collect()``
            gathers every record, ``report`` tells how it ended. Nothing is sent before
            iteration starts.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, with ``fail_fast=True`` the first failed entity's error
                (the subclass names the status: AuthenticationError, RateLimitError...), or the
                entity listing's when it fails after retries; otherwise failed entities are only
                in ``report.failed``.
            APIConnectionError: while iterating, as APIStatusError, when the server could not be
                reached or did not answer in time (APITimeoutError).
            RealtoError: the run is iterated a second time.
        """
        return self._listing(
            readings, entity_ids, entity_type, start, end, concurrency, rate, entity_retries,
            fail_fast, state, lookback, on_progress, page_size, gc,
        )  # fmt: skip

    def aggregations(
        self,
        entity_ids: EntitySource | None = None,
        *,
        entity_type: EntityType | str | None = None,
        start: datetime | timedelta,
        end: datetime | None = None,
        resolution: timedelta | str = timedelta(hours=1),
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
        entity_retries: int = 3,
        fail_fast: bool = False,
        state: StateStore | None = None,
        lookback: timedelta | None = None,
        on_progress: ProgressHook | None = None,
        page_size: int | None = None,
        gc: GcMode = "default",
    ) -> BulkRun[Aggregation]:
        """Aggregated readings of many entities: ``GET /v1/entities/{entityId}/aggregations`` per
        entity and page, averaged per ``resolution`` (whole minutes, a multiple of 15: a timedelta
        or an ISO 8601 duration string such as ``"PT15M"`` or ``"PT1H"``).

        Args:
            entity_ids: the entities: ids (``str``/``UUID``) or ``Entity`` objects from any iterable
                or async iterable (``client.entities.list()`` streams in). None: list them with
                ``GET /v1/entities`` (an inferred endpoint), of ``entity_type`` when given, else all.
            entity_type: with ``entity_ids`` left out, only entities of this type (e.g. ``"EV"``);
                giving both is refused.
            start: beginning of the time frame: a timezone-aware datetime, or a ``timedelta`` back
                from ``end`` (e.g. ``timedelta(days=30)``).
            end: end of the time frame, timezone-aware (None: now, when the run is made, in UTC);
                fixed for the whole run.
            resolution: the length of each average: whole minutes, a multiple of 15, as a
                ``timedelta`` or an ISO 8601 duration string such as ``"PT15M"`` (default 1 h).
            concurrency: requests in flight at most (default 16, never above the client's
                ``connector_limit``); a 429 halves it, success grows it back (AIMD).
            rate: requests per second at most, a token bucket (None: no limit).
            entity_retries: how often an entity whose request failed after the client's own retries
                is tried again, from its continuation token, with backoff; then it lands in
                ``report.failed`` and the run goes on.
            fail_fast: stop the run and raise at the first failed entity instead.
            state: a :class:`StateStore` (``SQLiteStateStore(path)``): each entity starts at its
                watermark minus ``lookback``, and no record already delivered comes again
                (None: no state, the whole time frame).
            lookback: how far before an entity's watermark to start again (a ``timedelta``; None:
                the listing's default, the larger of 1 h and ``resolution``).
            on_progress: called with a :class:`BulkProgress` at most every 0.5 s and once at the end
                (a function or a coroutine function; None: no reports).
            page_size: records per request asked of the server, 1 to 1000 (None: the server's
                default).
            gc: ``"throughput"`` freezes the start-up heap and raises the garbage collector's
                thresholds for the run only (restored after, even on errors); ``"default"`` leaves
                them alone.

        Returns:
            BulkRun[Aggregation]: iterate it (``async for batch in run``) for one
            :class:`BulkBatch` per entity and page, as they arrive, of
            averages (with their units; times in UTC); ``collect()``
            gathers every record, ``report`` tells how it ended. Nothing is sent before
            iteration starts.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, with ``fail_fast=True`` the first failed entity's error
                (the subclass names the status: AuthenticationError, RateLimitError...), or the
                entity listing's when it fails after retries; otherwise failed entities are only
                in ``report.failed``.
            APIConnectionError: while iterating, as APIStatusError, when the server could not be
                reached or did not answer in time (APITimeoutError).
            RealtoError: the run is iterated a second time.
        """
        return self._listing(
            aggregations_listing(resolution), entity_ids, entity_type, start, end, concurrency, rate,
            entity_retries, fail_fast, state, lookback, on_progress, page_size, gc,
        )  # fmt: skip

    def commands(
        self,
        entity_ids: EntitySource | None = None,
        *,
        entity_type: EntityType | str | None = None,
        start: datetime | timedelta,
        end: datetime | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
        entity_retries: int = 3,
        fail_fast: bool = False,
        state: StateStore | None = None,
        lookback: timedelta | None = None,
        on_progress: ProgressHook | None = None,
        page_size: int | None = None,
        gc: GcMode = "default",
    ) -> BulkRun[Command]:
        """Commands of many entities by trigger time: ``GET /v1/entities/{entityId}/commands`` per
        entity and page.

        Args:
            entity_ids: the entities: ids (``str``/``UUID``) or ``Entity`` objects from any iterable
                or async iterable (``client.entities.list()`` streams in). None: list them with
                ``GET /v1/entities`` (an inferred endpoint), of ``entity_type`` when given, else all.
            entity_type: with ``entity_ids`` left out, only entities of this type (e.g. ``"EV"``);
                giving both is refused.
            start: beginning of the time frame: a timezone-aware datetime, or a ``timedelta`` back
                from ``end`` (e.g. ``timedelta(days=30)``).
            end: end of the time frame, timezone-aware (None: now, when the run is made, in UTC);
                fixed for the whole run.
            concurrency: requests in flight at most (default 16, never above the client's
                ``connector_limit``); a 429 halves it, success grows it back (AIMD).
            rate: requests per second at most, a token bucket (None: no limit).
            entity_retries: how often an entity whose request failed after the client's own retries
                is tried again, from its continuation token, with backoff; then it lands in
                ``report.failed`` and the run goes on.
            fail_fast: stop the run and raise at the first failed entity instead.
            state: a :class:`StateStore` (``SQLiteStateStore(path)``): each entity starts at its
                watermark minus ``lookback``, and no record already delivered comes again
                (None: no state, the whole time frame).
            lookback: how far before an entity's watermark to start again (a ``timedelta``; None:
                the listing's default, 1 h).
            on_progress: called with a :class:`BulkProgress` at most every 0.5 s and once at the end
                (a function or a coroutine function; None: no reports).
            page_size: records per request asked of the server, 1 to 1000 (None: the server's
                default).
            gc: ``"throughput"`` freezes the start-up heap and raises the garbage collector's
                thresholds for the run only (restored after, even on errors); ``"default"`` leaves
                them alone.

        Returns:
            BulkRun[Command]: iterate it (``async for batch in run``) for one
            :class:`BulkBatch` per entity and page, as they arrive, of
            commands (times in UTC); ``collect()``
            gathers every record, ``report`` tells how it ended. Nothing is sent before
            iteration starts.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, with ``fail_fast=True`` the first failed entity's error
                (the subclass names the status: AuthenticationError, RateLimitError...), or the
                entity listing's when it fails after retries; otherwise failed entities are only
                in ``report.failed``.
            APIConnectionError: while iterating, as APIStatusError, when the server could not be
                reached or did not answer in time (APITimeoutError).
            RealtoError: the run is iterated a second time.
        """
        return self._listing(
            commands, entity_ids, entity_type, start, end, concurrency, rate, entity_retries,
            fail_fast, state, lookback, on_progress, page_size, gc,
        )  # fmt: skip

    # ------------------------------------------------------------------ any call

    def map(
        self,
        fn: Callable[[str], Awaitable[T]],
        entity_ids: EntitySource | None = None,
        *,
        entity_type: EntityType | str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
        entity_retries: int = 3,
        fail_fast: bool = False,
        on_progress: ProgressHook | None = None,
        gc: GcMode = "default",
    ) -> BulkRun[T]:
        """``await fn(entity_id)`` for many entities (``client.readings.last``,
        ``client.entities.retrieve``, a command...), with the same concurrency, rate limit,
        per-entity retries of transient errors, isolation and report as the listings. Entities
        are listed with ``GET /v1/entities`` (an inferred endpoint) when ``entity_ids`` is left
        out. A 429 that ``fn`` raises after the client's retries pauses the whole run.

        Args:
            fn: a coroutine function taking an entity id (``str``; the blocking client also takes
                a plain function, run in a worker thread); whatever it returns is the entity's one
                record. Mind that retrying a command may send it again: pass ``entity_retries=0``
                for writes.
            entity_ids: the entities: ids (``str``/``UUID``) or ``Entity`` objects from any iterable
                or async iterable (``client.entities.list()`` streams in). None: list them with
                ``GET /v1/entities`` (an inferred endpoint), of ``entity_type`` when given, else all.
            entity_type: with ``entity_ids`` left out, only entities of this type (e.g. ``"EV"``);
                giving both is refused.
            concurrency: requests in flight at most (default 16, never above the client's
                ``connector_limit``); a 429 halves it, success grows it back (AIMD).
            rate: requests per second at most, a token bucket (None: no limit).
            entity_retries: how often an entity whose request failed after the client's own retries
                is tried again, from its continuation token, with backoff; then it lands in
                ``report.failed`` and the run goes on.
            fail_fast: stop the run and raise at the first failed entity instead.
            on_progress: called with a :class:`BulkProgress` at most every 0.5 s and once at the end
                (a function or a coroutine function; None: no reports).
            gc: ``"throughput"`` freezes the start-up heap and raises the garbage collector's
                thresholds for the run only (restored after, even on errors); ``"default"`` leaves
                them alone.

        Returns:
            BulkRun[T]: iterate it for one :class:`BulkBatch` per entity holding what ``fn``
            returned as its one record; ``collect()`` gathers them, ``report`` tells how it
            ended. Nothing is called before iteration starts.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, with ``fail_fast=True`` the first failed entity's
                error (raised by ``fn``; the subclass names the status: AuthenticationError,
                RateLimitError...), or the entity listing's when it fails after retries; otherwise
                failed entities are only in ``report.failed``.
            APIConnectionError: while iterating, as APIStatusError, when the server could not be
                reached or did not answer in time (APITimeoutError).
            RealtoError: the run is iterated a second time.
        """
        if not callable(fn):
            raise InvalidArgumentError(f"fn must be a coroutine function taking an entity id, got {fn!r}")
        options = self._options(concurrency, rate, entity_retries, fail_fast, on_progress, gc)
        source = self._source(entity_ids, entity_type)
        engine: Engine[T] = Engine(self._client, MapJob(fn), source, options)
        return BulkRun(engine, None, "map")

    # ------------------------------------------------------------------ plumbing

    def _listing(
        self,
        listing: Listing[T],
        entity_ids: EntitySource | None,
        entity_type: EntityType | str | None,
        start: datetime | timedelta,
        end: datetime | None,
        concurrency: int,
        rate: float | None,
        entity_retries: int,
        fail_fast: bool,
        state: StateStore | None,
        lookback: timedelta | None,
        on_progress: ProgressHook | None,
        page_size: int | None,
        gc: GcMode,
    ) -> BulkRun[T]:
        options = self._options(concurrency, rate, entity_retries, fail_fast, on_progress, gc)
        first, last = self._window(start, end)
        if state is not None and not isinstance(state, StateStore):
            raise InvalidArgumentError(
                f"state must be a StateStore (SQLiteStateStore(path), MemoryStateStore()), got {state!r}"
            )
        if lookback is None:
            lookback = listing.lookback
        elif not isinstance(lookback, timedelta) or lookback < timedelta(0):
            raise InvalidArgumentError(f"lookback must be a timedelta >= 0, got {lookback!r}")
        job = ListingJob(
            listing,
            start=first,
            end=last,
            lookback=lookback,
            page_size=check_page_size(page_size),
            state=state,
        )
        engine = Engine(self._client, job, self._source(entity_ids, entity_type), options)
        return BulkRun(engine, state, listing.name)

    def _options(
        self,
        concurrency: int,
        rate: float | None,
        entity_retries: int,
        fail_fast: bool,
        on_progress: ProgressHook | None,
        gc: GcMode,
    ) -> EngineOptions:
        concurrency = _positive_int(concurrency, "concurrency", 1)
        connections = self._client.config.connector_limit
        if connections:  # 0: unlimited
            concurrency = min(concurrency, connections)
        if rate is not None and not (finite_number(rate) or 0) > 0:
            raise InvalidArgumentError(
                f"rate must be a finite number of requests per second > 0, got {rate!r}"
            )
        if not isinstance(fail_fast, bool):
            raise InvalidArgumentError(f"fail_fast must be True or False, got {fail_fast!r}")
        if on_progress is not None and not callable(on_progress):
            raise InvalidArgumentError(
                f"on_progress must be a callable taking a BulkProgress, got {on_progress!r}"
            )
        return EngineOptions(
            concurrency=concurrency,
            rate=finite_number(rate),
            entity_retries=_positive_int(entity_retries, "entity_retries", 0),
            fail_fast=fail_fast,
            on_progress=on_progress,
            gc=check_gc_mode(gc),
        )

    def _window(self, start: datetime | timedelta, end: datetime | None) -> tuple[datetime, datetime]:
        now = datetime.fromtimestamp(self._client._clock.time(), timezone.utc).replace(microsecond=0)
        return resolve_window(start, end, now)

    def _source(
        self, entity_ids: EntitySource | None, entity_type: EntityType | str | None
    ) -> Callable[[Engine[Any]], Iterator[EntityRef] | AsyncIterator[EntityRef]]:
        if entity_ids is not None:
            if entity_type is not None:
                raise InvalidArgumentError("pass entity_ids= or entity_type=, not both")
            check_source(entity_ids)
            return lambda engine: entity_refs(entity_ids)
        kind = None if entity_type is None else check_enum(entity_type, EntityType, "entity_type")
        return functools.partial(_fleet, kind)


async def _fleet(entity_type: str | None, engine: Engine[Any]) -> AsyncGenerator[EntityRef, None]:
    """Every entity (of ``entity_type``) from ``GET /v1/entities``, each page tried again on
    transient errors like any other request of the run."""
    token: str | None = None
    while True:
        listing = engine.client.entities.list(
            type=entity_type, page_size=FLEET_PAGE_SIZE, continuation_token=token
        )
        page: Page[Entity] = await engine.attempt(listing.first_page)
        for entity in page.data:
            yield EntityRef(entity.id, str(entity.type))
        token = page.continuation_token
        if token is None:
            return
