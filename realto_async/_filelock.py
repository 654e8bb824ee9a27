"""An exclusive lock on a file, held by one process at a time: one run per bulk state file."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType

__all__ = ["StateInUseError", "StateLock"]


class StateInUseError(Exception):
    """Another process holds the lock of this state file."""


class StateLock:
    """An exclusive, non-blocking lock on the file ``path`` (``fcntl.flock``; ``msvcrt.locking`` on
    Windows). The operating system releases it when the process ends, however it ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock; StateInUseError when another process has it, OSError when the file
        cannot be created."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise StateInUseError(str(self.path)) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None

    def __enter__(self) -> StateLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - CI runs on Linux

    def _lock(fd: int) -> None:
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:

    def _lock(fd: int) -> None:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
