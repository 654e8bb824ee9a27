"""SDK charge-session listing vs a lean hand-written aiohttp + json.loads loop, in one run.

    python benchmarks/bench_charge_sessions.py [--pages 20] [--per-page 100] [--rounds 7]

The server runs in its own process on 127.0.0.1. Every loop here, the baseline included,
drops its page before fetching the next (as the SDK's paginator does), so no side pays for
the garbage collector walking pages it no longer needs. Each round runs every variant once,
baseline first, and reports each variant's records/s as a ratio to the baseline of the same
round; the rounds give a median and a range. Reported (targets from issue 14):

- SDK item iteration at concurrency 1 and 50: >= 0.85x the baseline;
- the ``.pages()`` loop with the page kept by the loop variable, and with ``del page``;
- the SDK with the stdlib's json instead of msgspec and orjson (the fallback);
- reading one nested value per record, SDK vs the baseline reading it from the dicts;
- decoding, JSON bytes to models, GC on: <= 1.3x ``json.loads`` of the same bytes (msgspec's
  way, what users get), the general way (orjson + the generated checks, what a page msgspec
  does not take goes through), and decoding plus reading every nested part (no target: that is
  where laziness pays back);
- ``Model.from_dict`` through ``realto_async.converter`` vs the generated function it calls;
- the SDK's request overhead besides decoding (<= 15 us).

Results: benchmarks/results/charge_sessions.jsonl and .png (see report.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp

import realto_async._attempt as sdk_attempt
import realto_async._client as sdk_client
import realto_async._pagination as sdk_pagination
from realto_async import AsyncRealtoClient, ChargingRecord
from realto_async._convert import structure_fn, structure_list
from realto_async._fast_pages import decode_page
from realto_async._json import loads, stdlib_loads

ENTITY_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
SERVER = Path(__file__).with_name("page_server.py")
sys.path.insert(0, str(SERVER.parent))

from emulator_process import free_port  # noqa: E402
from report import Report  # noqa: E402

Listing = Callable[[], Awaitable[int]]


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
    deadline = time.monotonic() + 10
    while True:  # "ready" comes at start-up, a moment before the socket listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("the benchmark server does not accept connections") from None
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}/api"


# ------------------------------------------------------------------------------ the loops


async def raw_listing(session: aiohttp.ClientSession, base: str, token: str, read: bool = False) -> int:
    """The baseline: aiohttp + json.loads, each page dropped before the next is fetched."""
    count = 0
    total = 0.0
    continuation: str | None = None
    url = f"{base}/v1/entities/{ENTITY_ID}/charge-sessions"
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        params = {"start": "2024-01-01T00:00:00Z"}
        if continuation:
            params["continuationToken"] = continuation
        async with session.get(url, params=params, headers=headers) as resp:
            payload = json.loads(await resp.read())
        data = payload["data"]
        count += len(data)
        if read:
            for record in data:
                total += record["data"]["charge"]["total"]["total"]
        continuation = payload["meta"]["continuationToken"]
        del payload, data  # not held while the next page is fetched
        if not continuation:
            return count


async def sdk_items(client: AsyncRealtoClient) -> int:
    count = 0
    async for _ in client.charge_sessions.list(ENTITY_ID, START):
        count += 1
    return count


async def sdk_items_read(client: AsyncRealtoClient) -> int:
    count = 0
    total = 0.0
    async for record in client.charge_sessions.list(ENTITY_ID, START):
        charge = record.data.charge
        assert charge is not None
        assert charge.total is not None
        total += charge.total.total or 0.0
        count += 1
    return count


async def sdk_pages_kept(client: AsyncRealtoClient) -> int:
    count = 0
    async for page in client.charge_sessions.list(ENTITY_ID, START).pages():
        for _ in page:
            count += 1
    return count


async def sdk_pages_dropped(client: AsyncRealtoClient) -> int:
    count = 0
    async for page in client.charge_sessions.list(ENTITY_ID, START).pages():
        for _ in page:
            count += 1
        del page  # the documented idiom
    return count


async def records_per_second(concurrency: int, repeat: int, make: Listing) -> float:
    """Records per second of ``concurrency`` listings at once, ``repeat`` times in a row."""
    started = time.perf_counter()
    total = 0
    for _ in range(repeat):
        total += sum(await asyncio.gather(*(make() for _ in range(concurrency))))
    return total / (time.perf_counter() - started)


async def with_stdlib_json(make: Listing) -> int:
    """``make()`` as on an install without msgspec and orjson: the stdlib's json decodes."""
    setattr(sdk_attempt, "loads", stdlib_loads)  # noqa: B010 - where answers are parsed
    for module in (sdk_pagination, sdk_client):  # where pages are decoded by msgspec
        setattr(module, "decode_page", lambda body, model: None)  # noqa: B010
    try:
        return await make()
    finally:
        setattr(sdk_attempt, "loads", loads)  # noqa: B010
        for module in (sdk_pagination, sdk_client):
            setattr(module, "decode_page", decode_page)  # noqa: B010


# --------------------------------------------------------------------------- in-process costs


def paired_ratio(baseline: Callable[[], Any], measured: Callable[[], Any], pairs: int) -> float:
    """Median over back-to-back pairs of measured time / baseline time (drift cancels out)."""
    ratios = []
    clock = time.perf_counter
    for _ in range(pairs):
        started = clock()
        baseline()
        middle = clock()
        measured()
        ratios.append((clock() - middle) / (middle - started))
    return statistics.median(ratios)


def paired_difference(baseline: Callable[[], Any], measured: Callable[[], Any], pairs: int) -> float:
    """Median over back-to-back pairs of measured time - baseline time, in seconds."""
    differences = []
    clock = time.perf_counter
    for _ in range(pairs):
        started = clock()
        baseline()
        middle = clock()
        measured()
        differences.append((clock() - middle) - (middle - started))
    return statistics.median(differences)


def page_records(body: bytes) -> list[ChargingRecord]:
    """The page's records as users get them (msgspec's way when it takes the page)."""
    fast = decode_page(body, ChargingRecord)
    return structure_list(loads(body)["data"], ChargingRecord) if fast is None else fast[0]


def read_everything(records: list[ChargingRecord]) -> int:
    """Touch every nested part of every record; the count of parts read."""
    parts = 0
    for record in records:
        data = record.data
        charge, range_, matches = data.charge, data.range, data.location_matches
        assert charge is not None
        assert range_ is not None
        assert matches is not None
        seen = (charge.average_power, charge.start, charge.end, charge.total, range_.start, range_.end)
        parts += len(seen) + (data.location is not None) + len([m.location for m in matches])
    return parts


async def request_overhead(body: bytes, number: int = 5_000) -> float:
    """Microseconds of SDK code around aiohttp per GET, decoding excluded.

    aiohttp's part of the call is replaced by a canned answer, and the time to decode that
    answer is subtracted; end-to-end differences of single requests would mostly measure
    this machine's wake-up latency.
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
    await client.aclose()
    return (total - decode) / number * 1e6


# ------------------------------------------------------------------------------------ the run


def decode_round(report: Report, body: bytes, pairs: int) -> None:
    one = json.loads(body)["data"][0]
    generated = structure_fn(ChargingRecord)
    report.add(
        "decode: bytes -> models / json.loads",
        paired_ratio(lambda: json.loads(body), lambda: decode_page(body, ChargingRecord), pairs),
    )
    report.add(
        "decode the general way (orjson + generated checks) / json.loads",
        paired_ratio(
            lambda: json.loads(body), lambda: structure_list(loads(body)["data"], ChargingRecord), pairs
        ),
    )
    report.add(
        "decode + read every nested part / json.loads",
        paired_ratio(
            lambda: json.loads(body),
            lambda: read_everything(page_records(body)),
            pairs,
        ),
    )
    report.add(
        "decode with stdlib json / json.loads",
        paired_ratio(
            lambda: json.loads(body), lambda: structure_list(json.loads(body)["data"], ChargingRecord), pairs
        ),
    )

    def hundred(fn: Callable[[Any], Any]) -> Callable[[], None]:
        return lambda: [fn(one) for _ in range(100)] and None

    report.add(
        "from_dict via the converter / generated function",
        paired_ratio(hundred(generated), hundred(ChargingRecord.from_dict), pairs),
    )
    report.add(
        "from_dict via the converter: added time per call",
        paired_difference(hundred(generated), hundred(ChargingRecord.from_dict), pairs) / 100 * 1e9,
    )


async def network_round(
    report: Report, number: int, variants: dict[str, tuple[Listing, Listing, int]], repeat: int
) -> None:
    """Each variant against its own baseline run, right before or after it (alternating)."""
    for name, (baseline, make, concurrency) in variants.items():
        if number % 2:
            rate = await records_per_second(concurrency, repeat, make)
            base = await records_per_second(concurrency, repeat, baseline)
        else:
            base = await records_per_second(concurrency, repeat, baseline)
            rate = await records_per_second(concurrency, repeat, make)
        report.add(name, rate / base)


async def bulk_run(client: AsyncRealtoClient, entity_ids: list[str], gc_mode: Any) -> int:
    count = 0
    end = datetime.now(timezone.utc)
    run = client.bulk.charge_sessions(
        entity_ids, start=START, end=end, concurrency=len(entity_ids), gc=gc_mode
    )
    async for batch in run:
        count += len(batch.records)
    return count


async def run(report: Report, pages: int, per_page: int, rounds: int, pairs: int) -> None:
    from page_server import build_pages

    body = build_pages(1, per_page, ENTITY_ID)[None]
    entity_body = json.dumps({"id": ENTITY_ID, "type": "EV"}).encode()
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

            def baseline() -> Awaitable[int]:
                return raw_listing(session, base, token)

            def baseline_read() -> Awaitable[int]:
                return raw_listing(session, base, token, read=True)

            def all_at_once(make: Listing, concurrency: int = 50) -> Listing:
                async def together() -> int:
                    return sum(await asyncio.gather(*(make() for _ in range(concurrency))))

                return together

            ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(50)]
            variants: dict[str, tuple[Listing, Listing, int]] = {}
            for c in (1, 50):
                variants[f"c={c} SDK items / baseline"] = (baseline, lambda: sdk_items(client), c)
                variants[f"c={c} SDK .pages(), page kept by the loop variable / baseline"] = (
                    baseline,
                    lambda: sdk_pages_kept(client),
                    c,
                )
                variants[f"c={c} SDK .pages(), del page in the body / baseline"] = (
                    baseline,
                    lambda: sdk_pages_dropped(client),
                    c,
                )
                variants[f"c={c} SDK items, stdlib json (no msgspec, no orjson) / baseline"] = (
                    baseline,
                    lambda: with_stdlib_json(lambda: sdk_items(client)),
                    c,
                )
                variants[f"c={c} SDK reading a nested value / baseline reading it"] = (
                    baseline_read,
                    lambda: sdk_items_read(client),
                    c,
                )
            for mode in ("default", "throughput"):
                variants[f"c=50 client.bulk gc={mode!r} / baseline"] = (
                    all_at_once(baseline),
                    lambda mode=mode: bulk_run(client, ids, mode),
                    1,
                )
            await baseline()  # warm both pools
            await sdk_items(client)
            for number in range(rounds):
                print(f"round {number + 1}/{rounds}", file=sys.stderr)
                decode_round(report, body, pairs)
                await network_round(
                    report, number, {k: v for k, v in variants.items() if k.startswith("c=1 ")}, 20
                )
                await network_round(
                    report, number, {k: v for k, v in variants.items() if k.startswith("c=50")}, 1
                )
                report.add("SDK request overhead besides decoding", await request_overhead(entity_body))
    finally:
        proc.terminate()
        proc.wait()


def declare(report: Report) -> None:
    for concurrency in (1, 50):
        report.metric(f"c={concurrency} SDK items / baseline", "x baseline", target=0.85)
        report.metric(
            f"c={concurrency} SDK .pages(), page kept by the loop variable / baseline", "x baseline"
        )
        report.metric(f"c={concurrency} SDK .pages(), del page in the body / baseline", "x baseline")
        report.metric(
            f"c={concurrency} SDK items, stdlib json (no msgspec, no orjson) / baseline", "x baseline"
        )
        report.metric(f"c={concurrency} SDK reading a nested value / baseline reading it", "x baseline")
    report.metric("c=50 client.bulk gc='default' / baseline", "x baseline")
    report.metric("c=50 client.bulk gc='throughput' / baseline", "x baseline", target=1.1)
    report.metric("decode: bytes -> models / json.loads", "x json.loads", target=1.3, better="lower")
    report.metric("decode the general way (orjson + generated checks) / json.loads", "x json.loads")
    report.metric("decode + read every nested part / json.loads", "x json.loads")
    report.metric("decode with stdlib json / json.loads", "x json.loads")
    report.metric("from_dict via the converter / generated function", "x generated fn")
    report.metric("from_dict via the converter: added time per call", "ns")
    report.metric("SDK request overhead besides decoding", "us", target=15, better="lower")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (at least 5)")
    parser.add_argument("--pairs", type=int, default=150, help="timing pairs per decode figure per round")
    args = parser.parse_args()
    gc.enable()
    command = (
        f"python benchmarks/bench_charge_sessions.py --pages {args.pages} --per-page {args.per_page} "
        f"--rounds {args.rounds} --pairs {args.pairs}"
    )
    report = Report("charge_sessions", command, pages=args.pages, per_page=args.per_page)
    declare(report)
    asyncio.run(run(report, args.pages, args.per_page, args.rounds, args.pairs))
    report.finish()


if __name__ == "__main__":
    main()
