"""A listing is not a page: asking it for a page's attribute says how to get the first page."""

from __future__ import annotations

from typing import Any

import pytest

from realto_async.testing import FakeRealto

PAGE_ONLY = [
    "data",
    "has_next_page",
    "get_next_page",
    "continuation_token",
    "next_url",
    "request_id",
    "response",
]


@pytest.mark.parametrize("name", PAGE_ONLY)
def test_a_blocking_listing_points_to_first_page(name: str) -> None:
    with FakeRealto(seed=1, entities=4).serve_in_thread() as server, server.sync_client() as client:
        listing: Any = client.entities.list(type="EV", page_size=1)
        with pytest.raises(AttributeError, match=r"first_page\(\)") as caught:
            getattr(listing, name)
        assert caught.value.name == name
        assert name in str(caught.value)
        page = listing.first_page()
        assert hasattr(page, name)
        assert len(page.data) == 1


async def test_an_async_listing_not_awaited_says_to_await_it() -> None:
    async with FakeRealto(seed=1, entities=4).serve() as server, server.client() as client:
        for name in PAGE_ONLY:
            listing: Any = client.entities.list(type="EV", page_size=1)
            with pytest.raises(AttributeError, match="await") as caught:
                getattr(listing, name)
            assert caught.value.name == name
        page = await client.entities.list(type="EV", page_size=1)
        assert len(page.data) == 1
        assert (await client.entities.list(type="EV", page_size=1).first_page()).data == page.data


def test_other_missing_attributes_stay_plain() -> None:
    with FakeRealto(seed=1, entities=2).serve_in_thread() as server, server.sync_client() as client:
        listing: Any = client.entities.list()
        with pytest.raises(AttributeError, match="no attribute 'nonsense'") as caught:
            _ = listing.nonsense
        assert "first_page" not in str(caught.value)
        assert not hasattr(listing, "data")
        assert hasattr(listing, "first_page")
