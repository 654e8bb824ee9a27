"""What the blocking facade costs: realto_sync vs realto_async against the same emulator.

    python benchmarks/bench_sync_facade.py [--pairs 1000] [--rounds 7] [--listing-pairs 5]

The emulator runs in its own process with frozen time (answers cached). Reported per round:
the time a blocking call adds over the same awaited call (median of back-to-back pairs;
target <= 60 us; a bare hop to the loop thread and back is reported beside it, as the floor),
and item iteration of a 10,000-record listing both ways (the blocking one
prefetches pages; target: <= 2% more time than async). Rounds interleave both sides and
alternate which goes first (several listing pairs a round, their median), since this machine's
speed drifts; median and range over the
rounds go to benchmarks/results/sync_facade.jsonl and .png.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
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


async def paired_call_overhead(
    async_client: AsyncRealtoClient, sync_client: RealtoClient, entity_id: str, pairs: int
) -> float:
    """Median of (blocking call - awaited call), each pair measured back to back.

    The async client runs on this thread's loop; the blocking client is called from inside
    that loop (it runs its own), so both are timed from the same thread, call by call.
    """
    differences = []
    clock = time.perf_counter
    for _ in range(pairs):
        started = clock()
        await async_client.entities.retrieve(entity_id)
        middle = clock()
        sync_client.entities.retrieve(entity_id)
        differences.append((clock() - middle) - (middle - started))
    return statistics.median(differences) * 1e6


def bare_hop(client: RealtoClient, number: int) -> float:
    """Median time of running a coroutine that does nothing on the client's loop thread.

    The floor of any blocking call: two thread wake-ups, whatever the facade does around them.
    """

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


async def async_listing(client: AsyncRealtoClient, entity_id: str) -> float:
    started = time.perf_counter()
    count = 0
    async for _ in client.readings.list(
        entity_id, DEFAULT_START - timedelta(days=120), page_size=PAGE, max_items=LISTING
    ):
        count += 1
    assert count == LISTING, count
    return time.perf_counter() - started


def sync_listing(client: RealtoClient, entity_id: str) -> float:
    started = time.perf_counter()
    count = 0
    for _ in client.readings.list(
        entity_id, DEFAULT_START - timedelta(days=120), page_size=PAGE, max_items=LISTING
    ):
        count += 1
    assert count == LISTING, count
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=1000, help="call pairs per round (per-call overhead)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (at least 5)")
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
    hop = report.metric("bare hop to the loop thread and back (reference)", "us")
    listing_name = f"{LISTING:,} records: blocking time / async time - 1"
    listing = report.metric(listing_name, "%", target=2, better="lower")
    with emulator_process() as emulator:
        options = {
            "base_url": emulator.url,
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
        }
        sync_client = RealtoClient(**options)
        entity_id = long_lived_ev(sync_client)
        sync_listing(sync_client, entity_id)  # warms the emulator's cache and the pool

        async def measure() -> None:
            async with AsyncRealtoClient(**options) as async_client:
                await async_listing(async_client, entity_id)
                await paired_call_overhead(async_client, sync_client, entity_id, 200)  # warm-up
                for number in range(args.rounds):
                    per_call.values.append(
                        await paired_call_overhead(async_client, sync_client, entity_id, args.pairs)
                    )
                    hop.values.append(bare_hop(sync_client, args.pairs))
                    ratios = []
                    for pair in range(args.listing_pairs):
                        if (number + pair) % 2:  # alternate which side goes first
                            blocking = sync_listing(sync_client, entity_id)
                            awaited = await async_listing(async_client, entity_id)
                        else:
                            awaited = await async_listing(async_client, entity_id)
                            blocking = sync_listing(sync_client, entity_id)
                        ratios.append(blocking / awaited - 1)
                    listing.values.append(statistics.median(ratios) * 100)

        asyncio.run(measure())
        sync_client.close()
    report.finish()


if __name__ == "__main__":
    main()
