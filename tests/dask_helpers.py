"""A local Dask cluster and the emulator in its own process, for the cluster tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import dask
import distributed

from benchmarks.emulator_process import Emulator, emulator_process, free_port
from realto_async import AsyncRealtoClient
from realto_async.export import table_of

__all__ = ["END", "START", "Setup", "cluster_setup", "single_process_rows"]

# The emulator runs frozen at 2024-06-01 12:00Z.
END = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
START = END - timedelta(days=2)


# distributed's Client and LocalCluster are not typed.
Client: Any = distributed.Client
LocalCluster: Any = distributed.LocalCluster


@attrs.frozen
class Setup:
    emulator: Emulator
    dask: Any  # a distributed.Client
    dashboard: str

    @property
    def options(self) -> dict[str, Any]:
        return {
            "base_url": self.emulator.url,
            "client_id": self.emulator.client_id,
            "client_secret": self.emulator.client_secret,
        }


@contextmanager
def cluster_setup(entities: int = 12) -> Iterator[Setup]:
    """The emulator (own process) and ``LocalCluster(n_workers=2, processes=True,
    threads_per_worker=1)`` on 127.0.0.1 with free ports; semaphore leases of a killed worker
    expire after 2 s instead of 30 s."""
    port = free_port()
    config = {
        "distributed.scheduler.locks.lease-timeout": "2s",
        "distributed.scheduler.locks.lease-validation-interval": "0.5s",
    }
    with (
        dask.config.set(config),
        emulator_process(entities=entities) as emulator,
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=f"127.0.0.1:{port}",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield Setup(emulator, client, f"http://127.0.0.1:{port}")


async def _rows(options: dict[str, Any], listing: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    async with AsyncRealtoClient(**options) as client:
        run = getattr(client.bulk, listing)(start=START, end=END)
        async for batch in run:
            rows.extend(table_of(batch.records, None, {"entity_id": batch.entity_id}).rows)
    return rows


def single_process_rows(options: dict[str, Any], listing: str) -> list[dict[str, Any]]:
    """Every record of ``listing`` over the whole fleet, fetched by ``client.bulk`` in this process."""
    return asyncio.run(_rows(options, listing))
