"""Start the emulator (``python -m realto_async.testing --frozen``) in its own process."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

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


@contextmanager
def emulator_process(entities: int = 20, fleet: Sequence[str] = ()) -> Iterator[Emulator]:
    """The emulator on a free port with frozen time, until the block ends. ``fleet``: the command
    line's per-type flags (``["--evs", "500"]``) instead of ``entities``."""
    command = [sys.executable, "-m", "realto_async.testing", "--frozen", "--port", str(free_port())]
    sizing = list(fleet) if fleet else ["--entities", str(entities)]
    process = subprocess.Popen([*command, *sizing], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = dict(process.stdout.readline().strip().split(": ", 1) for _ in range(3))
        yield Emulator(lines["url"], lines["client_id"], lines["client_secret"], process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
