"""Error answers in the API's shape: ``{"errors": [{"code", "description", "message"}]}``."""

from __future__ import annotations

import json

from aiohttp import web

__all__ = ["api_error", "bad_request", "conflict", "forbidden", "not_found", "unauthorized"]


def api_error(status: int, code: str, message: str) -> web.HTTPException:
    body = json.dumps({"errors": [{"code": code, "description": message, "message": message}]})
    cls = {
        400: web.HTTPBadRequest,
        401: web.HTTPUnauthorized,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        409: web.HTTPConflict,
    }[status]
    return cls(text=body, content_type="application/json")


def bad_request(code: str, message: str) -> web.HTTPException:
    return api_error(400, code, message)


def unauthorized(message: str = "The access token is missing, invalid or expired.") -> web.HTTPException:
    return api_error(401, "Unauthorized", message)


def forbidden(message: str) -> web.HTTPException:
    return api_error(403, "Forbidden", message)


def not_found(what: str, ident: str) -> web.HTTPException:
    return api_error(404, "NotFound", f"{what} {ident} was not found.")


def conflict(code: str, message: str) -> web.HTTPException:
    return api_error(409, code, message)
