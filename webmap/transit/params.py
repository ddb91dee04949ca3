"""The transit request of this HTTP request (query string or form), with sensible defaults:
the municipality with most stops, and today when the feeds have service information for it,
else the feeds' first day."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from gis.platform.errors import NotFound
from gis.transit import request as tr
from gis.transit.service import municipalities_with_stops, service_range


def default_date(conn: Any) -> date:
    """Today when inside the loaded feeds' service range, else the range's first day."""
    first, last = service_range(conn)
    today = date.today()
    if first is None or last is None or first <= today <= last:
        return today
    return first


def default_municipality(conn: Any) -> str:
    """The municipality with the most boarding stops."""
    found = municipalities_with_stops(conn)
    if not found or found[0][2] == 0:
        raise NotFound("no municipality has transit stops: load admin_boundaries and a feed")
    return found[0][0]


def transit_request(conn: Any, values: Any = None) -> tr.TransitRequest:
    """Parse municipality, date, agency, route, window, radii and min_departures."""
    args = values if values is not None else request.args
    raw_code = args.get("municipality")
    raw_date = args.get("date")
    return tr.TransitRequest(
        lg_code=tr.parse_lg_code(raw_code) if raw_code else default_municipality(conn),
        service_date=tr.parse_date(raw_date) if raw_date else default_date(conn),
        agencies=tr.parse_keys(args.getlist("agency"), "agency"),
        routes=tr.parse_keys(args.getlist("route"), "route"),
        bus_radius_m=tr.parse_radius(args.get("bus_radius"), "bus_radius",
                                     tr.DEFAULT_BUS_RADIUS_M),
        rail_radius_m=tr.parse_radius(args.get("rail_radius"), "rail_radius",
                                      tr.DEFAULT_RAIL_RADIUS_M),
        min_departures=tr.parse_count(args.get("min_departures"), "min_departures",
                                      tr.DEFAULT_MIN_DEPARTURES),
        window=tr.parse_window(args.get("window")),
    )  # fmt: skip


def query_args(req: tr.TransitRequest) -> dict[str, Any]:
    """The request as query parameters (for links and downloads)."""
    return {
        "municipality": req.lg_code,
        "date": req.service_date.isoformat(),
        "agency": list(req.agencies),
        "route": list(req.routes),
        "bus_radius": f"{req.bus_radius_m:g}",
        "rail_radius": f"{req.rail_radius_m:g}",
        "min_departures": req.min_departures,
        "window": f"{tr.clock_text(req.window[0])}-{tr.clock_text(req.window[1])}",
    }
