"""Every endpoint has a method whose docstring names its HTTP call; inferred ones say so."""

from __future__ import annotations

import inspect
import re
from typing import Any

from realto_async import AsyncRealtoClient
from tests.test_emulator_endpoints import ENDPOINTS

CALL = re.compile(r"``(GET|POST|PUT|PATCH|DELETE) (/v1/[^`]+)``")
SETTINGS = ("battery-capacity", "nominal-power", "heated-area")


def table() -> dict[tuple[str, str], str]:
    """(method, path) -> 'doc' or 'nav', for every row of endpoints.md but the token endpoints."""
    rows: dict[tuple[str, str], str] = {}
    for line in ENDPOINTS.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not re.fullmatch(r"[A-Z]\d", cells[0]) or cells[0].startswith("A"):
            continue
        kind, methods, path = (
            (cells[1], cells[2], cells[3]) if cells[1] in ("doc", "nav") else ("nav", cells[1], cells[2])
        )
        for method in methods.split(" / "):
            rows[(method, path.strip("`"))] = kind
    return rows


def documented_calls() -> list[tuple[str, str, str]]:
    """(method, path, docstring) for each HTTP call a public SDK method's docstring names."""
    client = AsyncRealtoClient(token="t", base_url="http://127.0.0.1:9/api")
    seen: set[int] = set()
    found: list[tuple[str, str, str]] = []

    def visit(namespace: Any) -> None:
        if id(namespace) in seen:
            return
        seen.add(id(namespace))
        for name, member in inspect.getmembers(type(namespace), inspect.isfunction):
            if name.startswith("_"):
                continue
            doc = inspect.getdoc(member) or ""
            for method, path in CALL.findall(doc):
                paths = [path.replace("<setting>", s) for s in SETTINGS] if "<setting>" in path else [path]
                found.extend((method, p, doc) for p in paths)
        for attribute in [s for k in type(namespace).__mro__ for s in getattr(k, "__slots__", ())]:
            if not attribute.startswith("_"):
                visit(getattr(namespace, attribute))

    for attribute in AsyncRealtoClient.__annotations__:
        visit(getattr(client, attribute))
    return found


def test_every_endpoint_is_named_by_a_docstring() -> None:
    named = {(method, path) for method, path, _ in documented_calls()}
    assert set(table()) - named == set()


def test_docstrings_name_only_real_endpoints_and_flag_the_inferred_ones() -> None:
    rows = table()
    for method, path, doc in documented_calls():
        assert (method, path) in rows, f"{method} {path} is not in endpoints.md"
        if rows[(method, path)] == "nav":
            assert "nferred" in doc, f"{method} {path} is inferred but its docstring does not say so"
