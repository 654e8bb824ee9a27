"""The exception hierarchy. Every error the SDK raises is a :class:`RealtoError`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from multidict import CIMultiDict

if TYPE_CHECKING:
    from .models import Command, OffboardingRequest, OnboardingError, OnboardingRequest

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "CooldownActiveError",
    "ErrorDetail",
    "EventLoopMismatchError",
    "InternalServerError",
    "InvalidArgumentError",
    "InvalidCredentialsError",
    "NotFoundError",
    "OnboardingFailedError",
    "OperationTimeoutError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RealtoError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "TokenEndpointUnreachableError",
    "TokenTimeoutError",
    "UnprocessableEntityError",
]


@attrs.define(frozen=True, slots=True)
class ErrorDetail:
    """One entry of the API's ``{"errors": [...]}`` body."""

    code: str | None = None
    description: str | None = None
    message: str | None = None

    def __str__(self) -> str:
        text = self.message or self.description or ""
        return f"{self.code}: {text}" if self.code else text


# An error keeps at most this much of an answer's body (the rest is dropped, marked as such).
MAX_ERROR_BODY_CHARS = 64 * 1024


def clip_body(body: str | None) -> str | None:
    """``body`` cut to :data:`MAX_ERROR_BODY_CHARS` characters."""
    if body is None or len(body) <= MAX_ERROR_BODY_CHARS:
        return body
    return body[:MAX_ERROR_BODY_CHARS] + f"... [{len(body) - MAX_ERROR_BODY_CHARS} more characters dropped]"


def _rebuild(cls: type[RealtoError], args: tuple[Any, ...], state: dict[str, Any]) -> RealtoError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class RealtoError(Exception):
    """Root of every error raised by the SDK.

    ``continuation_token`` is set when the error interrupted a listing: pass it back as
    ``continuation_token=`` to resume from the page that failed. Every error survives
    ``pickle``, ``copy.copy`` and ``copy.deepcopy`` with all its attributes, so it can travel
    from a worker process (multiprocessing, Celery, Ray) to its parent.
    """

    continuation_token: str | None = None
    _resume_known: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))

    def __str__(self) -> str:
        text = super().__str__()
        if self._resume_known and self.continuation_token:
            text += f" [listing interrupted: resume with continuation_token={self.continuation_token!r}]"
        return text


class ConfigurationError(RealtoError, ValueError):
    """The client was built with missing or inconsistent settings."""


class InvalidArgumentError(RealtoError, ValueError):
    """An argument was refused before any request was sent."""


class EventLoopMismatchError(RealtoError, RuntimeError):
    """A client was used from an event loop other than the one it was first used in."""


class PaginationError(RealtoError):
    """The server's pagination misbehaved (for example, it returned the same token twice)."""


class ResponseValidationError(RealtoError):
    """A response body was not JSON, or did not fit the expected model.

    ``path`` locates the offending value (``"data[3].charge.total.unit"``); ``model`` names
    the type that was being built; ``body`` holds the raw text when it was not JSON.
    """

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        path: str = "",
        body: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.model = model
        self.path = path
        self.body = clip_body(body)
        self.request_id = request_id
        super().__init__(message)


class APIConnectionError(RealtoError):
    """No HTTP answer was received (DNS, refused connection, reset, dropped mid-response).

    ``may_have_reached_server`` is ``False`` only when the request provably never left
    (the connection could not be opened); otherwise a write may or may not have happened.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        may_have_reached_server: bool = True,
    ) -> None:
        self.method = method
        self.url = url
        self.may_have_reached_server = may_have_reached_server
        super().__init__(message)


class TokenEndpointUnreachableError(APIConnectionError):
    """The token endpoint could not be reached or answered with a server error."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """A call ran out of time: a connect or read timeout, the pool wait, or the per-call deadline."""


class TokenTimeoutError(TokenEndpointUnreachableError, APITimeoutError):
    """Fetching an access token ran out of time (a TimeoutError; the cause is chained)."""


class ResponseTooLargeError(ResponseValidationError):
    """An answer was larger than the client's ``max_response_bytes``; it was not read in full."""


class APIStatusError(RealtoError):
    """The API answered with a non-success HTTP status."""

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str | None = None,
        url: str | None = None,
        request_id: str | None = None,
        errors: Sequence[ErrorDetail] = (),
        body: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.method = method
        self.url = url
        self.request_id = request_id
        self.errors: list[ErrorDetail] = list(errors)
        self.body: str = clip_body(body) or ""
        self.headers: Mapping[str, str] = CIMultiDict(headers or {})
        super().__init__(message)


class BadRequestError(APIStatusError):
    """400: the server refused the request's parameters or body."""


class AuthenticationError(APIStatusError):
    """401: the access token was refused, even after fetching a fresh one."""


class InvalidCredentialsError(AuthenticationError):
    """The token endpoint refused the client id and secret."""


class PermissionDeniedError(APIStatusError):
    """403: the principal lacks the permission level the call needs."""


class NotFoundError(APIStatusError):
    """404: no such object (or not visible to this principal)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the object's state (for example a command cooldown)."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the server's wait in seconds, if it said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class InternalServerError(APIStatusError):
    """5xx: the server failed. Safe reads are retried before this is raised."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

_ADVICE: dict[int, str] = {
    400: "check the arguments against the API reference",
    401: "check the client id and secret, or the token you passed",
    403: "the principal needs a higher permission level on this object",
    404: "check the id; the object may have been removed or is not visible to you",
    409: "the request conflicts with the object's current state; check that state before sending it again",
    422: "the server understood the request but could not act on it",
    429: "slow down, or raise the deadline so the SDK can wait as the server asks",
}

_COOLDOWN_ADVICE = (
    "the entity had a command in the last 10 minutes (the command cooldown); wait, or pass "
    "ignore_cooldown=True if sending it again is really meant"
)

# Advice for an error code the server names, which knows more than the status alone.
_CODE_ADVICE: dict[str, str] = {
    "CooldownActive": _COOLDOWN_ADVICE,
    "VinAlreadyOnboarded": (
        "this VIN is onboarded already, or has a pending or in-progress onboarding request; look "
        "that entity or request up instead of onboarding it again"
    ),
    "UnsupportedCommand": (
        "this entity type does not take that command: StartCharging / StopCharging are for EVs and "
        "charge points; Reset, Disconnect, LimitFeedIn and StopFeedIn for solar plants and inverters"
    ),
    "InvalidEnumValue": "use one of the values the message lists (the SDK's enums hold them)",
    "InvalidContinuationToken": (
        "start the listing again; a continuation token is good for its own listing only"
    ),
}

_UUID_SEGMENT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def status_error_class(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP status."""
    if status >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status, APIStatusError)


def status_advice(status: int, *, codes: Sequence[str | None] = (), method: str = "", url: str = "") -> str:
    """What a user can do about a failure, in a few words.

    The error codes the server named come first, then what the endpoint (``method`` ``url``) is
    known for (a 409 on sending a command is its cooldown), then the status alone.
    """
    for code in codes:
        if code in _CODE_ADVICE:
            return _CODE_ADVICE[code]
    path = url.split("?", 1)[0].rstrip("/")
    if status == 409 and method.upper() == "POST" and path.endswith("/commands") and not any(codes):
        return _COOLDOWN_ADVICE
    if status == 404 and not any(_UUID_SEGMENT.fullmatch(part) for part in path.split("/")):
        return "there is no such endpoint here; check base_url and flavor (REALTO_BASE_URL, REALTO_FLAVOR)"
    if status >= 500:
        return "the server failed; retry later"
    return _ADVICE.get(status, "unexpected status")


class OperationTimeoutError(RealtoError, TimeoutError):
    """``wait()`` gave up before the operation reached a final state.

    ``last_state`` is the last object polled: the OnboardingRequest, Command or
    OffboardingRequest being waited for (``None`` if no poll succeeded).
    """

    def __init__(
        self, message: str, *, last_state: OnboardingRequest | Command | OffboardingRequest | None = None
    ) -> None:
        self.last_state = last_state
        super().__init__(message)


class OnboardingFailedError(RealtoError):
    """An onboarding request ended ``Failed``; ``errors`` says why, ``request`` is its last state."""

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[OnboardingError] = (),
        request: OnboardingRequest | None = None,
    ) -> None:
        self.errors = list(errors)
        self.request = request
        super().__init__(message)


_WAIT_IN_TEXT = re.compile(
    r"(?:in|after|wait)\s+(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?)\b",
    re.IGNORECASE | re.ASCII,
)


def wait_from_text(text: str) -> float | None:
    """Seconds of a wait a server said in words ("try again in 540 s", "in 9 minutes")."""
    found = _WAIT_IN_TEXT.search(text)
    if found is None:
        return None
    amount = float(found.group(1))
    return amount * 60 if found.group(2).lower().startswith("m") else amount


class CooldownActiveError(ConflictError):
    """409 on a command: the entity had a command in the last 10 minutes.

    ``retry_after`` is the wait in seconds when the server said it (``Retry-After`` header or
    the error message), else ``None``. Wait that long, or pass ``ignore_cooldown=True`` when
    sending it again is really meant.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)
