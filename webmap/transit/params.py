"""The transit request of this HTTP request (query string or form), with sensible defaults:
the municipality with most stops, and today when its feeds have service information for it,
else a day inside their service period (see :mod:`gis.transit.periods`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, request

from gis.platform.errors import NotFound
from gis.transit import request as tr
from gis.transit.periods import Period, municipality_period
from gis.transit.service import municipalities_with_stops


def service_period(conn: Any, lg_code: str) -> Period:
    """The service period of the municipality's feeds (looked up once per request)."""
    known: tuple[str, Period] | None = g.get("kasane_transit_period")
    if known is None or known[0] != lg_code:
        known = (lg_code, municipality_period(conn, lg_code))
        g.kasane_transit_period = known
    return known[1]


def period_json(req: tr.TransitRequest) -> dict[str, Any] | None:
    """This request's municipality's service period for the API (see :func:`service_period`)."""
    known: tuple[str, Period] | None = g.get("kasane_transit_period")
    if known is None or known[0] != req.lg_code:
        return None
    return known[1].to_json(date.today())


def default_date(conn: Any, lg_code: str) -> date:
    """Today when inside the municipality's feeds' service period, else a day inside it."""
    return service_period(conn, lg_code).default_day(date.today())


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
    lg_code = tr.parse_lg_code(raw_code) if raw_code else default_municipality(conn)
    service_period(conn, lg_code)
    return tr.TransitRequest(
        lg_code=lg_code,
        service_date=tr.parse_date(raw_date) if raw_date else default_date(conn, lg_code),
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
