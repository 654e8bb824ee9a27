"""How fast the emulator serves: a cached 100-record charge-session page, on this machine.

    python benchmarks/bench_emulator.py [--seconds 5] [--concurrency 32]

The emulator runs in its own process with frozen time (so the page is cached); a raw aiohttp
client in this process asks for the same page from ``--concurrency`` tasks for ``--seconds``.
Target: several thousand requests/s, so the emulator is never the bottleneck of a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).parent))

from emulator_process import Emulator, emulator_process

from realto_async import AsyncRealtoClient
from realto_async.testing import DEFAULT_START


async def page_url(emulator: Emulator) -> tuple[str, str]:
    """A charge-session listing URL with 100 records on its first page, and a token."""
    async with AsyncRealtoClient(
        base_url=emulator.url, client_id=emulator.client_id, client_secret=emulator.client_secret
    ) as client:
        evs = [e async for e in client.entities.list(type="EV")]
        start = DEFAULT_START - timedelta(days=120)
        for ev in evs:
            page = await client.charge_sessions.list(ev.id, start, page_size=100)
            if len(page.data) == 100:
                token = client._transport.auth.current()
                assert token is not None
                query = f"start={start.isoformat().replace('+00:00', 'Z')}&pageSize=100"
                return f"{emulator.url}/v1/entities/{ev.id}/charge-sessions?{query}", token
    raise SystemExit("no EV with 100 sessions in the window")


async def load(url: str, token: str, seconds: float, concurrency: int) -> tuple[int, int]:
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + seconds
    done = failed = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            nonlocal done, failed
            while time.perf_counter() < deadline:
                async with session.get(url, headers=headers) as resp:
                    await resp.read()
                    if resp.status == 200:
                        done += 1
                    else:
                        failed += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, failed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with emulator_process(entities=40) as emulator:
        url, token = asyncio.run(page_url(emulator))
        asyncio.run(load(url, token, 1.0, args.concurrency))  # warm-up
        done, failed = asyncio.run(load(url, token, args.seconds, args.concurrency))
    print(f"cached 100-record charge-session page: {done / args.seconds:,.0f} requests/s ({failed} failed)")
    print("target: several thousand requests/s on 2 cores")


if __name__ == "__main__":
    main()
