"""Turning failure answers and aiohttp exceptions into the SDK's typed errors."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import aiohttp

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ErrorDetail,
    RateLimitError,
    status_advice,
    status_error_class,
)
from ._json import loads

__all__ = ["map_client_error", "parse_error_details", "reason", "snippet", "status_error"]


def _request_id(headers: Mapping[str, str]) -> str | None:
    return headers.get("x-request-id") or headers.get("request-id")


def snippet(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else text[:limit] + "..."


def parse_error_details(body: bytes) -> list[ErrorDetail]:
    """The ``errors`` of an error body: the API's list, a problem-details map, or a message."""
    try:
        payload = loads(body)
    except ValueError:
        return []
    if not isinstance(payload, dict):
        return []
    errors = payload.get("errors")
    details: list[ErrorDetail] = []
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                details.append(
                    ErrorDetail(
                        code=_opt_str(item.get("code")),
                        description=_opt_str(item.get("description")),
                        message=_opt_str(item.get("message") or item.get("title")),
                    )
                )
            elif isinstance(item, str):
                details.append(ErrorDetail(message=item))
    elif isinstance(errors, dict):  # ASP.NET validation problem details: {field: [messages]}
        for field, messages in errors.items():
            text = "; ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
            details.append(ErrorDetail(code=str(field), message=text))
    if not details:
        message = payload.get("message") or payload.get("title") or payload.get("error")
        if isinstance(message, str):
            details.append(ErrorDetail(code=_opt_str(payload.get("code")), message=message))
    return details


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None if value is None else str(value)


def status_error(
    method: str,
    url: str,
    status: int,
    reason: str,
    headers: Mapping[str, str],
    body: bytes,
    retry_after: float | None,
    write: bool = False,
) -> APIStatusError:
    """The typed error for a failure status (``write``: a method that is not safe to repeat)."""
    details = parse_error_details(body)
    said = "; ".join(str(d) for d in details) if details else snippet(body, 120)
    message = f"{method} {url} failed: HTTP {status} {reason}".rstrip()
    if said:
        message += f": {said}"
    if write and status >= 500:
        message += (
            f" (the server failed, but the {method} may still have been carried out: check before "
            "sending it again)"
        )
    else:
        codes = [detail.code for detail in details]
        message += f" ({status_advice(status, codes=codes, method=method, url=url)})"
    rid = _request_id(headers)
    if rid:
        message += f" [request id {rid}]"
    cls = status_error_class(status)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "method": method,
        "url": url,
        "request_id": rid,
        "errors": details,
        "body": body.decode("utf-8", "replace"),
        "headers": headers,
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    return cls(message, **kwargs)


def map_client_error(
    err: BaseException, method: str, url: str, sent: bool | None = None
) -> APIConnectionError:
    """An aiohttp or timeout exception as the SDK's connection error.

    ``sent`` is False when the request's headers provably were never written (the failure came
    while waiting for, or opening, a connection), None when that is not known.
    """
    if isinstance(err, aiohttp.ConnectionTimeoutError):
        return APITimeoutError(
            f"{method} {url}: timed out connecting ({err or 'connect timeout'}); the request was not sent",
            method=method,
            url=url,
            may_have_reached_server=False,
        )
    if isinstance(err, aiohttp.ClientConnectorError):
        return APIConnectionError(
            f"{method} {url}: cannot connect ({err.os_error or err}); check base_url and the network",
            method=method,
            url=url,
            may_have_reached_server=False,
        )
    if sent is False:
        cls = APITimeoutError if isinstance(err, (TimeoutError, asyncio.TimeoutError)) else APIConnectionError
        return cls(
            f"{method} {url}: failed before the request was sent ({type(err).__name__}: "
            f"{err or 'timed out'}); it was not sent, so it is safe to send again",
            method=method,
            url=url,
            may_have_reached_server=False,
        )
    if isinstance(err, (TimeoutError, asyncio.TimeoutError)):
        return APITimeoutError(
            f"{method} {url}: timed out waiting for the answer; raise timeout= if the call is slow",
            method=method,
            url=url,
        )
    return APIConnectionError(
        f"{method} {url}: the connection failed before a full answer arrived ({type(err).__name__}: {err})",
        method=method,
        url=url,
    )


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
