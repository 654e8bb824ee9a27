"""Cursor pagination: ``AsyncPaginator`` (await it for the first page, iterate it for items)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

from ._convert import structure_list
from ._errors import InvalidArgumentError, PaginationError, RealtoError, ResponseValidationError
from ._fast_pages import FastPage, decode_page
from ._http import BodyReader, Response, ResponseInfo
from .export._frames import frame_of

__all__ = ["AsyncPaginator", "Page"]

# What a Page has and a listing has not: asked of a listing, these get an AttributeError that
# says how to reach the page.
PAGE_ONLY_ATTRIBUTES = frozenset(
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
PageFetcher = Callable[[str | None], Awaitable["Page[T]"]]


class AnswerFetcher(Protocol):
    def __call__(self, token: str | None, *, expect_json: bool | BodyReader = ...) -> Awaitable[Response]: ...


DEFAULT_MAX_EMPTY_PAGES = 100


class Page(Generic[T]):
    """One page of a listing: ``data`` plus what is needed to get the next one."""

    __slots__ = ("_fetch", "continuation_token", "data", "next_url", "page_size", "response")

    def __init__(
        self,
        data: list[T],
        *,
        continuation_token: str | None,
        next_url: str | None,
        page_size: int | None,
        response: ResponseInfo | None,
        fetch: PageFetcher[T] | None,
    ) -> None:
        self.data = data
        self.continuation_token = continuation_token
        self.next_url = next_url
        self.page_size = page_size
        self.response = response
        self._fetch = fetch

    def has_next_page(self) -> bool:
        """Whether the server said there is more (an empty page with a token is not the end)."""
        return self.continuation_token is not None

    async def get_next_page(self) -> Page[T]:
        """Fetch the page after this one (the same HTTP call with this page's token)."""
        if self.continuation_token is None or self._fetch is None:
            raise PaginationError("this is the last page: check has_next_page() first")
        return await self._fetch(self.continuation_token)

    @property
    def request_id(self) -> str | None:
        """The server's id of the request that produced this page."""
        return None if self.response is None else self.response.request_id

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        token = "None" if self.continuation_token is None else "'...'"
        return f"Page(items={len(self.data)}, continuation_token={token})"


def _token_from_link(link: str) -> str | None:
    values = parse_qs(urlsplit(link).query).get("continuationToken")
    return values[0] if values else None


_TRY: Any = object()


def parse_page(
    response: Response, model: type[T], fetch: PageFetcher[T] | None, *, fast: FastPage | None = _TRY
) -> Page[T]:
    """A Page of ``model`` from a page envelope answer; ``fast``: what ``decode_page`` gave for
    it when that was tried already (None: it could not)."""
    if fast is _TRY:
        fast = decode_page(response.body, model)
    if fast is not None:
        data, meta, links = fast
    else:
        payload = response.json()
        if not isinstance(payload, dict) or "data" not in payload:
            raise ResponseValidationError(
                f"{response.method} {response.url} did not answer a page envelope "
                "({'data': [...], 'meta': {...}}); the API may have changed",
                path="data",
                request_id=response.request_id,
            )
        # {"data": null} is an empty page (some servers say "nothing" that way).
        data = [] if payload["data"] is None else structure_list(payload["data"], model, path="data")
        meta = payload.get("meta")
        links = payload.get("links")
    meta = meta if isinstance(meta, Mapping) else {}
    links = links if isinstance(links, Mapping) else {}
    next_url = links.get("next") if isinstance(links.get("next"), str) and links.get("next") else None
    token = meta.get("continuationToken")
    if not isinstance(token, str) or not token:
        token = _token_from_link(next_url) if next_url else None
        if next_url and token is None:
            raise ResponseValidationError(
                f"the page has a next link but no continuation token in it: {next_url!r}",
                path="links.next",
                request_id=response.request_id,
            )
    size = meta.get("pageSize")
    return Page(
        data,
        continuation_token=token,
        next_url=next_url,
        page_size=size if isinstance(size, int) else None,
        response=response.info(),
        fetch=fetch,
    )


class AsyncPaginator(Generic[T]):
    """A listing. ``await`` it for the first :class:`Page`; ``async for`` it for every item.

    Memory stays one page deep. The same continuation token twice, or more than
    ``max_empty_pages`` empty pages in a row that each point to another page, raise
    :class:`PaginationError` (carrying the token) instead of looping; an error during iteration
    carries ``continuation_token`` to resume from with ``continuation_token=``.
    """

    def __init__(
        self,
        fetch: PageFetcher[T],
        *,
        continuation_token: str | None = None,
        max_items: int | None = None,
        model: type[T] | None = None,
        max_empty_pages: int = DEFAULT_MAX_EMPTY_PAGES,
        send: AnswerFetcher | None = None,
        decode: Callable[[Response], Page[T]] | None = None,
    ) -> None:
        self._fetch = fetch
        self._send = send
        self._decode = decode
        self._start_token = continuation_token
        self._max_items = max_items
        self._model = model
        self.max_empty_pages = max_empty_pages

    @property
    def max_empty_pages(self) -> int:
        """How many empty pages in a row (each with a next token) are followed before
        :class:`PaginationError`; settable (``listing.max_empty_pages = 500``)."""
        return self._max_empty_pages

    @max_empty_pages.setter
    def max_empty_pages(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgumentError(f"max_empty_pages must be an int >= 1, got {value!r}")
        self._max_empty_pages = value

    @property
    def max_items(self) -> int | None:
        """The most items iteration yields (None: no limit)."""
        return self._max_items

    if not TYPE_CHECKING:  # for type checkers a listing has no such attributes at all

        def __getattr__(self, name: str) -> Any:
            if name in PAGE_ONLY_ATTRIBUTES:
                raise AttributeError(
                    f"'AsyncPaginator' has no attribute {name!r}: a listing is not a page. "
                    f"`page = await listing` (or `await listing.first_page()`) gives the first Page, "
                    f"with .{name}; `async for item in listing` gives every item",
                    name=name,
                    obj=self,
                )
            raise AttributeError(f"'AsyncPaginator' object has no attribute {name!r}", name=name, obj=self)

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self.first_page().__await__()

    async def first_page(self) -> Page[T]:
        """The first page (from ``continuation_token=`` when one was given)."""
        return await self._fetch_marked(self._start_token)

    async def _first_answer(self) -> Response:
        """The first page's HTTP answer, its body not even parsed as JSON yet (a cut body is found
        by ``_page_of``). The bulk engine decodes a page where it is consumed, so decoded pages
        do not pile up between its workers and its consumer."""
        assert self._send is not None, "a listing made by the client has its send"
        return await self._send(self._start_token, expect_json=False)

    def _page_of(self, response: Response) -> Page[T]:
        """The page of an answer from :meth:`_first_answer`.

        Raises:
            ResponseValidationError: the answer is not a page of this listing's records.
        """
        assert self._decode is not None, "a listing made by the client has its decode"
        return self._decode(response)

    async def _fetch_marked(self, token: str | None) -> Page[T]:
        try:
            return await self._fetch(token)
        except RealtoError as err:
            err.continuation_token = token
            err._resume_known = True
            raise

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page in order, until the server gives no continuation token.

        The paginator holds no page while it fetches the next one, but your loop variable
        does: end the loop body with ``del page`` (or iterate items instead) so a page's
        models are freed before the next page arrives. With many listings at once that
        saves the garbage collector a lot of work (see benchmarks/README.md).
        """
        token = self._start_token
        seen: set[str] = {token} if token is not None else set()
        empty_in_a_row = 0
        while True:
            page = await self._fetch_marked(token)
            yield page
            token = page.continuation_token
            empty_in_a_row = empty_in_a_row + 1 if not page.data else 0
            # Not holding the page while the next one is awaited lets its models die young,
            # before the garbage collector promotes them (which makes full collections frequent
            # when many listings run at once).
            del page
            if token is None:
                return
            if token in seen:
                raise PaginationError(
                    f"the server sent the continuation token {token!r} twice; stopping instead of "
                    "looping forever (please report this)"
                )
            seen.add(token)
            if empty_in_a_row >= self._max_empty_pages:
                error = PaginationError(
                    f"the server sent {empty_in_a_row} empty pages in a row, each pointing to another; "
                    "stopping instead of looping (raise max_empty_pages= if that is expected)"
                )
                error.continuation_token = token
                error._resume_known = True
                raise error

    async def __aiter__(self) -> AsyncIterator[T]:
        remaining = self._max_items
        if remaining == 0:
            return
        async for page in self.pages():
            items = page.data
            del page
            for item in items:
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining <= 0:
                        return
            if items:
                del item  # the page's last item is not kept alive while the next page is fetched
            del items

    async def to_list(self) -> list[T]:
        """Every item in one list (mind the memory on large listings)."""
        return [item async for item in self]

    async def to_arrow(self) -> Any:
        """Every item as a ``pyarrow.Table`` in the export schema (``realto_async.export``);
        needs ``realto[arrow]``."""
        return frame_of(await self.to_list(), self._model, "arrow")

    async def to_pandas(self) -> Any:
        """Every item as a ``pandas.DataFrame`` in the export schema; needs ``realto[pandas]``."""
        return frame_of(await self.to_list(), self._model, "pandas")

    async def to_polars(self) -> Any:
        """Every item as a ``polars.DataFrame`` in the export schema; needs ``realto[polars]``."""
        return frame_of(await self.to_list(), self._model, "polars")
