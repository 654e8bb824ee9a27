"""The API reference (docs/reference/) documents every public module and name of both packages:
the pages' ``:::`` directives, plus the "Other modules" page a mkdocs hook fills at build time."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

HOOKS = Path(__file__).resolve().parent.parent / "docs" / "_hooks"
HOOK = HOOKS / "reference.py"


def load_hook(path: Path = HOOK) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_hook_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = load_hook()


@attrs.define
class FakeFile:
    src_uri: str


@attrs.define
class FakePage:
    file: FakeFile


def build_page(src_uri: str, markdown: str) -> str:
    result: Any = hook.on_page_markdown(markdown, page=FakePage(FakeFile(src_uri)), config={}, files=[])
    assert isinstance(result, str)
    return result


@pytest.mark.parametrize("package", ["realto_async", "realto_sync"])
def test_every_public_module_and_name_is_in_the_reference(package: str) -> None:
    targets = hook.documented_targets() | set(hook.other_modules())
    assert package in targets
    missing = [name for module in hook.public_modules(package) for name in hook.undocumented(module, targets)]
    assert missing == []


def test_every_directive_names_an_importable_module() -> None:
    for target in hook.documented_targets():
        assert importlib.import_module(target).__name__ == target


def test_the_other_modules_page_gets_a_directive_per_uncovered_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = (HOOK.parent.parent / "reference" / "other-modules.md").read_text()
    assert hook.PLACEHOLDER in page
    monkeypatch.setattr(hook, "other_modules", lambda: ["realto_async.errors", "realto_sync"])
    built = build_page(hook.OTHER_MODULES_PAGE, page)
    assert hook.PLACEHOLDER not in built
    assert "::: realto_async.errors\n\n::: realto_sync" in built
    assert build_page("guides/quickstart.md", page) == page  # other pages are left alone
    monkeypatch.setattr(hook, "other_modules", list)
    assert "Every public module is documented" in build_page(hook.OTHER_MODULES_PAGE, page)


def test_a_module_nobody_documents_is_reported() -> None:
    targets = {"realto_sync"}
    assert hook.undocumented("realto_async.resources.commands", targets) == [
        "realto_async.resources.commands.Commands"
    ]
    assert hook.undocumented("realto_async.testing.pytest_plugin", targets) == [
        "realto_async.testing.pytest_plugin (a public module without __all__ and without a ::: directive)"
    ]
    assert hook.undocumented("realto_async.errors", {"realto_async"}) == []
    assert hook.undocumented("realto_async.resources", targets) == []  # a package: its modules count


def test_sphinx_roles_before_code_are_dropped_from_pages() -> None:
    roles = load_hook(HOOKS / "roles.py")
    html = (
        "<p>all subclasses of :class:<code>RealtoError</code>; :func:<code>time.time</code>, "
        ":meth:<code>consent</code> and :py:obj:<code>x</code>; a time like 12:30:<b>5</b></p>"
        "<p>::</p>\n<pre>example</pre><p>a::b</p>"
    )
    assert roles.on_page_content(html, page=None, config={}, files=[]) == (
        "<p>all subclasses of <code>RealtoError</code>; <code>time.time</code>, "
        "<code>consent</code> and <code>x</code>; a time like 12:30:<b>5</b></p>"
        "<pre>example</pre><p>a::b</p>"
    )
