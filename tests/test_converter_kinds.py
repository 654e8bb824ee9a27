"""Every field kind the hook generator supports, on a model made for the test."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from realto_async import CommandType, ResponseValidationError
from realto_async.models._base import RealtoModel, model, wire


@model
class Everything(RealtoModel):
    count: int
    flag: bool
    tags: list[str]
    times: list[datetime] | None = None
    kinds: list[CommandType | str] | None = None
    matrix: list[list[int]] | None = None
    blob: dict[str, Any] | None = None
    renamed: str | None = wire("weird-Name", default=None)


GOOD = {
    "count": 3,
    "flag": False,
    "tags": ["a", "b"],
    "times": ["2024-01-01T00:00:00Z"],
    "kinds": ["StartCharging", "Teleport"],
    "matrix": [[1, 2], []],
    "blob": {"k": [1]},
    "weird-Name": "x",
}


def test_every_kind_round_trips() -> None:
    item = Everything.from_dict(GOOD)
    assert item.times == [datetime(2024, 1, 1, tzinfo=timezone.utc)]
    assert item.kinds == [CommandType.START_CHARGING, "Teleport"]
    assert item.renamed == "x"
    assert item.to_dict() == GOOD


@pytest.mark.parametrize(
    ("key", "value", "path", "expected"),
    [
        ("count", 1.5, "count", "an integer"),
        ("count", True, "count", "an integer"),
        ("flag", "yes", "flag", "true or false"),
        ("tags", ["a", 2], "tags[1]", "a string"),
        ("times", ["2024-01-01"], "times[0]", "timezone"),
        ("kinds", [7], "kinds[0]", "CommandType"),
        ("matrix", [[1], ["x"]], "matrix[1][0]", "an integer"),
        ("blob", [], "blob", "an object"),
        ("tags", None, "tags", "a list"),
    ],
)
def test_every_kind_names_its_misfit(key: str, value: object, path: str, expected: str) -> None:
    with pytest.raises(ResponseValidationError) as info:
        Everything.from_dict({**GOOD, key: value})
    assert info.value.path == path
    assert expected in str(info.value)


def test_from_dict_accepts_any_mapping() -> None:
    from types import MappingProxyType

    assert Everything.from_dict(MappingProxyType(GOOD)).count == 3


def test_realto_sync_shares_the_very_same_types() -> None:
    import realto_async
    import realto_sync

    assert realto_sync.RealtoError is realto_async.RealtoError
    assert realto_sync.ChargingRecord is realto_async.ChargingRecord
