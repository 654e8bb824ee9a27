"""Per-entity settings (all inferred endpoints)."""

from __future__ import annotations

from ._base import RealtoModel, model

__all__ = ["Disaggregator", "Feature", "Location"]


@model
class Feature(RealtoModel):
    """A feature switch of an entity, e.g. ``CaptureChargeSessions``."""

    name: str
    enabled: bool


@model
class Location(RealtoModel):
    """A named place (home, depot) that readings and sessions are matched to."""

    id: str
    label: str
    latitude: float
    longitude: float
    radius: float | None = None


@model
class Disaggregator(RealtoModel):
    """A consumption disaggregator of a meter (e.g. heat pump, EV charging)."""

    type: str
    enabled: bool
