"""Every ```python block of the documentation site (docs/) runs against the emulator.

A block runs as a script body with REALTO_BASE_URL, REALTO_CLIENT_ID and REALTO_CLIENT_SECRET
pointing at a fresh emulator on the real clock (REALTO_FLAVOR unset). A block with top-level
``await`` / ``async with`` / ``async for`` is wrapped in ``async def main()``. A block that holds
pytest tests (``def test_``) is run by pytest, in its own directory. A block that cannot run that
way has ``<!-- not-run: <reason> -->`` on the line before its fence. A block that only includes
a complete program (``--8<-- "examples/x.py"``) shows a file tests/test_examples.py runs.

``<!-- needs: realto_async.bulk (branch i9-bulk) -->`` before a fence names a module (or
``module:attribute``) the block uses that is being built on another branch: the block runs as
soon as it exists; until then a test checks that it really is missing.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from realto_async.testing import FakeRealto, Fleet

DOCS = Path(__file__).resolve().parent.parent / "docs"
# ```python, ```python title="x", ``` {.python title="x"} (the form ruff format leaves alone)
FENCE = re.compile(r"^```\s*(?:\{\s*\.)?(\w*)(?:\s[^`]*)?$")
NOT_RUN = re.compile(r"^<!--\s*not-run\b(?::\s*(?P<reason>.*?))?\s*-->\s*$")
NEEDS = re.compile(r"^<!--\s*needs:\s*(?P<feature>[\w.]+(?::[\w.]+)?)\s*(?P<note>.*?)\s*-->\s*$")
SNIPPET = re.compile(r'^--8<-- "(?P<path>[^"]+)"$')
ROOT = DOCS.parent
TEST_TIMEOUT = 120  # seconds for a block of pytest tests to run in its own process


@attrs.define(frozen=True)
class Block:
    """One fenced code block of a page: where it starts, its language, code and not-run reason."""

    path: Path
    line: int
    language: str
    code: str
    not_run: str | None
    needs: str | None = None

    @property
    def included_file(self) -> str | None:
        """The file a ``--8<-- "path"`` block includes, when that is all the block holds."""
        found = SNIPPET.match(self.code.strip())
        return found.group("path") if found else None

    @property
    def name(self) -> str:
        shown = self.path.relative_to(DOCS.parent) if self.path.is_relative_to(DOCS) else self.path
        return f"{shown}:{self.line}"


class MarkdownError(Exception):
    """A page whose fences or not-run markers are malformed."""


def parse_blocks(path: Path, text: str) -> list[Block]:
    """The fenced blocks of a Markdown page, in order. Fences must start in column 0."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index].rstrip() != "```":
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise MarkdownError(f"{path}:{start + 1}: the code block is never closed")
        index += 1
        marker = NOT_RUN.match(lines[start - 1].strip()) if start else None
        reason = None
        if marker:
            reason = (marker.group("reason") or "").strip()
            if not reason:
                raise MarkdownError(f"{path}:{start + 1}: '<!-- not-run -->' must say why: not-run: <reason>")
        needs = NEEDS.match(lines[start - 1].strip()) if start else None
        blocks.append(
            Block(
                path,
                start + 1,
                opening.group(1),
                "\n".join(body) + "\n",
                reason,
                needs.group("feature") if needs else None,
            )
        )
    return blocks


def parse_with_top_level_await(code: str) -> ast.Module:
    tree = compile(code, "<block>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    assert isinstance(tree, ast.Module)
    return tree


def has_top_level_await(code: str) -> bool:
    """Whether the script body uses await / async with / async for outside a function."""
    try:
        compile(code, "<block>", "exec", dont_inherit=True)  # the parser alone lets top-level await by
    except SyntaxError:
        parse_with_top_level_await(code)  # raises if it is not even that
        return True
    return False


def holds_tests(code: str) -> bool:
    tree = parse_with_top_level_await(code)
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
        for node in tree.body
    )


def count_tests(code: str) -> int:
    tree = ast.parse(code)
    return sum(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
        for node in tree.body
    )


def as_script(code: str) -> str:
    """The block as a module: wrapped in ``async def main()`` when it awaits at top level."""
    if not has_top_level_await(code):
        return code
    return "async def main():\n" + textwrap.indent(code, "    ") + "\nasyncio.run(main())\n"


def run_script(block: Block) -> None:
    source = as_script(block.code)
    namespace = {"__name__": "__main__", "asyncio": asyncio}
    exec(compile(source, block.name, "exec"), namespace)


def run_pytest_block(block: Block, directory: Path) -> subprocess.CompletedProcess[str]:
    test_file = directory / f"test_{block.path.stem.replace('-', '_')}_{block.line}.py"
    test_file.write_text(block.code)
    (directory / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file.name],
        cwd=directory,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # so a test can import examples.<name>
        capture_output=True,
        text=True,
        timeout=TEST_TIMEOUT,
        check=False,
    )


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def python_blocks() -> Iterator[Block]:
    for page in pages():
        for block in parse_blocks(page, page.read_text()):
            if block.language == "python":
                yield block


def feature_exists(feature: str) -> bool:
    """Whether ``module`` or ``module:attribute.path`` can be imported here."""
    module_name, _, attributes = feature.partition(":")
    try:
        found: object = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return False
    for name in filter(None, attributes.split(".")):
        if not hasattr(found, name):
            return False
        found = getattr(found, name)
    return True


def runnable(block: Block) -> bool:
    return block.not_run is None and block.included_file is None


RUNNABLE = [
    block
    for block in python_blocks()
    if runnable(block) and (block.needs is None or feature_exists(block.needs))
]
WAITING = [block for block in python_blocks() if runnable(block) and block not in RUNNABLE]
INCLUDED = [block for block in python_blocks() if block.included_file is not None]


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRealto]:
    """A fresh emulator on the real clock in a thread, named by the REALTO_* variables."""
    server = FakeRealto(seed=1, fleet=Fleet(evs=12), consent_after=0.2)
    with server.serve_in_thread():
        monkeypatch.setenv("REALTO_BASE_URL", server.url)
        monkeypatch.setenv("REALTO_CLIENT_ID", server.client_id)
        monkeypatch.setenv("REALTO_CLIENT_SECRET", server.client_secret)
        monkeypatch.delenv("REALTO_FLAVOR", raising=False)
        yield server


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put back what a block may change in logging (it runs in this process)."""
    loggers = [logging.getLogger(), logging.getLogger("realto")]
    saved = [(logger, logger.level, list(logger.handlers)) for logger in loggers]
    yield
    for logger, level, handlers in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.name for block in RUNNABLE])
@pytest.mark.usefixtures("restored_logging")
def test_block_runs_against_the_emulator(
    block: Block,
    emulator: FakeRealto,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if holds_tests(block.code):
        result = run_pytest_block(block, tmp_path)
        expected = count_tests(block.code)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"{expected} passed" in result.stdout, result.stdout
        return
    monkeypatch.chdir(tmp_path)  # a block that writes files writes them here
    before = len(emulator.requests)
    run_script(block)
    # A block that starts its own emulator shows what it got instead of calling this one.
    shown = capsys.readouterr().out
    assert len(emulator.requests) > before or shown, f"{block.name} neither called the API nor printed"


@pytest.mark.parametrize("block", INCLUDED, ids=[block.name for block in INCLUDED])
def test_included_programs_are_examples_run_by_their_test(block: Block) -> None:
    path = (ROOT / (block.included_file or "")).resolve()
    assert path.parent == ROOT / "examples", f"{block.name}: include complete programs from examples/"
    assert path.is_file(), f"{block.name}: {block.included_file} does not exist"
    assert f'"{path.stem}"' in (ROOT / "tests" / "test_examples.py").read_text()


def test_every_guide_has_runnable_examples() -> None:
    guides = sorted((DOCS / "guides").glob("*.md"))
    assert len(guides) >= 7
    pages_with_examples = {block.path for block in RUNNABLE + WAITING}
    assert [guide.name for guide in guides if guide not in pages_with_examples] == []


def test_a_block_waits_only_for_a_feature_that_is_missing_here() -> None:
    """Not run yet, because what it needs is not on this branch; once it is, the block runs.
    (One test over every such block: once every branch is merged there are none.)"""
    for block in WAITING:
        assert block.needs is not None
        assert not feature_exists(block.needs), f"{block.name}: {block.needs} exists, so it runs"
    every_marked = [block for block in python_blocks() if block.needs is not None]
    assert len(RUNNABLE) + len(WAITING) == len([b for b in python_blocks() if runnable(b)])
    assert set(WAITING) <= set(every_marked)


def test_feature_checks_find_modules_and_attributes() -> None:
    assert feature_exists("realto_async")
    assert feature_exists("realto_async:AsyncRealtoClient.with_options")
    assert not feature_exists("realto_async.no_such_module")
    assert not feature_exists("realto_async:AsyncRealtoClient.no_such_method")


def test_not_run_blocks_give_their_reason() -> None:
    skipped = [block for block in python_blocks() if block.not_run is not None]
    assert skipped, "the quickstart's real-credential block is marked not-run"
    for block in skipped:
        assert len(block.not_run or "") >= 10, f"{block.name}: say why it cannot run"


def test_python_is_fenced_as_python() -> None:
    """Shell goes in bash/console fences; an unlabelled fence would escape the runner."""
    for page in pages():
        for block in parse_blocks(page, page.read_text()):
            assert block.language, f"{block.name}: label the fence (python, bash, console, text...)"


# ---------------------------------------------------------------- the runner itself


def test_parser_reads_fences_markers_and_languages(tmp_path: Path) -> None:
    text = (
        "# Page\n\n```python\nprint(1)\n```\n\n<!-- not-run: needs real credentials -->\n"
        "```python\nprint(2)\n```\n\n```bash\nls\n```\n"
    )
    needs = parse_blocks(tmp_path / "p.md", "<!-- needs: realto_async.bulk (i9) -->\n```python\nx\n```\n")
    assert [block.needs for block in needs] == ["realto_async.bulk"]
    blocks = parse_blocks(tmp_path / "page.md", text)
    assert [(b.line, b.language, b.code, b.not_run) for b in blocks] == [
        (3, "python", "print(1)\n", None),
        (8, "python", "print(2)\n", "needs real credentials"),
        (12, "bash", "ls\n", None),
    ]
    [titled, attributes] = parse_blocks(
        tmp_path / "page.md", '```python title="a.py"\nx = 1\n```\n``` {.python title="b.py"}\ny = 2\n```\n'
    )
    assert (titled.language, titled.code, attributes.language, attributes.code) == (
        "python",
        "x = 1\n",
        "python",
        "y = 2\n",
    )


@pytest.mark.parametrize("marker", ["<!-- not-run -->", "<!-- not-run: -->", "<!--not-run:   -->"])
def test_a_not_run_marker_without_a_reason_is_refused(tmp_path: Path, marker: str) -> None:
    with pytest.raises(MarkdownError, match="must say why"):
        parse_blocks(tmp_path / "page.md", f"{marker}\n```python\nprint(1)\n```\n")


def test_an_unclosed_fence_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MarkdownError, match="never closed"):
        parse_blocks(tmp_path / "page.md", "text\n```python\nprint(1)\n")


def test_async_blocks_are_wrapped_and_sync_blocks_are_not() -> None:
    assert as_script("print(1)\n") == "print(1)\n"
    for code in ("await f()\n", "async with x as y:\n    pass\n", "async for i in x:\n    pass\n"):
        assert as_script(code).startswith("async def main():\n    ")
        assert as_script(code).endswith("asyncio.run(main())\n")


def test_a_failing_block_fails_its_test(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    [block] = parse_blocks(page, "```python\nraise LookupError('the block failed')\n```\n")
    with pytest.raises(LookupError, match="the block failed"):
        run_script(block)
    [broken] = parse_blocks(page, "```python\nawait 1 +\n```\n")
    with pytest.raises(SyntaxError):
        run_script(broken)
