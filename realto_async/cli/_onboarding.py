"""``realto onboard ev`` and ``realto offboard``."""

from __future__ import annotations

import click

from .._client import AsyncRealtoClient
from ..models import OffboardingRequest, OnboardingRequest
from ._checks import positive_finite
from ._context import run, settings, with_format
from ._output import emit

__all__ = ["offboard", "onboard"]

_SUMMARY = ("id", "request_type", "status", "action_redirect_link")


@click.group()
def onboard() -> None:
    """Connect a device: the owner consents at the manufacturer through a link."""


@onboard.command("ev")
@click.option("--manufacturer", required=True, help="the EV's make as the platform names it, e.g. Tesla")
@click.option("--vin", required=True, help="the vehicle identification number")
@click.option("--wait", is_flag=True, help="wait until the owner consented and the EV is onboarded")
@click.option(
    "--wait-timeout",
    type=float,
    callback=positive_finite,
    default=600.0,
    show_default=True,
    help="seconds to wait at most",
)
@with_format
def onboard_ev(manufacturer: str, vin: str, wait: bool, wait_timeout: float, format_: str | None) -> None:
    """Start onboarding an EV (POST /v1/onboarding/entities) and print the consent link."""
    output = settings().output_format(format_)

    async def work(client: AsyncRealtoClient) -> OnboardingRequest:
        request = await client.onboarding.entities.create(type="EV", manufacturer=manufacturer, vin=vin)
        link = request.action.redirect_link if request.action is not None else None
        if output == "table":
            click.echo(f"consent link: {link or '(none yet)'}")
        else:
            click.echo(f"consent link: {link or '(none yet)'}", err=True)
        if wait:
            request = await client.onboarding.entities.wait(request.id, timeout=wait_timeout)
        return request

    emit([run(work)], output, many=False, summary=(*_SUMMARY, "data_entity_id"))


@click.command()
@click.argument("entity_id")
@click.option("--wait", is_flag=True, help="wait until the offboarding succeeded, failed or was canceled")
@click.option(
    "--wait-timeout",
    type=float,
    callback=positive_finite,
    default=600.0,
    show_default=True,
    help="seconds to wait at most",
)
@with_format
def offboard(entity_id: str, wait: bool, wait_timeout: float, format_: str | None) -> None:
    """Disconnect an entity (POST /v1/offboarding/entities)."""

    async def work(client: AsyncRealtoClient) -> OffboardingRequest:
        request = await client.offboarding.create(entity_id)
        if wait:
            request = await client.offboarding.wait(request.id, timeout=wait_timeout)
        return request

    emit(
        [run(work)], settings().output_format(format_), many=False, summary=("id", "status", "data_entity_id")
    )
