"""Blocking iteration over the async paginators: one page at a time, the next one fetched early."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from realto_async import AsyncPaginator, Page, ResponseInfo
from realto_async.errors import RealtoError

from ._runner import LoopRunner, _Call

__all__ = ["SyncPage", "SyncPaginator"]

# What a page has and a listing has not (see realto_async's AsyncPaginator).
_PAGE_ONLY_ATTRIBUTES = frozenset(
    {
        "data",
        "continuation_token",
        "next_url",
        "page_size",
        "request_id",
        "response",
        "has_next_page",
        "get_next_page",
    }
)

T = TypeVar("T")
# The next page is fetched by the helper thread while the caller works on a page when both:
# the caller spent at least PREFETCH_AFTER_WORK_SECONDS on the page before (or it is the second
# page), and a page the caller fetched itself kept it waiting (for the server, the network) at
# least PREFETCH_AFTER_WAIT_SECONDS beyond its own CPU time. Otherwise the caller fetches and
# decodes the next page itself when it asks: there is no wait to overlap, and the hand-off
# between threads (~50-100 us) and their contention for the GIL would cost more.
PREFETCH_AFTER_WORK_SECONDS = 0.001
PREFETCH_AFTER_WAIT_SECONDS = 0.002


class SyncPage(Generic[T]):
    """One page of a listing: ``data`` plus a blocking ``get_next_page()``."""

    __slots__ = ("_page", "_runner")

    def __init__(self, page: Page[T], runner: LoopRunner) -> None:
        self._page = page
        self._runner = runner

    @property
    def data(self) -> list[T]:
        return self._page.data

    @property
    def continuation_token(self) -> str | None:
        return self._page.continuation_token

    @property
    def next_url(self) -> str | None:
        return self._page.next_url

    @property
    def page_size(self) -> int | None:
        return self._page.page_size

    @property
    def request_id(self) -> str | None:
        return self._page.request_id

    @property
    def response(self) -> ResponseInfo | None:
        """Status, headers and request id of the answer that carried this page."""
        return self._page.response

    def has_next_page(self) -> bool:
        """Whether the server said there is more."""
        return self._page.has_next_page()

    def get_next_page(self) -> SyncPage[T]:
        """Fetch the page after this one (the same HTTP call with this page's token)."""
        return SyncPage(self._runner.run(self._page.get_next_page), self._runner)

    def __iter__(self) -> Iterator[T]:
        return iter(self._page.data)

    def __len__(self) -> int:
        return len(self._page.data)

    def __repr__(self) -> str:
        return repr(self._page)


class SyncPaginator(Generic[T]):
    """A listing for blocking code: iterate it for items, ``pages()`` for pages,
    ``first_page()`` for the first page only. Memory stays one page deep."""

    __slots__ = ("_paginator", "_runner")

    def __init__(self, runner: LoopRunner, paginator: AsyncPaginator[T]) -> None:
        self._runner = runner
        self._paginator = paginator

    if not TYPE_CHECKING:  # for type checkers a listing has no such attributes at all

        def __getattr__(self, name: str) -> Any:
            if name in _PAGE_ONLY_ATTRIBUTES:
                raise AttributeError(
                    f"'SyncPaginator' has no attribute {name!r}: a listing is not a page. "
                    f"`listing.first_page()` gives the first page, with .{name} (async code awaits "
                    f"the listing instead); `for item in listing` gives every item",
                    name=name,
                    obj=self,
                )
            raise AttributeError(f"'SyncPaginator' object has no attribute {name!r}", name=name, obj=self)

    @property
    def max_empty_pages(self) -> int:
        """How many empty pages in a row (each with a next token) are followed before
        :class:`PaginationError`; settable (``listing.max_empty_pages = 500``)."""
        return self._paginator.max_empty_pages

    @max_empty_pages.setter
    def max_empty_pages(self, value: int) -> None:
        self._paginator.max_empty_pages = value

    def first_page(self) -> SyncPage[T]:
        """The first page (from ``continuation_token=`` when one was given)."""
        return SyncPage(self._runner.run(self._paginator.first_page), self._runner)

    def pages(self) -> Iterator[SyncPage[T]]:
        """Every page in order, until the server gives no continuation token.

        The next page is fetched by the client's helper thread while you work on the current
        one when that pays: when fetching a page kept you waiting for the server and you spend
        a millisecond or more on a page (otherwise you fetch it when you ask for it, in your
        thread). At most two pages are in memory.
        """
        return self._pages(None)

    def _pages(self, last_needed: Callable[[Page[T]], bool] | None) -> Iterator[SyncPage[T]]:
        stream = self._paginator.pages()

        async def following() -> Page[T] | None:
            try:
                return await stream.__anext__()
            except StopAsyncIteration:
                return None

        runner = self._runner
        pending: _Call | None = runner.submit(following)
        worked: float | None = None  # seconds the caller spent on the page before
        waited = 0.0  # seconds the last page the caller fetched itself kept it waiting, beyond its CPU
        try:
            while pending is not None:
                call, pending = pending, None
                asked, cpu = time.perf_counter(), time.thread_time()
                try:
                    page: Page[T] | None = runner.result(call)
                except BaseException:
                    if not call.finished:  # interrupted while waiting (Ctrl+C): let it stop first
                        runner.cancel(call)
                    raise
                if not call.in_background:
                    waited = (time.perf_counter() - asked) - (time.thread_time() - cpu)
                if page is None:
                    return
                if page.continuation_token is not None and (last_needed is None or not last_needed(page)):
                    if (worked is None or worked >= PREFETCH_AFTER_WORK_SECONDS) and (
                        waited >= PREFETCH_AFTER_WAIT_SECONDS
                    ):
                        pending = runner.submit_in_background(following)  # fetched while the caller works
                    else:
                        pending = runner.submit(following)  # started when asked for, in the caller's thread
                handed = time.perf_counter()
                yield SyncPage(page, runner)
                worked = time.perf_counter() - handed
                del page
        finally:
            if pending is not None:
                runner.cancel(pending)
            self._close(stream)

    def _close(self, stream: Any) -> None:
        if self._runner.running:
            with contextlib.suppress(RealtoError):  # closed from inside the loop during GC
                self._runner.run(stream.aclose)

    def __iter__(self) -> Iterator[T]:
        remaining = self._paginator.max_items
        if remaining == 0:
            return
        wanted = remaining  # items still wanted beyond the pages already fetched

        def last_needed(page: Page[T]) -> bool:  # then the page after it is not prefetched
            nonlocal wanted
            if wanted is None:
                return False
            wanted -= len(page.data)
            return wanted <= 0

        for page in self._pages(last_needed):
            items = page.data
            del page
            for item in items:
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining <= 0:
                        return
            del items  # not held while waiting for the next page: its models die young

    def to_list(self) -> list[T]:
        """Every item in one list (mind the memory on large listings)."""
        return list(self)

    def to_arrow(self) -> Any:
        """Every item as a ``pyarrow.Table`` in the export schema; needs ``realto[arrow]``."""
        return self._runner.run(self._paginator.to_arrow)

    def to_pandas(self) -> Any:
        """Every item as a ``pandas.DataFrame`` in the export schema; needs ``realto[pandas]``."""
        return self._runner.run(self._paginator.to_pandas)

    def to_polars(self) -> Any:
        """Every item as a ``polars.DataFrame`` in the export schema; needs ``realto[polars]``."""
        return self._runner.run(self._paginator.to_polars)
