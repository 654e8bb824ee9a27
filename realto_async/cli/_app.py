"""The ``realto`` command group: global options, version, shell completion, subcommands."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from .._dialects import Flavor
from .._version import __version__
from ._checks import positive_finite
from ._commands import commands
from ._context import Settings
from ._entities import entities, readings
from ._errors import EXIT_CODES
from ._export import aggregations, export_readings, sessions
from ._onboarding import offboard, onboard
from ._output import OUTPUT_FORMATS
from ._tools import demo, emulator

__all__ = ["cli"]


@click.group(
    epilog="\b\nCredentials come only from the environment: REALTO_CLIENT_ID, REALTO_CLIENT_SECRET "
    "(never options, so they stay out of shell history).\n\n" + EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": None},
)
@click.version_option(__version__, "--version", prog_name="realto", message="%(prog)s %(version)s")
@click.option(
    "--base-url", envvar="REALTO_BASE_URL", metavar="URL", help="API base URL [env: REALTO_BASE_URL]"
)
@click.option(
    "--flavor",
    type=click.Choice(["realto", "traxes"]),
    envvar="REALTO_FLAVOR",
    help="API dialect (Traxes = DER Connect) [env: REALTO_FLAVOR]",
)
@click.option("--timeout", type=float, callback=positive_finite, metavar="SECONDS", help="per call")
@click.option(
    "--format",
    "format_",
    type=click.Choice(OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="output",
)
@click.option("--debug", is_flag=True, help="show the traceback of an error")
@click.pass_context
def cli(
    ctx: click.Context,
    base_url: str | None,
    flavor: Flavor | None,
    timeout: float | None,
    format_: str,
    debug: bool,
) -> None:
    """The re.alto / Traxes energy platform from the command line."""
    ctx.obj = Settings(base_url=base_url, flavor=flavor, timeout=timeout, format=format_, debug=debug)


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script, e.g. eval "$(realto completion bash)"."""
    complete = get_completion_class(shell)
    if complete is None:  # pragma: no cover - click ships all three
        raise click.UsageError(f"no completion for {shell}")
    click.echo(complete(cli, {}, "realto", "_REALTO_COMPLETE").source())


readings.add_command(export_readings)
for command in (entities, readings, sessions, aggregations, commands, onboard, offboard, demo, emulator):
    cli.add_command(command)
