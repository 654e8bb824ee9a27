"""What every handler needs: the store, the dialect, the caller, and strict input checks."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._errors import bad_request
from ._facts import ENUMS, TYPE_TO_REALTO
from ._ids import iso
from ._keys import SERVER_KEY
from ._records import Principal
from ._render import Renderer
from ._store import Store
from ._strict_json import NotStrictJSON, strict_loads
from ._timeparse import EARLIEST, LATEST, TimeOutOfRange, TimeSyntaxError, parse_api_time

if TYPE_CHECKING:
    from ._server import FakeRealto

__all__ = ["ENUMS", "Ctx"]

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class Ctx:
    """One request's view of the emulator."""

    def __init__(self, request: web.Request) -> None:
        self.request = request
        self.server: FakeRealto = request.app[SERVER_KEY]
        self.store: Store = self.server.store
        self.flavor: str = self.server.flavor
        self.render = Renderer(self.flavor)
        self.principal: Principal = self.server.authenticate(request)
        self.now: datetime = self.store.clock.now()

    @property
    def root(self) -> str:
        return f"{self.request.scheme}://{self.request.host}"

    # ------------------------------------------------------------------ inputs

    def path_id(self, name: str) -> str:
        value = self.request.match_info[name]
        if not UUID_RE.fullmatch(value):
            raise bad_request("InvalidId", f"{name} must be a UUID, got {value!r}.")
        return value.lower()

    def body_id(self, body: dict[str, Any], name: str, required: bool = True) -> str | None:
        value = body.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not UUID_RE.fullmatch(value):
            raise bad_request("InvalidBody", f"{name} must be a UUID, got {value!r}.")
        return value.lower()

    def time_query(self, name: str, required: bool) -> datetime | None:
        text = self.request.query.get(name)
        if text is None or text == "":
            if required:
                raise bad_request("MissingParameter", f"The query parameter {name!r} is required.")
            return None
        return self.parse_time(text, name)

    def parse_time(self, text: object, name: str) -> datetime:
        try:
            return parse_api_time(text)
        except TimeOutOfRange:
            raise bad_request(
                "InvalidDateTime",
                f"{name} {text!r} is out of range: give a date-time between "
                f"{iso(EARLIEST)} and {iso(LATEST)}.",
            ) from None
        except TimeSyntaxError:
            raise bad_request(
                "InvalidDateTime",
                f"{name} must be an ISO-8601 date-time with a zone (like 2024-05-01T00:00:00Z), "
                f"got {text!r}.",
            ) from None

    def bool_query(self, name: str) -> bool:
        text = self.request.query.get(name, "false").lower()
        if text not in ("true", "false"):
            raise bad_request("InvalidParameter", f"{name} must be true or false, got {text!r}.")
        return text == "true"

    async def json(self, expect: type = dict) -> Any:
        raw = await self.request.read()
        try:
            body = strict_loads(raw)
        except NotStrictJSON as err:
            raise bad_request("InvalidBody", f"The request body is not valid JSON: {err}.") from None
        except (ValueError, RecursionError):  # RecursionError: nested too deeply
            raise bad_request("InvalidBody", "The request body is not valid JSON.") from None
        if not isinstance(body, expect):
            raise bad_request(
                "InvalidBody", f"The request body must be a JSON {'array' if expect is list else 'object'}."
            )
        return body

    def enum(self, value: object, enum: str, field: str) -> str:
        """A value of one of the dialect's enums (400 for any other), in re.alto's name."""
        allowed = ENUMS[enum][self.flavor]
        if not isinstance(value, str) or value not in allowed:
            raise bad_request(
                "InvalidEnumValue", f"{field} must be one of {', '.join(sorted(allowed))}; got {value!r}."
            )
        if enum == "EntityType" and self.flavor == "traxes":
            return TYPE_TO_REALTO.get(value, value)
        return value

    def optional_str(self, body: dict[str, Any], name: str) -> str | None:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise bad_request("InvalidBody", f"{name} must be a string.")
        return value

    def number(self, body: dict[str, Any], name: str, required: bool = True) -> float | None:
        value = body.get(name)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad_request("InvalidBody", f"{name} must be a number.")
        return float(value)

    def required_number(self, body: dict[str, Any], name: str) -> float:
        value = self.number(body, name)
        assert value is not None  # number() raised for a missing one
        return value

    def respond(self, payload: Any, status: int = 200) -> web.Response:
        return self.server.json_response(payload, status)
