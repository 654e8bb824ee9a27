"""The ``realto`` command line (click): ``realto --help`` lists the commands and exit codes."""

from __future__ import annotations

import sys

import click

from .._errors import RealtoError
from ._app import cli
from ._errors import ExitCode, describe

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run ``realto`` with ``argv`` (default: the process's arguments) and return its exit code."""
    try:
        cli.main(args=sys.argv[1:] if argv is None else argv, prog_name="realto", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except click.exceptions.Abort:
        click.echo("error: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except RealtoError as err:  # raised while the options were read, before any command ran
        message, code = describe(err, None)
        click.echo(f"error: {message}", err=True)
        return code
    return ExitCode.OK
