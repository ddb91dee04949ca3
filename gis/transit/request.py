"""What a transit-planning request asks for, parsed and checked once.

A request names a municipality (its N03 / JIS X 0402 code), a service date, optional operator
and route filters, the walking radii and the minimum service level. Routes and operators are
keyed ``"<feed_id>:<route_id>"`` and ``"<feed_id>:<agency_id>"`` because ids are only unique
within one feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from gis.geo.lg_codes import normalize_lg_code
from gis.platform.errors import BadRequest
from gis.platform.params import parse_float, parse_int

DEFAULT_BUS_RADIUS_M = 300.0
DEFAULT_RAIL_RADIUS_M = 500.0
DEFAULT_MIN_DEPARTURES = 1
DEFAULT_WINDOW = (7 * 3600, 19 * 3600)
MAX_RADIUS_M = 5000.0


@dataclass(frozen=True)
class TransitRequest:
    """One planner's question: which municipality, which day, which services, what reach."""

    lg_code: str
    service_date: date
    agencies: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    bus_radius_m: float = DEFAULT_BUS_RADIUS_M
    rail_radius_m: float = DEFAULT_RAIL_RADIUS_M
    min_departures: int = DEFAULT_MIN_DEPARTURES
    window: tuple[int, int] = field(default=DEFAULT_WINDOW)

    def without_filters(self) -> TransitRequest:
        """The same request for every operator and route (to list the filter choices)."""
        return replace(self, agencies=(), routes=())

    @property
    def max_radius_m(self) -> float:
        """The larger of the two radii (how far outside the boundary a stop still counts)."""
        return max(self.bus_radius_m, self.rail_radius_m)


def parse_lg_code(raw: str | None) -> str:
    """A 6-digit municipality code from 5 or 6 digits; BadRequest otherwise."""
    if not raw or not raw.strip():
        raise BadRequest("municipality is required (a 5- or 6-digit local-government code)")
    try:
        return normalize_lg_code(raw)
    except ValueError as err:
        raise BadRequest(f"municipality: {err}") from None


def parse_date(raw: str | None) -> date:
    """A date from ``YYYY-MM-DD`` or ``YYYYMMDD``; BadRequest otherwise."""
    text = (raw or "").strip()
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", text)
    try:
        if not m:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise BadRequest(f"date must be YYYY-MM-DD, not {text!r}") from None


def parse_radius(raw: str | None, name: str, default: float) -> float:
    """A radius in metres, 1 to 5000; BadRequest otherwise."""
    return parse_float(raw, name, default=default, minimum=1, maximum=MAX_RADIUS_M, unit=" m")


def parse_count(raw: str | None, name: str, default: int) -> int:
    """A whole number ≥ 0; BadRequest otherwise."""
    return parse_int(raw, name, default=default, minimum=0)


def _clock(text: str) -> int:
    m = re.fullmatch(r"(\d{1,2}):([0-5]\d)", text.strip())
    if not m or int(m[1]) > 30:
        raise BadRequest(f"times must be HH:MM (up to 30:00), not {text!r}")
    return int(m[1]) * 3600 + int(m[2]) * 60


def parse_window(raw: str | None) -> tuple[int, int]:
    """A time window ``HH:MM-HH:MM`` as seconds past midnight; BadRequest otherwise."""
    if raw is None or not raw.strip():
        return DEFAULT_WINDOW
    start, sep, end = raw.partition("-")
    if not sep:
        raise BadRequest(f"window must be HH:MM-HH:MM, not {raw!r}")
    window = (_clock(start), _clock(end))
    if window[0] >= window[1]:
        raise BadRequest("window must end after it starts")
    return window


def parse_keys(values: list[str], name: str) -> tuple[str, ...]:
    """Filter keys ``feed_id:id`` (blank values dropped); BadRequest for a key without feed."""
    keys = tuple(v.strip() for v in values if v.strip())
    for key in keys:
        if ":" not in key:
            raise BadRequest(f"{name} values are 'feed_id:id', not {key!r}")
    return keys


def clock_text(seconds: int | None) -> str | None:
    """``27000`` -> ``'07:30'``; hours past 24 stay as they are (``'25:10'``)."""
    if seconds is None:
        return None
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
