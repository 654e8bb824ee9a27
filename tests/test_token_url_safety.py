"""Client credentials go only to a token endpoint on a host the user named or a known deployment."""

from __future__ import annotations

from typing import Any

import pytest

from realto_async import AsyncRealtoClient, ConfigurationError
from realto_async._config import KNOWN_DEPLOYMENTS, resolve_config
from realto_async.testing import FakeRealto
from realto_sync import RealtoClient

TRAXES_SIGN_IN = "https://signin.energy/am/oauth2/realms/root/realms/difesp/access_token"
COMMON: dict[str, Any] = {
    "token": None,
    "timeout": None,
    "max_retries": None,
    "retry": None,
    "connector_limit": None,
    "default_headers": None,
}
UNKNOWN_HOSTS = [
    "http://127.0.0.1:8765/connect",  # a local emulator
    "http://localhost:9000/api",
    "https://staging.example.com/connect",
    "https://api.traxes.io.evil.example/connect",  # a look-alike host
    "https://api.traxes.io/other",  # the right host, another path
    "https://platform.realto.io/api",  # re.alto's deployment is not a Traxes one
]


@pytest.mark.parametrize("base_url", UNKNOWN_HOSTS)
def test_traxes_credentials_with_an_unknown_base_url_and_no_token_url_are_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="REALTO_TOKEN_URL") as caught:
        resolve_config(
            client_id="id",
            client_secret="s3cret",
            base_url=base_url,
            flavor="traxes",
            token_url=None,
            env={},
            **COMMON,
        )
    assert "token_url=" in str(caught.value)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize("base_url", UNKNOWN_HOSTS[:3])
def test_the_same_from_the_environment_and_through_the_clients(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REALTO_BASE_URL", base_url)
    monkeypatch.setenv("REALTO_FLAVOR", "traxes")
    monkeypatch.setenv("REALTO_CLIENT_ID", "id")
    monkeypatch.setenv("REALTO_CLIENT_SECRET", "secret")
    with pytest.raises(ConfigurationError, match="token_url"):
        AsyncRealtoClient()
    with pytest.raises(ConfigurationError, match="token_url"):
        RealtoClient()
    monkeypatch.setenv("REALTO_TOKEN_URL", base_url + "/oauth/token")
    assert AsyncRealtoClient().config.token_url == base_url + "/oauth/token"


@pytest.mark.parametrize(
    "base_url",
    [
        None,
        "https://api.traxes.io/connect",
        "https://API.Traxes.io/connect/",
        "https://prd.der-connect.eliagroup.eu/api",
    ],
)
def test_known_traxes_deployments_keep_their_sign_in_server(base_url: str | None) -> None:
    config = resolve_config(
        client_id="id",
        client_secret="s",
        base_url=base_url,
        flavor="traxes",
        token_url=None,
        env={},
        **COMMON,
    )
    assert config.token_url == TRAXES_SIGN_IN


def test_a_given_token_url_is_used_as_is() -> None:
    config = resolve_config(
        client_id="id",
        client_secret="s",
        base_url="http://127.0.0.1:1/connect",
        flavor="traxes",
        token_url="http://127.0.0.1:1/oauth/token/",
        env={},
        **COMMON,
    )
    assert config.token_url == "http://127.0.0.1:1/oauth/token"


def test_a_bearer_token_sends_no_secret_so_any_base_url_is_fine() -> None:
    config = resolve_config(
        client_id=None,
        client_secret=None,
        base_url="http://127.0.0.1:1/connect",
        flavor="traxes",
        token_url=None,
        env={},
        **(COMMON | {"token": "a-bearer-token"}),
    )
    assert config.token_url.startswith("http://127.0.0.1:1/")


@pytest.mark.parametrize("base_url", [None, "http://127.0.0.1:1/api", "https://staging.example.com/api/"])
def test_realto_derives_its_token_url_from_the_base_url_so_it_stays_on_that_host(
    base_url: str | None,
) -> None:
    config = resolve_config(
        client_id="id",
        client_secret="s",
        base_url=base_url,
        flavor="realto",
        token_url=None,
        env={},
        **COMMON,
    )
    assert config.token_url == config.base_url + "/v1/authentication"
    assert config.token_url.startswith((base_url or "https://platform.realto.io/api").rstrip("/"))


def test_every_known_deployment_is_a_url_of_its_dialect() -> None:
    assert set(KNOWN_DEPLOYMENTS) == {"realto", "traxes"}
    assert "https://prd.der-connect.eliagroup.eu/api" in KNOWN_DEPLOYMENTS["traxes"]
    for deployments in KNOWN_DEPLOYMENTS.values():
        for base_url, token_url in deployments.items():
            assert base_url.startswith("https://")
            assert not base_url.endswith("/")
            assert token_url is None or token_url.startswith("https://")


async def test_the_traxes_emulator_clients_name_its_token_url() -> None:
    async with FakeRealto(seed=1, flavor="traxes", entities=3).serve() as server:
        assert server.token_url.startswith(server.root)
        async with server.client() as client:
            assert client.config.token_url == server.token_url
            assert len([e async for e in client.entities.list()]) == 3
