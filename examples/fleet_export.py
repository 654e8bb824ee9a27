"""Export a fleet's charge sessions to CSV: every EV, polled concurrently, one row per session.

    python examples/fleet_export.py --days 30 --out sessions.csv

Reads REALTO_CLIENT_ID / REALTO_CLIENT_SECRET (and REALTO_BASE_URL for the emulator).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from realto_async import AsyncRealtoClient, ChargingRecord, Entity, RealtoError

COLUMNS = ["entity_id", "session_id", "start", "end", "kwh", "average_power_kw"]


def row(record: ChargingRecord) -> list[object]:
    charge = record.data.charge
    kwh = charge.total.total if charge is not None and charge.total is not None else None
    power = charge.average_power.value if charge is not None and charge.average_power is not None else None
    return [
        record.entity_id,
        record.id,
        record.data.start.isoformat(),
        record.data.end.isoformat(),
        kwh,
        power,
    ]


async def sessions_of(
    client: AsyncRealtoClient, ev: Entity, since: datetime, limit: asyncio.Semaphore
) -> list[ChargingRecord]:
    async with limit:
        return [record async for record in client.charge_sessions.list(ev.id, since, page_size=100)]


async def export(out: Path, days: int, concurrency: int) -> int:
    """Write the CSV; returns the number of sessions written."""
    since = datetime.now(timezone.utc) - timedelta(days=days)
    async with AsyncRealtoClient(connector_limit=concurrency) as client:
        evs = [ev async for ev in client.entities.list(type="EV")]
        limit = asyncio.Semaphore(concurrency)
        per_ev = await asyncio.gather(*(sessions_of(client, ev, since, limit) for ev in evs))
    with out.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for records in per_ev:
            writer.writerows(row(record) for record in records)
    return sum(len(records) for records in per_ev)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export the fleet's charge sessions to CSV.")
    parser.add_argument("--days", type=int, default=30, help="how far back, in days (default 30)")
    parser.add_argument("--out", type=Path, default=Path("sessions.csv"))
    parser.add_argument("--concurrency", type=int, default=20, help="EVs polled at once (default 20)")
    args = parser.parse_args(argv)
    try:
        written = asyncio.run(export(args.out, args.days, args.concurrency))
    except RealtoError as err:
        print(f"export failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(f"{written} charge sessions written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
