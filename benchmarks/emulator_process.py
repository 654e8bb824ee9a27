"""Start the emulator (``python -m realto_async.testing --frozen``) in its own process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs


@attrs.define(frozen=True)
class Emulator:
    url: str
    client_id: str
    client_secret: str
    pid: int = 0  # the emulator's process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_from(package_root: Path | None) -> dict[str, Any]:
    """``subprocess.Popen`` arguments that make ``python -m realto_async...`` import the package in
    ``package_root`` (``-m`` puts the working directory first on the path); none for this one."""
    if package_root is None:
        return {}
    return {"cwd": package_root, "env": {**os.environ, "PYTHONPATH": str(package_root)}}


@contextmanager
def emulator_process(
    entities: int = 20, fleet: Sequence[str] = (), package_root: Path | None = None
) -> Iterator[Emulator]:
    """The emulator on a free port with frozen time, until the block ends. ``fleet``: the command
    line's per-type flags (``["--evs", "500"]``) instead of ``entities``; ``package_root``: a
    directory holding another ``realto_async`` (an older checkout) to run instead of this one."""
    command = [sys.executable, "-m", "realto_async.testing", "--frozen", "--port", str(free_port())]
    sizing = list(fleet) if fleet else ["--entities", str(entities)]
    process = subprocess.Popen(
        [*command, *sizing], stdout=subprocess.PIPE, text=True, **run_from(package_root)
    )
    try:
        assert process.stdout is not None
        lines = dict(process.stdout.readline().strip().split(": ", 1) for _ in range(3))
        yield Emulator(lines["url"], lines["client_id"], lines["client_secret"], process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
