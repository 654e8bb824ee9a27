"""The blocking paginator requests the next page before the caller works on the current one."""

from __future__ import annotations

import asyncio
import gc
import signal
import threading
import time
import warnings
from collections.abc import Iterator

import pytest

from realto_async import InternalServerError, Timeout
from realto_async.testing import FakeClock, FakeRealto, Fleet
from realto_sync import RealtoClient
from realto_sync import _pagination as pagination_module
from realto_sync._runner import LoopRunner

ENTITIES = 40


@pytest.fixture(autouse=True)
def prefetch_whatever_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator in this process answers within the 2 ms a fetch must wait for the helper to
    prefetch (see realto_sync._pagination); these tests are about prefetching itself."""
    monkeypatch.setattr(pagination_module, "PREFETCH_AFTER_WAIT_SECONDS", 0.0)


@pytest.fixture
def server() -> Iterator[FakeRealto]:
    with FakeRealto(seed=8, fleet=Fleet.of_size(ENTITIES), clock=FakeClock()).serve_in_thread() as running:
        yield running


@pytest.fixture
def client(server: FakeRealto) -> Iterator[RealtoClient]:
    with server.sync_client() as sync_client:
        yield sync_client


def listing_requests(server: FakeRealto) -> list[str | None]:
    """The continuation token of each entity-listing request so far (None: the first page)."""
    return [r.query.get("continuationToken") for r in server.requests if r.path == "/v1/entities"]


def wait_for(condition: object, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.005)
    return False


def test_the_next_page_is_requested_while_the_caller_holds_the_current_one(
    server: FakeRealto, client: RealtoClient
) -> None:
    pages = client.entities.list(page_size=10).pages()
    first = next(pages)
    assert len(first.data) == 10
    # Nothing else is asked of the client: the second request can only be the prefetch.
    assert wait_for(lambda: len(listing_requests(server)) == 2)
    assert listing_requests(server)[1] == first.continuation_token
    second = next(pages)
    assert len(listing_requests(server)) >= 2
    assert second.data[0].id != first.data[0].id
    del pages  # closing the generator cancels the next prefetch


def test_prefetching_keeps_every_item_once_and_in_order(server: FakeRealto, client: RealtoClient) -> None:
    expected = [e.id for e in client.entities.list(page_size=ENTITIES)]
    assert len(expected) == ENTITIES
    for size in (1, 7, 10, 39, 40, 100):
        assert [e.id for e in client.entities.list(page_size=size)] == expected
        assert [e.id for p in client.entities.list(page_size=size).pages() for e in p] == expected


@pytest.mark.parametrize(("max_items", "requests"), [(10, 1), (11, 2), (15, 2), (20, 2), (21, 3)])
def test_max_items_fetches_no_page_it_will_not_use(
    server: FakeRealto, client: RealtoClient, max_items: int, requests: int
) -> None:
    server.requests.clear()
    got = client.entities.list(page_size=10, max_items=max_items).to_list()
    assert len(got) == max_items
    time.sleep(0.05)  # a stray prefetch would have reached the server by now
    assert len(listing_requests(server)) == requests


def test_leaving_a_loop_early_cancels_the_prefetch_and_the_client_stays_usable(
    server: FakeRealto, client: RealtoClient
) -> None:
    server.requests.clear()
    server.faults.add("GET /v1/entities", latency=30, after=1, times=1)  # the prefetch hangs
    started = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for entity in client.entities.list(page_size=10):
            assert entity.id
            assert wait_for(lambda: len(listing_requests(server)) == 2)  # the prefetch is in flight
            break
        gc.collect()
    assert time.monotonic() - started < 5  # did not wait for the 30-second answer
    assert len(client.entities.list(page_size=ENTITIES).to_list()) == ENTITIES


def test_an_error_of_the_prefetched_page_comes_after_the_current_pages_items(
    server: FakeRealto, client: RealtoClient
) -> None:
    server.faults.add("GET /v1/entities", status=500, after=2, times=10)
    seen: list[str] = []
    with pytest.raises(InternalServerError) as info:
        seen.extend(e.id for e in client.with_options(max_retries=0).entities.list(page_size=10))
    assert len(seen) == 20
    assert info.value.continuation_token is not None
    server.faults.clear()
    rest = client.entities.list(page_size=10, continuation_token=info.value.continuation_token).to_list()
    assert len(seen) + len(rest) == ENTITIES
    assert len(set(seen) | {e.id for e in rest}) == ENTITIES


def test_cancelling_a_submitted_call_stops_its_coroutine() -> None:
    runner = LoopRunner()
    stopped: list[str] = []
    reached: list[str] = []

    async def slow() -> None:
        try:
            reached.append("sleep")
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.append("cancelled")
            raise

    started = time.monotonic()
    call = runner.submit_in_background(slow)  # the helper thread runs the loop: it reaches its sleep
    assert wait_for(lambda: reached == ["sleep"])
    runner.cancel(call)
    assert stopped == ["cancelled"]
    for _ in range(20):  # cancelled before the loop even started them: still released
        runner.cancel(runner.submit(slow))
    assert time.monotonic() - started < 5
    assert runner.run(asyncio.sleep, 0, "still works") == "still works"
    runner.stop()


def test_ctrl_c_while_waiting_for_a_page_raises_keyboard_interrupt_and_the_client_stays_usable(
    server: FakeRealto, client: RealtoClient
) -> None:
    server.requests.clear()
    server.faults.add("GET /v1/entities", latency=30, after=1, times=1)  # the second page hangs
    main = threading.main_thread().ident
    assert main is not None
    seen: list[str] = []
    started = time.monotonic()
    timer = threading.Timer(0.3, signal.pthread_kill, args=(main, signal.SIGINT))

    def iterate() -> None:
        for entity in client.entities.list(page_size=10):
            seen.append(entity.id)
            if len(seen) == 10:
                timer.start()  # fires while the loop waits for the prefetched second page

    with pytest.raises(KeyboardInterrupt):
        iterate()
    timer.join()
    assert len(seen) == 10
    assert time.monotonic() - started < 5
    assert len(client.entities.list(page_size=ENTITIES).to_list()) == ENTITIES


def test_a_caller_slower_per_page_than_the_call_timeout_still_gets_every_page(server: FakeRealto) -> None:
    # The next page's request is sent before the caller works on a page, and read when asked for:
    # its timers must not fire for the time the caller spent (the answer is waiting by then).
    timeout = Timeout(connect=0.3, read=0.3, total=0.4)
    with server.sync_client(timeout=timeout, max_retries=0) as client:
        seen: list[str] = []
        for page in client.entities.list(page_size=10).pages():
            seen.extend(e.id for e in page.data)
            time.sleep(0.6)
    assert len(set(seen)) == len(seen) == ENTITIES
