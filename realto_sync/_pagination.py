"""Blocking iteration over the async paginators: one page at a time through the loop thread."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from realto_async import AsyncPaginator, Page, ResponseInfo
from realto_async.errors import RealtoError

from ._runner import LoopThread

__all__ = ["SyncPage", "SyncPaginator"]

T = TypeVar("T")


class SyncPage(Generic[T]):
    """One page of a listing: ``data`` plus a blocking ``get_next_page()``."""

    __slots__ = ("_page", "_runner")

    def __init__(self, page: Page[T], runner: LoopThread) -> None:
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

    def __init__(self, runner: LoopThread, paginator: AsyncPaginator[T]) -> None:
        self._runner = runner
        self._paginator = paginator

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
        """Every page in order, until the server gives no continuation token."""
        stream = self._paginator.pages()

        async def following() -> Page[T] | None:
            try:
                return await stream.__anext__()
            except StopAsyncIteration:
                return None

        try:
            while True:
                page = self._runner.run(following)
                if page is None:
                    return
                yield SyncPage(page, self._runner)
                del page
        finally:
            self._close(stream)

    def _close(self, stream: Any) -> None:
        if self._runner.running:
            with contextlib.suppress(RealtoError):  # closed from the loop thread during GC
                self._runner.run(stream.aclose)

    def __iter__(self) -> Iterator[T]:
        remaining = self._paginator.max_items
        if remaining == 0:
            return
        for page in self.pages():
            items = page.data
            del page
            for item in items:
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining <= 0:
                        return
            del items  # not held while the next page is fetched: its models die young

    def to_list(self) -> list[T]:
        """Every item in one list (mind the memory on large listings)."""
        return list(self)
