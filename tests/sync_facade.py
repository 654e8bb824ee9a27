"""AsyncFacade: makes a realto_sync.RealtoClient look like an AsyncRealtoClient, so one test
scenario runs through both clients. Every blocking call runs in a worker thread."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any

from realto_sync import SyncPage, SyncPaginator
from realto_sync._base import SyncRawResponseView, SyncResource

_DONE = object()


class PageFacade:
    def __init__(self, page: SyncPage[Any]) -> None:
        self._page = page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)

    def __iter__(self) -> Any:
        return iter(self._page)

    def __len__(self) -> int:
        return len(self._page)

    async def get_next_page(self) -> PageFacade:
        return PageFacade(await asyncio.to_thread(self._page.get_next_page))


class PaginatorFacade:
    def __init__(self, paginator: SyncPaginator[Any]) -> None:
        self._paginator = paginator

    def __await__(self) -> Generator[Any, None, PageFacade]:
        return self.first_page().__await__()

    async def first_page(self) -> PageFacade:
        return PageFacade(await asyncio.to_thread(self._paginator.first_page))

    async def __aiter__(self) -> AsyncIterator[Any]:
        items = iter(self._paginator)
        while (item := await asyncio.to_thread(next, items, _DONE)) is not _DONE:
            yield item

    async def pages(self) -> AsyncIterator[PageFacade]:
        pages = self._paginator.pages()
        while (page := await asyncio.to_thread(next, pages, None)) is not None:
            yield PageFacade(page)


def _wrap(func: Callable[..., Any]) -> Callable[..., Any]:
    returns = str(inspect.signature(func).return_annotation)

    def call(*args: Any, **kwargs: Any) -> Any:
        if returns.startswith("SyncPaginator"):
            return PaginatorFacade(func(*args, **kwargs))  # builds the request only: no I/O
        return asyncio.to_thread(func, *args, **kwargs)

    return call


class AsyncFacade:
    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if isinstance(value, (SyncResource, SyncRawResponseView)):
            return AsyncFacade(value)
        if inspect.ismethod(value) or inspect.isfunction(value):
            return _wrap(value)
        return value

    async def __aenter__(self) -> AsyncFacade:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self._target.close)
