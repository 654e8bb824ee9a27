"""``python -m realto_async`` (also the ``realto`` command): ``demo`` and ``emulator``."""

from __future__ import annotations

import argparse
import asyncio
import sys

from ._version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="realto", description="The realto SDK's command line.")
    parser.add_argument("--version", action="version", version=f"realto {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the SDK end to end on the embedded emulator")
    demo.add_argument("--evs", type=int, default=300, help="EVs in the emulated fleet (default 300)")
    demo.add_argument("--days", type=int, default=30, help="days of charge sessions to poll (default 30)")
    demo.add_argument("--concurrency", type=int, default=50, help="listings in flight at once (default 50)")
    demo.add_argument("--seed", type=int, default=1)
    commands.add_parser(
        "emulator", help="serve the emulator (see 'python -m realto_async.testing --help')", add_help=False
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["emulator"]:
        from .testing.__main__ import main as emulator_main

        return emulator_main(args_list[1:])
    args = _parser().parse_args(args_list)
    from ._demo import DemoOptions, run_demo

    for name in ("evs", "days", "concurrency"):
        if getattr(args, name) < 1:
            print(f"--{name} must be at least 1", file=sys.stderr)
            return 2
    options = DemoOptions(evs=args.evs, days=args.days, concurrency=args.concurrency, seed=args.seed)
    try:
        return asyncio.run(run_demo(options))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
