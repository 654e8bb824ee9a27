"""What the global options set, and running one command's coroutine with a client."""

from __future__ import annotations

import asyncio
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import attrs
import click

from .._client import AsyncRealtoClient
from .._dialects import Flavor
from ._errors import ExitCode, describe

__all__ = ["Settings", "fail", "run", "settings"]

T = TypeVar("T")


@attrs.define
class Settings:
    """The global options; credentials come only from REALTO_CLIENT_ID / REALTO_CLIENT_SECRET."""

    base_url: str | None = None
    flavor: Flavor | None = None
    timeout: float | None = None
    format: str = "table"
    debug: bool = False

    def client(self) -> AsyncRealtoClient:
        return AsyncRealtoClient(base_url=self.base_url, flavor=self.flavor, timeout=self.timeout)

    def output_format(self, local: str | None) -> str:
        return local or self.format


def settings() -> Settings:
    return click.get_current_context().find_object(Settings) or Settings()


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def run(work: Callable[[AsyncRealtoClient], Awaitable[T]]) -> T:
    """Build the client, run ``work(client)`` on a fresh event loop, and close the client; any
    error becomes one line on stderr and its exit code (the traceback too with --debug)."""
    options = settings()

    async def main() -> T:
        async with options.client() as client:
            return await work(client)

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        fail("interrupted", ExitCode.INTERRUPTED)
    except click.exceptions.Exit:
        raise
    except Exception as err:  # every error ends as one line and an exit code
        if options.debug:
            traceback.print_exc()
        message, code = describe(err, options.base_url or _env_base_url())
        fail(message, code)


def _env_base_url() -> str | None:
    import os

    return os.environ.get("REALTO_BASE_URL")


def with_format(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--format`` to a command (default: the global ``--format``)."""
    from ._output import OUTPUT_FORMATS

    return click.option(
        "--format",
        "format_",
        type=click.Choice(OUTPUT_FORMATS),
        default=None,
        help="output format (default: the global --format, else table)",
    )(command)
