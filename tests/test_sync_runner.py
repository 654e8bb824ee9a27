"""Where a blocking call runs: in the caller's own thread, which runs the client's loop for it.

Another thread's call made meanwhile runs on that same loop; a caller whose thread already runs
an event loop (Jupyter) has the helper thread run it. The caller's context variables reach the
call on every path.
"""

from __future__ import annotations

import asyncio
import contextvars
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from realto_async import RequestEvent
from realto_async.testing import FakeClock, FakeRealto, Fleet
from realto_sync import RealtoClient
from realto_sync import _pagination as pagination_module
from realto_sync import _runner as runner_module
from tests.ctrl_c import ctrl_c_once_held

REQUEST_TAG: contextvars.ContextVar[str] = contextvars.ContextVar("REQUEST_TAG", default="unset")


class Seen:
    """What the request hook saw: the thread each request was sent from, and the caller's tag."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.tags: list[str] = []

    def hook(self, event: RequestEvent) -> None:
        self.threads.append(threading.get_ident())
        self.tags.append(REQUEST_TAG.get())


@pytest.fixture
def server() -> Iterator[FakeRealto]:
    with FakeRealto(seed=3, fleet=Fleet.of_size(12), clock=FakeClock()).serve_in_thread() as running:
        yield running


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
def client(server: FakeRealto, seen: Seen) -> Iterator[RealtoClient]:
    with server.sync_client(event_hooks={"request": [seen.hook]}) as sync_client:
        yield sync_client


def test_a_blocking_call_runs_in_the_callers_own_thread_with_its_context(
    server: FakeRealto, client: RealtoClient, seen: Seen
) -> None:
    entity_ids = [e.id for e in client.entities.list()]
    threads_before = threading.active_count()
    seen.threads.clear()
    seen.tags.clear()

    def call(tag: str) -> tuple[int, str]:
        REQUEST_TAG.set(tag)
        return threading.get_ident(), client.entities.retrieve(entity_ids[int(tag) % len(entity_ids)]).id

    REQUEST_TAG.set("0")
    own = call("0")
    assert seen.threads == [own[0]]
    assert seen.tags == ["0"]
    assert own[1] == entity_ids[0]
    with ThreadPoolExecutor(1) as pool:  # one worker: calls one after the other, each its own loop run
        worker_calls = [pool.submit(call, str(n)).result() for n in range(1, 4)]
    assert seen.threads[1:] == [ident for ident, _ in worker_calls]
    assert seen.tags == ["0", "1", "2", "3"]
    assert [got for _, got in worker_calls] == entity_ids[1:4]
    assert threading.active_count() <= threads_before  # no loop thread was started
    assert REQUEST_TAG.get() == "0"  # a call does not change its caller's context


def test_a_call_made_while_another_thread_runs_the_loop_is_run_by_that_thread(
    server: FakeRealto, client: RealtoClient, seen: Seen
) -> None:
    entity_ids = [e.id for e in client.entities.list()]
    server.faults.add("GET /v1/entities", latency=0.5, times=1)  # holds the other thread's listing
    listing_started = threading.Event()
    seen.threads.clear()
    seen.tags.clear()

    def slow_listing() -> tuple[int, int]:
        REQUEST_TAG.set("slow")
        listing_started.set()
        return threading.get_ident(), len(client.entities.list().to_list())

    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(slow_listing)
        assert listing_started.wait(5)
        while not seen.threads:  # its request is out: its thread runs the loop, held by the server
            threading.Event().wait(0.005)
        REQUEST_TAG.set("quick")
        quick = client.entities.retrieve(entity_ids[0])
        slow_thread, count = slow.result(timeout=10)
    assert quick.id == entity_ids[0]
    assert count == len(entity_ids)
    assert seen.tags == ["slow", "quick"]
    assert seen.threads == [slow_thread, slow_thread]  # the quick call was sent from that loop run


def test_inside_a_running_event_loop_the_helper_thread_runs_the_call(
    server: FakeRealto, client: RealtoClient, seen: Seen
) -> None:
    entity_id = next(iter(client.entities.list())).id
    seen.threads.clear()
    seen.tags.clear()

    async def notebook_cell() -> str:
        REQUEST_TAG.set("cell")
        return client.entities.retrieve(entity_id).id  # blocking call in async code, as in Jupyter

    assert asyncio.run(notebook_cell()) == entity_id
    helpers = [t for t in threading.enumerate() if t.name == "realto-sync-loop"]
    assert [t.ident for t in helpers] == seen.threads
    assert helpers[0].daemon
    assert seen.tags == ["cell"]
    deadline = time.monotonic() + 5 + runner_module.HELPER_LINGER_SECONDS
    while client._runner.driver_ident is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert client._runner.driver_ident is None  # the helper stops running the loop once idle
    assert client.entities.retrieve(entity_id).id == entity_id  # and this thread can run it again
    assert seen.threads[-1] == threading.get_ident()


class IdleClosingProxy:
    """A TCP proxy to the emulator that closes a client connection idle for ``idle`` seconds,
    as servers and load balancers do with keep-alive connections."""

    def __init__(self, target_port: int, idle: float) -> None:
        self.target_port = target_port
        self.idle = idle
        self.closed_idle = 0
        self.loop = asyncio.new_event_loop()
        self.server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = int(self.server.sockets[0].getsockname()[1])
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        answers = asyncio.ensure_future(self._pipe(upstream_reader, writer))
        try:
            while True:
                try:
                    data = await asyncio.wait_for(reader.read(65536), self.idle)
                except asyncio.TimeoutError:
                    self.closed_idle += 1
                    break
                if not data:
                    break
                upstream_writer.write(data)
                await upstream_writer.drain()
        finally:
            answers.cancel()
            writer.close()
            upstream_writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()

    def close(self) -> None:
        async def shut() -> None:
            self.server.close()

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def test_a_write_after_the_server_closed_the_idle_connection_is_sent_on_a_fresh_one(
    server: FakeRealto, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "IDLE_CATCH_UP_SECONDS", 0.2)
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    proxy = IdleClosingProxy(port, idle=0.1)
    try:
        base_url = server.url.replace(f":{port}", f":{proxy.port}")
        with server.sync_client(base_url=base_url, max_retries=0) as client:
            entity_ids = [e.id for e in client.entities.list()]
            for number, entity_id in enumerate(entity_ids[:3]):
                time.sleep(0.4)  # the proxy closes the pooled connection meanwhile
                renamed = client.entities.update(entity_id, name=f"renamed {number}")  # PATCH: not retried
                assert renamed.id == entity_id
        assert proxy.closed_idle >= 3
    finally:
        proxy.close()


@pytest.mark.parametrize("seconds_a_page", [0.0, 0.08])
def test_a_listings_next_page_is_fetched_by_the_helper_only_for_a_caller_that_works_on_its_pages(
    client: RealtoClient, seen: Seen, monkeypatch: pytest.MonkeyPatch, seconds_a_page: float
) -> None:
    monkeypatch.setattr(pagination_module, "PREFETCH_AFTER_WORK_SECONDS", 0.04)
    monkeypatch.setattr(pagination_module, "PREFETCH_AFTER_WAIT_SECONDS", 0.0)
    expected = [e.id for e in client.entities.list()]
    seen.threads.clear()
    got: list[str] = []
    for page in client.entities.list(page_size=3).pages():
        got.extend(e.id for e in page.data)
        time.sleep(seconds_a_page)
    assert got == expected
    assert len(seen.threads) == 4
    helper = next(t.ident for t in threading.enumerate() if t.name == "realto-sync-loop")
    me = threading.get_ident()
    # The first page is fetched by the caller, the second by the helper while the caller works on
    # the first (or by the caller, when it asks before the helper got to it); then by the helper
    # only when the caller spends a while on each page.
    later = helper if seconds_a_page else me
    assert seen.threads[0] == me
    assert seen.threads[1] == helper if seconds_a_page else seen.threads[1] in (me, helper)
    assert seen.threads[2:] == [later, later]


@pytest.mark.parametrize("guarded", [True, False])
def test_ctrl_c_while_the_callers_own_thread_runs_the_loop_cancels_the_call(
    server: FakeRealto, client: RealtoClient, monkeypatch: pytest.MonkeyPatch, guarded: bool
) -> None:
    # guarded: the call has run past CTRL_C_GUARD_AFTER_SECONDS, so a SIGINT handler of the
    # runner's cancels it; else Python's own handler raises inside the loop's wait for I/O.
    if not guarded:
        monkeypatch.setattr(runner_module, "CTRL_C_GUARD_AFTER_SECONDS", 600.0)
    handled: list[int] = []
    on_ctrl_c = runner_module._on_ctrl_c

    def recording(call: Any, signum: int, frame: Any) -> None:
        handled.append(signum)
        on_ctrl_c(call, signum, frame)

    monkeypatch.setattr(runner_module, "_on_ctrl_c", recording)
    entity_id = client.entities.list().first_page().data[0].id
    assert client._runner.driver_ident is None  # no helper runs the loop: this thread will
    server.faults.add("GET /v1/entities/*", latency=60, times=1)
    main = threading.main_thread().ident
    drivers: list[int | None] = []
    started = time.monotonic()
    # Past the guard's 20 ms when it is on.
    with ctrl_c_once_held(server, delay=0.2, before=lambda: drivers.append(client._runner.driver_ident)):
        with pytest.raises(KeyboardInterrupt):
            client.entities.retrieve(entity_id)
        assert time.monotonic() - started < 20  # not when the server would have answered
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    assert drivers == [main]
    assert handled == ([signal.SIGINT] if guarded else [])
    assert client.entities.retrieve(entity_id).id == entity_id  # the client stays usable


def test_a_listing_whose_pages_come_without_waiting_is_fetched_by_the_caller_however_slow_it_is(
    client: RealtoClient, seen: Seen, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fetching a page here never waits 10 s for the server: nothing to overlap with the caller's
    # work, so the helper thread (a hand-off, contention for the GIL) is not used.
    monkeypatch.setattr(pagination_module, "PREFETCH_AFTER_WAIT_SECONDS", 10.0)
    expected = [e.id for e in client.entities.list()]
    seen.threads.clear()
    got: list[str] = []
    for page in client.entities.list(page_size=3).pages():
        got.extend(e.id for e in page.data)
        time.sleep(0.02)
    assert got == expected
    assert seen.threads == [threading.get_ident()] * 4


def test_a_listing_whose_server_keeps_the_caller_waiting_is_prefetched_by_the_helper(
    server: FakeRealto, client: RealtoClient, seen: Seen
) -> None:
    expected = [e.id for e in client.entities.list()]
    server.faults.add("GET /v1/entities", latency=0.05, times=10)  # a distant server
    seen.threads.clear()
    got: list[str] = []
    for page in client.entities.list(page_size=3).pages():
        got.extend(e.id for e in page.data)
        time.sleep(0.05)  # the caller's work on a page overlaps the next page's wait
    assert got == expected
    helper = next(t.ident for t in threading.enumerate() if t.name == "realto-sync-loop")
    assert seen.threads == [threading.get_ident(), helper, helper, helper]
