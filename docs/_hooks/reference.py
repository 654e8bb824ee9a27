"""mkdocs hook: the reference's "Other modules" page documents every public module of realto_async
and realto_sync that no other reference page covers, so a new module is never left out.

A module is covered when a page has a ``::: module`` directive for it, or when every name in its
``__all__`` is exported by a module that has one (``realto_async.errors`` through
``realto_async``). tests/test_docs_reference.py checks the same rule.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
OTHER_MODULES_PAGE = "reference/other-modules.md"
PLACEHOLDER = "<!-- other public modules -->"
PACKAGES = ("realto_async", "realto_sync")
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)


def documented_targets() -> set[str]:
    """The modules and objects a ``:::`` directive of a reference page names."""
    return {target for page in REFERENCE.glob("*.md") for target in DIRECTIVE.findall(page.read_text())}


def public_modules(package_name: str) -> list[str]:
    """The package and its modules, leaving out private ones (``_x``) and ``__main__``."""
    package = importlib.import_module(package_name)
    names = [package_name]
    for info in pkgutil.walk_packages(package.__path__, package_name + "."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


def exported(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    return [name for name in getattr(module, "__all__", []) if not name.startswith("__")]


def undocumented(module_name: str, targets: set[str]) -> list[str]:
    """The public names of a module that no directive in ``targets`` shows, directly or re-exported;
    a plain module without ``__all__`` is reported by its own name."""
    if module_name in targets:
        return []
    module = importlib.import_module(module_name)
    shown = {
        id(getattr(importlib.import_module(target), name))
        for target in targets
        if _is_module(target)
        for name in exported(target)
    }
    names = exported(module_name)
    if not names and hasattr(module, "__path__"):
        return []  # a package of modules (realto_async.resources): they are checked one by one
    if not names:
        return [f"{module_name} (a public module without __all__ and without a ::: directive)"]
    return [f"{module_name}.{name}" for name in names if id(getattr(module, name)) not in shown]


def _is_module(target: str) -> bool:
    try:
        importlib.import_module(target)
    except ImportError:
        return False
    return True


def other_modules() -> list[str]:
    """The public modules the other reference pages leave out, for the "Other modules" page."""
    targets = documented_targets()
    return [
        module for package in PACKAGES for module in public_modules(package) if undocumented(module, targets)
    ]


def other_modules_markdown() -> str:
    modules = other_modules()
    if not modules:
        return "Every public module is documented on the pages above."
    return "\n\n".join(f"::: {module}" for module in modules)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if page.file.src_uri == OTHER_MODULES_PAGE:
        return markdown.replace(PLACEHOLDER, other_modules_markdown())
    return markdown
