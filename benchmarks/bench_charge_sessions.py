"""SDK charge-session listing vs a hand-written aiohttp + json.loads loop, in one run.

    python benchmarks/bench_charge_sessions.py [--pages 20] [--per-page 100] [--rounds 3]

The server runs in its own process on 127.0.0.1. Reported: records/s of each side at
concurrency 1 and 50 and their ratio (target >= 0.5), the decode cost per record (JSON bytes
to models, GC on; target <= 12 us, reported also as a multiple of json.loads in the same run,
since this shared VM's speed varies between runs) and the SDK's request overhead besides
decoding (target <= 15 us).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp

from realto_async import AsyncRealtoClient, ChargingRecord
from realto_async._convert import structure_list
from realto_async._json import HAVE_ORJSON, loads

ENTITY_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
SERVER = Path(__file__).with_name("page_server.py")
sys.path.insert(0, str(SERVER.parent))

from emulator_process import free_port  # noqa: E402


def start_server(pages: int, per_page: int) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), str(port), str(pages), str(per_page)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise SystemExit("the benchmark server did not start")
    return proc, f"http://127.0.0.1:{port}/api"


async def raw_listing(session: aiohttp.ClientSession, base: str, token: str) -> int:
    count = 0
    continuation: str | None = None
    url = f"{base}/v1/entities/{ENTITY_ID}/charge-sessions"
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        params = {"start": "2024-01-01T00:00:00Z"}
        if continuation:
            params["continuationToken"] = continuation
        async with session.get(url, params=params, headers=headers) as resp:
            payload = json.loads(await resp.read())
        count += len(payload["data"])
        continuation = payload["meta"]["continuationToken"]
        if not continuation:
            return count


async def sdk_listing(client: AsyncRealtoClient) -> int:
    count = 0
    async for _ in client.charge_sessions.list(ENTITY_ID, START):
        count += 1
    return count


async def timed(concurrency: int, make: Any) -> float:
    """Records per second of ``concurrency`` listings at once."""
    started = time.perf_counter()
    counts = await asyncio.gather(*(make() for _ in range(concurrency)))
    return sum(counts) / (time.perf_counter() - started)


def decode_costs(body: bytes, pairs: int = 400) -> tuple[float, float]:
    """Microseconds per record: json.loads alone, and the SDK's bytes-to-models (GC on).

    Each SDK decode is paired with a json.loads of the same bytes right before it; the SDK
    figure is the median ratio of the pairs times the median json.loads time, so the drift
    of this shared machine's speed cancels out.
    """
    records = len(json.loads(body)["data"])
    raw, ratios = [], []
    for _ in range(pairs):
        started = time.perf_counter()
        json.loads(body)
        middle = time.perf_counter()
        structure_list(loads(body)["data"], ChargingRecord)
        ended = time.perf_counter()
        raw.append(middle - started)
        ratios.append((ended - middle) / (middle - started))
    raw_us = statistics.median(raw) / records * 1e6
    return raw_us, raw_us * statistics.median(ratios)


async def request_overhead(body: bytes, number: int = 20_000) -> float:
    """Microseconds of SDK code around aiohttp per GET, decoding excluded.

    End-to-end differences of single requests are dominated by this VM's wake-up latency
    (the more the client computes, the longer the server idles), so the SDK's own cost is
    measured in-process: aiohttp's part of the call is replaced by a canned answer, and
    the time to decode that answer is subtracted.
    """
    from multidict import CIMultiDict, CIMultiDictProxy

    from realto_async import Entity
    from realto_async._convert import structure
    from realto_async._http import Response

    headers = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json"}))

    async def canned(method: str, url: str, *args: Any) -> Response:
        return Response(status=200, headers=headers, url=url, method=method, body=body)

    client = AsyncRealtoClient(token="bench", base_url="http://127.0.0.1:9/api")
    client._transport._attempt = canned  # type: ignore[method-assign]
    started = time.perf_counter()
    for _ in range(number):
        await client.entities.retrieve(ENTITY_ID)
    total = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(number):
        structure(loads(body), Entity)
        Response(status=200, headers=headers, url="u", method="GET", body=body)
    decode = time.perf_counter() - started
    return (total - decode) / number * 1e6


async def run(pages: int, per_page: int, rounds: int) -> dict[str, Any]:
    # Decoding is timed first, on the heap of a fresh process: after the network runs the
    # collector has more objects to walk and the figures drift by up to 50% between runs.
    from page_server import build_pages

    raw_us, sdk_us = decode_costs(build_pages(1, per_page, ENTITY_ID)[None])
    proc, base = start_server(pages, per_page)
    try:
        connector = aiohttp.TCPConnector(limit=100)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            AsyncRealtoClient(
                client_id="bench", client_secret="bench", base_url=base, connector_limit=100
            ) as client,
        ):
            async with session.post(f"{base}/v1/authentication", json={}) as resp:
                token = (await resp.json())["access_token"]
            await raw_listing(session, base, token)  # warm both pools
            await sdk_listing(client)
            results: dict[str, Any] = {}
            for concurrency in (1, 50):
                raw_rates, sdk_rates = [], []
                for _ in range(rounds):  # interleaved, so drift hits both sides alike
                    raw_rates.append(await timed(concurrency, lambda: raw_listing(session, base, token)))
                    sdk_rates.append(await timed(concurrency, lambda: sdk_listing(client)))
                results[concurrency] = (statistics.median(raw_rates), statistics.median(sdk_rates))
            entity_url = f"{base}/v1/entities/{ENTITY_ID}"
            async with session.get(entity_url, headers={"Authorization": f"Bearer {token}"}) as resp:
                overhead_us = await request_overhead(await resp.read())
        return {
            "rates": results,
            "decode_raw_us": raw_us,
            "decode_sdk_us": sdk_us,
            "overhead_us": overhead_us,
        }
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    gc.enable()
    out = asyncio.run(run(args.pages, args.per_page, args.rounds))
    print(f"charge-session listing, {args.pages} pages x {args.per_page} records, orjson={HAVE_ORJSON}")
    print(f"{'concurrency':>11} {'raw rec/s':>12} {'sdk rec/s':>12} {'ratio':>7}  target")
    for concurrency, (raw, sdk) in out["rates"].items():
        print(f"{concurrency:>11} {raw:>12,.0f} {sdk:>12,.0f} {sdk / raw:>7.2f}  >= 0.50")
    raw_us, sdk_us = out["decode_raw_us"], out["decode_sdk_us"]
    print(
        f"decode per record (GC on): SDK bytes->models {sdk_us:.1f} us = {sdk_us / raw_us:.2f} x json.loads "
        f"({raw_us:.1f} us) in this run; target <= 12 us, i.e. <= 2.1 x json.loads on the reference machine"
    )
    print(f"SDK request overhead besides decoding: {out['overhead_us']:.1f} us per request (target <= 15)")


if __name__ == "__main__":
    main()
