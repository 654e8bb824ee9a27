"""FakeRealto: the emulator as an aiohttp.web application, served in-process or in a thread."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import attrs
from aiohttp import web

from .._json import dumps
from ._clock import EmulatorClock, FakeClock, RealClock
from ._context import ENUMS, Ctx
from ._errors import api_error, unauthorized
from ._faults import Faults, apply
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
CACHE_SIZE = 4096
JOIN_TIMEOUT = 10.0  # seconds to wait for a background thread to finish
REQUEST_LOG_SIZE = 100_000  # the newest requests; a long-running server does not grow forever
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
        self.store = Store(
            seed=seed,
            fleet=self.fleet,
            clock=self.clock,
            token_lifetime=token_lifetime,
            consent_after=consent_after,
        )
        self.faults = Faults(seed)
        self.requests: deque[LoggedRequest] = deque(maxlen=REQUEST_LOG_SIZE)
        self.log_requests = True
        self.host = host
        self.port = port
        self._root: str | None = None
        self._cache: OrderedDict[tuple[Any, ...], web.Response] = OrderedDict()

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

    def add_principal(self, level: str | None = "Viewer") -> tuple[str, str]:
        """Another API client with ``level`` on every entity; returns (client_id, client_secret)."""
        principal = self.store.add_principal(level)
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
        return web.Response(body=dumps(payload), status=status, content_type="application/json")

    def _cache_key(self, ctx: Ctx) -> tuple[Any, ...]:
        return (ctx.principal.id, ctx.request.path_qs, ctx.now)

    def cached(self, ctx: Ctx) -> web.Response | None:
        """A copy of the answer given to the same request at the same instant, if kept."""
        found = self._cache.get(self._cache_key(ctx))
        if found is None:
            return None
        assert isinstance(found.body, bytes)
        return web.Response(body=found.body, status=found.status, content_type="application/json")

    def remember(self, ctx: Ctx, payload: Any) -> web.Response:
        response = self.json_response(payload)
        self._cache[self._cache_key(ctx)] = response
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return self.cached(ctx) or response

    def forget(self) -> None:
        self._cache.clear()

    # ------------------------------------------------------------------ the app

    def app(self) -> web.Application:
        """The aiohttp application (serve it yourself, or use :meth:`serve`)."""
        app = web.Application(middlewares=[self._middleware])
        app[SERVER_KEY] = self
        prefix = PREFIX[self.flavor]
        for route_def in (*core_routes(), *onboarding_routes(), *data_routes(), *settings_routes()):
            assert isinstance(route_def, web.RouteDef)
            app.router.add_route(route_def.method, prefix + route_def.path, route_def.handler)
        if self.flavor == "traxes":
            app.router.add_post(TRAXES_TOKEN_PATH, self._traxes_token)
        else:
            app.router.add_post(prefix + "/v1/authentication", self._realto_token)
        app.router.add_get("/consent/{onboardingRequestId}", consent_page)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        prefix = PREFIX[self.flavor]
        path = request.path[len(prefix) :] if request.path.startswith(prefix + "/") else request.path
        if self.log_requests:
            headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
            self.requests.append(LoggedRequest(request.method, path, dict(request.query), headers))
        self.store.advance()
        fault = self.faults.pick(request.method, path)
        if fault is not None and fault.expire_tokens:
            self.store.expire_tokens()
        if fault is not None:
            early = await apply(fault, request, None)
            if early is not None:
                return early
        try:
            answer = await handler(request)
        except web.HTTPException as err:
            if err.content_type == "application/json" or err.status < 400:
                answer = web.Response(status=err.status, body=err.body, headers=err.headers)
            else:
                answer = self._error(err.status, err.reason)
        except Exception:  # a bug in the emulator: answer like a server would, and say so
            logger.exception("the emulator failed on %s %s", request.method, request.path)
            answer = self._error(500, "The emulator failed; see its log.")
        if fault is not None:
            late = await apply(fault, request, answer)
            if late is not None:
                return late
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
        except ValueError:
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

    @contextmanager
    def serve_in_thread(self) -> Iterator[FakeRealto]:
        """Serve from a background thread with its own event loop, for blocking code."""
        ready = threading.Event()
        stop: asyncio.Event | None = None
        loop: asyncio.AbstractEventLoop | None = None
        failure: list[BaseException] = []

        async def main() -> None:
            nonlocal stop, loop
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            try:
                async with self.serve():
                    ready.set()
                    await stop.wait()
            except BaseException as err:  # pragma: no cover - reported to the caller below
                failure.append(err)
                ready.set()

        thread = threading.Thread(target=asyncio.run, args=(main(),), name="FakeRealto", daemon=True)
        thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        try:
            yield self
        finally:
            # Left open until interpreter exit, this runs while daemon threads can no longer
            # run (Python 3.13 waits forever on a join then): nothing to stop or wait for.
            if loop is not None and stop is not None and not sys.is_finalizing():
                loop.call_soon_threadsafe(stop.set)
                thread.join(timeout=JOIN_TIMEOUT)
