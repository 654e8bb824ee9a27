"""The fetching side of a bulk run: entities in, batches out, on anyio's structured concurrency.

``concurrency`` workers take one entity at a time from the source (see ``_feed``) and send its
pages into a bounded stream the consumer reads (backpressure: a slow consumer stops the fetching,
and memory stays about ``concurrency`` pages deep whatever the fleet size).
Every request passes the run's gate (the shared 429 pause and the token bucket) and an AIMD
capacity limiter. An entity whose request still fails after the client's own retries is tried
again from the same continuation token, ``entity_retries`` times, then recorded as failed. A 401
after the client fetched a new token is worth one such retry (the token expired again); invalid
credentials (refused by the token endpoint) or a token handed over by the caller fail at once.

A 429 pauses the whole run for its ``Retry-After`` when that fits the client's per-call deadline
(``timeout``, its ``total``; 120 s without one). A longer ``Retry-After`` (say an hour) does not
stall the run: the pause is cut to that deadline, counted in ``pauses_capped``, and the refused
request counts as one of its entity's ``entity_retries``; an entity the server keeps refusing so
ends in ``report.failed`` with the ``RateLimitError`` (its ``retry_after`` kept) while the
others go on.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

import anyio
import attrs
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._attempt import Response
from .._auth import StaticTokenProvider
from .._config import DEFAULT_TOTAL_TIMEOUT
from .._errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InvalidArgumentError,
    InvalidCredentialsError,
    PaginationError,
    RateLimitError,
    RealtoError,
    ResponseValidationError,
)
from .._pagination import AsyncPaginator
from .._retry import RetryEvent
from .._validate import time_frame
from ._feed import EntityFeed
from ._gc import GcMode, gc_mode
from ._limits import AdaptiveLimit, RunGate, TokenBucket
from ._listings import Listing
from ._report import BulkBatch, BulkProgress, BulkReport
from ._source import EntityRef
from ._state import EntityState, StateStore, StateUpdate

if TYPE_CHECKING:
    from .._client import AsyncRealtoClient

__all__ = [
    "Delivery",
    "Doorbell",
    "Engine",
    "EngineOptions",
    "Inbox",
    "ListingJob",
    "MapJob",
    "Outbox",
    "PendingPage",
    "ProgressHook",
]

T = TypeVar("T")
ProgressHook = Callable[[BulkProgress], "Awaitable[None] | None"]
PROGRESS_INTERVAL = 0.5  # seconds between two on_progress calls at most
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
ENTITY_BACKOFF_INITIAL = 0.5
ENTITY_BACKOFF_MAX = 8.0
# A 429 is not a failure of the entity: its request waits for the run's pause and goes again,
# without using up entity_retries, this many times at most.
MAX_RATE_LIMITED = 100
NO_STATE = EntityState()


@attrs.define(frozen=True)
class EngineOptions:
    concurrency: int
    rate: float | None
    entity_retries: int
    fail_fast: bool
    on_progress: ProgressHook | None
    gc: GcMode


@attrs.define(frozen=True, slots=True)
class Delivery(Generic[T]):
    """What travels to the consumer: the batch and the state update its acknowledgement commits."""

    batch: BulkBatch[T]
    update: StateUpdate | None
    finishes_entity: bool


class PendingPage(Generic[T]):
    """A page fetched but not decoded yet. The consumer decodes it (:meth:`settle`) right before
    handing it over, so decoded pages do not pile up while the other workers decode theirs: the
    garbage collector would scan them again and again, and they would go cold in the CPU's
    caches. The worker waits for :meth:`outcome` before it asks for the next page."""

    __slots__ = ("_answer", "_done", "_error", "_next_token", "_settle")

    def __init__(self, answer: Response, settle: Settle[T]) -> None:
        self._answer: Response | None = answer
        self._settle = settle
        # A bare future: one per page, and anyio.Event() costs several times more to make.
        self._done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._error: Exception | None = None
        self._next_token: str | None = None

    def settle(self) -> Delivery[T] | None:
        """The page's delivery, or None when it could not be decoded (its worker gets the error)."""
        answer, self._answer = self._answer, None
        assert answer is not None, "a page is settled once"
        try:
            delivery, self._next_token = self._settle(answer)
        except Exception as err:  # the worker's: a cut or malformed answer is tried again there
            self._error = err
            return None
        finally:
            if not self._done.done():  # its worker may have been cancelled meanwhile
                self._done.set_result(None)
        return delivery

    async def outcome(self) -> str | None:
        """The page's continuation token (None: the last page) once the consumer has decoded it;
        raises what decoding raised."""
        await self._done
        if self._error is not None:
            raise self._error
        return self._next_token


Settle: TypeAlias = "Callable[[Response], tuple[Delivery[T], str | None]]"
Outbox: TypeAlias = "MemoryObjectSendStream[Delivery[T] | PendingPage[T]]"
Inbox: TypeAlias = "MemoryObjectReceiveStream[Delivery[T] | PendingPage[T]]"


class Doorbell:
    """Wakes the consumer when a worker hands something over. The consumer waits on it when the
    buffer runs dry instead of in anyio's ``receive()``, which costs a loop turn and a new Event
    each time, that is on nearly every batch when the consumer keeps up."""

    __slots__ = ("_waiter",)

    def __init__(self) -> None:
        self._waiter: asyncio.Future[None] | None = None

    @property
    def waiting(self) -> bool:
        """Whether the consumer waits on an empty buffer and nothing has been handed over since."""
        return self._waiter is not None and not self._waiter.done()

    def ring(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None


async def consume(out: Outbox[T], doorbell: Doorbell, settle: Settle[T], answer: Response) -> str | None:
    """Hand a fetched page to the consumer, decoded, and return its continuation token (None:
    the last page).

    When the consumer is waiting with nothing buffered, the worker decodes the page itself: the
    consumer takes it at its next step, and the worker goes on without waiting to be woken. The
    next worker then finds the consumer busy. Otherwise the consumer decodes it when it gets to
    it, and the worker waits for that.
    """
    if doorbell.waiting:
        delivery, next_token = settle(answer)
        del answer
        await hand_over(out, delivery, doorbell)
        return next_token
    pending = PendingPage(answer, settle)
    del answer  # the consumer's now: freed as soon as it is decoded
    await hand_over(out, pending, doorbell)
    return await pending.outcome()


async def hand_over(stream: MemoryObjectSendStream[Any], item: Any, doorbell: Doorbell) -> None:
    """Send ``item``, without a loop turn when the buffer has room (anyio's send always yields),
    and wake the consumer if it waits."""
    try:
        stream.send_nowait(item)
    except anyio.WouldBlock:
        await stream.send(item)
    doorbell.ring()


async def take(stream: MemoryObjectReceiveStream[Any], doorbell: Doorbell) -> Any:
    """The next item, without a loop turn when one is waiting; raises ``anyio.EndOfStream`` when
    the senders are done (the engine rings the doorbell once it has closed them)."""
    while True:
        try:
            return stream.receive_nowait()
        except anyio.WouldBlock:
            await doorbell.wait()


class _EntityFailed(Exception):
    def __init__(self, error: RealtoError) -> None:
        self.error = error


class _RunFailed(Exception):
    """Stops the whole run with ``error`` (a misuse that every entity would meet alike)."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _caller_cancelled(where: str, error: asyncio.CancelledError) -> RealtoError:
    failure = RealtoError(
        f"{where} raised CancelledError although the bulk run was not cancelled (code of yours "
        "cancelled a coroutine of its own?); the run is stopped so that no entity goes missing"
    )
    failure.__cause__ = error
    return failure


def is_transient(error: RealtoError) -> bool:
    """Whether trying again later may succeed (connection trouble, 408/425/429/5xx, a cut body)."""
    if isinstance(error, (APIConnectionError, ResponseValidationError)):
        return True
    return isinstance(error, APIStatusError) and (
        error.status_code in RETRY_STATUSES or error.status_code >= 500
    )


@attrs.define
class Stats:
    """Counters the engine and the consumer share; read for progress and the report."""

    started: float = attrs.Factory(time.perf_counter)
    entities_fed: int = 0
    entities_total: int | None = None
    entities_done: int = 0
    failed: dict[str, RealtoError] = attrs.Factory(dict)
    skipped: list[str] = attrs.Factory(list)
    records: int = 0
    requests: int = 0
    retries: int = 0
    pauses_capped: int = 0

    @property
    def finished(self) -> int:
        return self.entities_done + len(self.failed) + len(self.skipped)


@attrs.frozen
class _Window:
    """One time window to list (from ``page``/``token`` when resumed) and the covered range of the
    entity once it is listed to the end; ``forget``: drop delivered ids before that range's end
    minus the lookback."""

    start: datetime
    end: datetime
    page: int
    token: str | None
    covered_start: datetime
    covered_end: datetime
    forget: bool = True


@attrs.define(slots=True, eq=False)
class _PageContext:
    """What the pages of one window of one entity share while it is listed."""

    entity_id: str
    window: _Window
    last_window: bool
    delivered: set[str]
    seen: set[str] = attrs.Factory(set)


class ListingJob(Generic[T]):
    """Polls one time-framed listing for one entity, window by window, page by page."""

    def __init__(
        self,
        listing: Listing[T],
        *,
        start: datetime,
        end: datetime,
        lookback: timedelta,
        page_size: int | None,
        state: StateStore | None,
    ) -> None:
        self.listing = listing
        self.start = start
        self.end = end
        self.lookback = lookback
        self.page_size = page_size
        self.state = state
        self._last_frame: tuple[datetime, datetime, dict[str, str]] | None = None

    def applies_to(self, ref: EntityRef) -> bool:
        return self.listing.applies_to(ref.type)

    def _frame(self, window: _Window) -> dict[str, str]:
        """The window's ``start``/``end`` query, formatted once for all the entities that share
        the run's window (the run's start and end were checked when it was made)."""
        last = self._last_frame
        if last is not None and last[0] is window.start and last[1] is window.end:
            return last[2]
        frame = time_frame(window.start, window.end)
        self._last_frame = (window.start, window.end, frame)
        return frame

    def _windows(self, state: EntityState) -> list[_Window]:
        """What to list for one entity: the interrupted window (resumed, same batch identity),
        the part of [start, end) before the covered range, then the part after it (from the
        watermark minus the lookback). Each says the covered range once it is finished."""
        windows: list[_Window] = []
        covered_end = state.watermark
        covered_start = state.covered_start
        if covered_end is not None and covered_start is None:  # a state from before it was kept
            covered_start = min(self.start, covered_end)
        if state.window_start is not None and state.window_end is not None:
            low, high = state.window_start, state.window_end
            if covered_start is not None and covered_end is not None:
                low, high = min(covered_start, low), max(covered_end, high)
            windows.append(
                _Window(state.window_start, state.window_end, state.page, state.continuation_token, low, high)
            )
            covered_start, covered_end = low, high
        if covered_start is not None and covered_end is not None and self.start < covered_start:
            if self.end < covered_start:  # disjoint: listed, its ids kept, the covered range unchanged
                windows.append(
                    _Window(self.start, self.end, 0, None, covered_start, covered_end, forget=False)
                )
                return windows
            windows.append(_Window(self.start, covered_start, 0, None, self.start, covered_end))
            covered_start = self.start
        if covered_start is None or covered_end is None:
            windows.append(_Window(self.start, self.end, 0, None, self.start, self.end))
        elif covered_end < self.end:
            if self.start > covered_end:  # a gap: the covered range becomes this window alone
                windows.append(_Window(self.start, self.end, 0, None, self.start, self.end))
            else:
                start = max(self.start, covered_end - self.lookback)
                windows.append(_Window(start, self.end, 0, None, covered_start, self.end))
        return windows

    async def run(self, engine: Engine[T], ref: EntityRef, out: Outbox[T]) -> None:
        listing = self.listing
        state = NO_STATE if self.state is None else await self.state.load(listing.name, ref.id)
        delivered = set(state.delivered)
        windows = self._windows(state)
        for number, window in enumerate(windows):
            context = _PageContext(ref.id, window, number == len(windows) - 1, delivered)
            frame = self._frame(window)
            first_token = window.token
            page_index, token = window.page, first_token
            while True:
                paginator = listing.paginate(engine.client, ref.id, frame, self.page_size, token)
                settle = functools.partial(self._settle, context, page_index, token, paginator)
                try:
                    next_token = await engine.attempt(
                        paginator._first_answer, then=functools.partial(consume, out, engine.doorbell, settle)
                    )
                except _EntityFailed as failed:
                    if token is None or token != first_token or not isinstance(failed.error, BadRequestError):
                        raise
                    # The stored token of an interrupted window was refused (expired, say): list the
                    # window again from its start; the ids delivered before are filtered out.
                    page_index, token = 0, None
                    continue
                if next_token is None:
                    break
                context.seen.add(next_token)
                token, page_index = next_token, page_index + 1
        if not windows:  # nothing new since the watermark: done without a request
            await hand_over(
                out, Delivery(BulkBatch(ref.id, [], 0, None, None, listing.name), None, True), engine.doorbell
            )

    def _settle(
        self,
        context: _PageContext,
        page_index: int,
        token: str | None,
        paginator: AsyncPaginator[T],
        answer: Response,
    ) -> tuple[Delivery[T], str | None]:
        """Decode one page where it is consumed, drop what was delivered before, and say what to
        commit once it is acknowledged; with the page's continuation token (None: the last)."""
        listing, window = self.listing, context.window
        page = paginator._page_of(answer)
        next_token = page.continuation_token
        if next_token is not None and (next_token == token or next_token in context.seen):
            raise PaginationError(
                f"the server sent the continuation token {next_token!r} twice for entity "
                f"{context.entity_id}; stopping this entity instead of looping (please report this)"
            )
        finished = next_token is None
        if self.state is None:  # one window, no earlier run: nothing can come twice
            records, update = page.data, None
        else:
            delivered = context.delivered
            records = [record for record in page.data if listing.key(record) not in delivered]
            fresh = {listing.key(record): listing.time(record) for record in records}
            delivered.update(fresh)
            update = StateUpdate(
                finished=finished,
                window_start=window.start,
                window_end=window.end,
                page=page_index + 1,
                continuation_token=next_token,
                delivered=fresh,
                forget_before=window.covered_end - self.lookback if finished and window.forget else None,
                covered_start=window.covered_start,
                covered_end=window.covered_end,
            )
        batch = BulkBatch(context.entity_id, records, page_index, window.start, window.end, listing.name)
        return Delivery(batch, update, finished and context.last_window), next_token


class MapJob(Generic[T]):
    """Calls ``fn(entity_id)`` once per entity; its result is the batch's one record."""

    def __init__(self, fn: Callable[[str], Awaitable[T]]) -> None:
        self.fn = fn

    def applies_to(self, ref: EntityRef) -> bool:
        return True

    async def _call(self, entity_id: str) -> T:
        outcome = self.fn(entity_id)
        if not inspect.isawaitable(outcome):
            name = getattr(self.fn, "__qualname__", repr(self.fn))
            raise _RunFailed(
                InvalidArgumentError(
                    f"bulk.map's fn ({name}) returned {type(outcome).__name__}, not an awaitable: pass a "
                    "coroutine function (async def fn(entity_id): ...); a blocking function would stall "
                    "the event loop (realto_sync's client.bulk.map runs one in a worker thread)"
                )
            )
        return await outcome

    async def run(self, engine: Engine[T], ref: EntityRef, out: Outbox[T]) -> None:
        result = await engine.attempt(functools.partial(self._call, ref.id))
        batch = BulkBatch(ref.id, [result], 0, None, None, "map")
        await hand_over(out, Delivery(batch, None, True), engine.doorbell)


class Engine(Generic[T]):
    """Runs one job over every entity of a source; see the module docstring."""

    def __init__(
        self,
        client: AsyncRealtoClient,
        job: ListingJob[T] | MapJob[T],
        source: Callable[[Engine[Any]], Iterator[EntityRef] | AsyncIterator[EntityRef]],
        options: EngineOptions,
    ) -> None:
        clock = client._clock
        self.options = options
        self.clock = clock
        self.limit = AdaptiveLimit(options.concurrency)
        bucket = TokenBucket(options.rate, clock) if options.rate is not None else None
        self.gate = RunGate(clock, self.limit, bucket)
        self.stats = Stats()
        self.job = job
        self.source = source
        # What stops the run and is raised to the consumer: the first failure with fail_fast, a
        # failed entity source, or an exception that is not the API's (e.g. from map's fn).
        self.fatal: Exception | None = None
        user_hook = client._options.on_retry

        async def on_retry(event: RetryEvent) -> None:
            self.stats.retries += 1
            self.stats.requests += 1
            if user_hook is not None:
                outcome = user_hook(event)
                if inspect.isawaitable(outcome):
                    await outcome

        # 429s come straight back to the run, which pauses every request for the Retry-After at
        # once instead of letting each request wait and retry on its own.
        policy = client.retry
        no_429 = attrs.evolve(policy, retry_statuses=policy.retry_statuses - {429})
        self.client = client.with_options(on_retry=on_retry, retry=no_429)
        # A token the client fetched itself can expire again between its refresh and its use; one
        # the caller handed over cannot be repaired by trying again.
        self.refreshes_tokens = not isinstance(client._transport.auth, StaticTokenProvider)
        deadline = client.config.timeout.total
        self.max_pause = DEFAULT_TOTAL_TIMEOUT if deadline is None else deadline
        self._task_group: TaskGroup | None = None
        self._outer: TaskGroup | None = None
        self.doorbell = Doorbell()

    # ------------------------------------------------------------------ requests

    async def attempt(
        self, call: Callable[[], Awaitable[Any]], then: Callable[[Any], Awaitable[Any]] | None = None
    ) -> Any:
        """``call()`` through the gate and the limiter, tried again on transient errors; with
        ``then``, ``then(call())`` after the limiter is released (its transient errors, e.g. a
        cut body found while decoding, are tried again the same way, from ``call()``)."""
        retries = rate_limited = unreadable = 0
        refused_after_refresh = False
        policy = self.client.retry
        while True:
            error: RealtoError | None = None
            await self.limit.acquire()
            try:
                await self.gate.wait()
                self.stats.requests += 1
                result = await call()
            except RealtoError as err:
                error = err
            else:
                self.limit.succeeded()
                if then is None:
                    return result
            finally:
                self.limit.release()
            if error is None:
                assert then is not None
                step = then(result)
                del result  # not kept alive here once ``then`` is done with it
                try:
                    return await step
                except ResponseValidationError as err:
                    # The client's own retry loop would have read this body (a cut one, say) and
                    # tried again, max_retries times, before the run's retries: so here too.
                    if unreadable < policy.max_retries:
                        unreadable += 1
                        self.stats.retries += 1
                        await self.clock.sleep(policy.backoff(unreadable))
                        continue
                    unreadable = 0
                    error = err
                except RealtoError as err:
                    error = err
                finally:
                    del step
            if isinstance(error, RateLimitError):
                wait = error.retry_after if error.retry_after is not None else self._backoff(rate_limited + 1)
                if wait <= self.max_pause and rate_limited < MAX_RATE_LIMITED:
                    rate_limited += 1
                    self.stats.retries += 1
                    self.gate.pause(wait)
                    continue
                # Longer than a call may wait, or refused again and again: one of the entity's retries.
                if wait > self.max_pause:
                    self.stats.pauses_capped += 1
                self.gate.pause(min(wait, self.max_pause))  # the others wait too, this entity or not
                if retries >= self.options.entity_retries:
                    raise _EntityFailed(error)
                retries += 1
                self.stats.retries += 1
                continue
            if self._expired_again(error) and not refused_after_refresh:
                refused_after_refresh = True  # worth one entity retry: a fresh token next time
            elif not is_transient(error):
                raise _EntityFailed(error)
            if retries >= self.options.entity_retries:
                raise _EntityFailed(error)
            retries += 1
            self.stats.retries += 1
            await self.clock.sleep(self._backoff(retries))

    def _expired_again(self, error: RealtoError) -> bool:
        """A 401 for a token the client had just fetched again (it expired once more, or was
        revoked), while the credentials themselves were accepted by the token endpoint."""
        return (
            self.refreshes_tokens
            and isinstance(error, AuthenticationError)
            and not isinstance(error, InvalidCredentialsError)
        )

    @staticmethod
    def _backoff(retry: int) -> float:
        ceiling: float = min(ENTITY_BACKOFF_MAX, ENTITY_BACKOFF_INITIAL * 2 ** (retry - 1))
        return ceiling * (0.5 + random.random() / 2)

    # ------------------------------------------------------------------ the run

    async def run(self, out: Outbox[T]) -> None:
        """Fetch everything into ``out``, then close it. A fatal error is kept in ``fatal``."""
        self.stats.started = time.perf_counter()
        try:
            await self._run(out)
        finally:
            self.doorbell.ring()  # every sender is closed now: the consumer sees the end

    async def _run(self, out: Outbox[T]) -> None:
        with gc_mode(self.options.gc):
            async with out, anyio.create_task_group() as outer:
                self._outer = outer
                outer.start_soon(self._progress_loop)
                async with (
                    EntityFeed(self.source(self), self.stats) as feed,
                    anyio.create_task_group() as workers,
                ):
                    self._task_group = workers
                    for _ in range(self.options.concurrency):
                        workers.start_soon(self._worker, feed, out.clone())
                outer.cancel_scope.cancel()

    async def finish(self, cancelled: bool) -> tuple[BulkReport, Exception | None]:
        """The report, once the consumer is done, and what ``on_progress`` raised when called a
        last time (None: nothing)."""
        try:
            await self._emit_progress(final=True)
        except Exception as err:  # the caller's callback
            return self._report(cancelled), err
        except asyncio.CancelledError as err:  # shielded: the callback's own
            return self._report(cancelled), _caller_cancelled("on_progress", err)
        return self._report(cancelled), None

    async def _worker(self, feed: EntityFeed, out: Outbox[T]) -> None:
        async with out:
            while True:
                try:
                    ref = await feed.next()
                except _EntityFailed as failed:  # the fleet listing, after retries
                    self._fail_run(failed.error)
                    return
                except Exception as err:  # the caller's iterable (or a bug): raised to them as it is
                    self._fail_run(err)
                    return
                except asyncio.CancelledError as err:
                    self._cancelled_by_caller_code(err, "the entity_ids source")
                    return
                if ref is None:
                    return
                if ref.invalid is not None:
                    self._entity_failed(ref.id, ref.invalid)
                elif not self.job.applies_to(ref):
                    self.stats.skipped.append(ref.id)
                else:
                    try:
                        await self.job.run(self, ref, out)
                    except _EntityFailed as failed:
                        self._entity_failed(ref.id, failed.error)
                    except _RunFailed as failed:
                        self._fail_run(failed.error)
                    except Exception as err:  # not the API's: the caller's code or a bug, raised to them
                        self._fail_run(err)
                    except asyncio.CancelledError as err:
                        self._cancelled_by_caller_code(err, f"the run's work for entity {ref.id}")
                        return

    def _cancelled_by_caller_code(self, error: asyncio.CancelledError, where: str) -> None:
        """A CancelledError reached a worker. When the run itself is being cancelled (it was left,
        or another error stops it) that goes on; otherwise code of the caller raised it (map's
        ``fn``, the ``entity_ids`` source) and the run stops with an error saying so, instead of
        losing the entity without a word. Raises ``error`` again in the first case."""
        groups = [group for group in (self._task_group, self._outer) if group is not None]
        if not groups or any(group.cancel_scope.cancel_called for group in groups):
            raise error
        self._fail_run(_caller_cancelled(where, error))

    def entity_delivered(self) -> None:
        """Called by the consumer when an entity's last batch reaches it."""
        self.stats.entities_done += 1

    def _entity_failed(self, entity_id: str, error: RealtoError) -> None:
        self.stats.failed[entity_id] = error
        if self.options.fail_fast:
            self._fail_run(error)

    def _fail_run(self, error: Exception) -> None:
        if self.fatal is None:
            self.fatal = error
        if self._task_group is not None:
            self._task_group.cancel_scope.cancel()

    # ------------------------------------------------------------------ progress

    def progress(self) -> BulkProgress:
        stats = self.stats
        elapsed = time.perf_counter() - stats.started
        remaining = None
        finished = stats.finished
        if stats.entities_total is not None and finished:
            remaining = elapsed / finished * max(0, stats.entities_total - finished)
        return BulkProgress(
            entities_total=stats.entities_total,
            entities_done=stats.entities_done,
            entities_failed=len(stats.failed),
            entities_skipped=len(stats.skipped),
            records=stats.records,
            requests=stats.requests,
            retries=stats.retries,
            seconds_throttled=self.gate.seconds_throttled,
            elapsed=elapsed,
            pauses_capped=stats.pauses_capped,
            estimated_remaining=remaining,
            concurrency=self.limit.current,
        )

    async def _progress_loop(self) -> None:
        if self.options.on_progress is None:
            return
        while True:
            await anyio.sleep(PROGRESS_INTERVAL)
            try:
                await self._emit_progress()
            except Exception as err:  # the caller's callback: stops the run, raised as it is
                self._fail_run(err)
                return
            except asyncio.CancelledError as err:
                self._cancelled_by_caller_code(err, "on_progress")
                return

    async def _emit_progress(self, final: bool = False) -> None:
        hook = self.options.on_progress
        if hook is None:
            return
        with anyio.CancelScope(shield=final):
            outcome = hook(self.progress())
            if inspect.isawaitable(outcome):
                await outcome

    def _report(self, cancelled: bool) -> BulkReport:
        stats = self.stats
        return BulkReport(
            entities_done=stats.entities_done,
            entities_failed=len(stats.failed),
            entities_skipped=len(stats.skipped),
            failed=dict(stats.failed),
            skipped=tuple(stats.skipped),
            records=stats.records,
            requests=stats.requests,
            retries=stats.retries,
            seconds_throttled=self.gate.seconds_throttled,
            elapsed=time.perf_counter() - stats.started,
            entities_unfinished=max(0, stats.entities_fed - stats.finished),
            cancelled=cancelled,
            pauses_capped=stats.pauses_capped,
        )
