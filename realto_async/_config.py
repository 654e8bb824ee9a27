"""Client settings: argument > environment (``REALTO_*``) > default, resolved once."""

from __future__ import annotations

import math
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from ._dialects import DIALECTS, Dialect, Flavor
from ._errors import ConfigurationError
from ._retry import RetryHook, RetryPolicy

__all__ = [
    "ClientConfig",
    "Secret",
    "Timeout",
    "TokenSource",
    "check_headers",
    "check_retry",
    "check_retry_hook",
    "resolve_config",
]

TokenSource = str | Callable[[], Awaitable[str]]
"""``token=``: a bearer token, or an async callable returning one (called again after a 401)."""

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_TOTAL_TIMEOUT = 120.0
DEFAULT_CONNECTOR_LIMIT = 100


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


def _positive_or_none(
    name: str,
) -> Callable[[object, attrs.Attribute[Any], float | None], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
        if value is not None and (not isinstance(value, (int, float)) or not value > 0):
            raise ConfigurationError(
                f"Timeout.{name} must be a positive number of seconds or None, got {value!r}"
            )

    return check


@attrs.define(frozen=True, slots=True)
class Timeout:
    """Per-attempt ``connect`` and ``read`` timeouts and one ``total`` deadline per call.

    ``total`` spans every retry of a call, token fetch included. ``None`` disables a limit.
    """

    connect: float | None = attrs.field(
        default=DEFAULT_CONNECT_TIMEOUT, validator=_positive_or_none("connect")
    )
    read: float | None = attrs.field(default=DEFAULT_READ_TIMEOUT, validator=_positive_or_none("read"))
    total: float | None = attrs.field(default=DEFAULT_TOTAL_TIMEOUT, validator=_positive_or_none("total"))

    @classmethod
    def coerce(cls, value: float | Timeout | None) -> Timeout:
        """A :class:`Timeout` from seconds (the call's deadline) or a Timeout."""
        if value is None:
            return cls()
        if isinstance(value, Timeout):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigurationError(f"timeout must be seconds (a number) or a Timeout, got {value!r}")
        seconds = float(value)
        if not seconds > 0 or math.isinf(seconds):
            raise ConfigurationError(f"timeout must be a positive, finite number of seconds, got {value!r}")
        return cls(
            connect=min(DEFAULT_CONNECT_TIMEOUT, seconds),
            read=min(DEFAULT_READ_TIMEOUT, seconds),
            total=seconds,
        )


@attrs.define(frozen=True, slots=True)
class ClientConfig:
    """Everything a client was built with, resolved. Secrets never show in its repr."""

    dialect: Dialect
    base_url: str
    token_url: str
    client_id: str | None
    client_secret: Secret | None
    token: TokenSource | None = attrs.field(repr=lambda v: "<set>" if v is not None else "None")
    timeout: Timeout
    retry: RetryPolicy
    connector_limit: int
    default_headers: Mapping[str, str]
    log_level: str | None

    @property
    def flavor(self) -> Flavor:
        return self.dialect.flavor


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
    client_secret: str | None,
    token: TokenSource | None,
    base_url: str | None,
    flavor: str | None,
    token_url: str | None,
    timeout: float | Timeout | None,
    max_retries: int | None,
    retry: RetryPolicy | None,
    connector_limit: int | None,
    default_headers: Mapping[str, str] | None,
    env: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Resolve every setting: the argument, else ``REALTO_*`` in ``env``, else the default."""
    env = os.environ if env is None else env
    flavor_name = (_from_env(flavor, env, "REALTO_FLAVOR") or "realto").lower()
    if flavor_name not in DIALECTS:
        raise ConfigurationError(f"flavor must be 'realto' or 'traxes', got {flavor_name!r}")
    dialect = DIALECTS[flavor_name]

    base = _check_url(_from_env(base_url, env, "REALTO_BASE_URL") or dialect.base_url, "base_url")
    tok_url = _from_env(token_url, env, "REALTO_TOKEN_URL") or dialect.token_url
    tok_url = _check_url(tok_url, "token_url") if tok_url else f"{base}/v1/authentication"

    cid = _from_env(client_id, env, "REALTO_CLIENT_ID")
    secret = _from_env(client_secret, env, "REALTO_CLIENT_SECRET")
    if token is not None and not (isinstance(token, str) or callable(token)):
        raise ConfigurationError("token must be a string or an async callable returning one")
    if isinstance(token, str) and not token.strip():
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

    return ClientConfig(
        dialect=dialect,
        base_url=base,
        token_url=tok_url,
        client_id=cid,
        client_secret=Secret(secret) if secret is not None else None,
        token=token,
        timeout=Timeout.coerce(timeout),
        retry=policy,
        connector_limit=limit,
        default_headers=headers,
        log_level=_from_env(None, env, "REALTO_LOG"),
    )
