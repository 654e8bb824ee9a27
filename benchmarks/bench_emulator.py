"""How fast the emulator serves and generates, against baselines measured in the same run.

    python benchmarks/bench_emulator.py [--rounds 3] [--seconds 3] [--concurrency 50]

Each server runs in its own process on 127.0.0.1; the load comes from raw aiohttp in this one.
Rounds alternate between the sides compared, and the median of each round's ratio is reported,
because this shared VM's speed drifts from minute to minute.

1. Cached pages: the same 100-record charge-session page from the emulator (frozen time, so it
   is cached) and from ``page_server.py`` serving those very bytes pre-serialised, at
   ``--concurrency``. Target: the emulator >= 0.8x the page server's pages/s. On two shared
   cores the one client process saturates before either server does, so pages/s are shown but
   the ratio is taken from each server's own CPU time per page (read from /proc): the pages/s
   each would serve with a core to itself.
2. Entity listing: the time per page (100 entities) walking the listing of a 1,000 and a
   50,000-entity fleet. Target: the same cost per page (a ratio near 1).
3. Uncached pages, A/B against the emulator of ``--before`` (a git revision, read with ``git
   archive``) in the same run: readings (of every entity type) and charge sessions of a fresh
   seed, each page made once: records generated and JSON-encoded per CPU second in this process
   (target: >= 100,000); then charge sessions, readings and aggregations over HTTP from a fresh
   emulator process each round (today's, or the old one on PYTHONPATH), as records per CPU second
   of that process and per wall second (client included).
4. Start-up: from launching ``realto emulator --evs 100000`` to it printing its URL, in wall time
   and in the process's own CPU time, today's and ``--before``'s interleaved. Target: < 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

sys.path.insert(0, str(Path(__file__).parent))

from emulator_process import Emulator, emulator_process, free_port, run_from

from realto_async.testing import DEFAULT_START

PAGE_SERVER = Path(__file__).with_name("page_server.py")
ROOT = Path(__file__).resolve().parent.parent
BEFORE = "c40a03c"  # the emulator before the one-pass charge-session generator and cheaper start-up
SESSIONS_START = DEFAULT_START - timedelta(days=120)


async def token_of(session: aiohttp.ClientSession, emulator: Emulator) -> str:
    body = {"clientId": emulator.client_id, "clientSecret": emulator.client_secret}
    async with session.post(emulator.url + "/v1/authentication", json=body) as resp:
        return str((await resp.json())["access_token"])


async def ev_ids(session: aiohttp.ClientSession, emulator: Emulator, headers: dict[str, str]) -> list[str]:
    async with session.get(
        emulator.url + "/v1/entities", params={"type": "EV", "pageSize": "1000"}, headers=headers
    ) as resp:
        return [e["id"] for e in (await resp.json())["data"]]


async def full_session_page(emulator: Emulator) -> tuple[str, dict[str, str], bytes]:
    """A charge-session URL whose first page holds 100 records, its auth headers and its bytes."""
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {await token_of(session, emulator)}"}
        query = f"start={SESSIONS_START.isoformat().replace('+00:00', 'Z')}&pageSize=100"
        for ev in await ev_ids(session, emulator, headers):
            url = f"{emulator.url}/v1/entities/{ev}/charge-sessions?{query}"
            async with session.get(url, headers=headers) as resp:
                body = await resp.read()
            if body.count(b'"entityId"') == 100:
                return url, headers, body
    raise SystemExit("no EV with 100 sessions in the window")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def pages_per_second(
    url: str, headers: dict[str, str], seconds: float, concurrency: int, pid: int
) -> tuple[float, float]:
    """Pages per second of wall time, and per second of the server's CPU time."""
    deadline = time.perf_counter() + seconds
    done = 0
    cpu_before = cpu_seconds(pid)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise SystemExit(f"{url} answered {resp.status}")
                done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / seconds, done / max(cpu_seconds(pid) - cpu_before, 1e-9)


def start_page_server(first_page: bytes) -> tuple[subprocess.Popen[str], str]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        handle.write(first_page)
    port = free_port()
    command = [sys.executable, str(PAGE_SERVER), str(port), "1", "100", handle.name]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        process.kill()
        raise SystemExit("the page server did not start")
    return (
        process,
        f"http://127.0.0.1:{port}/api/v1/entities/3c90c3cc-0d44-4b50-8888-8dd25736052a/charge-sessions",
    )


T = TypeVar("T")


def interleaved(rounds: int, first: Callable[[], T], second: Callable[[], T]) -> list[tuple[T, T]]:
    """``rounds`` pairs of measurements, the side measured first alternating."""
    results = []
    for number in range(rounds):
        if number % 2 == 0:
            a = first()
            b = second()
        else:
            b = second()
            a = first()
        results.append((a, b))
    return results


def cached_pages(args: argparse.Namespace) -> None:
    with emulator_process(fleet=["--evs", "40"]) as emulator:
        url, headers, body = asyncio.run(full_session_page(emulator))
        server, baseline_url = start_page_server(body)
        try:

            def emulator_side() -> tuple[float, float]:
                return asyncio.run(
                    pages_per_second(url, headers, args.seconds, args.concurrency, emulator.pid)
                )

            def baseline_side() -> tuple[float, float]:
                return asyncio.run(
                    pages_per_second(baseline_url, headers, args.seconds, args.concurrency, server.pid)
                )

            emulator_side()  # warm-up
            baseline_side()
            rounds = interleaved(args.rounds, emulator_side, baseline_side)
        finally:
            server.terminate()
            server.wait(timeout=10)
    wall_ratio = statistics.median(e[0] / b[0] for e, b in rounds)
    cpu_ratio = statistics.median(e[1] / b[1] for e, b in rounds)
    print(
        f"1. cached 100-record page, concurrency {args.concurrency}: "
        f"emulator {statistics.median(e[0] for e, _ in rounds):,.0f} pages/s, "
        f"page server {statistics.median(b[0] for _, b in rounds):,.0f} pages/s (ratio {wall_ratio:.2f}, "
        f"client-bound); per server CPU second {statistics.median(e[1] for e, _ in rounds):,.0f} vs "
        f"{statistics.median(b[1] for _, b in rounds):,.0f}: ratio {cpu_ratio:.2f} (target >= 0.8)"
    )


async def seconds_per_page(emulator: Emulator, pages: int) -> float:
    """Walk ``pages`` pages of 100 entities, with a fresh listing each time (no kept index helps the
    first page); the median time of one page."""
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {await token_of(session, emulator)}"}
        times = []
        params = {"pageSize": "100"}
        for _ in range(pages):
            started = time.perf_counter()
            async with session.get(emulator.url + "/v1/entities", params=params, headers=headers) as resp:
                payload = await resp.json()
            times.append(time.perf_counter() - started)
            token = payload["meta"]["continuationToken"]
            params = {"pageSize": "100", "continuationToken": token}
        return statistics.median(times)


def entity_listing(args: argparse.Namespace) -> None:
    with emulator_process(entities=1_000) as small, emulator_process(entities=50_000) as large:
        rounds = interleaved(
            args.rounds,
            lambda: asyncio.run(seconds_per_page(small, 9)),
            lambda: asyncio.run(seconds_per_page(large, 9)),
        )
    small_ms = statistics.median(s for s, _ in rounds) * 1000
    large_ms = statistics.median(b for _, b in rounds) * 1000
    ratio = statistics.median(b / s for s, b in rounds)
    print(
        f"2. entity listing, 100 a page: {small_ms:.2f} ms a page at 1,000 entities, {large_ms:.2f} ms at "
        f"50,000; ratio {ratio:.2f} (target ~1)"
    )


def before_tree(revision: str) -> Path:
    """The package as it was at ``revision`` (``git archive``), in a directory removed at exit,
    to run the emulator as it was (:func:`emulator_process.run_from`)."""
    tree = Path(tempfile.mkdtemp(prefix="emulator-before-"))
    atexit.register(shutil.rmtree, tree, ignore_errors=True)
    archive = subprocess.run(
        ["git", "archive", revision, "realto_async"], cwd=ROOT, capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise SystemExit(f"cannot read {revision} with git archive: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    # The generators alone, importable next to today's as package ``emulator_before``.
    package = tree / "emulator_before"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ("_ids.py", "_records.py", "_synth.py", "_readings.py"):
        shutil.copy(tree / "realto_async" / "testing" / name, package / name)
    return tree


async def uncached_pages(emulator: Emulator, kind: str, concurrency: int) -> tuple[int, float, float]:
    """Each EV's first page of ``kind`` once (nothing cached): the records, the wall seconds and
    the emulator's CPU seconds it took."""
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {await token_of(session, emulator)}"}
        queue = await ev_ids(session, emulator, headers)
        records = 0
        if kind == "readings":
            params = {"start": (DEFAULT_START - timedelta(days=11)).isoformat(), "pageSize": "1000"}
        elif kind == "aggregations":  # 240 hourly buckets of 4 samples each
            params = {"start": (DEFAULT_START - timedelta(days=10)).isoformat(), "pageSize": "1000"}
        else:
            params = {"start": (DEFAULT_START - timedelta(days=1000)).isoformat(), "pageSize": "1000"}
        marker = b'"start":' if kind == "aggregations" else b'"entityId"'

        async def worker() -> None:
            nonlocal records
            while queue:
                ev = queue.pop()
                url = f"{emulator.url}/v1/entities/{ev}/{kind}"
                async with session.get(url, params=params, headers=headers) as resp:
                    body = await resp.read()
                records += body.count(marker)

        cpu_before = cpu_seconds(emulator.pid)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return records, time.perf_counter() - started, cpu_seconds(emulator.pid) - cpu_before


def served_per_cpu_second(kind: str, tree: Path | None) -> tuple[float, float]:
    """Records per emulator CPU second and per wall second, from a fresh emulator (today's, or
    the one in ``tree``) serving 60 EVs' first pages of ``kind``."""
    with emulator_process(fleet=["--evs", "60"], package_root=tree) as emulator:
        records, wall, cpu = asyncio.run(uncached_pages(emulator, kind, 4))
    return records / max(cpu, 1e-9), records / wall


def generated_per_second(kind: str, *, before: bool) -> float:
    """Records of 1,000-record pages generated and encoded per CPU second of this process, by
    today's generators or (``before``) those of the ``--before`` revision, for a fleet of a fresh
    seed (nothing kept from another round helps)."""
    seed = f"bench-{time.perf_counter_ns()}"
    from realto_async._json import dumps
    from realto_async.testing import FakeClock, FakeRealto, Fleet

    if before:
        from emulator_before._readings import reading_times, readings  # type: ignore[import-not-found]
        from emulator_before._synth import charge_sessions  # type: ignore[import-not-found]

        def session_page(entity: Any, since: datetime, now: datetime) -> list[Any]:
            return list(charge_sessions(seed, entity, since, now, now)[:1000])
    else:
        from realto_async.testing._readings import reading_times, readings
        from realto_async.testing._synth import ended_sessions, session_records

        def session_page(entity: Any, since: datetime, now: datetime) -> list[Any]:
            return session_records(entity, ended_sessions(seed, entity, since, now, now)[:1000])

    server = FakeRealto(seed=seed, fleet=Fleet(evs=30, smart_meters=10, solar=10), clock=FakeClock())
    now = server.clock.now()
    records = 0
    started = time.process_time()
    for entity in server.store.entities.values():
        if kind == "readings":
            first, total = reading_times(max(now - timedelta(days=11), entity.created), now)
            page = readings(seed, entity, first, 0, min(total, 1000))
        elif entity.type == "EV":
            page = session_page(entity, now - timedelta(days=900), now)
        else:
            continue
        dumps({"data": page})
        records += len(page)
    return records / (time.process_time() - started)


def spread(values: list[float], digits: int = 0) -> str:
    """The median and the range."""
    low, mid, high = (f"{v:,.{digits}f}" for v in (min(values), statistics.median(values), max(values)))
    return f"{mid} (range {low}-{high})"


def uncached(args: argparse.Namespace) -> None:
    tree = before_tree(args.before)
    sys.path.insert(0, str(tree))
    for kind in ("charge-sessions", "readings"):
        today, before = (
            partial(generated_per_second, kind, before=False),
            partial(generated_per_second, kind, before=True),
        )
        today()  # warm-up: imports and tables made once
        before()
        pairs = interleaved(args.rounds, today, before)
        print(
            f"3. uncached {kind}, generated and encoded in-process: {spread([n for n, _ in pairs])} records "
            f"per CPU second (target >= 100,000), before {spread([b for _, b in pairs])}; "
            f"ratio {spread([n / b for n, b in pairs], 2)}"
        )
    for kind in ("charge-sessions", "readings", "aggregations"):
        # A fresh emulator each round and side: nothing of another round is cached.
        today, before = partial(served_per_cpu_second, kind, None), partial(served_per_cpu_second, kind, tree)
        served = interleaved(args.rounds, today, before)
        print(
            f"3. uncached {kind} over HTTP (60 EVs, concurrency 4): {spread([n[0] for n, _ in served])} "
            f"records per emulator CPU second, before {spread([b[0] for _, b in served])}; ratio "
            f"{spread([n[0] / b[0] for n, b in served], 2)}; per wall second "
            f"{spread([n[1] for n, _ in served])} (client on the same cores), "
            f"before {spread([b[1] for _, b in served])}"
        )


def started_in(tree: Path | None) -> tuple[float, float]:
    """Wall and CPU seconds from launching ``realto emulator --evs 100000`` (today's, or the
    one in ``tree``) to it printing its URL."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "realto_async.testing", "--frozen", "--port", "0", "--evs", "100000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, **run_from(tree))
    try:
        assert process.stdout is not None
        if not process.stdout.readline().startswith("url: "):
            raise SystemExit("the emulator did not start")
        return time.perf_counter() - started, cpu_seconds(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


def startup(args: argparse.Namespace) -> None:
    tree = before_tree(args.before)
    loads = [os.getloadavg()[0]]
    pairs = interleaved(args.rounds, lambda: started_in(None), lambda: started_in(tree))
    loads.append(os.getloadavg()[0])
    print(
        f"4. start-up with 100,000 EVs: {spread([n[0] for n, _ in pairs], 2)} s wall, "
        f"{spread([n[1] for n, _ in pairs], 2)} s of the process's CPU (target < 5 s); before "
        f"{spread([b[0] for _, b in pairs], 2)} s wall, {spread([b[1] for _, b in pairs], 2)} s CPU "
        f"(load average {min(loads):.1f}-{max(loads):.1f}: wall time grows with this shared machine's load)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--only", choices=["cached", "listing", "uncached", "startup"], action="append")
    parser.add_argument(
        "--before",
        default=BEFORE,
        help="the git revision whose emulator parts 3 and 4 compare against (default: %(default)s)",
    )
    args = parser.parse_args()
    parts: dict[str, Callable[[argparse.Namespace], None]] = {
        "cached": cached_pages,
        "listing": entity_listing,
        "uncached": uncached,
        "startup": startup,
    }
    for name, part in parts.items():
        if not args.only or name in args.only:
            part(args)


if __name__ == "__main__":
    main()
