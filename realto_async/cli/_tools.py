"""``realto demo`` and ``realto emulator`` (which forwards its arguments unchanged)."""

from __future__ import annotations

import asyncio
import sys

import click

from ._errors import ExitCode

__all__ = ["demo", "emulator"]


@click.command()
@click.option(
    "--evs",
    type=click.IntRange(min=1, max=100_000),
    default=300,
    show_default=True,
    help="EVs in the emulated fleet",
)
@click.option(
    "--days",
    type=click.IntRange(min=1, max=3650),
    default=30,
    show_default=True,
    help="days of charge sessions to poll",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=1000),
    default=50,
    show_default=True,
    help="listings in flight at once",
)
@click.option("--seed", type=int, default=1, show_default=True)
def demo(evs: int, days: int, concurrency: int, seed: int) -> None:
    """Run the SDK end to end on the embedded emulator (no credentials, no network)."""
    from .._demo import DemoOptions, run_demo

    options = DemoOptions(evs=evs, days=days, concurrency=concurrency, seed=seed)
    try:
        sys.exit(asyncio.run(run_demo(options)))
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def emulator(args: tuple[str, ...]) -> None:
    """Serve the API emulator (options: 'realto emulator --help')."""
    from ..testing.__main__ import main as emulator_main

    sys.exit(emulator_main(list(args)))
