"""Per-call options every public method takes: ``timeout=``, ``extra_headers=``, ``extra_query=``.

- ``timeout``: seconds (the whole call's deadline, retries included) or a :class:`Timeout`;
  ``None`` keeps the client's. On ``wait()`` methods ``timeout`` is the wait itself, as before.
- ``extra_headers``: headers added to (or replacing) the client's for this call;
  ``Authorization`` cannot be set this way.
- ``extra_query``: query parameters added to the call's own (they win on a clash); for a
  listing they go with every page's request.

They apply to this call only (and to every request it makes) and are checked before any
request: a wrong value raises ``InvalidArgumentError`` naming it. :func:`per_call_options`
takes them off the call and hands them to the engine through a context variable, so the
method bodies stay about their endpoint.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

import attrs

from ._config import Timeout
from ._errors import ConfigurationError, InvalidArgumentError

__all__ = [
    "CallOptions",
    "call_options_applied",
    "current_call_options",
    "per_call_extras",
    "per_call_options",
]

F = TypeVar("F", bound=Callable[..., Any])
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@attrs.define(frozen=True, slots=True)
class CallOptions:
    """The checked per-call options of one public call."""

    timeout: Timeout | None = None
    extra_headers: Mapping[str, str] = attrs.Factory(dict)
    extra_query: Mapping[str, str] = attrs.Factory(dict)

    def within(self, outer: CallOptions | None) -> CallOptions:
        """These options inside a call that already had some (``wait()`` polling): inner wins."""
        if outer is None:
            return self
        return CallOptions(
            timeout=self.timeout if self.timeout is not None else outer.timeout,
            extra_headers={**outer.extra_headers, **self.extra_headers},
            extra_query={**outer.extra_query, **self.extra_query},
        )


_CURRENT: ContextVar[CallOptions | None] = ContextVar("realto_call_options", default=None)


def current_call_options() -> CallOptions | None:
    """The per-call options of the public call running in this context, if it was given any."""
    return _CURRENT.get()


@contextmanager
def call_options_applied(options: CallOptions | None) -> Iterator[None]:
    """Make ``options`` the current call's (a listing's pages, fetched after the call returned)."""
    if options is None:
        yield
        return
    token = _CURRENT.set(options)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _check_timeout(value: object) -> Timeout | None:
    if value is None:
        return None
    try:
        return Timeout.coerce(value)  # type: ignore[arg-type]
    except ConfigurationError as err:
        raise InvalidArgumentError(str(err)) from None


def _check_headers(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"extra_headers must be a dict of str to str, got {type(value).__name__}")
    for name, text in value.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise InvalidArgumentError(f"extra_headers: {name!r} is not a valid header name")
        if not isinstance(text, str) or any(c in text for c in "\r\n\0"):
            raise InvalidArgumentError(
                f"extra_headers[{name!r}] must be a str without CR, LF or NUL, got {text!r}"
            )
        if name.lower() == "authorization":
            raise InvalidArgumentError("extra_headers may not set Authorization; pass token= to the client")
    return dict(value)


def _check_query(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"extra_query must be a dict of str to str, got {type(value).__name__}")
    for name, text in value.items():
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"extra_query: {name!r} is not a parameter name (a non-empty str)")
        if not isinstance(text, str):
            raise InvalidArgumentError(
                f"extra_query[{name!r}] must be a str (format numbers and booleans as the API "
                f"expects them), got {type(text).__name__}"
            )
    return dict(value)


def per_call_options(func: F) -> F:
    """Take ``timeout=``, ``extra_headers=`` and ``extra_query=`` off a public method's call and
    make them the options of every request the call makes (see the module docstring)."""
    return _wrap(func, takes_timeout=True)


def per_call_extras(func: F) -> F:
    """As :func:`per_call_options` for a method with a ``timeout`` of its own (``wait()``): only
    ``extra_headers=`` and ``extra_query=`` are taken off the call."""
    return _wrap(func, takes_timeout=False)


_OPTION_DOCS = {
    "timeout": "timeout: seconds (or a ``Timeout``) this call may take, retries included; None keeps\n"
    "    the client's.",
    "extra_headers": "extra_headers: headers added to this call's requests (str to str); None adds none.",
    "extra_query": "extra_query: query parameters added to this call's requests (str to str); None adds\n"
    "    none.",
}


def with_option_docs(doc: str | None, names: tuple[str, ...]) -> str | None:
    """``doc`` with an Args entry for each per-call option in ``names`` (written once, here)."""
    if not doc:
        return doc
    lines = inspect.cleandoc(doc).splitlines()
    entries = [f"    {line}" for name in names for line in _OPTION_DOCS[name].splitlines()]
    if "Args:" in lines:
        end = lines.index("Args:") + 1
        while end < len(lines) and (lines[end].startswith(" ") or not lines[end]):
            end += 1
        while not lines[end - 1]:
            end -= 1
        lines[end:end] = entries
    else:
        at = next((i for i, line in enumerate(lines) if line in ("Returns:", "Raises:")), len(lines))
        lines[at:at] = ["Args:", *entries, ""] if at < len(lines) else ["", "Args:", *entries]
    return "\n".join(lines)


def _wrap(func: F, *, takes_timeout: bool) -> F:
    names = ("timeout", "extra_headers", "extra_query") if takes_timeout else ("extra_headers", "extra_query")

    def options_of(kwargs: dict[str, Any]) -> CallOptions | None:
        timeout = kwargs.pop("timeout", None) if takes_timeout else None
        headers = kwargs.pop("extra_headers", None)
        query = kwargs.pop("extra_query", None)
        if timeout is None and headers is None and query is None:
            return None
        given = CallOptions(_check_timeout(timeout), _check_headers(headers), _check_query(query))
        return given.within(_CURRENT.get())

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def call_async(*args: Any, **kwargs: Any) -> Any:
            options = options_of(kwargs)
            if options is None:
                return await func(*args, **kwargs)
            token = _CURRENT.set(options)
            try:
                return await func(*args, **kwargs)
            finally:
                _CURRENT.reset(token)

        call_async.__doc__ = with_option_docs(func.__doc__, names)
        return cast(F, call_async)

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        options = options_of(kwargs)
        if options is None:
            return func(*args, **kwargs)
        token = _CURRENT.set(options)
        try:
            return func(*args, **kwargs)
        finally:
            _CURRENT.reset(token)

    call.__doc__ = with_option_docs(func.__doc__, names)
    return cast(F, call)
