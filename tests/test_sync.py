"""realto_sync: where blocking wrappers usually break, and the generated facade staying current."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
import threading
import time
import traceback
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

import realto_async
import realto_sync
from realto_async import ConfigurationError, InternalServerError, RealtoError, RetryEvent
from realto_async.testing import FakeClock, FakeRealto, Fleet
from realto_sync import RealtoClient, SyncPage, SyncPaginator, _codegen
from tests.ctrl_c import ctrl_c_once_held


@pytest.fixture
def server() -> Iterator[FakeRealto]:
    with FakeRealto(seed=6, fleet=Fleet.of_size(40), clock=FakeClock()).serve_in_thread() as running:
        yield running


@pytest.fixture
def client(server: FakeRealto) -> Iterator[RealtoClient]:
    with server.sync_client() as sync_client:
        yield sync_client


def test_models_errors_and_settings_are_the_async_packages_own_objects() -> None:
    assert realto_sync.Entity is realto_async.Entity
    assert realto_sync.NotFoundError is realto_async.NotFoundError
    assert realto_sync.Timeout is realto_async.Timeout
    assert realto_sync.__version__ == realto_async.__version__
    assert "AsyncRealtoClient" not in realto_sync.__all__


def test_the_facade_has_every_call_of_the_async_client_with_the_same_signature() -> None:
    async_client = realto_async.AsyncRealtoClient(token="t", base_url="http://127.0.0.1:9/api")
    sync_client = RealtoClient(token="t", base_url="http://127.0.0.1:9/api")
    checked = 0
    for path in (
        "entities",
        "entities.permissions",
        "commands",
        "onboarding.entities",
        "settings.battery_capacity",
    ):
        async_ns, sync_ns = async_client, sync_client
        for part in path.split("."):
            async_ns, sync_ns = getattr(async_ns, part), getattr(sync_ns, part)
        for name, method in inspect.getmembers(type(async_ns), inspect.isfunction):
            if name.startswith("_"):
                continue
            async_params = list(inspect.signature(method).parameters.values())
            sync_params = list(inspect.signature(getattr(type(sync_ns), name)).parameters.values())
            assert [(p.name, p.kind, p.default) for p in async_params] == [
                (p.name, p.kind, p.default) for p in sync_params
            ]
            async_doc = (inspect.getdoc(method) or "").replace("AsyncPaginator", "SyncPaginator")
            assert inspect.getdoc(getattr(type(sync_ns), name)) == async_doc
            checked += 1
    assert checked > 15
    sync_client.close()


def test_paginators_iterate_items_and_pages_one_page_at_a_time(
    server: FakeRealto, client: RealtoClient
) -> None:
    everything = [e.id for e in client.entities.list()]
    assert len(everything) == 40
    listing = client.entities.list(page_size=15)
    assert isinstance(listing, SyncPaginator)
    first = listing.first_page()
    assert isinstance(first, SyncPage)
    assert len(first) == 15
    assert first.has_next_page()
    second = first.get_next_page()
    assert [e.id for e in second] == everything[15:30]
    assert [len(p.data) for p in client.entities.list(page_size=15).pages()] == [15, 15, 10]
    assert len(client.entities.list(page_size=15, max_items=17).to_list()) == 17
    assert list(client.entities.list(max_items=0)) == []


def test_an_error_during_iteration_carries_the_token_to_resume(
    server: FakeRealto, client: RealtoClient
) -> None:
    server.faults.add("GET /v1/entities", status=500, after=1, times=10)
    seen: list[str] = []
    with pytest.raises(InternalServerError) as info:
        seen.extend(e.id for e in client.with_options(max_retries=0).entities.list(page_size=10))
    assert len(seen) == 10
    assert info.value.continuation_token is not None
    server.faults.clear()
    rest = [
        e.id for e in client.entities.list(page_size=10, continuation_token=info.value.continuation_token)
    ]
    assert len(seen + rest) == 40


def test_a_plain_script_that_never_closes_its_client_still_exits(tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            """
            from realto_async.testing import FakeRealto

            serving = FakeRealto(seed=1).serve_in_thread()
            server = serving.__enter__()
            client = server.sync_client()
            print(len(client.entities.list().first_page().data))
            print(sum(1 for _ in client.entities.list()))
            """
        )
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["25", str(sum(count for _, count in Fleet().counts()))]
    assert "Unclosed" not in done.stderr
    assert time.monotonic() - started < 30


async def test_it_works_inside_a_running_event_loop(client: RealtoClient) -> None:
    entity = next(iter(client.entities.list()))
    assert client.entities.retrieve(entity.id).id == entity.id  # no "asyncio.run() cannot be called"


def test_32_threads_share_one_client(server: FakeRealto, client: RealtoClient) -> None:
    expected = sorted(e.id for e in client.entities.list())

    def work(index: int) -> tuple[str, list[str]]:
        own = expected[index % len(expected)]
        return client.entities.retrieve(own).id, sorted(e.id for e in client.entities.list(page_size=7))

    threads_before = threading.active_count()
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(work, range(32)))
    assert [own for own, _ in results] == [expected[i % len(expected)] for i in range(32)]
    assert all(listing == expected for _, listing in results)
    helpers = [t for t in threading.enumerate() if t.name == "realto-sync-loop"]
    assert len(helpers) <= 1  # at most the client's one helper thread, however many callers
    assert threading.active_count() <= threads_before + 1  # the pool is gone


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_after_fork_the_child_uses_a_fresh_loop_and_the_parent_keeps_working(
    server: FakeRealto, client: RealtoClient
) -> None:
    entity_id = next(iter(client.entities.list())).id
    parent_loop = client._runner._loop_state().loop
    pages = client.entities.list(page_size=5).pages()
    first = next(pages)  # the call for the next page is the parent's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12+ warns about forking with threads
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        try:
            try:
                next(pages)
                parents_call_refused = False
            except RealtoError as refused:
                parents_call_refused = "before os.fork()" in str(refused)
            inherited = client.entities.retrieve(entity_id).id == entity_id
            fresh_loop = client._runner._loop_state().loop is not parent_loop
            with server.sync_client() as own:
                own_client = own.entities.retrieve(entity_id).id == entity_id
            os._exit(0 if parents_call_refused and inherited and fresh_loop and own_client else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert next(pages).data[0].id != first.data[0].id  # the parent's listing goes on
    del pages  # closes the generator: the next prefetch is cancelled
    # No retry and a short read timeout: if the child had disturbed the parent's pooled
    # connection (epoll is shared across fork), this would fail rather than quietly retry.
    strict = client.with_options(timeout=realto_async.Timeout(connect=5, read=3, total=10), max_retries=0)
    for _ in range(3):
        assert strict.entities.retrieve(entity_id).id == entity_id
    assert client._runner._loop_state().loop is parent_loop


def test_ctrl_c_cancels_the_call_and_the_client_stays_usable(
    server: FakeRealto, client: RealtoClient
) -> None:
    entity_id = next(iter(client.entities.list())).id
    server.faults.add("GET /v1/entities/*", latency=60, times=1)
    interrupted_at: list[float] = []
    with ctrl_c_once_held(server, before=lambda: interrupted_at.append(time.monotonic())):
        with pytest.raises(KeyboardInterrupt):
            client.entities.retrieve(entity_id)
        # Raised at the interrupt, not when the server would have answered (60 s later).
        assert time.monotonic() - interrupted_at[0] < 20
    loop = client._runner._loop_state().loop
    assert client.entities.retrieve(entity_id).id == entity_id
    assert client._runner._loop_state().loop is loop
    assert not loop.is_running()


def test_close_closes_the_loop_and_with_closes_too(server: FakeRealto) -> None:
    client = server.sync_client()
    next(iter(client.entities.list()))
    loop = client._runner._loop_state().loop
    session = client._async_client()._transport._session
    client.close()
    assert loop.is_closed()
    assert not client._runner.running
    assert session is not None
    assert session.closed
    with pytest.raises(RealtoError, match="closed"):
        client.entities.retrieve(next(iter(server.store.entities)))
    with server.sync_client() as scoped:
        next(iter(scoped.entities.list()))
        scoped_loop = scoped._runner._loop_state().loop
    assert scoped_loop.is_closed()


def test_calling_the_client_from_its_own_loop_thread_is_a_clear_error(server: FakeRealto) -> None:
    holder: dict[str, RealtoClient] = {}

    def hook(event: RetryEvent) -> None:
        next(iter(holder["client"].entities.list()))  # a blocking call from inside the loop

    server.faults.add("GET /v1/collectives", status=503, times=1)
    with server.sync_client(on_retry=hook) as client:
        holder["client"] = client
        with pytest.raises(RealtoError, match="would deadlock"):
            list(client.collectives.list())
        assert list(client.collectives.list())  # still usable


def test_views_share_the_loop_and_closing_one_does_nothing(client: RealtoClient) -> None:
    view = client.with_options(timeout=5, max_retries=0)
    assert view.timeout == realto_async.Timeout.coerce(5)
    assert next(iter(view.entities.list())).id
    assert view._runner is client._runner
    view.close()
    assert client._runner.running
    assert "RealtoClient(" in repr(view)
    assert client.flavor == "realto"


def test_the_blocking_client_does_not_offer_an_aiohttp_session() -> None:
    import aiohttp

    parameters = inspect.signature(RealtoClient.__init__).parameters
    assert "session" not in parameters
    assert {"connector_limit", "proxy", "ssl"} <= set(parameters)
    doc = RealtoClient.__init__.__doc__ or ""
    assert "session:" not in doc
    assert "it takes no aiohttp ``session``" in doc
    with pytest.raises(TypeError, match="session"):
        RealtoClient(token="t", session=object.__new__(aiohttp.ClientSession))  # type: ignore[call-arg]


def test_waits_run_on_the_fake_clock_without_real_sleeping(server: FakeRealto, client: RealtoClient) -> None:
    request = client.onboarding.entities.create(type="EV", manufacturer="Audi", vin="WA1DMAFE0D0123456")
    started = time.monotonic()
    with pytest.raises(realto_async.OperationTimeoutError):
        client.onboarding.entities.wait(request.id, timeout=timedelta(minutes=10))
    assert time.monotonic() - started < 5


def test_the_committed_facade_is_current() -> None:
    assert _codegen.main(["--check"]) == 0


def test_the_staleness_check_fails_when_a_resource_changes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from realto_async.resources.tenants import Tenants

    real_getsource = inspect.getsource

    def changed_source(obj: object) -> str:
        source = real_getsource(obj)  # type: ignore[arg-type]
        if obj is Tenants:  # as if someone added a parameter without regenerating
            source = source.replace(
                "async def retrieve(\n        self,\n        tenant_id: str | UUID,\n",
                "async def retrieve(\n        self,\n        tenant_id: str | UUID,\n"
                "        expand: bool = False,\n",
            )
        return source

    monkeypatch.setattr(inspect, "getsource", changed_source)
    assert _codegen.main(["--check"]) == 1
    captured = capsys.readouterr()
    assert "expand: bool = False" in captured.out
    assert "is stale" in captured.err


def test_the_generator_writes_where_it_is_told(tmp_path: Path) -> None:
    target = tmp_path / "facade.py"
    assert _codegen.main(["--output", str(target)]) == 0
    assert target.read_text() == _codegen.TARGET.read_text()
    assert target.read_text().startswith('"""The blocking realto client. GENERATED')


def test_the_generator_refuses_a_namespace_without_a_docstring(monkeypatch: pytest.MonkeyPatch) -> None:
    from realto_async.resources.tenants import Tenants

    monkeypatch.setattr(Tenants, "__doc__", None)
    with pytest.raises(RuntimeError, match="Tenants has no docstring"):
        _codegen.generate()


def test_the_facade_imports_nothing_private_from_realto_async() -> None:
    import ast

    tree = ast.parse(Path(_codegen.TARGET).read_text())
    modules = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0
    ]
    assert "realto_async" in modules
    private = [
        m for m in modules if m.startswith("realto_async") and any(p.startswith("_") for p in m.split("."))
    ]
    assert private == []


def test_no_frame_of_the_blocking_client_shows_the_secret_when_construction_fails() -> None:
    secret = "s3cr3t-blocking-value"
    token = "t0ken-blocking-value"
    for kwargs in ({"client_id": "id", "client_secret": secret}, {"token": token}):
        try:
            RealtoClient(**kwargs, flavor="nonsense")  # type: ignore[arg-type]
        except ConfigurationError as err:
            stack = traceback.TracebackException.from_exception(err, capture_locals=True).stack
        else:  # pragma: no cover - the flavor is refused
            pytest.fail("an unknown flavor was accepted")
        sdk_frames = [frame for frame in stack if "/realto_sync/" in frame.filename]
        assert any(frame.name == "__init__" for frame in sdk_frames)  # the facade's own frame is there
        for frame in sdk_frames:
            shown = repr(frame.locals)
            assert secret not in shown, frame
            assert token not in shown, frame
