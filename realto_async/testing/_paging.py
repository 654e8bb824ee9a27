"""Opaque cursor tokens and the page envelope."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from ._errors import bad_request
from ._facts import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = ["MAX_PAGE_SIZE", "decode_token", "encode_token", "page_envelope", "page_size_of"]


def _fingerprint(request: web.Request) -> str:
    query = sorted((k, v) for k, v in request.query.items() if k not in ("continuationToken", "pageSize"))
    return hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:12]


def encode_token(request: web.Request, offset: int) -> str:
    """An opaque token for ``offset`` in the listing this request describes."""
    raw = json.dumps({"o": offset, "q": _fingerprint(request)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(request: web.Request) -> int:
    """The offset of the request's continuation token (0 without one); 400 for a bad token."""
    token = request.query.get("continuationToken")
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(payload["o"])
        matches = payload["q"] == _fingerprint(request)
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        raise bad_request("InvalidContinuationToken", "The continuation token is not valid.") from None
    if not matches or offset < 0:
        raise bad_request("InvalidContinuationToken", "The continuation token belongs to another query.")
    return offset


def page_size_of(request: web.Request) -> int:
    """The requested page size: 1 to 1000, default 25; 400 otherwise."""
    text = request.query.get("pageSize")
    if text is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(text)
    except ValueError:
        raise bad_request("InvalidPageSize", f"pageSize must be an integer, got {text!r}.") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise bad_request("InvalidPageSize", f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    return size


def page_envelope(
    request: web.Request, items: Sequence[Any], total: int, offset: int, size: int
) -> dict[str, Any]:
    """The page of ``items`` (already sliced) starting at ``offset`` of ``total``."""
    following = offset + size
    token = encode_token(request, following) if following < total else None
    next_link = str(request.url.update_query(continuationToken=token)) if token else None
    return {
        "data": list(items),
        "links": {"next": next_link},
        "meta": {"continuationToken": token, "pageSize": size},
    }
