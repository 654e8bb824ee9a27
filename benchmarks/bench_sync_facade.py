"""What the blocking facade costs: realto_sync vs realto_async against the same emulator.

    python benchmarks/bench_sync_facade.py [--pairs 1000] [--rounds 9] [--listing-pairs 5]

The emulator runs in its own process with frozen time (answers cached). Both clients are used
from the main thread: the async one on an event loop run for a block of calls, the blocking one
as blocking code calls it (no event loop running in the thread). Reported per round:

- the time a blocking call adds over the same awaited call: blocks of 10 awaited and 10 blocking
  calls alternate (which block goes first alternates too); median of the blocking calls minus
  median of the awaited ones (target <= 60 us);
- for reference: a blocking call of a coroutine that does nothing (the facade's floor), and a
  blocking call made where an event loop already runs in the thread (Jupyter; it is handed to
  the helper thread and back) minus the awaited call;
- item iteration of a 10,000-record listing both ways (target: <= 2% more time than async),
  several listing pairs a round in alternating order, their median (and the same for the
  process's CPU time, all threads, less sensitive to other processes); each listing starts after
  ``gc.collect()`` (otherwise a full collection falls in one side of a pair or the other, about
  14 ms of a 50 ms listing here).

Median and range over the rounds go to benchmarks/results/sync_facade.jsonl and .png.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from emulator_process import emulator_process
from report import Report

from realto_async import AsyncRealtoClient
from realto_async.testing import DEFAULT_START
from realto_sync import RealtoClient

LISTING = 10_000
PAGE = 1000
BLOCK = 10


def per_call_overhead(
    loop: asyncio.AbstractEventLoop,
    async_client: AsyncRealtoClient,
    blocking: Callable[[], object],
    entity_id: str,
    pairs: int,
    inside_loop: bool = False,
) -> float:
    """Median blocking call minus median awaited call (us), over alternating blocks of calls.

    ``inside_loop``: the blocking calls are made from a coroutine on ``loop`` (as in Jupyter).
    """
    clock = time.perf_counter
    awaited: list[float] = []
    blocked: list[float] = []

    async def awaited_block() -> None:
        for _ in range(BLOCK):
            started = clock()
            await async_client.entities.retrieve(entity_id)
            awaited.append(clock() - started)

    def blocking_block() -> None:
        for _ in range(BLOCK):
            started = clock()
            blocking()
            blocked.append(clock() - started)

    if inside_loop:
        plain_block = blocking_block

        async def inside() -> None:
            plain_block()

        def blocking_block() -> None:
            loop.run_until_complete(inside())

    for number in range(max(1, pairs // BLOCK)):
        if number % 2:
            blocking_block()
            loop.run_until_complete(awaited_block())
        else:
            loop.run_until_complete(awaited_block())
            blocking_block()
    return (statistics.median(blocked) - statistics.median(awaited)) * 1e6


def empty_call(client: RealtoClient, number: int) -> float:
    """Median time of a blocking call of a coroutine that does nothing (us)."""

    async def nothing() -> None:
        return None

    runner = client._runner
    times = []
    clock = time.perf_counter
    for _ in range(number):
        started = clock()
        runner.run(nothing)
        times.append(clock() - started)
    return statistics.median(times) * 1e6


def long_lived_ev(client: RealtoClient) -> str:
    """An EV that was on the platform for all of the listed window."""
    for entity in client.entities.list():
        if str(entity.type) == "EV":
            readings = client.readings.list(entity.id, DEFAULT_START - timedelta(days=120), page_size=1)
            first = readings.first_page().data
            if first and first[0].measured <= DEFAULT_START - timedelta(days=119):
                return entity.id
    raise SystemExit("no EV old enough in the emulated fleet")


async def async_listing(client: AsyncRealtoClient, entity_id: str) -> tuple[float, float]:
    """Wall and process CPU seconds of iterating the listing's items."""
    gc.collect()  # each listing starts from the same collector state: no full collection carried over
    cpu = time.process_time()
    started = time.perf_counter()
    count = 0
    async for _ in client.readings.list(
        entity_id, DEFAULT_START - timedelta(days=120), page_size=PAGE, max_items=LISTING
    ):
        count += 1
    assert count == LISTING, count
    return time.perf_counter() - started, time.process_time() - cpu


def sync_listing(client: RealtoClient, entity_id: str) -> tuple[float, float]:
    """Wall and process CPU seconds (all threads) of iterating the listing's items."""
    gc.collect()
    cpu = time.process_time()
    started = time.perf_counter()
    count = 0
    for _ in client.readings.list(
        entity_id, DEFAULT_START - timedelta(days=120), page_size=PAGE, max_items=LISTING
    ):
        count += 1
    assert count == LISTING, count
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=1000, help="call pairs per round (per-call overhead)")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (at least 5)")
    parser.add_argument("--listing-pairs", type=int, default=5, help="listing pairs per round (median)")
    args = parser.parse_args()
    report = Report(
        "sync_facade",
        f"python benchmarks/bench_sync_facade.py --pairs {args.pairs} --rounds {args.rounds} "
        f"--listing-pairs {args.listing_pairs}",
        records=LISTING,
        page_size=PAGE,
    )
    per_call = report.metric("blocking call minus awaited call", "us", target=60, better="lower")
    floor = report.metric("blocking call of a coroutine that does nothing (reference)", "us")
    in_loop = report.metric(
        "blocking call inside a running event loop (Jupyter) minus awaited call (reference)", "us"
    )
    listing_name = f"{LISTING:,} records: blocking time / async time - 1"
    listing = report.metric(listing_name, "%", target=2, better="lower")
    cpu_name = f"{LISTING:,} records: blocking CPU time / async CPU time - 1 (reference)"
    listing_cpu = report.metric(cpu_name, "%")
    with emulator_process() as emulator:
        options = {
            "base_url": emulator.url,
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
        }
        sync_client = RealtoClient(**options)
        entity_id = long_lived_ev(sync_client)
        sync_listing(sync_client, entity_id)  # warms the emulator's cache and the pool
        loop = asyncio.new_event_loop()

        async def make_client() -> AsyncRealtoClient:
            return AsyncRealtoClient(**options)

        async_client = loop.run_until_complete(make_client())
        loop.run_until_complete(async_listing(async_client, entity_id))

        def blocking() -> object:
            return sync_client.entities.retrieve(entity_id)

        per_call_overhead(loop, async_client, blocking, entity_id, 200)  # warm-up
        for number in range(args.rounds):
            per_call.values.append(per_call_overhead(loop, async_client, blocking, entity_id, args.pairs))
            floor.values.append(empty_call(sync_client, args.pairs))
            in_loop.values.append(
                per_call_overhead(loop, async_client, blocking, entity_id, args.pairs // 4, inside_loop=True)
            )
            while sync_client._runner.driver_ident is not None:  # the helper thread lingers a while
                time.sleep(0.05)
            ratios, cpu_ratios = [], []
            for pair in range(args.listing_pairs):
                if (number + pair) % 2:  # alternate which side goes first
                    blocking_time = sync_listing(sync_client, entity_id)
                    awaited = loop.run_until_complete(async_listing(async_client, entity_id))
                else:
                    awaited = loop.run_until_complete(async_listing(async_client, entity_id))
                    blocking_time = sync_listing(sync_client, entity_id)
                ratios.append(blocking_time[0] / awaited[0] - 1)
                cpu_ratios.append(blocking_time[1] / awaited[1] - 1)
            listing.values.append(statistics.median(ratios) * 100)
            listing_cpu.values.append(statistics.median(cpu_ratios) * 100)
        loop.run_until_complete(async_client.aclose())
        loop.close()
        sync_client.close()
    report.finish()


if __name__ == "__main__":
    main()
