"""What observability costs per call: event hooks and OpenTelemetry against a plain client.

    python benchmarks/bench_observability.py [--calls 5000] [--rounds 7]

Every client answers from the same canned entity through the transport seam (no sockets), so
only SDK code is timed: a plain client (OpenTelemetry installed, no tracer provider), one with
a no-op request and response hook, and with_raw_response, in batches that alternate over
several rounds; then the plain client again with a tracer provider exporting to memory (a
provider cannot be unset, so that phase comes last). Medians are reported, in microseconds per
call and as ratios to the plain client.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from realto_async import AsyncRealtoClient
from realto_async.transport import HTTPRequest, MockTransport, Response

ENTITY_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
ENTITY = {"id": ENTITY_ID, "type": "EV", "name": "bench", "properties": {}}


def canned(request: HTTPRequest) -> Response:
    return MockTransport.json_response(request, 200, ENTITY, headers={"x-request-id": "bench"})


def noop(event: Any) -> None:
    return None


async def per_call(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - started) / calls * 1e6


async def run(calls: int, rounds: int) -> dict[str, list[float]]:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    def client(**options: Any) -> AsyncRealtoClient:
        return AsyncRealtoClient(
            token="bench", base_url="http://bench.invalid/api", transport=canned, **options
        )

    plain = client()
    hooked = client(event_hooks={"request": [noop], "response": [noop]})
    exporter = InMemorySpanExporter()
    cases: dict[str, Callable[[], Awaitable[Any]]] = {
        "plain": lambda: plain.entities.retrieve(ENTITY_ID),
        "event_hooks": lambda: hooked.entities.retrieve(ENTITY_ID),
        "with_raw_response": lambda: plain.with_raw_response.entities.retrieve(ENTITY_ID),
    }
    times: dict[str, list[float]] = {name: [] for name in [*cases, "opentelemetry"]}
    for _ in range(rounds):
        for name, call in cases.items():
            times[name].append(await per_call(call, calls))
    # A tracer provider, once set, stays for the process, so the traced calls come after the
    # untraced ones; the plain client is measured again between them as their baseline.
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    for _ in range(rounds):
        times["opentelemetry"].append(await per_call(cases["plain"], calls))
        exporter.clear()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    times = asyncio.run(run(args.calls, args.rounds))
    base = statistics.median(times["plain"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:>18}: {median:6.1f} us a call ({median / base:.2f}x plain)")


if __name__ == "__main__":
    main()
