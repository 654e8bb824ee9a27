"""Every ```python block of README.md runs as written against the emulator.

Each block runs in its own interpreter as a script body, with REALTO_BASE_URL, REALTO_CLIENT_ID
and REALTO_CLIENT_SECRET pointing at an emulator served on a background thread with the real
clock and the command line's defaults (``realto emulator``: 40 entities, consent after 2 s), and
REALTO_FLAVOR unset. A block with top-level ``await`` / ``async with`` / ``async for`` is wrapped
in ``async def main()`` and run with ``asyncio.run``. A block that cannot run so is preceded by
``<!-- not-run: <reason> -->``, and the reason is required.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from realto_async.testing import FakeRealto

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\S*)\s*$")
MARKER = re.compile(r"^<!--\s*not-run:(.*?)-->\s*$")
ASYNC_SYNTAX = re.compile(r"\bawait\b|\basync\s+(with|for)\b")
ENV_CONFIGURED_CLIENT = re.compile(r"\bRealtoClient\(\)")  # also matches AsyncRealtoClient()
BLOCK_TIMEOUT = 120.0  # seconds; the blocks take a few each


@attrs.define(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    code: str
    not_run: str | None  # the reason, when the block is marked not to run


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks of a Markdown text, each with its not-run reason, if marked."""
    lines = text.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            comment = lines[index].lstrip().startswith("<!--")
            if comment and "not-run" in lines[index] and not MARKER.match(lines[index]):
                raise ValueError(f"line {index + 1}: write the marker as <!-- not-run: reason -->")
            if MARKER.match(lines[index]) and not (
                index + 1 < len(lines) and lines[index + 1].startswith("```")
            ):
                raise ValueError(f"line {index + 1}: a not-run marker must be right before a code fence")
            index += 1
            continue
        end = index + 1
        while end < len(lines) and not FENCE.match(lines[end]):
            end += 1
        if end == len(lines):
            raise ValueError(f"line {index + 1}: the code block is never closed")
        if opening.group(1) == "python":
            marker = MARKER.match(lines[index - 1]) if index > 0 else None
            reason = marker.group(1).strip() if marker is not None else None
            if reason == "":
                raise ValueError(f"line {index}: a not-run marker must say why: <!-- not-run: reason -->")
            blocks.append(Block(index + 1, "\n".join(lines[index + 1 : end]) + "\n", reason))
        index = end + 1
    return blocks


def as_script(code: str) -> str:
    """The block as a script: wrapped in ``async def main()`` when it awaits at top level."""
    if not ASYNC_SYNTAX.search(code):
        return code
    return (
        "import asyncio\n\n\nasync def main() -> None:\n"
        + textwrap.indent(code, "    ")
        + "\n\nasyncio.run(main())\n"
    )


@pytest.fixture(scope="module")
def emulator() -> Iterator[FakeRealto]:
    with FakeRealto(seed=1, entities=40, consent_after=2.0).serve_in_thread() as server:
        yield server


def readme_blocks() -> list[Block]:
    return python_blocks(README.read_text())


@pytest.mark.parametrize(
    "block", [b for b in readme_blocks() if b.not_run is None], ids=lambda b: f"README.md:{b.line}"
)
def test_the_readme_block_runs_against_the_emulator(
    block: Block, emulator: FakeRealto, tmp_path: Path
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("REALTO_")}
    env |= {
        "REALTO_BASE_URL": emulator.url,
        "REALTO_CLIENT_ID": emulator.client_id,
        "REALTO_CLIENT_SECRET": emulator.client_secret,
    }
    before = len(emulator.requests)
    done = subprocess.run(
        [sys.executable, "-c", as_script(block.code)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"README.md:{block.line} failed:\n{done.stderr}"
    if ENV_CONFIGURED_CLIENT.search(block.code):
        assert len(emulator.requests) > before, "the block's client did not reach the emulator"


def test_the_readme_has_python_blocks_and_every_skip_says_why() -> None:
    blocks = readme_blocks()
    assert [b for b in blocks if b.not_run is None], "README.md has no runnable python block"
    assert all(b.not_run for b in blocks if b.not_run is not None)


def test_blocks_are_found_with_their_markers() -> None:
    text = "\n".join(
        [
            "# Title, and prose that mentions not-run markers",
            "```python",
            "print(1)",
            "```",
            "<!-- not-run: needs real credentials -->",
            "```python",
            "print(2)",
            "```",
            "```bash",
            "echo 3",
            "```",
            "```python",
            "x = 4",
            "```",
        ]
    )
    blocks = python_blocks(text)
    assert [(b.line, b.code, b.not_run) for b in blocks] == [
        (2, "print(1)\n", None),
        (6, "print(2)\n", "needs real credentials"),
        (12, "x = 4\n", None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- not-run: -->\n```python\nx = 1\n```", "must say why"),
        ("<!-- not-run:    -->\n```python\nx = 1\n```", "must say why"),
        ("<!-- not-run: slow -->\n\n```python\nx = 1\n```", "right before a code fence"),
        ("<!-- not-run: slow -->\ntext\n```python\nx = 1\n```", "right before a code fence"),
        ("```python\nx = 1\n", "never closed"),
        ("<!-- not-run -->\n```python\nx = 1\n```", "write the marker as"),
        ("<!--not-run because slow-->\n```python\nx = 1\n```", "write the marker as"),
    ],
)
def test_a_marker_without_a_reason_or_a_fence_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        python_blocks(text)


@pytest.mark.parametrize(
    ("code", "wrapped"),
    [
        ("print(1)\n", False),
        ("x = await f()\n", True),
        ("async with C() as c:\n    pass\n", True),
        ("async for x in y:\n    pass\n", True),
        ("awaited = 1\n", False),
    ],
)
def test_blocks_that_await_are_wrapped_in_an_async_main(code: str, wrapped: bool) -> None:
    script = as_script(code)
    assert ("async def main() -> None:" in script) is wrapped
    compile(script, "<readme>", "exec")
    if wrapped:
        assert textwrap.indent(code, "    ") in script
        assert script.rstrip().endswith("asyncio.run(main())")
