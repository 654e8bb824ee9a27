"""Issue 8 §3: a body means the same with or without orjson."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy

from realto_async import AsyncRealtoClient, InvalidArgumentError, ResponseValidationError
from realto_async._http import Response
from realto_async._json import HAVE_ORJSON, JSONError, dumps, loads, stdlib_dumps, stdlib_loads
from tests.helpers import ENTITY_ID, ScriptedServer

BOM = b"\xef\xbb\xbf"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (an int is not a float)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=False))
    return bool(a == b)


def _outcome(decode: Any, body: bytes) -> tuple[str, Any]:
    try:
        return "ok", decode(body)
    except ValueError as err:
        return "error", getattr(err, "path", "")


def test_orjson_is_what_this_suite_compares_against() -> None:
    assert HAVE_ORJSON  # the test extra installs it: both paths below really differ


@settings(max_examples=300)
@given(value=json_values, bom=st.booleans(), pad=st.sampled_from(["", " ", "\n\t "]))
def test_both_paths_read_the_same_value(value: Any, bom: bool, pad: str) -> None:
    body = (pad + json.dumps(value) + pad).encode()
    if bom:
        body = BOM + body
    fast, slow = loads(body), stdlib_loads(body)
    assert _same(fast, slow)
    assert _same(fast, value)


@settings(max_examples=300)
@given(body=st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
def test_both_paths_agree_on_any_bytes(body: bytes) -> None:
    fast, slow = _outcome(loads, body), _outcome(stdlib_loads, body)
    assert fast[0] == slow[0]
    if fast[0] == "ok":
        assert _same(fast[1], slow[1])


@settings(max_examples=200)
@given(value=json_values)
def test_both_paths_write_what_reads_back_the_same(value: Any) -> None:
    assert _same(loads(dumps(value)), value)
    assert _same(loads(stdlib_dumps(value)), value)


@pytest.mark.parametrize(
    "number", [2**63, 2**64, -(2**63) - 1, 123456789012345678901234567890, -(10**40), 10**19]
)
def test_integers_beyond_64_bits_stay_exact_both_ways(number: int) -> None:
    body = b'{"meterTotal": %d, "id": "x"}' % number
    for decode in (loads, stdlib_loads):
        read = decode(body)
        assert read["meterTotal"] == number
        assert type(read["meterTotal"]) is int
    assert str(number).encode() in dumps({"meterTotal": number})
    assert loads(dumps(loads(body)))["meterTotal"] == number  # read-modify-write keeps it


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b'{"a": [1, NaN]}', "a[1]"),
        (b'{"x": {"y": Infinity}}', "x.y"),
        (b"[-Infinity]", "[0]"),
        (b'{"v": 1e999}', "v"),
        (b'{"data": [{"value": -1e400}]}', "data[0].value"),
    ],
)
def test_non_finite_numbers_in_an_answer_are_refused_with_their_path(body: bytes, path: str) -> None:
    for decode in (loads, stdlib_loads):
        with pytest.raises(JSONError) as info:
            decode(body)
        assert info.value.path == path
    answer = Response(
        status=200, headers=CIMultiDictProxy(CIMultiDict()), url="http://x/api", method="GET", body=body
    )
    with pytest.raises(ResponseValidationError) as raised:
        answer.json()
    assert raised.value.path == path
    assert path in str(raised.value)


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_nesting_deeper_than_the_parser_allows_is_a_decoding_error(depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    for decode in (loads, stdlib_loads):
        with pytest.raises(JSONError, match="deep"):
            decode(body)
    answer = Response(
        status=200, headers=CIMultiDictProxy(CIMultiDict()), url="http://x/api", method="GET", body=body
    )
    with pytest.raises(ResponseValidationError):
        answer.json()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_stdlib_writing_refuses_non_finite_numbers(bad: float) -> None:
    with pytest.raises(ValueError, match="JSON"):
        stdlib_dumps({"x": [bad]})


@pytest.mark.parametrize(
    ("properties", "where"),
    [
        ({"limit": math.nan}, "properties.limit"),
        ({"a": [1, math.inf]}, "properties.a[1]"),
        ({"tags": {"x", "y"}}, "properties.tags"),
        ({"raw": b"bytes"}, "properties.raw"),
        ({"obj": object()}, "properties.obj"),
        ({1: "int key"}, "properties"),
        ({"nested": {(1, 2): "tuple key"}}, "properties.nested"),
    ],
)
async def test_values_json_cannot_hold_are_refused_before_sending(
    server: ScriptedServer, client: AsyncRealtoClient, properties: dict[Any, Any], where: str
) -> None:
    calls: list[Awaitable[Any]] = [
        client.entities.update(ENTITY_ID, properties=properties),
        client.settings.custom_properties.update(ENTITY_ID, properties),
        client.onboarding.collectives.create(name="fleet", properties=properties),
    ]
    for call in calls:
        with pytest.raises(InvalidArgumentError) as info:
            await call
        assert where in str(info.value)
    assert server.requests == []
