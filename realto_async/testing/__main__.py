"""``python -m realto_async.testing``: serve the emulator until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from ._clock import FakeClock
from ._server import FakeRealto


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m realto_async.testing", description="Serve the re.alto API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--entities", type=int, default=40, help="size of the fleet")
    parser.add_argument("--flavor", choices=["realto", "traxes"], default="realto")
    parser.add_argument("--consent-after", type=float, default=2.0, help="seconds until onboarding consents")
    parser.add_argument(
        "--frozen",
        action="store_true",
        help="stop time at 2024-06-01 12:00Z: answers are cached and byte-identical",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = FakeRealto(
        seed=args.seed,
        flavor=args.flavor,
        entities=args.entities,
        host=args.host,
        port=args.port,
        consent_after=args.consent_after,
        clock=FakeClock() if args.frozen else None,
    )
    async with server.serve():
        print(f"url: {server.url}")
        print(f"client_id: {server.client_id}")
        print(f"client_secret: {server.client_secret}")
        if args.flavor == "traxes":
            print(f"token_url: {server.token_url}")
        print("serving; press Ctrl+C to stop", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(serve(args))
        except OSError as err:
            print(f"cannot serve on {args.host}:{args.port}: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
