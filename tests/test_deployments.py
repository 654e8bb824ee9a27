"""Known deployments: a base_url on a known host speaks its dialect without flavor=."""

from __future__ import annotations

import pytest

from realto_async import AsyncRealtoClient
from realto_async._dialects import DIALECTS

DER_CONNECT = "https://prd.der-connect.eliagroup.eu/api"
TRAXES_TOKEN_URL = DIALECTS["traxes"].token_url


@pytest.mark.parametrize(
    "base_url", [DER_CONNECT, DER_CONNECT + "/", "https://PRD.der-connect.eliagroup.eu/api"]
)
def test_der_connect_production_is_a_traxes_base_url_without_further_options(base_url: str) -> None:
    client = AsyncRealtoClient(client_id="id", client_secret="secret", base_url=base_url)
    assert client.flavor == "traxes"
    assert client.config.token_url == TRAXES_TOKEN_URL
    assert client.base_url == base_url.rstrip("/")


def test_the_host_may_come_from_the_environment_and_works_for_the_blocking_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from realto_sync import RealtoClient

    monkeypatch.setenv("REALTO_BASE_URL", DER_CONNECT)
    with RealtoClient(client_id="id", client_secret="secret") as client:
        assert client.flavor == "traxes"
        assert client.base_url == DER_CONNECT
        assert client.config.token_url == TRAXES_TOKEN_URL


@pytest.mark.parametrize(
    ("base_url", "flavor"),
    [
        ("https://platform.realto.io/api", "realto"),
        ("https://api.traxes.io/connect", "traxes"),
        ("https://realto.example.com/api", "realto"),  # an unknown host keeps the default
    ],
)
def test_other_hosts_keep_their_dialect(base_url: str, flavor: str) -> None:
    assert AsyncRealtoClient(token="t", base_url=base_url).flavor == flavor


def test_an_explicit_flavor_wins_over_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    assert AsyncRealtoClient(token="t", base_url=DER_CONNECT, flavor="realto").flavor == "realto"
    monkeypatch.setenv("REALTO_FLAVOR", "realto")
    assert AsyncRealtoClient(token="t", base_url=DER_CONNECT).flavor == "realto"
