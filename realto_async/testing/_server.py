"""FakeRealto: the emulator as an aiohttp.web application, served in-process or in a thread."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sys
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import attrs
from aiohttp import web

from .._json import dumps
from ._clock import EmulatorClock, FakeClock, RealClock
from ._context import ENUMS, Ctx
from ._control import CONTROL_PREFIX
from ._control import routes as control_routes
from ._errors import api_error, unauthorized
from ._faults import Faults, fail_after, fail_before
from ._fleet import Fleet
from ._keys import SERVER_KEY
from ._routes_core import routes as core_routes
from ._routes_data import routes as data_routes
from ._routes_onboarding import consent_page
from ._routes_onboarding import routes as onboarding_routes
from ._routes_settings import routes as settings_routes
from ._store import Store

if TYPE_CHECKING:
    from realto_sync import RealtoClient

    from .._client import AsyncRealtoClient

__all__ = ["FakeRealto", "LoggedRequest"]

logger = logging.getLogger("realto.testing")
PREFIX = {"realto": "/api", "traxes": "/connect"}
TRAXES_TOKEN_PATH = "/am/oauth2/realms/root/realms/difesp/access_token"
CACHE_SIZE = 4096  # answers kept at most ...
CACHE_BYTES = 64 * 1024 * 1024  # ... and bytes: a fleet's 1,000-record pages would fill gigabytes
JOIN_TIMEOUT = 10.0  # seconds to wait for a background thread to finish
REQUEST_LOG_SIZE = 100_000  # the newest requests; a long-running server does not grow forever
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _size(response: web.Response) -> int:
    return len(response.body) if isinstance(response.body, bytes) else 0


@attrs.define(frozen=True)
class LoggedRequest:
    """One request the emulator received (the Authorization header is left out)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class FakeRealto:
    """A stateful, deterministic emulator of the re.alto / Traxes platform API.

    ``FakeRealto(seed=1, flavor="realto", fleet=Fleet(...), clock=FakeClock())`` builds the same
    fleet, ids and answers for the same seed. ``clock=None`` runs on real time.
    ``consent_after`` (seconds) makes onboarding requests consent on their own; otherwise call
    :meth:`consent` or open the request's ``action.redirectLink``.
    """

    def __init__(
        self,
        *,
        seed: int | str = 1,
        flavor: str = "realto",
        fleet: Fleet | None = None,
        entities: int | None = None,
        clock: EmulatorClock | None = None,
        token_lifetime: int = 3599,
        consent_after: float | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        control: bool = False,
    ) -> None:
        if flavor not in PREFIX:
            raise ValueError(f"flavor must be 'realto' or 'traxes', got {flavor!r}")
        if fleet is not None and entities is not None:
            raise ValueError("pass fleet= or entities=, not both")
        self.seed = seed
        self.flavor = flavor
        self.clock: EmulatorClock = clock if clock is not None else RealClock()
        self.fleet = (
            fleet if fleet is not None else Fleet.of_size(entities) if entities is not None else Fleet()
        )
        self._token_lifetime = token_lifetime
        self._request_ids = itertools.count(1)
        self._consent_after = consent_after
        self.store = self._new_store()
        self.faults = Faults(seed)
        self.requests: deque[LoggedRequest] = deque(maxlen=REQUEST_LOG_SIZE)
        self.requests_total = 0  # requests logged since the start, including those the log let go
        self.log_requests = True
        self.control = control
        self.host = host
        self.port = port
        self._root: str | None = None
        self._cache: OrderedDict[tuple[Any, ...], web.Response] = OrderedDict()
        self._cache_bytes = 0
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self._thread_stop: asyncio.Event | None = None

    def _new_store(self) -> Store:
        return Store(
            seed=self.seed,
            fleet=self.fleet,
            clock=self.clock,
            token_lifetime=self._token_lifetime,
            consent_after=self._consent_after,
        )

    def reset(self) -> None:
        """Back to a fresh emulator: the same seed, fleet and credentials, a frozen clock back at
        its start, no fault rules, an empty request log; every token issued so far stops working."""
        if isinstance(self.clock, FakeClock):
            self.clock.rewind()
        self.store = self._new_store()
        self.faults.reset()
        self.requests.clear()
        self.requests_total = 0
        self.forget()

    # ------------------------------------------------------------------ addresses

    @property
    def root(self) -> str:
        if self._root is None:
            raise RuntimeError("the emulator is not serving: use 'async with FakeRealto().serve() as server'")
        return self._root

    @property
    def url(self) -> str:
        """The base URL to hand the SDK (with ``/api`` or ``/connect``)."""
        return self.root + PREFIX[self.flavor]

    @property
    def control_url(self) -> str:
        """The control API's root (``.../_emulator``); it answers when ``control=True``."""
        return self.root + CONTROL_PREFIX

    @property
    def token_url(self) -> str:
        if self.flavor == "traxes":
            return self.root + TRAXES_TOKEN_PATH
        return self.url + "/v1/authentication"

    @property
    def client_id(self) -> str:
        return self.store.default_principal.client_id

    @property
    def client_secret(self) -> str:
        return self.store.default_principal.client_secret

    # ------------------------------------------------------------------ controls

    def consent(self, request_id: str) -> None:
        """The end user consents to an onboarding request."""
        self.store.consent(request_id)

    def expire_tokens(self) -> None:
        """Every token issued so far stops working now."""
        self.store.expire_tokens()
        self.forget()

    def add_principal(self, level: str | None = "Viewer") -> tuple[str, str]:
        """Another API client with ``level`` on every entity; returns (client_id, client_secret)."""
        principal = self.store.add_principal(level)
        self.store.changed()
        return principal.client_id, principal.client_secret

    def enum_values(self, name: str) -> set[str]:
        return ENUMS[name][self.flavor]

    def client(self, **options: Any) -> AsyncRealtoClient:
        """An AsyncRealtoClient for this emulator (its clock too, when it is a FakeClock)."""
        from .._client import AsyncRealtoClient

        return AsyncRealtoClient(**self._client_options(options))

    def sync_client(self, **options: Any) -> RealtoClient:
        """A realto_sync.RealtoClient for this emulator. Serve it with :meth:`serve_in_thread`
        when the calls come from the thread that would otherwise run the emulator's loop."""
        from realto_sync import RealtoClient

        return RealtoClient(**self._client_options(options))

    def _client_options(self, options: dict[str, Any]) -> dict[str, Any]:
        options.setdefault("base_url", self.url)
        options.setdefault("flavor", self.flavor)
        options.setdefault("token_url", self.token_url)
        if "token" not in options:
            options.setdefault("client_id", self.client_id)
            options.setdefault("client_secret", self.client_secret)
        if isinstance(self.clock, FakeClock):
            options.setdefault("clock", self.clock)
        return options

    # ------------------------------------------------------------------ responses

    def json_response(self, payload: Any, status: int = 200) -> web.Response:
        try:
            body = dumps(payload)
        except TypeError:  # orjson stops at 64-bit integers; a client may have stored larger ones
            body = json.dumps(payload, separators=(",", ":")).encode()
        return web.Response(body=body, status=status, content_type="application/json")

    @staticmethod
    def _cache_key(request: web.Request, now: datetime) -> tuple[Any, ...]:
        # The caller's token stands for the principal: a token that stops working clears the cache.
        return (request.headers.get("Authorization"), request.path_qs, now)

    def cached(self, ctx: Ctx) -> web.Response | None:
        """A copy of the answer given to the same request at the same instant, if kept."""
        return self._kept(ctx.request, ctx.now)

    def _kept(self, request: web.Request, now: datetime) -> web.Response | None:
        found = self._cache.get(self._cache_key(request, now))
        if found is None:
            return None
        assert isinstance(found.body, bytes)
        return web.Response(body=found.body, status=found.status, content_type="application/json")

    def remember(self, ctx: Ctx, payload: Any) -> web.Response:
        """Answer ``payload`` and keep it for the same request at the same instant."""
        response = self.json_response(payload)
        key = self._cache_key(ctx.request, ctx.now)
        replaced = self._cache.pop(key, None)
        self._cache_bytes += _size(response) - (_size(replaced) if replaced is not None else 0)
        self._cache[key] = response
        while len(self._cache) > CACHE_SIZE or (self._cache_bytes > CACHE_BYTES and len(self._cache) > 1):
            _, dropped = self._cache.popitem(last=False)
            self._cache_bytes -= _size(dropped)
        return self.cached(ctx) or response

    def forget(self) -> None:
        self._cache.clear()
        self._cache_bytes = 0

    # ------------------------------------------------------------------ the app

    def app(self) -> web.Application:
        """The aiohttp application (serve it yourself, or use :meth:`serve`)."""
        app = web.Application(middlewares=[self._middleware])
        app[SERVER_KEY] = self
        prefix = PREFIX[self.flavor]
        # aiohttp tries the routes under one prefix in order: the fleet-scale listings go first.
        for route_def in (*data_routes(), *core_routes(), *onboarding_routes(), *settings_routes()):
            assert isinstance(route_def, web.RouteDef)
            app.router.add_route(route_def.method, prefix + route_def.path, route_def.handler)
        if self.flavor == "traxes":
            app.router.add_post(TRAXES_TOKEN_PATH, self._traxes_token)
        else:
            app.router.add_post(prefix + "/v1/authentication", self._realto_token)
        app.router.add_get("/consent/{onboardingRequestId}", consent_page)
        app.router.add_routes(control_routes())
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX + "/"):
            return await handler(request)  # not logged, never faulted
        prefix = PREFIX[self.flavor]
        path = request.path[len(prefix) :] if request.path.startswith(prefix + "/") else request.path
        if self.log_requests:
            headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
            self.requests.append(LoggedRequest(request.method, path, dict(request.query), headers))
            self.requests_total += 1
        self.store.advance()
        fault = self.faults.pick(request.method, path)
        if fault is not None and fault.expire_tokens:
            self.expire_tokens()
        if fault is not None:
            early = await fail_before(fault, request, self.faults.sleep)
            if early is not None:
                return early
        kept = self._kept(request, self.clock.now()) if request.method == "GET" and self._cache else None
        try:
            answer = kept or await handler(request)
        except web.HTTPException as err:
            if err.content_type == "application/json" or err.status < 400:
                answer = web.Response(status=err.status, body=err.body, headers=err.headers)
            else:
                answer = self._error(err.status, err.reason)
        except Exception:  # a bug in the emulator: answer like a server would, and say so
            logger.exception("the emulator failed on %s %s", request.method, request.path)
            answer = self._error(500, "The emulator failed; see its log.")
        if request.method != "GET":
            self.store.changed()  # a write may change who sees what
            self.forget()
        if fault is not None:
            late = await fail_after(fault, request, answer)
            if late is not None:
                return late
        if not answer.prepared:  # as the platform does: every answer names its request
            answer.headers.setdefault("X-Request-Id", f"emu-{next(self._request_ids):08d}")
        return answer

    def authenticate(self, request: web.Request) -> Any:
        """The principal of the request's bearer token; 401 without a valid one."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise unauthorized("Send 'Authorization: Bearer <token>'.")
        principal = self.store.principal_for_token(header[7:])
        if principal is None:
            raise unauthorized()
        return principal

    def _token_answer(self, token: str) -> web.Response:
        return self.json_response(
            {"access_token": token, "expires_in": self.store.token_lifetime, "token_type": "Bearer"}
        )

    async def _realto_token(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
        except (ValueError, RecursionError):
            raise api_error(400, "InvalidBody", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise api_error(400, "InvalidBody", "Send {'clientId', 'clientSecret'}.")
        principal = self.store.principal_by_credentials(
            str(body.get("clientId")), str(body.get("clientSecret"))
        )
        if principal is None:
            raise unauthorized("The client id or secret is wrong.")
        return self._token_answer(self.store.issue_token(principal))

    async def _traxes_token(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return self._oauth_error(400, "invalid_request")
        form = {k: v[0] for k, v in parse_qs((await request.read()).decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return self._oauth_error(400, "unsupported_grant_type")
        if form.get("scope") != "esp":
            return self._oauth_error(400, "invalid_scope")
        principal = self.store.principal_by_credentials(
            form.get("client_id", ""), form.get("client_secret", "")
        )
        if principal is None:
            return self._oauth_error(401, "invalid_client")
        return self._token_answer(self.store.issue_token(principal))

    def _error(self, status: int, message: str) -> web.Response:
        code = message.replace(" ", "") or "Error"
        return self.json_response(
            {"errors": [{"code": code, "description": message, "message": message}]}, status
        )

    def _oauth_error(self, status: int, code: str) -> web.Response:
        return self.json_response({"error": code}, status)

    # ------------------------------------------------------------------ serving

    @asynccontextmanager
    async def serve(self) -> AsyncIterator[FakeRealto]:
        """Serve on ``host:port`` (a free port by default) until the block ends."""
        # A client that went away cancels its handler, and stopping does not wait for stragglers:
        # a test that abandons a slow request must not pay aiohttp's 60 s graceful shutdown.
        runner = web.AppRunner(
            self.app(), access_log=None, handle_signals=False, handler_cancellation=True, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        port = runner.addresses[0][1]
        self._root = f"http://{self.host}:{port}"
        try:
            yield self
        finally:
            self._root = None
            await runner.cleanup()

    def start(self) -> FakeRealto:
        """Serve from a background thread with its own event loop until :meth:`stop`; returns
        the emulator. For blocking tests (plain pytest, unittest): ``server = FakeRealto().start()``."""
        if self._thread is not None:
            raise RuntimeError("the emulator is already serving from a thread: call stop() first")
        ready = threading.Event()
        failure: list[BaseException] = []

        async def main() -> None:
            self._thread_stop = asyncio.Event()
            self._thread_loop = asyncio.get_running_loop()
            try:
                async with self.serve():
                    ready.set()
                    await self._thread_stop.wait()
            except BaseException as err:  # reported to the caller of start()
                failure.append(err)
                ready.set()

        thread = threading.Thread(target=asyncio.run, args=(main(),), name="FakeRealto", daemon=True)
        thread.start()
        ready.wait()
        if failure:
            thread.join(timeout=JOIN_TIMEOUT)
            raise failure[0]
        self._thread = thread
        return self

    def stop(self) -> None:
        """Stop serving from the background thread (nothing to do when it is not serving)."""
        thread, loop, stop = self._thread, self._thread_loop, self._thread_stop
        self._thread = None
        # Left open until interpreter exit, this runs while daemon threads can no longer
        # run (Python 3.13 waits forever on a join then): nothing to stop or wait for.
        if thread is None or loop is None or stop is None or sys.is_finalizing():
            return
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=JOIN_TIMEOUT)

    def __enter__(self) -> FakeRealto:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @contextmanager
    def serve_in_thread(self) -> Iterator[FakeRealto]:
        """Serve from a background thread with its own event loop, for blocking code."""
        self.start()
        try:
            yield self
        finally:
            self.stop()
