"""A FastAPI app serving a fleet's data: one AsyncRealtoClient, opened in the app's lifespan.

Run it with ``uvicorn examples.fastapi_app:app`` after setting REALTO_CLIENT_ID and
REALTO_CLIENT_SECRET (or REALTO_BASE_URL too, for the emulator).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from realto_async import (
    AsyncRealtoClient,
    CooldownActiveError,
    InvalidArgumentError,
    NotFoundError,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    # One client for the whole app: its connection pool and token are shared by every request.
    async with AsyncRealtoClient(timeout=20) as client:
        yield {"realto": client}


app = FastAPI(title="Fleet", lifespan=lifespan)


def realto(request: Request) -> AsyncRealtoClient:
    client: AsyncRealtoClient = request.state.realto
    return client


Realto = Annotated[AsyncRealtoClient, Depends(realto)]


@app.exception_handler(NotFoundError)
async def not_found(request: Request, err: NotFoundError) -> JSONResponse:
    return JSONResponse({"detail": "no such entity"}, status_code=404)


@app.exception_handler(InvalidArgumentError)
async def invalid_argument(request: Request, err: InvalidArgumentError) -> JSONResponse:
    return JSONResponse({"detail": str(err)}, status_code=422)


@app.get("/evs")
async def list_evs(client: Realto, limit: int = 100) -> list[dict[str, Any]]:
    """The fleet's EVs: id, manufacturer and model."""
    return [
        {
            "id": ev.id,
            "manufacturer": ev.information.manufacturer if ev.information else None,
            "model": ev.information.model if ev.information else None,
        }
        async for ev in client.entities.list(type="EV", max_items=limit)
    ]


@app.get("/evs/{entity_id}/sessions")
async def charge_sessions(entity_id: str, client: Realto, days: int = 7) -> dict[str, Any]:
    """The EV's charge sessions of the last ``days`` days, and the energy charged in kWh."""
    since = datetime.now(timezone.utc) - timedelta(days=days)
    sessions = []
    async for record in client.charge_sessions.list(entity_id, since):
        charge = record.data.charge
        kwh = charge.total.total if charge is not None and charge.total is not None else None
        sessions.append({"id": record.id, "start": record.data.start, "end": record.data.end, "kwh": kwh})
    return {
        "entity_id": entity_id,
        "sessions": sessions,
        "kwh": round(sum(session["kwh"] or 0.0 for session in sessions), 3),
    }


@app.post("/evs/{entity_id}/charge", status_code=202)
async def start_charging(entity_id: str, client: Realto) -> dict[str, Any]:
    """Send StartCharging; 409 while the entity's 10-minute command cooldown runs."""
    try:
        command = await client.commands.trigger(entity_id, type="StartCharging")
    except CooldownActiveError as err:
        raise HTTPException(409, "a command was sent to this EV less than 10 minutes ago") from err
    return {"command_id": command.id, "status": str(command.status)}
