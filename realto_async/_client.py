"""AsyncRealtoClient: configuration, lifecycle and the resource namespaces."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar, overload

import aiohttp
import attrs

from ._attempt import TransportFunction
from ._call_options import call_options_applied, current_call_options, per_call_options
from ._clock import Clock
from ._config import (
    ClientConfig,
    ProxySetting,
    Secret,
    SslSetting,
    Timeout,
    TokenSource,
    as_secret,
    check_headers,
    check_retry,
    check_retry_hook,
    resolve_config,
)
from ._convert import structure, structure_list
from ._dialects import Flavor
from ._errors import ConfigurationError, InvalidArgumentError
from ._fast_pages import FastPage, decode_page
from ._hooks import EventHooks, check_event_hooks
from ._http import BodyReader, RequestOptions, Response, Transport
from ._json import dumps, find_unencodable
from ._origin import remember_response
from ._pagination import AsyncPaginator, Page, parse_page
from ._raw_response import AsyncRawResponseView, record_response
from ._request import check_request, decode_as
from ._retry import RetryHook, RetryPolicy
from ._types import NOT_GIVEN, Omittable
from ._validate import check_max_items, check_page_size
from .bulk._namespace import Bulk
from .resources._base import expose_namespaces
from .resources.charge_sessions import ChargeSessions
from .resources.collectives import Collectives
from .resources.commands import Commands
from .resources.entities import Entities
from .resources.offboarding import Offboarding
from .resources.onboarding import Onboarding
from .resources.readings import Readings
from .resources.settings import Settings
from .resources.tenants import Tenants

__all__ = ["AsyncRealtoClient"]

T = TypeVar("T")
logger = logging.getLogger("realto")


def _configure_logging(level_name: str | None) -> None:
    if not level_name:
        return
    level = logging.getLevelName(level_name.upper())
    if not isinstance(level, int):
        raise ConfigurationError(
            f"REALTO_LOG must be a logging level such as 'debug' or 'info', got {level_name!r}"
        )
    logger.setLevel(level)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)


def encode_body(body: Any) -> bytes:
    """A request body as JSON bytes; anything JSON cannot hold is refused before sending."""
    problem = find_unencodable(body)
    if problem is not None:
        raise InvalidArgumentError(
            f"the request body cannot be sent as JSON: {problem}; use dicts with str keys, lists, "
            "str, int, finite float, bool and None"
        )
    return dumps(body)


class AsyncRealtoClient:
    """The asynchronous client of the re.alto / Traxes platform API.

    Every argument falls back to its ``REALTO_*`` environment variable, then to a default::

        async with AsyncRealtoClient() as client:   # REALTO_CLIENT_ID / REALTO_CLIENT_SECRET
            entity = await client.entities.retrieve(entity_id)
            async for session in client.charge_sessions.list(entity_id, start=since):
                ...

    Its namespaces hold one method per endpoint: ``entities`` (``.permissions``),
    ``collectives``, ``tenants``, ``onboarding`` (``.types``, ``.entities``, ``.collectives``,
    ``.guided_sessions``), ``readings``, ``commands``, ``charge_sessions``, ``settings`` and
    ``offboarding``.

    Every method also takes ``timeout=`` (seconds or a :class:`Timeout`: that call's whole
    deadline; on ``wait()`` the wait itself), ``extra_headers=`` and ``extra_query=`` (str to
    str), for that call only. ``with_raw_response`` gives each result with its HTTP answer,
    ``request()`` calls what has no method yet, ``event_hooks=`` sees every HTTP attempt
    (``{"request": [...], "response": [...]}``) and ``transport=`` replaces what sends one.

    The aiohttp session is created on first use inside the running event loop and is bound
    to it. A ``session`` you pass is used as is and never closed by the client.

    Networks: ``proxy`` is a proxy URL, ``False`` for none, or ``None`` (the default) to follow
    ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``NO_PROXY``; ``ssl`` is an ``ssl.SSLContext``, a CA bundle
    path, or ``False`` to skip certificate checks. An answer larger than ``max_response_bytes``
    (default 64 MiB) raises :class:`ResponseTooLargeError` without being read in full.
    """

    entities: Entities
    collectives: Collectives
    tenants: Tenants
    onboarding: Onboarding
    readings: Readings
    commands: Commands
    charge_sessions: ChargeSessions
    settings: Settings
    offboarding: Offboarding
    bulk: Bulk

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        token: TokenSource | None = None,
        base_url: str | None = None,
        flavor: Flavor | None = None,
        token_url: str | None = None,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        connector_limit: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        on_retry: RetryHook | None = None,
        clock: Clock | None = None,
        proxy: ProxySetting = None,
        ssl: SslSetting = None,
        max_response_bytes: int | None = None,
        event_hooks: EventHooks | None = None,
        transport: TransportFunction | None = None,
    ) -> None:
        """Build a client; nothing is sent until the first call.

        Every argument left out (None) falls back to its ``REALTO_*`` environment variable, then to
        its default.

        Args:
            client_id: the OAuth client id (``REALTO_CLIENT_ID``).
            client_secret: its secret (``REALTO_CLIENT_SECRET``); never logged or shown in reprs.
            token: instead of client credentials: a bearer token, or an async callable returning one
                (called again when a call is refused with 401).
            base_url: the API's root (``REALTO_BASE_URL``; default: the dialect's, e.g.
                ``https://platform.realto.io/api``).
            flavor: the dialect, ``"realto"`` or ``"traxes"`` (``REALTO_FLAVOR``; default ``"realto"``).
            token_url: the token endpoint (``REALTO_TOKEN_URL``). Default: the known deployment's
                for the dialect's own base URLs; otherwise ``{base_url}/v1/authentication`` for
                re.alto, and required for Traxes (its sign-in server is on another host).
            timeout: seconds each call may take, every retry and token fetch included (a number), or
                ``Timeout(connect=, read=, total=, pool=)`` for each limit in seconds (``pool``: the
                wait for a free connection, a request that never got one was not sent). Default 120 s.
            max_retries: how often a failed call is tried again (default 2).
            retry: a RetryPolicy: backoff delays (seconds) and the statuses that are retried.
            session: an ``aiohttp.ClientSession`` to send with; used as is and never closed.
            connector_limit: the most connections open at once (default 100; 0: no limit).
            default_headers: headers sent with every request (not Authorization: pass ``token``).
            on_retry: called with a RetryEvent before each retry (an async callable is awaited).
            clock: the time source for deadlines, backoff and token expiry (tests pass a FakeClock).
            proxy: a proxy URL, False for none, or None (default) for ``HTTP_PROXY`` /
                ``HTTPS_PROXY`` / ``NO_PROXY`` from the environment.
            ssl: an ``ssl.SSLContext``, a CA bundle path (a private CA), or False for no certificate
                checks (None: the system's CAs).
            max_response_bytes: the largest answer read, in bytes (default 64 MiB); a larger one
                raises ResponseTooLargeError without being read in full.
            event_hooks: ``{"request": [...], "response": [...]}``: callables (sync or async) given a
                RequestEvent before each HTTP attempt and a ResponseEvent after each answer, with
                credentials redacted; one that raises makes the call raise EventHookError.
            transport: what sends one HTTP attempt: a callable (sync or async) from HTTPRequest to
                Response (``realto_async.transport.MockTransport`` for tests); None uses aiohttp.

        Raises:
            ConfigurationError: a setting is missing or malformed (or Traxes credentials with a
                base_url that is not a known deployment and no token_url); the message names it.
        """
        # Held redacted from here on: error reporters that capture locals show only '****'.
        client_secret = as_secret(client_secret)  # type: ignore[assignment]
        token = Secret(token) if isinstance(token, str) else token  # type: ignore[assignment]
        config = resolve_config(
            client_id=client_id,
            client_secret=client_secret,
            token=token,
            base_url=base_url,
            flavor=flavor,
            token_url=token_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            connector_limit=connector_limit,
            default_headers=default_headers,
            proxy=proxy,
            ssl=ssl,
            max_response_bytes=max_response_bytes,
        )
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError(
                f"session must be an aiohttp.ClientSession, got {type(session).__name__}"
            )
        check_retry_hook(on_retry)
        if transport is not None and not callable(transport):
            raise ConfigurationError(
                "transport must be a callable taking an HTTPRequest and returning a Response "
                "(see realto_async.transport.MockTransport)"
            )
        hooks = check_event_hooks(event_hooks)
        _configure_logging(config.log_level)
        self._transport = Transport(config, session=session, clock=clock, sender=transport, event_hooks=hooks)
        self._options = RequestOptions(
            timeout=config.timeout,
            retry=config.retry,
            headers=config.default_headers,
            on_retry=on_retry,
        )
        self._is_view = False
        self._bind_resources()

    def _bind_resources(self) -> None:
        self.entities = Entities(self)
        self.collectives = Collectives(self)
        self.tenants = Tenants(self)
        self.onboarding = Onboarding(self)
        self.readings = Readings(self)
        self.commands = Commands(self)
        self.charge_sessions = ChargeSessions(self)
        self.settings = Settings(self)
        self.offboarding = Offboarding(self)
        self.bulk = Bulk(self)

    # --------------------------------------------------------------------- settings

    @property
    def config(self) -> ClientConfig:
        """The resolved settings (secrets hidden in its repr)."""
        return self._transport.config

    @property
    def flavor(self) -> Flavor:
        """The dialect: ``"realto"`` or ``"traxes"``."""
        return self._transport.config.flavor

    @property
    def base_url(self) -> str:
        return self._transport.config.base_url

    @property
    def timeout(self) -> Timeout:
        return self._options.timeout

    @property
    def retry(self) -> RetryPolicy:
        return self._options.retry

    def with_options(
        self,
        *,
        timeout: Omittable[float | Timeout] = NOT_GIVEN,
        max_retries: Omittable[int] = NOT_GIVEN,
        retry: Omittable[RetryPolicy] = NOT_GIVEN,
        default_headers: Omittable[Mapping[str, str]] = NOT_GIVEN,
        on_retry: Omittable[RetryHook | None] = NOT_GIVEN,
    ) -> AsyncRealtoClient:
        """A view of this client with other per-call settings, sharing its connections and token.

        Nothing is sent. The arguments are checked as the constructor checks them; those left out
        keep this client's values. Closing the view does nothing; close the client it came from.

        Args:
            timeout: seconds one call may take, every retry and token fetch included (a number), or
                ``Timeout(connect=, read=, total=)`` for each limit in seconds.
            max_retries: how often a failed call is tried again.
            retry: a RetryPolicy: backoff delays (seconds) and the statuses that are retried.
            default_headers: headers added to this client's for every request (not Authorization).
            on_retry: called with a RetryEvent before each retry (None: no hook).

        Returns:
            AsyncRealtoClient: the view.

        Raises:
            ConfigurationError: a setting is malformed; the message names it.
        """
        # The constructor's own checks, so a view accepts and refuses exactly what it does.
        options = attrs.evolve(
            self._options,
            retry=check_retry(
                self._options.retry if retry is NOT_GIVEN else retry,
                None if max_retries is NOT_GIVEN else max_retries,
            ),
        )
        if timeout is not NOT_GIVEN:
            options = attrs.evolve(options, timeout=Timeout.coerce(timeout))
        if default_headers is not NOT_GIVEN:
            options = attrs.evolve(options, headers={**options.headers, **check_headers(default_headers)})
        if on_retry is not NOT_GIVEN:
            options = attrs.evolve(options, on_retry=check_retry_hook(on_retry))
        view = object.__new__(AsyncRealtoClient)
        view._transport = self._transport
        view._options = options
        view._is_view = True
        view._bind_resources()
        return view

    @property
    def with_raw_response(self) -> AsyncRawResponseView:
        """The same namespaces and calls, each answering a :class:`RawResponse` (status code,
        headers, request id, elapsed seconds, retries, and ``parse()`` for the usual result)::

            raw = await client.with_raw_response.entities.retrieve(entity_id)
            print(raw.status_code, raw.request_id, raw.retries)
            entity = raw.parse()

        A listing answers the raw response of its first page (``parse()`` gives the ``Page``).
        """
        return AsyncRawResponseView(self)

    # -------------------------------------------------------------------- lifecycle

    @property
    def is_closed(self) -> bool:
        return self._transport.closed

    async def aclose(self) -> None:
        """Close the connection pool (unless the session was passed in). Views do nothing.

        Returns:
            None: nothing is sent; calls made afterwards raise.
        """
        if not self._is_view:
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncRealtoClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        transport = getattr(self, "_transport", None)  # None while __init__ has not finished
        if transport is None:
            return "AsyncRealtoClient(<not configured>)"
        config = transport.config
        if config.token is not None:
            auth = "static token" if isinstance(config.token, Secret) else "token callable"
        else:
            auth = f"client_id={config.client_id!r}"
        view = ", view" if self._is_view else ""
        return f"AsyncRealtoClient(flavor={config.flavor!r}, base_url={config.base_url!r}, {auth}{view})"

    # ----------------------------------------------------- calls the SDK does not wrap

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> dict[str, Any]: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        cast_to: type[T],
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> T: ...

    @per_call_options
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        cast_to: type[Any] = dict,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Any:
        """Call an endpoint the SDK does not wrap (yet), such as the readings API's Statistics
        group, with the same auth, retries, deadline, typed errors and write-safety rules as every
        other call (POST and PATCH are resent only when the request provably never left).

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            path: relative to the base URL and starting with ``/`` (``/v1/...``); no query in it.
            params: query parameters, str to str.
            json: the JSON body (None: no body).
            cast_to: ``dict`` (the JSON object; ``{}`` for an empty answer), ``list`` (a JSON
                array) or a model class such as ``Reading`` (either dialect's field names).

        Returns:
            The answer as ``cast_to``; a model also knows its ``request_id``.

        Raises:
            InvalidArgumentError: a bad argument (checked before sending).
            APIStatusError: the server refused (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
            ResponseValidationError: the answer does not fit ``cast_to``.
        """
        verb, checked_path, query = check_request(method, path, params, cast_to)
        body = NOT_GIVEN if json is None else json
        response = await self._send(verb, checked_path, params=query, body=body)
        result = decode_as(response, cast_to)
        remember_response(result, response.info())
        return result

    # ------------------------------------------------------------ used by resources

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = NOT_GIVEN,
        expect_json: bool | BodyReader = True,
    ) -> Response:
        payload = None if body is NOT_GIVEN else encode_body(body)
        options = self._options
        call = current_call_options()
        if call is not None:
            options = attrs.evolve(
                options,
                timeout=call.timeout if call.timeout is not None else options.timeout,
                headers={**options.headers, **call.extra_headers},
            )
            if call.extra_query:
                params = {**(params or {}), **call.extra_query}
        response = await self._transport.send(
            method, path, options, params=params, json=payload, expect_json=expect_json
        )
        record_response(response)
        return response

    async def _request(
        self,
        method: str,
        path: str,
        model: type[T],
        *,
        params: Mapping[str, str] | None = None,
        body: Any = NOT_GIVEN,
    ) -> T:
        response = await self._send(method, path, params=params, body=body)
        result = structure(response.json(), model)
        remember_response(result, response.info())
        return result

    async def _request_list(
        self, method: str, path: str, model: type[T], *, body: Any = NOT_GIVEN
    ) -> list[T]:
        response = await self._send(method, path, body=body)
        return structure_list(response.json(), model)

    async def _request_none(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = NOT_GIVEN
    ) -> None:
        await self._send(method, path, params=params, body=body, expect_json=False)

    async def _request_json(self, method: str, path: str, *, body: Any = NOT_GIVEN) -> Any:
        return (await self._send(method, path, body=body)).json()

    @property
    def _clock(self) -> Clock:
        return self._transport.clock

    def _paginate(
        self,
        path: str,
        model: type[T],
        *,
        params: Mapping[str, str] | None = None,
        page_size: int | None = None,
        continuation_token: str | None = None,
        max_items: int | None = None,
    ) -> AsyncPaginator[T]:
        query = dict(params or {})
        size = check_page_size(page_size)
        if size is not None:
            query["pageSize"] = str(size)
        limit = check_max_items(max_items)
        if continuation_token is not None and (
            not isinstance(continuation_token, str) or not continuation_token
        ):
            raise InvalidArgumentError(
                "continuation_token must be a non-empty string from a previous page or error"
            )

        call = current_call_options()  # per-call options go with every page of the listing

        async def send(token: str | None, *, expect_json: bool | BodyReader = True) -> Response:
            page_query = query if token is None else {**query, "continuationToken": token}
            with call_options_applied(call):
                return await self._send("GET", path, params=page_query, expect_json=expect_json)

        def decode(response: Response) -> Page[T]:
            return parse_page(response, model, fetch)

        async def fetch(token: str | None) -> Page[T]:
            # The page is decoded by msgspec inside the retry loop when it can be, which also
            # shows the body is whole JSON: no second parse just to check it.
            decoded: list[FastPage] = []

            def read(response: Response) -> bool:
                fast = decode_page(response.body, model)
                if fast is not None:
                    decoded.append(fast)
                return fast is not None

            response = await send(token, expect_json=read)
            return parse_page(response, model, fetch, fast=decoded[-1] if decoded else None)

        return AsyncPaginator(
            fetch,
            continuation_token=continuation_token,
            max_items=limit,
            model=model,
            send=send,
            decode=decode,
        )


expose_namespaces(AsyncRealtoClient)
