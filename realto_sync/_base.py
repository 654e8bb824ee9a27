"""What the generated facade builds on: the client's lifecycle and the resource wrappers."""

from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from realto_async import AsyncPaginator, AsyncRealtoClient, Page
from realto_async._config import Secret, as_secret
from realto_async._raw_response import RawResponse
from realto_async.resources._base import expose_namespaces

from ._pagination import SyncPage, SyncPaginator
from ._runner import LoopRunner

__all__ = ["SyncClientBase", "SyncRawResponseView", "SyncResource"]

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", bound="SyncClientBase")

# Objects a forked child inherited from its parent. They are kept alive, never closed: their
# destructors would unregister sockets from an epoll instance the parent still uses (epoll is
# shared across fork), and the parent's pooled connections would stop getting read events.
_INHERITED: list[object] = []


def _shutdown(runner: LoopRunner, holder: dict[str, AsyncRealtoClient]) -> None:
    """Close the async client and stop the loop (when the sync client is closed or collected)."""
    if threading.get_ident() == runner.driver_ident:  # pragma: no cover - collected inside the loop
        return
    client = holder.get("client")
    runner.stop(before=client.aclose if client is not None else None)


def redact_credentials(client_secret: str | None, token: Any) -> tuple[Any, Any]:
    """The client secret and a string token wrapped so that no ``repr`` shows them (error
    reporters that capture local variables read reprs); other values unchanged."""
    return as_secret(client_secret), Secret(token) if isinstance(token, str) else token


class SyncClientBase:
    """Owns the event loop and the async client whose coroutines it runs."""

    _runner: LoopRunner

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        expose_namespaces(cls)  # create_autospec(RealtoClient) sees client.entities and the rest

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options  # kept to rebuild the client after a fork; credentials redacted
        self._holder = {"client": AsyncRealtoClient(**options)}  # settings are checked here, at once
        self._pid = os.getpid()
        self._runner = LoopRunner()
        self._view_options: dict[str, Any] | None = None
        self._root: SyncClientBase = self
        self._finalizer = weakref.finalize(self, _shutdown, self._runner, self._holder)

    def _repr_as(self, name: str) -> str:
        if "_holder" not in vars(self):  # a constructor that raised: error reporters still call repr
            return f"{name}(<not constructed>)"
        return repr(self._async_client()).replace("AsyncRealtoClient", name, 1)

    def _async_client(self) -> AsyncRealtoClient:
        if self._pid != os.getpid():  # a forked child: the parent's loop and sockets are not ours
            _INHERITED.append(self._holder["client"])
            if self._view_options is None:
                self._holder["client"] = AsyncRealtoClient(**self._options)
            else:
                self._holder["client"] = self._root._async_client().with_options(**self._view_options)
            self._pid = os.getpid()
        return self._holder["client"]

    def _make_view(self, view: SyncClientBase, options: dict[str, Any]) -> None:
        view._options = self._options
        view._runner = self._runner
        view._root = self._root
        view._view_options = {**(self._view_options or {}), **options}
        view._pid = self._pid
        view._holder = {"client": self._async_client().with_options(**options)}

    def _run(self, func: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        return self._runner.run(func, *args, **kwargs)

    @property
    def with_raw_response(self) -> SyncRawResponseView:
        """The same namespaces and calls, each answering a ``RawResponse`` (status code, headers,
        request id, elapsed seconds, retries, and ``parse()`` for the usual result)::

            raw = client.with_raw_response.entities.retrieve(entity_id)
            print(raw.status_code, raw.request_id, raw.retries)
            entity = raw.parse()

        A listing answers the raw response of its first page (``parse()`` gives the page).
        """
        return SyncRawResponseView(self, ())

    def close(self) -> None:
        """Close the connection pool and the client's event loop. Views do nothing."""
        if self._root is self:
            self._finalizer()

    def __enter__(self: C) -> C:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _async_twin(name: str) -> type | None:
    """The realto_async resource class a blocking namespace mirrors (they share names)."""
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("realto_async.resources.") and module is not None:
            found = getattr(module, name, None)
            if isinstance(found, type):
                return found
    return None


def _sync_child(owner: type, attribute: str) -> type | None:
    twin = _async_twin(owner.__name__)
    hint = None if twin is None else inspect.get_annotations(twin).get(attribute)
    found = sys.modules[owner.__module__].__dict__.get(hint) if isinstance(hint, str) else None
    return found if isinstance(found, type) else None


# No __slots__ on the base: every namespace then has a __dict__, so that
# mock.patch.object(client.entities, "retrieve") works on a real client.
class SyncResource:
    """A namespace of blocking calls; it finds its async twin on the client each time."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        children = [name for name in cls.__dict__.get("__slots__", ()) if not name.startswith("_")]
        expose_namespaces(cls, {name: functools.partial(_sync_child, cls, name) for name in children})

    def __init__(self, owner: SyncClientBase, path: tuple[str, ...]) -> None:
        self._owner = owner
        self._path = path

    def _resolve(self) -> Any:
        found: Any = self._owner._async_client()
        for name in self._path:
            found = getattr(found, name)
        return found

    def _run(self, func: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        return self._owner._runner.run(func, *args, **kwargs)

    def _paginate(self, paginator: AsyncPaginator[T]) -> SyncPaginator[T]:
        return SyncPaginator(self._owner._runner, paginator)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._owner!r}>"


class SyncRawResponseView:
    """``with_raw_response`` for blocking code: runs the async client's raw calls on the loop."""

    __slots__ = ("_owner", "_path")

    def __init__(self, owner: SyncClientBase, path: tuple[str, ...]) -> None:
        self._owner = owner
        self._path = path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        path = (*self._path, name)
        found: Any = self._owner._async_client().with_raw_response
        for step in path:
            found = getattr(found, step)
        if not callable(found):
            return SyncRawResponseView(self._owner, path)
        runner = self._owner._runner

        def raw(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            answer: RawResponse[Any] = runner.run(found, *args, **kwargs)
            return answer._map(lambda got: SyncPage(got, runner) if isinstance(got, Page) else got)

        raw.__name__ = name
        raw.__doc__ = getattr(found, "__doc__", None)
        return raw

    def __repr__(self) -> str:
        return f"<with_raw_response of {self._owner!r}>"
