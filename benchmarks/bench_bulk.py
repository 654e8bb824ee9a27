"""client.bulk.charge_sessions vs a hand-written gather + semaphore loop over the same SDK.

    python benchmarks/bench_bulk.py [--evs 1000 10000] [--rounds 5] [--days 30]

The emulator runs in its own process (frozen time, so both sides get the same answers). For
each fleet size the sides run interleaved, alternating which goes first, at the same
concurrency (16, the bulk default) and page size. Reported per fleet size: records/s of each
side and the ratio bulk / hand-written (target >= 0.95, median and range over the rounds), the
same for ``gc="throughput"``; the same ratios of the client process's CPU time (much less
sensitive than wall time to other load on a shared machine); seconds and client CPU seconds per
1,000 EVs (time linear in the fleet: the per-EV cost stays put; wall time also grows when the
emulator's answer cache no longer holds the fleet); and the peak memory each side allocates
during one run (tracemalloc, in a separate pass so its overhead does not touch the timings;
target: flat in the fleet size).

Results: benchmarks/results/bulk.jsonl and .png (see report.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from emulator_process import emulator_process
from report import Report

from realto_async import AsyncRealtoClient

END = datetime(2024, 6, 1, tzinfo=timezone.utc)  # the emulator's frozen clock: 2024-06-01 12:00Z
CONCURRENCY = 16
PAGE_SIZE = 100
Side = Callable[[AsyncRealtoClient, list[str], datetime], Awaitable[int]]


async def by_hand(client: AsyncRealtoClient, ids: list[str], start: datetime) -> int:
    """What users write today: one task per EV, a semaphore, asyncio.gather."""
    bound = asyncio.Semaphore(CONCURRENCY)

    async def one(ev: str) -> int:
        count = 0
        async with bound:
            async for page in client.charge_sessions.list(ev, start, END, page_size=PAGE_SIZE).pages():
                count += len(page.data)
                del page  # not held while the next page is fetched (benchmarks/README.md)
        return count

    return sum(await asyncio.gather(*(one(ev) for ev in ids)))


async def bulk(client: AsyncRealtoClient, ids: list[str], start: datetime) -> int:
    count = 0
    run = client.bulk.charge_sessions(ids, start=start, end=END, page_size=PAGE_SIZE, concurrency=CONCURRENCY)
    async for batch in run:
        count += len(batch.records)
    assert run.report.ok, run.report
    return count


async def bulk_throughput(client: AsyncRealtoClient, ids: list[str], start: datetime) -> int:
    count = 0
    run = client.bulk.charge_sessions(
        ids, start=start, end=END, page_size=PAGE_SIZE, concurrency=CONCURRENCY, gc="throughput"
    )
    async for batch in run:
        count += len(batch.records)
    return count


SIDES: dict[str, Side] = {"by hand": by_hand, "bulk": bulk, "bulk gc=throughput": bulk_throughput}


async def timed(
    side: Side, client: AsyncRealtoClient, ids: list[str], start: datetime
) -> tuple[int, float, float]:
    """Records, wall seconds and this process's CPU seconds of one run of ``side``."""
    gc.collect()
    began, cpu = time.perf_counter(), time.process_time()
    records = await side(client, ids, start)
    return records, time.perf_counter() - began, time.process_time() - cpu


async def peak_mib(side: Side, client: AsyncRealtoClient, ids: list[str], start: datetime) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        await side(client, ids, start)
        return (tracemalloc.get_traced_memory()[1] - base) / 2**20
    finally:
        tracemalloc.stop()


@dataclass
class Result:
    evs: int
    records: int
    times: dict[str, list[float]]  # seconds of each round, per side
    cpu: dict[str, list[float]]  # the client process's CPU seconds of each round, per side
    memory: dict[str, float]  # peak MiB allocated during one run, per side


async def measure(evs: int, rounds: int, days: int) -> Result:
    entities = evs * 10 // 6 + 1  # the emulator's fleet is 60% EVs
    with emulator_process(entities=entities) as emulator:
        async with AsyncRealtoClient(
            base_url=emulator.url, client_id=emulator.client_id, client_secret=emulator.client_secret
        ) as client:
            ids = [ev.id async for ev in client.entities.list(type="EV", page_size=1000)][:evs]
            start = END - timedelta(days=days)
            await by_hand(client, ids[: min(200, evs)], start)  # connections, token, JIT-free warm-up
            times: dict[str, list[float]] = {name: [] for name in SIDES}
            cpu: dict[str, list[float]] = {name: [] for name in SIDES}
            records: dict[str, int] = {}
            order = list(SIDES)
            for number in range(rounds):
                for name in order if number % 2 == 0 else reversed(order):
                    records[name], took, used = await timed(SIDES[name], client, ids, start)
                    times[name].append(took)
                    cpu[name].append(used)
            memory = {name: await peak_mib(SIDES[name], client, ids, start) for name in ("by hand", "bulk")}
    if len(set(records.values())) != 1:
        raise SystemExit(f"the sides disagree on the records: {records}")
    return Result(len(ids), records["bulk"], times, cpu, memory)


def _ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    return [top / bottom for top, bottom in zip(numerators, denominators, strict=True)]


def record(report: Report, result: Result) -> None:
    """Every round's figures of one fleet size into ``report`` (ratios > 1: bulk is faster)."""
    times, cpu, evs = result.times, result.cpu, result.evs
    throughput = "bulk gc=throughput"
    figures = {
        f"{evs} EVs: records/s, bulk / by hand": _ratios(times["by hand"], times["bulk"]),
        f"{evs} EVs: records/s, gc=throughput / by hand": _ratios(times["by hand"], times[throughput]),
        f"{evs} EVs: client CPU, by hand / bulk": _ratios(cpu["by hand"], cpu["bulk"]),
        f"{evs} EVs: client CPU, by hand / gc=throughput": _ratios(cpu["by hand"], cpu[throughput]),
    }
    for name, values in figures.items():
        report.metric(name, "x by hand", target=0.95 if name.endswith("records/s, bulk / by hand") else None)
        for value in values:
            report.add(name, value)
    for side in ("bulk", "by hand"):
        name = f"{evs} EVs: seconds per 1,000 EVs, {side}"
        report.metric(name, "s per 1,000 EVs", better="lower")
        for taken in times[side]:
            report.add(name, taken / evs * 1000)
        name = f"{evs} EVs: client CPU seconds per 1,000 EVs, {side}"
        report.metric(name, "s per 1,000 EVs", better="lower")
        for used in cpu[side]:
            report.add(name, used / evs * 1000)
        name = f"{evs} EVs: peak memory during a run, {side}"
        report.metric(name, "MiB", better="lower")
        report.add(name, result.memory[side])
    print(f"{evs} EVs, {result.records} records", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evs", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    command = (
        f"python benchmarks/bench_bulk.py --evs {' '.join(map(str, args.evs))} --rounds {args.rounds} "
        f"--days {args.days}"
    )
    report = Report("bulk", command, days=args.days, concurrency=CONCURRENCY, page_size=PAGE_SIZE)
    for evs in args.evs:
        record(report, asyncio.run(measure(evs, args.rounds, args.days)))
    report.finish()


if __name__ == "__main__":
    main()
