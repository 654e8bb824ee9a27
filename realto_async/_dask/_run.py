"""``run_on_dask``: a bulk run split into shards, one Dask task each, limits held cluster-wide."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
import uuid
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .._errors import InvalidArgumentError, RealtoError
from .._validate import check_page_size, check_resolution
from ..bulk._namespace import DEFAULT_CONCURRENCY
from ..bulk._window import resolve_window
from ..export._frames import require
from ..models.entities import Entity
from ._options import ClientOptions
from ._result import DaskBulkResult, ShardResult, combine
from ._shard import run_shard
from ._shards import LISTINGS, ShardSpec, check_layout, listing_label, split, write_layout

__all__ = ["DaskShardError", "run_on_dask"]

SHARDS_PER_THREAD = 4


class DaskShardError(RealtoError):
    """A shard's task failed on every try Dask gave it (an error, or its worker died each time).
    What the other shards finished is kept: run again with the same ``state_dir`` to resume."""


def _window(start: datetime | timedelta, end: datetime | None) -> tuple[datetime, datetime]:
    return resolve_window(start, end, datetime.now(timezone.utc).replace(microsecond=0))


def _positive(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{name} must be an int >= 1, got {value!r}")


def _threads(dask_client: Any) -> int:
    workers = dask_client.scheduler_info().get("workers", {})
    threads = sum(int(worker.get("nthreads", 1)) for worker in workers.values())
    if threads < 1:
        raise RealtoError("the Dask cluster has no workers: start some (or wait for them) and run again")
    return threads


async def _list_fleet(options: ClientOptions, entity_type: str | None) -> list[Entity]:
    async with options.client() as client:
        return [entity async for entity in client.entities.list(type=entity_type, page_size=200)]


def _fleet(options: ClientOptions, entity_type: str | None) -> list[Entity]:
    """Every entity (of ``entity_type``) from ``GET /v1/entities`` (inferred), listed on the
    client machine, in a thread of its own so that a running event loop does not matter."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _list_fleet(options, entity_type)).result()


def _entities(
    entity_ids: Iterable[str | Entity] | None, entity_type: str | None, options: ClientOptions
) -> list[str | Entity]:
    if entity_ids is None:
        return list(_fleet(options, entity_type))
    if entity_type is not None:
        raise InvalidArgumentError("pass entity_ids= or entity_type=, not both")
    if isinstance(entity_ids, (str, bytes, Entity)) or not isinstance(entity_ids, Iterable):
        raise InvalidArgumentError(
            f"entity_ids must be a list of entity ids or Entity objects, got {type(entity_ids).__name__}"
        )
    entities: list[str | Entity] = []
    for item in entity_ids:
        entities.append(item if isinstance(item, Entity) else str(item))
    return list({(e.id if isinstance(e, Entity) else e): e for e in entities}.values())


def _limits(
    concurrency: int | None, rate: float | None, shards: int, threads: int
) -> tuple[int, int, float | None]:
    """How many shards run at once (``slots``) and each one's share of the totals."""
    slots = min(shards, threads)
    if concurrency is None:
        return slots, DEFAULT_CONCURRENCY, None if rate is None else rate / slots
    slots = min(slots, concurrency)
    return slots, concurrency // slots, None if rate is None else rate / slots


def _check_rate(rate: float | None) -> None:
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0):
        raise InvalidArgumentError(f"rate must be a number of requests per second > 0, got {rate!r}")


def run_on_dask(
    dask_client: Any,
    listing: str,
    *,
    entity_ids: Iterable[str | Entity] | None = None,
    entity_type: str | None = None,
    start: datetime | timedelta,
    end: datetime | None = None,
    shards: int | None = None,
    client_options: Mapping[str, Any] | None = None,
    state_dir: str | Path | None = None,
    output: str | Path | None = None,
    concurrency: int | None = None,
    rate: float | None = None,
    retries: int = 2,
    resolution: timedelta | str = timedelta(hours=1),
    page_size: int | None = None,
) -> DaskBulkResult:
    """Run one bulk listing over many entities as shards on a Dask cluster, and wait for it.

    Each shard is one Dask task that opens its own ``AsyncRealtoClient`` on its worker and drives
    ``client.bulk`` over its entities: ``GET /v1/entities/{entityId}/charge-sessions``,
    ``/readings``, ``/aggregations`` or ``/commands`` per entity and page.

    - ``dask_client``: a ``distributed.Client``; ``listing``: ``"charge_sessions"``,
      ``"readings"``, ``"aggregations"`` (averaged per ``resolution``) or ``"commands"``.
    - ``entity_ids`` (ids or ``Entity`` objects), or ``entity_type=`` (e.g. ``"EV"``) to list
      them here first with ``GET /v1/entities`` (inferred); with neither, every entity.
    - ``start``: an aware datetime or a ``timedelta`` back from now; ``end``: an aware
      datetime, default now; both fixed here for every shard (UTC); ``end`` before ``start``
      raises :class:`InvalidArgumentError`.
    - ``shards``: default ``4`` per worker thread (at most one per entity); a ``state_dir``
      remembers its count. Entities go to shards by a hash of their id.
    - ``client_options``: ``AsyncRealtoClient`` arguments for the workers' clients; what is
      missing comes from the workers' ``REALTO_*`` environment. Their values are never shown.
    - ``state_dir``: a directory every worker reaches (shared storage) holding one SQLite state
      file and the part files per shard: a re-run skips finished shards and resumes the others,
      and a shard retried after its worker died goes on where it was.
    - ``output``: a directory for one Parquet file per shard in the export schema, every
      record in exactly one file, once. Without it the records come back to this process.
    - ``concurrency`` (requests in flight) and ``rate`` (requests per second) are totals over
      the whole cluster: at most ``slots = min(shards, worker threads, concurrency)`` shards
      run at once (a ``distributed.Semaphore``) and each gets ``1/slots`` of both.
      ``concurrency`` None: 16 per running shard; ``rate`` None: no limit.
    - ``retries``: how often Dask runs a failed shard's task again.
    - ``resolution``: the aggregations' interval (whole minutes, a multiple of 15), a timedelta
      or an ISO 8601 duration string such as ``"PT15M"``;
      ``page_size``: records per request (1-1000, None: the API's default).

    Returns a :class:`DaskBulkResult` (the combined ``BulkReport``, the Parquet files, each
    shard's result). Entities that failed are in ``report.failed`` with the SDK's typed errors.
    Raises :class:`InvalidArgumentError` for bad arguments before anything runs, the SDK's
    typed error a shard's task raised (e.g. from the fleet listing), :class:`DaskShardError`
    when a shard's task failed on every try otherwise (its worker died each time, its output
    could not be written), and :class:`MissingDependencyError` without ``realto[dask]``.
    """
    distributed = require("distributed", "dask")
    if listing not in LISTINGS:
        raise InvalidArgumentError(f"listing must be one of {', '.join(LISTINGS)}, got {listing!r}")
    first, last = _window(start, end)
    if shards is not None:
        _positive(shards, "shards")
    if concurrency is not None:
        _positive(concurrency, "concurrency")
    _check_rate(rate)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidArgumentError(f"retries must be an int >= 0, got {retries!r}")
    resolution = check_resolution(resolution)
    check_page_size(page_size)
    options = ClientOptions(client_options)
    label = listing_label(listing, resolution if listing == "aggregations" else None)
    state_path = None if state_dir is None else Path(state_dir).resolve()
    if state_path is not None:
        shards = check_layout(state_path, label, shards) or shards

    entities = _entities(entity_ids, entity_type, options)
    threads = _threads(dask_client)
    count = shards if shards is not None else max(1, min(len(entities), SHARDS_PER_THREAD * threads))
    if state_path is not None:
        write_layout(state_path, label, count)
    slots, share, rate_share = _limits(concurrency, rate, count, threads)
    groups = split(entities, count)
    specs = [
        ShardSpec(
            index=index,
            shards=count,
            listing=listing,
            entities=group,
            start=first,
            end=last,
            resolution=resolution if listing == "aggregations" else None,
            page_size=page_size,
            concurrency=share,
            rate=rate_share,
            state_dir=None if state_path is None else str(state_path),
            output=None if output is None else str(Path(output).resolve()),
            options=options,
        )
        for index, group in enumerate(groups)
        if group
    ]
    began = time.monotonic()
    results = _submit(distributed, dask_client, specs, slots, retries, label)
    files = tuple(Path(result.file) for result in results if result.file is not None)
    report = combine([result.report for result in results], time.monotonic() - began)
    return DaskBulkResult(report, files, tuple(results))


def _submit(
    distributed: Any, dask_client: Any, specs: list[ShardSpec], slots: int, retries: int, label: str
) -> list[ShardResult]:
    if not specs:
        return []
    run_id = f"realto-{label}-{uuid.uuid4().hex[:12]}"
    with dask_client.as_current():
        semaphore = distributed.Semaphore(max_leases=slots, name=run_id)
    futures = [
        dask_client.submit(
            run_shard, spec, semaphore, key=f"{run_id}-shard-{spec.index:05d}", retries=retries
        )
        for spec in specs
    ]
    try:
        results: list[ShardResult] = []
        for spec, future in zip(specs, futures, strict=True):
            try:
                results.append(future.result())
            except RealtoError:
                raise  # the SDK's own typed error, e.g. InvalidCredentialsError: as it is
            except Exception as err:
                raise DaskShardError(
                    f"{spec!r} failed on every try ({type(err).__name__}: {err}); the other shards keep "
                    "what they finished: run again with the same state_dir to resume"
                ) from err
        return results
    finally:
        for future in futures:
            future.cancel()
        with warnings.catch_warnings():
            # A worker that died holds its lease until the lease times out; closing frees it.
            warnings.filterwarnings("ignore", "Closing semaphore .* unreleased leases", RuntimeWarning)
            semaphore.close()
