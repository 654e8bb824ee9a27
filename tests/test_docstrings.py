"""Every endpoint has a method whose docstring names its HTTP call; inferred ones say so."""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timedelta
from typing import Any

from realto_async import AsyncRealtoClient, errors
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


# --------------------------------------------------------------- what every docstring answers

SECTION = re.compile(r"^(Args|Returns|Raises):\s*$")
ENTRY = re.compile(r"^ {4}([A-Za-z_][\w, \[\].|]*?):(?:\s|$)")


def sections(doc: str) -> dict[str, list[str]]:
    """Google-style sections: section name -> the names its entries start with."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in doc.splitlines():
        header = SECTION.match(line)
        if header is not None:
            current = found.setdefault(header.group(1), [])
        elif current is not None and (entry := ENTRY.match(line)):
            current.append(entry.group(1))
        elif line and not line.startswith(" "):
            current = None
    return found


def parameters(func: Any) -> dict[str, inspect.Parameter]:
    signature = inspect.signature(func)
    return {name: p for name, p in signature.parameters.items() if name != "self"}


def problems(func: Any, *, endpoint: bool) -> list[str]:
    """What a public method's docstring leaves unanswered (empty when it answers everything)."""
    doc = inspect.getdoc(func) or ""
    name = func.__qualname__
    found = sections(doc)
    wrong: list[str] = []
    if endpoint and not CALL.search(doc):
        wrong.append(f"{name}: does not name its HTTP call as ``METHOD /v1/...``")
    named = set(found.get("Args", []))
    expected = set(parameters(func))
    if named != expected:
        wrong.append(f"{name}: Args names {sorted(named)}, the parameters are {sorted(expected)}")
    returns = inspect.signature(func).return_annotation
    if returns not in (None, "None") and not found.get("Returns"):
        wrong.append(f"{name}: no Returns section")
    raised = [n.strip() for entry in found.get("Raises", []) for n in entry.split(",")]
    if not raised:
        wrong.append(f"{name}: no Raises section")
    for error in raised:
        found_error = getattr(errors, error, None)
        if not (inspect.isclass(found_error) and issubclass(found_error, Exception)):
            wrong.append(f"{name}: Raises names {error!r}, which is not an error of realto_async.errors")
    wrong += unit_problems(func, doc)
    return wrong


def unit_problems(func: Any, doc: str) -> list[str]:
    """Times must say they are aware (UTC), durations that they are seconds."""
    wrong = []
    for param_name, param in parameters(func).items():
        entry = re.search(rf"^ {{4}}{param_name}:(.*(?:\n {{8}}.*)*)", doc, re.MULTILINE)
        text = entry.group(1) if entry else ""
        annotation = str(param.annotation)
        if "datetime" in annotation and not re.search(r"timezone-aware|UTC", text):
            wrong.append(f"{func.__qualname__}: {param_name} does not say it must be timezone-aware")
        if "timedelta" in annotation and "float" in annotation and "seconds" not in text:
            wrong.append(f"{func.__qualname__}: {param_name} does not say it is in seconds")
    return wrong


def namespace_methods() -> list[Any]:
    """Every public method of every namespace of the async client."""
    client = AsyncRealtoClient(token="t", base_url="http://127.0.0.1:9/api")
    seen: set[type] = set()
    methods: list[Any] = []

    def visit(namespace: Any) -> None:
        if type(namespace) in seen:
            return
        seen.add(type(namespace))
        for name, member in inspect.getmembers(type(namespace), inspect.isfunction):
            if not name.startswith("_"):
                methods.append(member)
        for attribute in [s for k in type(namespace).__mro__ for s in getattr(k, "__slots__", ())]:
            if not attribute.startswith("_"):
                visit(getattr(namespace, attribute))

    for attribute in AsyncRealtoClient.__annotations__:
        visit(getattr(client, attribute))
    return methods


def test_every_public_method_names_its_call_arguments_return_and_errors() -> None:
    methods = namespace_methods()
    assert len(methods) > 40
    wrong = [problem for method in methods for problem in problems(method, endpoint=True)]
    assert wrong == []


def test_the_client_documents_its_settings_and_what_it_raises() -> None:
    for method in (AsyncRealtoClient.__init__, AsyncRealtoClient.with_options):
        assert problems(method, endpoint=False) == []
        assert "ConfigurationError" in sections(inspect.getdoc(method) or "")["Raises"]


async def undocumented(self: Any, entity_id: str, start: datetime, timeout: float | timedelta) -> int:
    """Get it: ``GET /v1/entities/{entityId}``.

    Args:
        entity_id: the id.
        start: when.
        timeout: how long.

    Raises:
        NoSuchError: never.
    """
    return 0


async def documented(self: Any, entity_id: str, start: datetime, timeout: float | timedelta) -> int:
    """Count it.

    Args:
        entity_id: the id.
        start: when (timezone-aware).
        timeout: how long, in seconds.

    Returns:
        int: how many.

    Raises:
        NotFoundError, RealtoError: when it is not there.
    """
    return 0


async def one_argument_left_out(self: Any, entity_id: str, page_size: int) -> int:
    """Count it.

    Args:
        entity_id: the id.

    Returns:
        int: how many.

    Raises:
        NotFoundError: when it is not there.
    """
    return 0


def test_the_checker_finds_what_a_docstring_leaves_out() -> None:
    found = problems(undocumented, endpoint=True)
    assert any("no Returns section" in p for p in found)
    assert any("'NoSuchError'" in p for p in found)
    assert any("start does not say it must be timezone-aware" in p for p in found)
    assert any("timeout does not say it is in seconds" in p for p in found)
    assert problems(documented, endpoint=False) == []
    assert any("HTTP call" in p for p in problems(documented, endpoint=True))
    assert any("the parameters are" in p for p in problems(one_argument_left_out, endpoint=False))


def test_every_model_and_enum_has_its_own_docstring() -> None:
    import enum

    import realto_async
    from realto_async import RealtoModel

    classes = [getattr(realto_async, name) for name in realto_async.__all__]
    documented_types = [
        cls for cls in classes if inspect.isclass(cls) and issubclass(cls, (RealtoModel, enum.Enum))
    ]
    assert len(documented_types) > 40
    assert [cls.__name__ for cls in documented_types if not (cls.__dict__.get("__doc__") or "").strip()] == []


def test_the_facade_carries_every_docstring() -> None:
    import realto_sync
    from realto_sync import RealtoClient

    for method in namespace_methods():
        class_name = method.__qualname__.split(".")[0]
        async_class = vars(inspect.getmodule(method))[class_name]
        sync_class = getattr(realto_sync, class_name)
        assert sync_class.__doc__
        assert inspect.cleandoc(sync_class.__doc__) == inspect.getdoc(async_class)
        expected = (inspect.getdoc(method) or "").replace("AsyncPaginator", "SyncPaginator")
        twin = getattr(sync_class, method.__name__)
        assert inspect.getdoc(twin) == expected.replace("AsyncRealtoClient", "RealtoClient"), twin
    for name in ("__init__", "with_options"):
        assert problems(getattr(RealtoClient, name), endpoint=False) == []
