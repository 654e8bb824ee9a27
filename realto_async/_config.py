"""Client settings: argument > environment (``REALTO_*``) > default, resolved once."""

from __future__ import annotations

import os
import ssl as ssl_module
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import attrs

from ._dialects import DIALECTS, Dialect, Flavor, flavor_of_host
from ._errors import ConfigurationError
from ._retry import RetryHook, RetryPolicy
from ._types import finite_number

__all__ = [
    "KNOWN_DEPLOYMENTS",
    "ClientConfig",
    "ProxySetting",
    "RedactedStr",
    "Secret",
    "SslSetting",
    "Timeout",
    "TokenSource",
    "check_headers",
    "check_retry",
    "check_retry_hook",
    "default_token_url",
    "resolve_config",
]

TokenSource = str | Callable[[], Awaitable[str]]
"""``token=``: a bearer token, or an async callable returning one (called again after a 401)."""
# None: HTTP(S)_PROXY / NO_PROXY from the environment; False: no proxy; a URL: that proxy.
ProxySetting = str | Literal[False] | None
# None/True: verify against the system's CAs; an SSLContext; a CA bundle path; False: no checks.
SslSetting = ssl_module.SSLContext | str | os.PathLike[str] | bool | None
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_TOTAL_TIMEOUT = 120.0
DEFAULT_CONNECTOR_LIMIT = 100
DEFAULT_POOL_TIMEOUT = 30.0


class Secret:
    """A string that never shows itself in ``repr`` or ``str``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("a Secret is not pickled (it would leave the process in clear text)")


class RedactedStr(str):
    """A str (an ``Authorization`` header value, say) whose ``repr`` hides it.

    Error reporters that capture local variables show ``repr``; the value itself still goes out
    where a str is needed.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "'**********'"


class RedactedBytes(bytes):
    """Bytes (a token request's body) whose ``repr`` hides them."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "b'**********'"


class _Environment(Mapping[str, str]):
    """The environment as read by the SDK: a mapping whose repr does not list its values."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<environment: {len(self._values)} variables>"


def as_secret(value: str | Secret | None) -> Secret | None:
    """``value`` held as a :class:`Secret` (None stays None)."""
    return value if value is None or isinstance(value, Secret) else Secret(value)


def _positive_or_none(
    name: str,
) -> Callable[[object, attrs.Attribute[Any], float | None], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
        if value is not None and not (finite_number(value) or 0) > 0:
            raise ConfigurationError(
                f"Timeout.{name} must be a positive, finite number of seconds or None, got {value!r}"
            )

    return check


@attrs.define(frozen=True, slots=True)
class Timeout:
    """Per-attempt ``connect`` and ``read`` timeouts, the ``pool`` wait and one ``total`` deadline.

    ``total`` spans every retry of a call, token fetch included. ``pool`` bounds the wait for a
    free connection when ``connector_limit`` are busy; a request that never got one was never
    sent (:class:`APIConnectionError` with ``may_have_reached_server=False``, safe for commands).
    All in seconds; ``None`` disables a limit.
    """

    connect: float | None = attrs.field(
        default=DEFAULT_CONNECT_TIMEOUT, validator=_positive_or_none("connect")
    )
    read: float | None = attrs.field(default=DEFAULT_READ_TIMEOUT, validator=_positive_or_none("read"))
    total: float | None = attrs.field(default=DEFAULT_TOTAL_TIMEOUT, validator=_positive_or_none("total"))
    pool: float | None = attrs.field(default=DEFAULT_POOL_TIMEOUT, validator=_positive_or_none("pool"))

    @classmethod
    def coerce(cls, value: float | Timeout | None) -> Timeout:
        """A :class:`Timeout` from seconds (the call's deadline) or a Timeout."""
        if value is None:
            return cls()
        if isinstance(value, Timeout):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigurationError(f"timeout must be seconds (a number) or a Timeout, got {value!r}")
        seconds = finite_number(value) or 0.0
        if not seconds > 0:
            raise ConfigurationError(f"timeout must be a positive, finite number of seconds, got {value!r}")
        return cls(
            connect=min(DEFAULT_CONNECT_TIMEOUT, seconds),
            read=min(DEFAULT_READ_TIMEOUT, seconds),
            total=seconds,
            pool=min(DEFAULT_POOL_TIMEOUT, seconds),
        )


@attrs.define(frozen=True, slots=True)
class ClientConfig:
    """Everything a client was built with, resolved. Secrets never show in its repr."""

    dialect: Dialect
    base_url: str
    token_url: str
    client_id: str | None
    client_secret: Secret | None
    token: Secret | Callable[[], Awaitable[str]] | None = attrs.field(
        repr=lambda v: "<set>" if v is not None else "None"
    )
    timeout: Timeout
    retry: RetryPolicy
    connector_limit: int
    default_headers: Mapping[str, str]
    log_level: str | None
    proxy: str | None = None
    # The environment's HTTP(S)_PROXY / NO_PROXY as read when the client was made (proxy=None).
    env_proxies: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    ssl: ssl_module.SSLContext | bool = True
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @property
    def flavor(self) -> Flavor:
        return self.dialect.flavor

    def proxy_for(self, url: str) -> str | None:
        """The proxy a request to ``url`` goes through (``proxy=``, else the environment's)."""
        if self.proxy is not None or not self.env_proxies:
            return self.proxy
        parts = urlsplit(url)
        found = self.env_proxies.get(parts.scheme)
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if found is None or bypass(parts.netloc, self.env_proxies):
            return None
        return found


def _from_env(value: str | None, env: Mapping[str, str], name: str) -> str | None:
    if value is not None:
        return value
    found = env.get(name)
    return found if found else None


def _check_url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{what} must be an absolute http(s) URL, got {value!r}")
    return value.rstrip("/")


# Each dialect's known deployments (base URL -> its token endpoint; None: ``{base_url}/v1/authentication``).
# Only these get a default token_url on another host: the client id and secret go nowhere else
# unless token_url= / REALTO_TOKEN_URL names it.
KNOWN_DEPLOYMENTS: dict[str, dict[str, str | None]] = {
    "realto": {DIALECTS["realto"].base_url: DIALECTS["realto"].token_url},
    "traxes": {
        DIALECTS["traxes"].base_url: DIALECTS["traxes"].token_url,
        # DER Connect production (Elia group).
        "https://prd.der-connect.eliagroup.eu/api": DIALECTS["traxes"].token_url,
    },
}


def _deployment_key(url: str) -> str:
    """``url`` compared without case in scheme and host and without a trailing slash."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def default_token_url(dialect: Dialect, base_url: str, *, sends_secret: bool) -> str:
    """The token endpoint when none is given: a known deployment's, else one under ``base_url``.

    A dialect whose token endpoint lives on another host (Traxes) has no default for a base URL
    it does not know: the client id and secret would go to a production sign-in server the user
    never named, so that is a :class:`ConfigurationError` (unless ``token=`` replaces them).
    """
    deployments = {_deployment_key(url): token for url, token in KNOWN_DEPLOYMENTS[dialect.flavor].items()}
    key = _deployment_key(base_url)
    if key in deployments:
        known = deployments[key]
        return known if known is not None else f"{base_url}/v1/authentication"
    if dialect.token_url is not None and sends_secret:
        raise ConfigurationError(
            f"base_url {base_url!r} is not a known {dialect.flavor} deployment, so its token endpoint is "
            f"unknown: set token_url= (or REALTO_TOKEN_URL) to the token endpoint of that deployment "
            f"(an emulator prints its token_url). The client id and secret are never sent to a host "
            f"you did not name."
        )
    return f"{base_url}/v1/authentication"


def _env_proxies(env: Mapping[str, str]) -> dict[str, str]:
    """HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case) as urllib reads them."""
    found: dict[str, str] = {}
    for name, value in env.items():
        lowered = name.lower()
        if value and lowered in ("http_proxy", "https_proxy", "no_proxy") and lowered not in found:
            found[lowered[: -len("_proxy")]] = value
    if "http" in found or "https" in found:
        for scheme in ("http", "https"):
            if scheme in found:
                _check_url(found[scheme], f"{scheme.upper()}_PROXY")
        return found
    return {}


def _check_proxy(proxy: object, env: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    """The proxy URL (if one is forced), and the environment's proxies when they apply."""
    if proxy is None:
        return None, _env_proxies(env)
    if proxy is False:
        return None, {}
    if not isinstance(proxy, str):
        raise ConfigurationError(
            f"proxy must be a proxy URL such as 'http://proxy.example:3128', False (no proxy) or None "
            f"(HTTP(S)_PROXY / NO_PROXY from the environment), got {type(proxy).__name__}"
        )
    return _check_url(proxy, "proxy"), {}


def _check_ssl(value: object) -> ssl_module.SSLContext | bool:
    """``ssl=`` as aiohttp takes it: True (system CAs), False (no checks) or an SSLContext."""
    if value is None or value is True:
        return True
    if value is False or isinstance(value, ssl_module.SSLContext):
        return value
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if not os.path.isfile(path):
            raise ConfigurationError(f"ssl= names a CA bundle that is not a file: {path!r}")
        try:
            return ssl_module.create_default_context(cafile=path)
        except (ssl_module.SSLError, ValueError) as err:
            raise ConfigurationError(
                f"ssl= names a CA bundle that cannot be read ({path!r}): {err}"
            ) from None
    raise ConfigurationError(
        "ssl must be an ssl.SSLContext, a CA bundle path, True (system CAs) or False (no "
        f"certificate checks), got {type(value).__name__}"
    )


def _check_max_response_bytes(value: object) -> int:
    if value is None:
        return DEFAULT_MAX_RESPONSE_BYTES
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"max_response_bytes must be an int >= 1 (bytes), got {value!r}")
    return value


def check_retry(policy: RetryPolicy, max_retries: int | None) -> RetryPolicy:
    """``retry=`` checked, with ``max_retries=`` (when given) replacing its own."""
    if not isinstance(policy, RetryPolicy):
        raise ConfigurationError(f"retry must be a RetryPolicy, got {type(policy).__name__}")
    if max_retries is None:
        return policy
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
    return attrs.evolve(policy, max_retries=max_retries)


def check_headers(default_headers: Mapping[str, str]) -> dict[str, str]:
    """``default_headers=`` checked: str to str, and no Authorization (that is ``token=``)."""
    if not isinstance(default_headers, Mapping):
        raise ConfigurationError(f"default_headers must be a mapping, got {type(default_headers).__name__}")
    headers = dict(default_headers)
    for key, value in headers.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ConfigurationError("default_headers must map str to str")
        if key.lower() == "authorization":
            raise ConfigurationError("default_headers may not set Authorization; pass token= instead")
    return headers


def check_retry_hook(on_retry: RetryHook | None) -> RetryHook | None:
    """``on_retry=`` checked: None or a callable."""
    if on_retry is not None and not callable(on_retry):
        raise ConfigurationError("on_retry must be a callable taking a RetryEvent")
    return on_retry


def resolve_config(
    *,
    client_id: str | None,
    client_secret: str | Secret | None,
    token: TokenSource | Secret | None,
    base_url: str | None,
    flavor: str | None,
    token_url: str | None,
    timeout: float | Timeout | None,
    max_retries: int | None,
    retry: RetryPolicy | None,
    connector_limit: int | None,
    default_headers: Mapping[str, str] | None,
    env: Mapping[str, str] | None = None,
    proxy: ProxySetting = None,
    ssl: SslSetting = None,
    max_response_bytes: int | None = None,
) -> ClientConfig:
    """Resolve every setting: the argument, else ``REALTO_*`` in ``env``, else the default."""
    env = _Environment(os.environ if env is None else env)
    if isinstance(token, str):
        token = Secret(token)  # unwrapped only where it is sent
    given_base = _from_env(base_url, env, "REALTO_BASE_URL")
    flavor_name = (_from_env(flavor, env, "REALTO_FLAVOR") or flavor_of_host(given_base) or "realto").lower()
    if flavor_name not in DIALECTS:
        raise ConfigurationError(f"flavor must be 'realto' or 'traxes', got {flavor_name!r}")
    dialect = DIALECTS[flavor_name]

    base = _check_url(given_base or dialect.base_url, "base_url")
    given_token_url = _from_env(token_url, env, "REALTO_TOKEN_URL")

    cid = _from_env(client_id, env, "REALTO_CLIENT_ID")
    secret = as_secret(
        client_secret if client_secret is not None else env.get("REALTO_CLIENT_SECRET") or None
    )
    if given_token_url is not None:
        tok_url = _check_url(given_token_url, "token_url")
    else:
        tok_url = default_token_url(dialect, base, sends_secret=token is None)
    if token is not None and not (isinstance(token, (str, Secret)) or callable(token)):
        raise ConfigurationError("token must be a string or an async callable returning one")
    if isinstance(token, Secret) and not token.reveal().strip():
        raise ConfigurationError("token is empty")
    if token is None and (cid is None or secret is None):
        if cid is None and secret is None:
            raise ConfigurationError(
                "no credentials: pass client_id= and client_secret= (or set REALTO_CLIENT_ID and "
                "REALTO_CLIENT_SECRET), or pass token="
            )
        missing = "client_secret (REALTO_CLIENT_SECRET)" if secret is None else "client_id (REALTO_CLIENT_ID)"
        raise ConfigurationError(f"client_id and client_secret go together: {missing} is missing")

    policy = check_retry(retry if retry is not None else RetryPolicy(), max_retries)

    limit = DEFAULT_CONNECTOR_LIMIT if connector_limit is None else connector_limit
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ConfigurationError(f"connector_limit must be an int >= 0 (0 = unlimited), got {limit!r}")

    headers = check_headers(default_headers or {})

    proxy_url, env_proxies = _check_proxy(proxy, env)
    return ClientConfig(
        dialect=dialect,
        base_url=base,
        token_url=tok_url,
        client_id=cid,
        client_secret=secret,
        token=token,
        timeout=Timeout.coerce(timeout),
        retry=policy,
        connector_limit=limit,
        default_headers=headers,
        log_level=_from_env(None, env, "REALTO_LOG"),
        proxy=proxy_url,
        env_proxies=env_proxies,
        ssl=_check_ssl(ssl),
        max_response_bytes=_check_max_response_bytes(max_response_bytes),
    )
