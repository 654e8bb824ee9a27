"""``python -m realto_async.testing`` (also ``realto emulator``): serve the emulator until interrupted.

::

    realto emulator --evs 5000 --charge-points 200 --frozen \\
        --fault "GET /v1/entities/*/charge-sessions status=503 probability=0.1"

It prints ``url:``, ``client_id:``, ``client_secret:`` (and ``token_url:`` for Traxes), then
``control:``, the address of the control API (``/_emulator/...``), one per line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys

from ._clock import FakeClock
from ._fault_rules import OPTION_NAMES, parse_rule
from ._faults import Fault
from ._fleet import Fleet
from ._server import FakeRealto

__all__ = ["main"]

# --flag -> the Fleet field it sets, one per entity type.
FLEET_FLAGS = {
    "evs": "EVs",
    "charge_points": "charge points (ChargePole / ChargePoint)",
    "solar": "solar plants (PV / SolarPlant)",
    "batteries": "home batteries",
    "heat_pumps": "heat pumps",
    "smart_meters": "smart meters (SmartMeter / Meter); each one makes a household",
    "retrofit_meters": "retrofit meters",
    "boilers": "boilers",
    "inverters": "inverters",
}
DEFAULT_ENTITIES = 40
FLAG_ALIASES = {"solar": ["--pv"]}


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def _fault(text: str) -> Fault:
    try:
        return parse_rule(text)
    except (ValueError, TypeError) as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="realto emulator",
        description="Serve the re.alto API emulator (re.alto and Traxes dialects) on loopback until Ctrl+C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port (default 8080)")
    parser.add_argument("--seed", default="1", help="the same seed gives the same fleet and answers")
    parser.add_argument("--flavor", choices=["realto", "traxes"], default="realto", help="the API dialect")
    parser.add_argument(
        "--frozen",
        action="store_true",
        help="stop time at 2024-06-01 12:00Z (move it with POST /_emulator/clock/advance)",
    )
    parser.add_argument(
        "--consent-after", type=float, default=2.0, help="seconds until onboarding consents (default 2)"
    )
    fleet = parser.add_argument_group(
        "fleet", "how many entities of each type; with any of these, the types not given are 0"
    )
    fleet.add_argument(
        "--entities",
        type=_count,
        metavar="N",
        help=f"a fleet of about N entities, 60%% EVs (default {DEFAULT_ENTITIES}; not with the flags below)",
    )
    for name, what in FLEET_FLAGS.items():
        flag = "--" + name.replace("_", "-")
        fleet.add_argument(flag, *FLAG_ALIASES.get(name, []), dest=name, type=_count, metavar="N", help=what)
    parser.add_argument(
        "--fault",
        action="append",
        type=_fault,
        default=[],
        metavar="RULE",
        help="a fault rule, repeatable: 'METHOD /path option=value ...' with * wildcards, e.g. "
        "'GET /v1/entities/*/charge-sessions status=503 probability=0.1'; options: "
        + ", ".join(OPTION_NAMES),
    )
    parser.add_argument(
        "--control",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="serve the control API under /_emulator on loopback (default on)",
    )
    return parser


def _fleet(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Fleet:
    counts = {name: getattr(args, name) for name in FLEET_FLAGS if getattr(args, name) is not None}
    if counts and args.entities is not None:
        parser.error("--entities is the whole fleet; give it or the per-type counts, not both")
    if counts:
        return Fleet(**{name: counts.get(name, 0) for name in FLEET_FLAGS})
    return Fleet.of_size(DEFAULT_ENTITIES if args.entities is None else args.entities)


def build(argv: list[str] | None) -> FakeRealto:
    """The emulator the arguments describe (argparse exits with status 2 on a bad one)."""
    parser = _parser()
    args = parser.parse_args(argv)
    server = FakeRealto(
        seed=args.seed,
        flavor=args.flavor,
        fleet=_fleet(parser, args),
        host=args.host,
        port=args.port,
        consent_after=args.consent_after,
        clock=FakeClock() if args.frozen else None,
        control=args.control,
    )
    server.faults.rules.extend(args.fault)
    return server


async def serve(server: FakeRealto) -> None:
    async with server.serve():
        print(f"url: {server.url}")
        print(f"client_id: {server.client_id}")
        print(f"client_secret: {server.client_secret}")
        if server.flavor == "traxes":
            print(f"token_url: {server.token_url}")
        print(f"control: {server.control_url if server.control else 'off'}")
        print(f"serving {len(server.store.entities)} entities; press Ctrl+C to stop", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    """The emulator's command line: serve until interrupted; 0 then, 1 when it cannot listen."""
    server = build(argv)
    # The fleet lives as long as the process: keep the garbage collector from walking it again
    # and again while pages are made (this process is the emulator's alone).
    gc.freeze()
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(serve(server))
        except OSError as err:
            print(f"cannot serve on {server.host}:{server.port}: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
