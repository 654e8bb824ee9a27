"""Running the ``realto`` command as a subprocess against an emulator served from a thread."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import attrs

from realto_async.testing import FakeRealto

__all__ = ["Cli", "Result", "serve_env", "serve_for_cli"]


@attrs.frozen
class Result:
    code: int
    out: str
    err: str


@attrs.frozen
class Cli:
    """``realto`` with REALTO_* pointing at one emulator (or the given environment)."""

    env: dict[str, str]

    def __call__(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "realto_async", *args],
            env=self.env if env is None else env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def without(self, *names: str) -> dict[str, str]:
        return {key: value for key, value in self.env.items() if key not in names}


def clean_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("REALTO_")}


def serve_env(server: FakeRealto) -> dict[str, str]:
    """This process's environment without REALTO_*, then REALTO_* pointing at ``server``."""
    return clean_env() | {
        "REALTO_BASE_URL": server.url,
        "REALTO_CLIENT_ID": server.client_id,
        "REALTO_CLIENT_SECRET": server.client_secret,
    }


def serve_for_cli(**options: Any) -> Iterator[tuple[FakeRealto, Cli]]:
    """An emulator on the real clock and a Cli pointed at it."""
    with FakeRealto(**options).serve_in_thread() as server:
        yield server, Cli(serve_env(server))
