"""The API reference (docs/reference/) documents every public module and name of both packages."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import realto_async
import realto_sync

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference"
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)


def documented_targets() -> set[str]:
    return {target for page in REFERENCE.glob("*.md") for target in DIRECTIVE.findall(page.read_text())}


def public_modules(package: ModuleType) -> list[str]:
    names = [package.__name__]
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        parts = info.name.split(".")
        if not any(part.startswith("_") for part in parts[1:]):
            names.append(info.name)
    return names


def exported(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    return [name for name in getattr(module, "__all__", []) if not name.startswith("__")]


def undocumented(module_name: str, targets: set[str]) -> list[str]:
    """The public names of a module that no reference directive shows (directly or re-exported)."""
    if module_name in targets:
        return []
    module = importlib.import_module(module_name)
    shown = {
        id(getattr(importlib.import_module(target), name)) for target in targets for name in exported(target)
    }
    names = exported(module_name)
    if not names and hasattr(module, "__path__"):
        return []  # a package of modules (realto_async.resources): they are checked one by one
    if not names:
        return [f"{module_name} (a public module without __all__ and without a ::: directive)"]
    return [f"{module_name}.{name}" for name in names if id(getattr(module, name)) not in shown]


@pytest.mark.parametrize("package", [realto_async, realto_sync], ids=lambda p: p.__name__)
def test_every_public_module_and_name_is_in_the_reference(package: ModuleType) -> None:
    targets = documented_targets()
    assert package.__name__ in targets
    missing = [name for module in public_modules(package) for name in undocumented(module, targets)]
    assert missing == [], "add a '::: module' directive to a page of docs/reference/"


def test_every_directive_names_an_importable_module() -> None:
    for target in documented_targets():
        assert importlib.import_module(target).__name__ == target


def test_a_module_nobody_documents_is_reported() -> None:
    targets = {"realto_sync"}
    assert undocumented("realto_async.resources.commands", targets) == [
        "realto_async.resources.commands.Commands"
    ]
    assert undocumented("realto_async.testing.pytest_plugin", targets) == [
        "realto_async.testing.pytest_plugin (a public module without __all__ and without a ::: directive)"
    ]
    assert undocumented("realto_async.errors", {"realto_async"}) == []
