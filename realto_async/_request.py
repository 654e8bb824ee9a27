"""``client.request()``: checking a hand-made call and reading its answer as ``cast_to``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ._attempt import Response
from ._convert import structure
from ._errors import InvalidArgumentError, ResponseValidationError

__all__ = ["check_request", "decode_as"]

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def check_request(
    method: object, path: object, params: object, cast_to: object
) -> tuple[str, str, dict[str, str] | None]:
    """(method, path, params) checked; InvalidArgumentError naming what is wrong otherwise."""
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise InvalidArgumentError(f"method must be one of {', '.join(sorted(METHODS))}, got {method!r}")
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise InvalidArgumentError(
            f"path must be relative to the base URL and start with one '/' (like '/v1/entities'), "
            f"got {path!r}"
        )
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or "?" in path or "#" in path:
        raise InvalidArgumentError(f"path must be a path only (query parameters go in params=), got {path!r}")
    if any(c in path for c in "\r\n\0 "):
        raise InvalidArgumentError(f"path must not contain spaces or control characters, got {path!r}")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise InvalidArgumentError(f"path must not contain '.' or '..' segments, got {path!r}")
    query: dict[str, str] | None = None
    if params is not None:
        if not isinstance(params, Mapping):
            raise InvalidArgumentError(f"params must be a dict of str to str, got {type(params).__name__}")
        for name, value in params.items():
            if not isinstance(name, str) or not name or not isinstance(value, str):
                raise InvalidArgumentError(
                    f"params must map non-empty str names to str values, got {name!r}: {value!r}"
                )
        query = dict(params)
    if not isinstance(cast_to, type) or not (
        cast_to in (dict, list) or getattr(cast_to, "__realto_model__", False)
    ):
        raise InvalidArgumentError(
            f"cast_to must be dict, list or a realto model class (such as Reading), got {cast_to!r}"
        )
    return method.upper(), path, query


def decode_as(response: Response, cast_to: type[Any]) -> Any:
    """The answer's JSON as ``cast_to``; ResponseValidationError when it does not fit."""
    if not response.body.strip() and cast_to in (dict, list):
        return cast_to()
    payload = response.json()
    if cast_to is dict or cast_to is list:
        if not isinstance(payload, cast_to):
            raise ResponseValidationError(
                f"{response.method} {response.url} answered a JSON {type(payload).__name__}, "
                f"not a {cast_to.__name__}; pass cast_to= matching the answer",
                request_id=response.request_id,
            )
        return payload
    return structure(payload, cast_to)
