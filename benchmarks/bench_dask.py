"""run_on_dask with 1 worker vs 2 workers (one thread each) on this machine, as a ratio.

    python benchmarks/bench_dask.py [--entities 40] [--days 14] [--rounds 3]

The emulator runs frozen in its own process on 127.0.0.1 (cached answers); both LocalClusters
stay up for the whole run and take turns, round by round, each run into fresh state and output
directories with Parquet files written. Reported: records/s of each cluster (median), the
speed-up of 2 workers over 1 (median of the rounds' ratios), records/s per worker (the figure
the README's 1M-entity arithmetic uses), and as a baseline ``client.bulk`` in one process
without Dask or files.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster

sys.path.insert(0, str(Path(__file__).parent))

from emulator_process import emulator_process, free_port

from realto_async import AsyncRealtoClient
from realto_async.bulk.dask import run_on_dask

END = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)  # the frozen emulator's now


def timed_run(dask_client: Any, options: dict[str, str], start: datetime, scratch: Path) -> tuple[int, float]:
    began = time.perf_counter()
    result = run_on_dask(
        dask_client, "readings", start=start, end=END, client_options=options,
        state_dir=scratch / "state", output=scratch / "out", page_size=1000,
    )  # fmt: skip
    elapsed = time.perf_counter() - began
    assert result.report.ok, result.report
    return result.report.records, elapsed


async def _in_process(options: dict[str, str], start: datetime) -> int:
    async with AsyncRealtoClient(**options) as client:
        run = client.bulk.readings(start=start, end=END, page_size=1000)
        return sum([len(batch.records) async for batch in run])


def in_process_rate(options: dict[str, str], start: datetime) -> float:
    """records/s of client.bulk in this process, no Dask, nothing written: the baseline."""
    began = time.perf_counter()
    records = asyncio.run(_in_process(options, start))
    return records / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=40)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    start = END - timedelta(days=args.days)
    with ExitStack() as stack:
        emulator = stack.enter_context(emulator_process(entities=args.entities))
        options = {
            "base_url": emulator.url,
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
        }
        clients = {}
        for workers in (1, 2):
            cluster = stack.enter_context(
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address=f"127.0.0.1:{free_port()}")
            )  # fmt: skip
            clients[workers] = stack.enter_context(Client(cluster))
        for client in clients.values():  # warm-up: imports, token, emulator caches
            with tempfile.TemporaryDirectory() as scratch:
                timed_run(client, options, start, Path(scratch))
        rates: dict[int, list[float]] = {0: [], 1: [], 2: []}
        ratios = []
        for round_ in range(args.rounds):
            order = (1, 2) if round_ % 2 == 0 else (2, 1)
            seconds = {}
            for workers in order:
                with tempfile.TemporaryDirectory() as scratch:
                    records, seconds[workers] = timed_run(clients[workers], options, start, Path(scratch))
                rates[workers].append(records / seconds[workers])
            rates[0].append(in_process_rate(options, start))
            ratios.append(seconds[1] / seconds[2])
            print(f"round {round_ + 1}: {records} records; 1 worker {seconds[1]:.2f} s, 2 workers "
                  f"{seconds[2]:.2f} s, speed-up {ratios[-1]:.2f}x")  # fmt: skip
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"client.bulk in one process, no Dask, no files: {statistics.median(rates[0]):,.0f} records/s")
    print(f"1 worker: {one:,.0f} records/s; 2 workers: {two:,.0f} records/s ({two / 2:,.0f} per worker)")
    print(f"speed-up of 2 workers over 1: {statistics.median(ratios):.2f}x (median of {args.rounds} rounds)")


if __name__ == "__main__":
    main()
