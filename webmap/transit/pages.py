"""``/map/transit``: the municipal transit planner's page (works without JavaScript)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template

from gis.platform.errors import NotFound
from gis.transit import coverage, export, service
from gis.transit.request import clock_text
from webmap import access, db
from webmap.transit.maps import transit_map
from webmap.transit.params import query_args, service_period, transit_request

bp = Blueprint("transit", __name__)
access.guard(bp, "transit_stops", "transit_routes", "population_mesh", "admin_boundaries")


@bp.get("/map/transit")
def transit_page() -> Any:
    """Controls (GET form), key figures, stop/route/blank-area tables, downloads, map slot."""
    with db.connection() as conn:
        municipalities = service.municipalities_with_stops(conn)
        first, last = service.service_range(conn)
        try:
            req = transit_request(conn)
        except NotFound as err:
            return render_template("transit/empty.html", reason=str(err)), 200
        name = service.municipality_name(conn, req.lg_code)
        period = service_period(conn, req.lg_code)
        stops = [s for s in service.stop_services(conn, req) if s.inside]
        all_routes = service.route_services(conn, req.without_filters())
        routes = service.route_services(conn, req)
        result = coverage.coverage(conn, req)
    operators = sorted({(r.agency_key, r.agency_name or r.agency_key) for r in all_routes})
    return render_template(
        "transit/transit.html",
        map=transit_map(),
        req=req,
        args=query_args(req),
        name=name,
        municipalities=municipalities,
        service_first=first,
        service_last=last,
        period=period,
        period_status=period.status(date.today()),
        operators=operators,
        all_routes=all_routes,
        stops=stops,
        routes=routes,
        result=result,
        summary=result.summary(),
        blank_rows=export.blank_rows(result),
        classes=export.SERVICE_CLASSES,
        colors={
            "coverage": export.COVERAGE_COLOR,
            "blank": export.BLANK_COLOR,
            "draft": export.DRAFT_COLOR,
        },
        clock=clock_text,
        departures_total=sum(s.departures for s in stops),
    )
