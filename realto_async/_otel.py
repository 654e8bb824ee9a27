"""OpenTelemetry tracing (the ``realto[otel]`` extra): one CLIENT span per call, an event per retry.

Attributes follow the HTTP client semantic conventions; the URL carries no credentials and no
secret-looking query value. Without ``opentelemetry-api`` installed every function here is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from ._attempt import Response
from ._errors import APIStatusError, RealtoError
from ._redact import safe_url
from ._version import __version__

try:
    from opentelemetry import trace
except ImportError:  # pragma: no cover - exercised only where the extra is not installed
    trace = None  # type: ignore[assignment]

__all__ = ["active_tracer", "call_span", "record_retry"]

TRACER_NAME = "realto"


class CallSpan:
    """The span of one call, told how the call ended."""

    __slots__ = ("_span",)

    def __init__(self, span: Any) -> None:
        self._span = span

    def answered(self, response: Response) -> None:
        span = self._span
        if span is None or not span.is_recording():
            return
        span.set_attribute("http.response.status_code", response.status)
        if response.retries:
            span.set_attribute("http.request.resend_count", response.retries)
        request_id = response.request_id
        if request_id:
            span.set_attribute("http.response.header.x-request-id", (request_id,))


_NO_SPAN = CallSpan(None)


def _server(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return {"server.address": parts.hostname or "", "server.port": port, "url.scheme": parts.scheme}


_cached: tuple[Any, Any] = (None, None)  # (tracer provider, our tracer from it)
_UNKNOWN = object()


def active_tracer() -> Any:
    """Our tracer when OpenTelemetry is installed and a tracer provider is set; else None, so
    that an untraced call costs one function call."""
    global _cached
    if trace is None:
        return None
    # get_tracer_provider() reads the environment on every call while no provider is set; the
    # module's global (when this API version has it) says so without that cost.
    if getattr(trace, "_TRACER_PROVIDER", _UNKNOWN) is None and _cached[0] is None:
        return None
    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return None  # no provider set: every span would be a no-op
    if _cached[0] is not provider:
        _cached = (provider, provider.get_tracer(TRACER_NAME, __version__))
    return _cached[1]


@contextmanager
def call_span(tracer: Any, method: str, url: str, params: Mapping[str, str] | None) -> Iterator[CallSpan]:
    """A CLIENT span named after the method around one call (every attempt of it)."""
    with tracer.start_as_current_span(
        method, kind=trace.SpanKind.CLIENT, record_exception=False, set_status_on_exception=False
    ) as span:
        if not span.is_recording():
            yield _NO_SPAN
            return
        span.set_attributes(
            {"http.request.method": method, "url.full": safe_url(url, params), **_server(url)}
        )
        try:
            yield CallSpan(span)
        except BaseException as err:
            if isinstance(err, APIStatusError):
                span.set_attribute("http.response.status_code", err.status_code)
                span.set_attribute("error.type", str(err.status_code))
                if err.request_id:
                    span.set_attribute("http.response.header.x-request-id", (err.request_id,))
            else:
                span.set_attribute("error.type", type(err).__qualname__)
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(err).__name__))
            raise


def record_retry(retry: int, delay: float, error: RealtoError) -> None:
    """A ``realto.retry`` event on the current call's span: which resend, after what, how long."""
    if active_tracer() is None:
        return
    span = trace.get_current_span()
    if not span.is_recording():
        return
    kind = str(error.status_code) if isinstance(error, APIStatusError) else type(error).__qualname__
    attributes: dict[str, Any] = {
        "http.request.resend_count": retry,
        "realto.retry.delay": delay,
        "error.type": kind,
    }
    span.add_event("realto.retry", attributes)
