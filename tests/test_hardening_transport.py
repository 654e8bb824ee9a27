"""Issue 8 §1, §2, §5 and §6 over real sockets: what is retried, what a write may claim, odd answers,
misconfiguration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp import web

from realto_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncRealtoClient,
    CommandOutcomeAmbiguousError,
    CommandOutcomeUnknownError,
    ConfigurationError,
    CooldownActiveError,
    InternalServerError,
    InvalidArgumentError,
    PaginationError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    RetryPolicy,
    Timeout,
    TokenEndpointUnreachableError,
)
from realto_async._errors import MAX_ERROR_BODY_CHARS
from tests.helpers import ENTITY_ID, FakeClock, ScriptedServer, charge_record_payload, entity_payload, page

MakeClient = Callable[..., AsyncRealtoClient]
ENTITY_PATH = f"/v1/entities/{ENTITY_ID}"
COMMANDS = f"/v1/entities/{ENTITY_ID}/commands"
SESSIONS = f"/v1/entities/{ENTITY_ID}/charge-sessions"
START = datetime(2024, 5, 1, tzinfo=timezone.utc)
# Answers a GET can get that are a transport fault, not the API's word: cut off, not JSON at all.
UNREADABLE_BODIES = [
    b'{"id": "3c90c3cc-0d44-4b50-8888-8dd2573',
    b"<html><body>502 Bad Gateway</body></html>",
    b"",
    b"\x00\x01garbage",
    b'{"data": [',
]


def command_payload(minutes_after_send: float, *, value: str | None = None, index: int = 1) -> dict[str, Any]:
    sent = datetime.fromtimestamp(FakeClock().time(), timezone.utc)
    when = sent + timedelta(minutes=minutes_after_send)
    payload: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "type": "StartCharging",
        "status": "Pending",
        "triggerTime": when.isoformat().replace("+00:00", "Z"),
        "entityId": ENTITY_ID,
    }
    if value is not None:
        payload["value"] = value
    return payload


# ----------------------------------------------------------------------------- §1 reads


@pytest.mark.parametrize("body", UNREADABLE_BODIES)
async def test_a_get_answered_with_an_unreadable_body_is_retried(
    server: ScriptedServer, make_client: MakeClient, body: bytes
) -> None:
    client = make_client(max_retries=5)
    server.on("GET", ENTITY_PATH, (200, body, None), (200, body, None), entity_payload())
    entity = await client.entities.retrieve(ENTITY_ID)
    assert entity.id == ENTITY_ID
    assert [r.headers.get("X-Retry-Count") for r in server.requests] == [None, "1", "2"]


async def test_a_listing_page_cut_off_is_retried_and_no_record_is_lost_or_doubled(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_retries=2)
    first = page([charge_record_payload(i) for i in range(3)], token="t2")
    second = page([charge_record_payload(i) for i in range(3, 5)])

    async def answer(request: web.Request) -> web.StreamResponse:
        import json

        full = json.dumps(second if request.query.get("continuationToken") == "t2" else first).encode()
        answer.calls += 1  # type: ignore[attr-defined]
        cut = answer.calls in (2, 4)  # type: ignore[attr-defined]
        return web.Response(body=full[: len(full) // 2] if cut else full, content_type="application/json")

    answer.calls = 0  # type: ignore[attr-defined]
    server.on("GET", SESSIONS, answer)
    ids = [record.id async for record in client.charge_sessions.list(ENTITY_ID, START)]
    assert ids == [charge_record_payload(i)["id"] for i in range(5)]


async def test_unreadable_answers_use_the_error_budget(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_retries=2)
    server.on("GET", ENTITY_PATH, (200, b'{"cut', None))
    with pytest.raises(ResponseValidationError, match="not JSON") as info:
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.requests) == 3
    assert info.value.body == '{"cut'


async def test_a_write_answered_with_an_unreadable_body_is_not_repeated(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_retries=5)
    server.on("PATCH", ENTITY_PATH, (200, b'{"id": "3c90', None))
    with pytest.raises(ResponseValidationError, match="probably done"):
        await client.entities.update(ENTITY_ID, name="x")
    assert len(server.requests) == 1


async def test_a_429_storm_after_a_5xx_does_not_use_up_the_retry_budget(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(max_retries=2)
    storm: list[Any] = [(429, {"errors": []}, {"Retry-After": "1"})] * 3
    server.on("GET", ENTITY_PATH, (503, {"errors": []}, None), *storm, (500, {}, None), entity_payload())
    entity = await client.entities.retrieve(ENTITY_ID)
    assert entity.id == ENTITY_ID
    assert len(server.requests) == 6
    assert clock.sleeps[1:4] == [1.0, 1.0, 1.0]  # the storm was waited out as the server asked


@pytest.mark.parametrize("waits", [0, 1, 4])
async def test_rate_limit_waits_are_bounded_by_max_rate_limit_waits(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock, waits: int
) -> None:
    client = make_client(retry=RetryPolicy(max_retries=0, max_rate_limit_waits=waits))
    server.on("GET", ENTITY_PATH, (429, {"errors": []}, {"Retry-After": "2"}))
    with pytest.raises(RateLimitError) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.requests) == waits + 1
    assert clock.sleeps == [2.0] * waits
    assert info.value.retry_after == 2.0


async def test_rate_limit_waits_stop_at_the_deadline(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(timeout=10, max_retries=0)
    server.on("GET", ENTITY_PATH, (429, {"errors": []}, {"Retry-After": "4"}))
    with pytest.raises(RateLimitError):
        await client.entities.retrieve(ENTITY_ID)
    assert clock.sleeps == [4.0, 4.0]  # a third wait would end past the 10 s deadline


async def test_a_429_on_a_command_is_waited_out_because_the_server_did_not_act_on_it(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(max_retries=0)
    server.on("POST", COMMANDS, (429, {"errors": []}, {"Retry-After": "3"}), (201, command_payload(0), None))
    command = await client.commands.trigger(ENTITY_ID, type="StartCharging")
    assert command.type == "StartCharging"
    assert clock.sleeps == [3.0]
    assert len(server.api_requests("POST")) == 2


# ---------------------------------------------------------------------------- §2 write safety


async def test_commands_that_never_got_a_pooled_connection_say_they_were_not_sent(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(clock=None, connector_limit=2, timeout=Timeout(total=0.6, pool=0.2, read=5))
    reached = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal reached
        reached += 1
        await asyncio.sleep(1.5)
        return web.json_response(command_payload(0), status=201)

    server.on("POST", COMMANDS, slow)
    results = await asyncio.gather(
        *(client.commands.trigger(ENTITY_ID, type="StartCharging") for _ in range(6)),
        return_exceptions=True,
    )
    unknown = [r for r in results if isinstance(r, CommandOutcomeUnknownError)]
    not_sent = [r for r in results if isinstance(r, APIConnectionError) and not r.may_have_reached_server]
    assert len(unknown) + len(not_sent) == 6
    assert len(unknown) == reached == 2  # only the commands that reached the server are "unknown"
    assert all(isinstance(r, APITimeoutError) and "not sent" in str(r) for r in not_sent)


async def test_a_get_waiting_for_the_pool_times_out_as_not_sent(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(clock=None, connector_limit=1, max_retries=0, timeout=Timeout(total=5, pool=0.1))

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.6)
        return web.json_response(entity_payload())

    server.on("GET", ENTITY_PATH, slow)
    first = asyncio.ensure_future(client.entities.retrieve(ENTITY_ID))
    await asyncio.sleep(0.1)
    with pytest.raises(APITimeoutError, match="no free connection") as info:
        await client.entities.retrieve(ENTITY_ID)
    assert info.value.may_have_reached_server is False
    assert (await first).id == ENTITY_ID
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "answer",
    [
        (201, b'{"id": "00000000-0000-4000-8000-0000000', None),
        (201, b"<html>oops</html>", None),
        (201, {"unexpected": "shape"}, None),
    ],
)
async def test_a_command_whose_201_is_cut_off_or_unreadable_is_outcome_unknown(
    server: ScriptedServer, make_client: MakeClient, answer: tuple[int, Any, None]
) -> None:
    client = make_client(max_retries=5)
    server.on("POST", COMMANDS, answer)
    with pytest.raises(CommandOutcomeUnknownError) as info:
        await client.commands.trigger(ENTITY_ID, type="StartCharging")
    assert len(server.api_requests("POST")) == 1
    assert info.value.command_type == "StartCharging"
    assert isinstance(info.value.__cause__, ResponseValidationError)


async def _lost_command(server: ScriptedServer, client: AsyncRealtoClient) -> CommandOutcomeUnknownError:
    server.on("POST", COMMANDS, (503, {"errors": []}, None))
    with pytest.raises(CommandOutcomeUnknownError) as info:
        await client.commands.trigger(ENTITY_ID, type="StartCharging")
    return info.value


async def test_reconcile_never_names_a_command_sent_before_this_one(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    lost = await _lost_command(server, client)
    earlier = [command_payload(-0.5, index=1), command_payload(-4, index=2)]  # 30 s and 4 min before
    server.on("GET", COMMANDS, page(earlier))
    assert await lost.reconcile(client) is None


async def test_reconcile_finds_the_one_command_created_after_the_send(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    lost = await _lost_command(server, client)
    mine = command_payload(0.02, index=3)  # 1 s after the send
    other_value = command_payload(0.03, value="7", index=4)
    server.on("GET", COMMANDS, page([command_payload(-1, index=1), mine, other_value]))
    found = await lost.reconcile(client)
    assert found is not None
    assert found.id == mine["id"]
    query = server.api_requests("GET")[-1].query
    assert query["start"] <= mine["triggerTime"]


async def test_reconcile_allows_a_few_seconds_of_clock_skew(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    lost = await _lost_command(server, client)
    skewed = command_payload(-3 / 60, index=5)  # stamped 3 s before our send: the server's clock lags
    server.on("GET", COMMANDS, page([skewed]))
    found = await lost.reconcile(client)
    assert found is not None
    assert found.id == skewed["id"]


async def test_reconcile_with_two_candidates_is_ambiguous(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    lost = await _lost_command(server, client)
    candidates = [command_payload(0.01, index=6), command_payload(0.5, index=7)]
    server.on("GET", COMMANDS, page(candidates))
    with pytest.raises(CommandOutcomeAmbiguousError) as info:
        await lost.reconcile(client)
    assert [c.id for c in info.value.candidates] == [c["id"] for c in candidates]
    assert "2 StartCharging commands" in str(info.value)


@pytest.mark.parametrize(
    ("headers", "message", "expected"),
    [
        ({"Retry-After": "120"}, "Cooldown active.", 120.0),
        (None, "Entity had a command at 10:00; try again in 540 s or set ignoreCooldown=true.", 540.0),
        (None, "Cooldown: retry after 9 minutes", 540.0),
        (None, "Please wait 30 seconds", 30.0),
        (None, "Cooldown active.", None),
    ],
)
async def test_cooldown_active_error_carries_the_wait_as_data(
    server: ScriptedServer,
    client: AsyncRealtoClient,
    headers: dict[str, str] | None,
    message: str,
    expected: float | None,
) -> None:
    body = {"errors": [{"code": "CooldownActive", "message": message}]}
    server.on("POST", COMMANDS, (409, body, headers))
    with pytest.raises(CooldownActiveError) as info:
        await client.commands.trigger(ENTITY_ID, type="StartCharging")
    assert info.value.retry_after == expected


# -------------------------------------------------------------------------- §5 odd answers


async def test_a_null_data_page_is_an_empty_page(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    server.on("GET", SESSIONS, {"data": None, "meta": {"continuationToken": None}})
    assert await client.charge_sessions.list(ENTITY_ID, START).to_list() == []
    server.on("GET", SESSIONS, {"data": None})
    first = await client.charge_sessions.list(ENTITY_ID, START)
    assert first.data == []
    assert not first.has_next_page()


async def test_endless_empty_pages_stop_with_the_token_to_resume_from(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    async def empty(request: web.Request) -> web.Response:
        number = int(request.query.get("continuationToken", "t0")[1:]) + 1
        return web.json_response(page([], token=f"t{number}"))

    server.on("GET", SESSIONS, empty)
    with pytest.raises(PaginationError, match="100 empty pages") as info:
        await client.charge_sessions.list(ENTITY_ID, START).to_list()
    assert info.value.continuation_token == "t100"
    assert "resume with continuation_token='t100'" in str(info.value)
    assert len(server.requests) == 100

    listing = client.charge_sessions.list(ENTITY_ID, START)
    listing.max_empty_pages = 3
    with pytest.raises(PaginationError):
        await listing.to_list()
    assert len(server.requests) == 103


async def test_empty_pages_between_full_ones_are_followed(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    pages = {
        None: page([], token="a"),
        "a": page([charge_record_payload(1)], token="b"),
        "b": page([], token="c"),
        "c": page([charge_record_payload(2)]),
    }

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(pages[request.query.get("continuationToken")])

    server.on("GET", SESSIONS, answer)
    listing = client.charge_sessions.list(ENTITY_ID, START)
    listing.max_empty_pages = 2  # never two empty pages in a row here
    got = [r.id async for r in listing]
    assert got == [charge_record_payload(1)["id"], charge_record_payload(2)["id"]]


@pytest.mark.parametrize("chunked", [False, True])
async def test_an_answer_larger_than_max_response_bytes_is_refused_unread(
    server: ScriptedServer, make_client: MakeClient, chunked: bool
) -> None:
    client = make_client(max_response_bytes=10_000, max_retries=0)
    sent = 0

    async def huge(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        if not chunked:
            response.content_length = 10_000_000
        await response.prepare(request)
        try:
            for _ in range(1000):
                await response.write(b" " * 10_000)
                sent += 10_000
        except (ConnectionError, RuntimeError):
            pass
        return response

    server.on("GET", ENTITY_PATH, huge)
    with pytest.raises(ResponseTooLargeError, match="more than 10000 bytes"):
        await client.entities.retrieve(ENTITY_ID)
    assert sent < 10_000_000  # the client stopped reading long before the end


async def test_an_answer_within_max_response_bytes_is_read(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_response_bytes=100_000)
    server.on("GET", ENTITY_PATH, entity_payload())
    assert (await client.entities.retrieve(ENTITY_ID)).id == ENTITY_ID
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        make_client(max_response_bytes=0)


async def test_an_error_keeps_at_most_64_kib_of_its_body(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_retries=0)
    server.on("GET", ENTITY_PATH, (500, "x" * 500_000, None))
    with pytest.raises(InternalServerError) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert info.value.body.startswith("x" * MAX_ERROR_BODY_CHARS)
    assert len(info.value.body) < MAX_ERROR_BODY_CHARS + 100
    assert "more characters dropped" in info.value.body


# ------------------------------------------------------------------------ §6 misconfiguration


@pytest.mark.parametrize("status", [404, 405, 501])
@pytest.mark.parametrize("flavor", ["realto", "traxes"])
async def test_a_token_endpoint_that_is_not_there_is_a_configuration_error_at_once(
    server: ScriptedServer, make_client: MakeClient, status: int, flavor: str
) -> None:
    server.token_status = status
    token_url = server.oauth_url if flavor == "traxes" else server.base_url + "/v1/authentication"
    client = make_client(flavor=flavor, token_url=token_url)
    with pytest.raises(ConfigurationError) as info:
        await client.entities.retrieve(ENTITY_ID)
    text = str(info.value)
    assert f"HTTP {status}" in text
    assert token_url in text
    assert repr(flavor) in text
    assert len(server.token_requests) == 1


async def test_a_failing_token_endpoint_is_still_retried(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    server.token_status = 503
    client = make_client(max_retries=2)
    with pytest.raises(TokenEndpointUnreachableError):
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.token_requests) == 3


async def test_running_out_of_time_fetching_a_token_is_a_timeout_error(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    async def slow_token(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"access_token": "late"})

    server.check_auth = False
    server.on("POST", "/slow-token", slow_token)
    client = make_client(clock=None, token_url=server.base_url + "/slow-token", timeout=Timeout(total=0.3))
    with pytest.raises(TimeoutError) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert isinstance(info.value, APITimeoutError)
    assert "token" in str(info.value)
    assert info.value.__cause__ is not None  # what timed out, chained


async def test_a_call_cancelled_while_waiting_for_the_pool_gives_no_slot_away(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(clock=None, connector_limit=1, timeout=Timeout(total=5, pool=5))
    release = asyncio.Event()

    async def held(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response(entity_payload())

    server.on("GET", ENTITY_PATH, held)
    first = asyncio.ensure_future(client.entities.retrieve(ENTITY_ID))
    await asyncio.sleep(0.05)
    waiting = [asyncio.ensure_future(client.entities.retrieve(ENTITY_ID)) for _ in range(3)]
    await asyncio.sleep(0.05)
    for task in waiting:
        task.cancel()
    release.set()
    assert (await first).id == ENTITY_ID
    assert all(task.cancelled() for task in waiting)
    server.on("GET", ENTITY_PATH, entity_payload())
    found = await asyncio.wait_for(client.entities.retrieve(ENTITY_ID), 2)  # the one slot is free again
    assert found.id == ENTITY_ID


@pytest.mark.parametrize(
    ("method", "path", "call"),
    [
        ("POST", "/v1/collectives/" + ENTITY_ID + "/commands", "trigger_for_collective"),
        ("PATCH", ENTITY_PATH, "update"),
    ],
)
async def test_a_5xx_on_a_write_does_not_say_retry_later(
    server: ScriptedServer, client: AsyncRealtoClient, method: str, path: str, call: str
) -> None:
    server.on(method, path, (503, {"errors": []}, None))
    sending: Awaitable[Any] = (
        client.entities.update(ENTITY_ID, name="x")
        if call == "update"
        else client.commands.trigger_for_collective(ENTITY_ID, type="StartCharging")
    )
    with pytest.raises(InternalServerError) as info:
        await sending
    assert "may still have been carried out" in str(info.value)
    assert "retry later" not in str(info.value)
    assert len(server.api_requests(method)) == 1


async def test_the_emulators_cooldown_answer_gives_retry_after() -> None:
    from realto_async.testing import FakeClock as EmulatorClock
    from realto_async.testing import FakeRealto

    clock = EmulatorClock()
    async with FakeRealto(seed=2, clock=clock).serve() as emulator, emulator.client() as client:
        ev = (await client.entities.list(type="EV", page_size=1)).data[0]
        await client.commands.trigger(ev.id, type="StartCharging")
        clock.advance(60)
        with pytest.raises(CooldownActiveError) as info:
            await client.commands.trigger(ev.id, type="StopCharging")
    assert info.value.retry_after == 540.0


async def test_the_blocking_listing_has_max_empty_pages_too(server: ScriptedServer) -> None:
    from realto_sync import RealtoClient
    from tests.helpers import CLIENT_ID, CLIENT_SECRET

    async def empty(request: web.Request) -> web.Response:
        number = int(request.query.get("continuationToken", "t0")[1:]) + 1
        return web.json_response(page([], token=f"t{number}"))

    server.on("GET", SESSIONS, empty)

    def blocking() -> PaginationError:
        with RealtoClient(
            base_url=server.base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        ) as client:
            listing = client.charge_sessions.list(ENTITY_ID, START)
            assert listing.max_empty_pages == 100
            listing.max_empty_pages = 4
            with pytest.raises(PaginationError) as info:
                listing.to_list()
            with pytest.raises(InvalidArgumentError):
                listing.max_empty_pages = 0
            return info.value

    error = await asyncio.to_thread(blocking)
    assert error.continuation_token == "t4"
    assert len(server.requests) == 4
