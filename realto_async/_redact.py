"""Request details safe to show to hooks, spans and logs: no credentials, no query secrets."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["REDACTED", "redact_headers", "safe_url"]

REDACTED = "[redacted]"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_NAMES = frozenset({"sig", "key", "code"})
_SECRET_WORDS = (
    "secret",
    "token",
    "password",
    "passwd",
    "auth",
    "credential",
    "api-key",
    "apikey",
    "api_key",
    "signature",
)
# Not secrets: the API's own cursor for the next page.
_PUBLIC_QUERY = frozenset({"continuationtoken"})


def _is_secret_name(name: str) -> bool:
    lowered = name.lower()
    if lowered in _PUBLIC_QUERY:
        return False
    return (
        lowered in _SECRET_HEADERS
        or lowered in _SECRET_NAMES
        or any(word in lowered for word in _SECRET_WORDS)
    )


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with the value of every credential-bearing one replaced by ``[redacted]``."""
    return {name: REDACTED if _is_secret_name(name) else value for name, value in headers.items()}


def safe_url(url: str, params: Mapping[str, str] | None = None) -> str:
    """``url`` with ``params`` appended, user info dropped and secret-looking query values hidden."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list((params or {}).items())
    shown = [(name, REDACTED if _is_secret_name(name) else value) for name, value in query]
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(shown, safe="[]"), ""))
