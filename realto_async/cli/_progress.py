"""Progress of an export on stderr: a rich bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol

from ..bulk import BulkProgress

__all__ = ["ProgressView", "describe_progress", "progress_view"]


def describe_progress(progress: BulkProgress) -> str:
    """``entities 3/8 (0 failed, 1 skipped), 120 records, 14.0 req/s, 0.0 s throttled, ETA 4 s``."""
    total = "?" if progress.entities_total is None else str(progress.entities_total)
    rate = progress.requests / progress.elapsed if progress.elapsed > 0 else 0.0
    eta = "?" if progress.estimated_remaining is None else f"{progress.estimated_remaining:.0f} s"
    return (
        f"entities {progress.entities_finished}/{total} ({progress.entities_failed} failed, "
        f"{progress.entities_skipped} skipped), {progress.records} records, {rate:.1f} req/s, "
        f"{progress.seconds_throttled:.1f} s throttled, elapsed {progress.elapsed:.1f} s, ETA {eta}"
    )


class ProgressView(Protocol):
    def update(self, progress: BulkProgress) -> None: ...

    def close(self) -> None: ...


class PlainLines:
    """A line at most every ``interval`` seconds, and the last state when closed."""

    def __init__(self, label: str, interval: float) -> None:
        self._label = label
        self._interval = interval
        self._last_line: float | None = None
        self._unprinted: BulkProgress | None = None

    def update(self, progress: BulkProgress) -> None:
        self._unprinted = progress
        now = time.monotonic()
        if self._last_line is None or now - self._last_line >= self._interval:
            self._last_line = now
            self._print()

    def _print(self) -> None:
        if self._unprinted is not None:
            print(f"{self._label}: {describe_progress(self._unprinted)}", file=sys.stderr, flush=True)
            self._unprinted = None

    def close(self) -> None:
        self._print()


class RichBar:
    """A rich progress bar of entities, with records, requests/s, throttling and ETA."""

    def __init__(self, label: str, rich_progress: Any, console: Any = None) -> None:
        columns = rich_progress
        self._bar = columns.Progress(
            columns.TextColumn("[bold]{task.description}"),
            columns.BarColumn(),
            columns.MofNCompleteColumn(),
            columns.TextColumn("{task.fields[detail]}"),
            columns.TimeRemainingColumn(),
            transient=False,
            console=console,
        )
        self._task = self._bar.add_task(label, total=None, detail="")
        self._bar.start()

    def update(self, progress: BulkProgress) -> None:
        rate = progress.requests / progress.elapsed if progress.elapsed > 0 else 0.0
        detail = (
            f"{progress.records} records  {rate:.1f} req/s  {progress.seconds_throttled:.1f} s throttled"
            f"  {progress.entities_failed} failed"
        )
        self._bar.update(
            self._task, total=progress.entities_total, completed=progress.entities_finished, detail=detail
        )

    def close(self) -> None:
        self._bar.stop()


def progress_view(label: str, interval: float) -> ProgressView:
    """A rich bar when stderr is a terminal and rich is installed (``realto[cli]``), else lines."""
    if sys.stderr.isatty():
        try:
            import rich.progress
        except ImportError:
            pass
        else:
            import rich.console

            return RichBar(label, rich.progress, rich.console.Console(stderr=True))
    return PlainLines(label, interval)
