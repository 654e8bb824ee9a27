"""OpenTelemetry: one CLIENT span per call with the HTTP client semantic conventions, an event
per retry, no secret in any attribute; on both clients (OpenTelemetry SDK, in-memory exporter)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from realto_async import InvalidArgumentError, NotFoundError
from tests.observed import observed

KINDS = ["async", "sync"]
_EXPORTER = InMemorySpanExporter()
_ATTACHED_TO: object = None  # the provider our exporter is attached to


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    global _ATTACHED_TO
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):  # the global provider can be set once per process
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    if _ATTACHED_TO is not provider:  # another test (a docs example) may have set the provider first
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        _ATTACHED_TO = provider
    _EXPORTER.clear()
    yield _EXPORTER
    _EXPORTER.clear()


def realto_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [
        s
        for s in exporter.get_finished_spans()
        if s.instrumentation_scope is not None and s.instrumentation_scope.name == "realto"
    ]


def everything_said(span: ReadableSpan) -> str:
    events = [(e.name, dict(e.attributes or {})) for e in span.events]
    return f"{span.name} {dict(span.attributes or {})} {events}"


@pytest.mark.parametrize("kind", KINDS)
async def test_each_call_is_one_client_span_with_the_semantic_conventions(
    kind: str, spans: InMemorySpanExporter
) -> None:
    async with observed(kind) as (server, client):
        entity_id = str((await client.entities.list(page_size=1)).data[0].id)
        spans.clear()
        await client.entities.retrieve(entity_id)
        (span,) = realto_spans(spans)
        attributes = dict(span.attributes or {})
        assert span.name == "GET"
        assert span.kind is SpanKind.CLIENT
        assert attributes["http.request.method"] == "GET"
        assert attributes["url.full"] == f"{server.url}/v1/entities/{entity_id}"
        assert attributes["server.address"] == "127.0.0.1"
        assert attributes["server.port"] == int(server.url.split(":")[2].split("/")[0])
        assert attributes["http.response.status_code"] == 200
        assert str(attributes["http.response.header.x-request-id"][0]).startswith("req-")  # type: ignore[index]
        assert "http.request.resend_count" not in attributes  # not resent
        assert span.status.status_code is StatusCode.UNSET


@pytest.mark.parametrize("kind", KINDS)
async def test_retries_are_events_and_the_resend_count_is_set(kind: str, spans: InMemorySpanExporter) -> None:
    async with observed(kind, max_retries=3) as (server, client):
        entity_id = str((await client.entities.list(page_size=1)).data[0].id)
        server.faults.add(f"GET /v1/entities/{entity_id}", status=503, times=2)
        spans.clear()
        await client.entities.retrieve(entity_id)
        (span,) = realto_spans(spans)
        assert dict(span.attributes or {})["http.request.resend_count"] == 2
        retries = [e for e in span.events if e.name == "realto.retry"]
        assert [dict(e.attributes or {})["http.request.resend_count"] for e in retries] == [1, 2]
        assert all(dict(e.attributes or {})["error.type"] == "503" for e in retries)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_failed_call_is_an_error_span(kind: str, spans: InMemorySpanExporter) -> None:
    async with observed(kind) as (_, client):
        spans.clear()
        with pytest.raises(NotFoundError):
            await client.entities.retrieve("00000000-0000-4000-8000-000000000000")
        (span,) = realto_spans(spans)
        attributes = dict(span.attributes or {})
        assert span.status.status_code is StatusCode.ERROR
        assert attributes["http.response.status_code"] == 404
        assert attributes["error.type"] == "404"
        spans.clear()
        with pytest.raises(InvalidArgumentError, match="entity_id"):
            await client.entities.retrieve("not-a-uuid")
        assert realto_spans(spans) == []  # refused before any request: no span


async def test_a_connection_failure_names_its_error_type(spans: InMemorySpanExporter) -> None:
    from realto_async import APIConnectionError, AsyncRealtoClient

    async with AsyncRealtoClient(token="t", base_url="http://127.0.0.1:9/api", max_retries=0) as client:
        with pytest.raises(APIConnectionError):
            await client.entities.retrieve("00000000-0000-4000-8000-000000000000")
    (span,) = realto_spans(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes or {})["error.type"] == "APIConnectionError"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("flavor", ["realto", "traxes"])
async def test_no_secret_reaches_any_span(kind: str, flavor: str, spans: InMemorySpanExporter) -> None:
    async with observed(kind, flavor, max_retries=2) as (server, client):
        entity_id = str((await client.entities.list(page_size=1)).data[0].id)
        server.faults.add("GET /v1/entities/*", status=503, times=1)
        await client.entities.retrieve(entity_id, extra_query={"access_token": "query-secret-2"})
        engine: Any = client._target._async_client() if kind == "sync" else client
        token = engine._transport.auth.current()
        said = " ".join(everything_said(span) for span in realto_spans(spans))
        assert "query-secret-2" not in said
        assert token.reveal() not in said
        assert server.client_secret not in said
        assert "access_token=[redacted]" in said
