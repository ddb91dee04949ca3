"""JSON/CSV/SVG endpoints for planners: dead-zone summary, 5G mesh rate, area statistics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from gis.ogc.opendata import csv_bytes
from gis.planning import areastats, deadzones, mesh_coverage
from gis.platform.year_targets import parse_targets
from webmap import access, context, db
from webmap.i18n import current_lang
from webmap.planners import charts
from webmap.responses import csv_response, int_arg, output_format, svg_response

bp = Blueprint("planners_api", __name__, url_prefix="/api")
DEADZONE_LAYERS = ("dead_zones", "admin_boundaries")
MESH_LAYERS = ("mesh_coverage", "admin_boundaries", "population_mesh")


def _targets() -> dict[int, int]:
    return parse_targets(context.settings().deadzone_targets)


def scope() -> mesh_coverage.Scope:
    """The request's ``scope`` parameter, else the configured default."""
    return mesh_coverage.check_scope(request.args.get("scope") or context.settings().mesh_scope)


def dead_zone_summary(by: str | None = None) -> deadzones.DeadZoneSummary:
    """The summary for this request's ``as_of`` (and ``by`` unless given)."""
    access.require(*DEADZONE_LAYERS)
    with db.connection() as conn:
        return deadzones.summary(
            conn, as_of=int_arg("as_of"), by=by or request.args.get("by"), targets=_targets()
        )


@bp.get("/deadzones/summary")
def deadzone_summary() -> Any:
    """Districts and households unresolved per year (and per municipality) vs the target."""
    fmt = output_format("json", "csv")
    result = dead_zone_summary()
    if fmt == "csv":
        rows = deadzones.summary_rows(result)
        body = csv_bytes(deadzones.CSV_COLUMNS, [list(r.values()) for r in rows])
        return csv_response(body, f"deadzones-{result.as_of}.csv")
    return jsonify(result.as_dict())


@bp.get("/deadzones/districts")
def deadzone_districts() -> Any:
    """Districts as GeoJSON with their status at the end of ``as_of`` (for the map)."""
    access.require(*DEADZONE_LAYERS)
    with db.connection() as conn:
        as_of = int_arg("as_of") or deadzones.year_range(conn)[1]
        collection = deadzones.districts_geojson(conn, as_of)
    return jsonify(collection), 200, {"Content-Type": "application/geo+json"}


def trend_chart_svg(result: deadzones.DeadZoneSummary, lang: str) -> str:
    """The trend chart: unresolved districts per year against the target line."""
    ja = lang != "en"
    years = tuple(y.year for y in result.years)
    counts = tuple(y.unresolved_districts for y in result.years)
    listed = ", ".join(
        (
            f"{y.year}年 {y.unresolved_districts}地区"
            if ja
            else f"{y.year}: {y.unresolved_districts}"
        )
        + (f" (目標 {y.target:.0f})" if ja and y.target is not None else "")
        + (f" (target {y.target:.0f})" if not ja and y.target is not None else "")
        for y in result.years
    )
    return charts.line_chart(
        years,
        counts,
        tuple(y.target for y in result.years),
        labels=("未解消地区数", "目標", "表示年") if ja else ("Unresolved", "Target", "Shown year"),
        marked_year=result.as_of,
        title="携帯電話不感地区数の推移" if ja else "Mobile dead-zone districts per year",
        desc=("年末時点の未解消地区数: " if ja else "Unresolved districts at year end: ") + listed,
    )


@bp.get("/deadzones/chart.svg")
def deadzone_chart() -> Any:
    """The trend chart as SVG."""
    return svg_response(trend_chart_svg(dead_zone_summary(), current_lang()))


def rates() -> list[mesh_coverage.YearRate]:
    """Deployment rates for this request's scope."""
    access.require(*MESH_LAYERS)
    with db.connection() as conn:
        return mesh_coverage.deployment_rates(conn, scope())


@bp.get("/mesh-coverage/rates")
def mesh_rates() -> Any:
    """The 5G deployment rate per year on the 2nd mesh, for a scope."""
    fmt = output_format("json", "csv")
    chosen = scope()
    result = rates()
    if fmt == "csv":
        columns = ("year", "cells_in_scope", "cells_with_station", "rate")
        body = csv_bytes(
            columns, [(r.year, r.cells_in_scope, r.cells_with_station, r.rate) for r in result]
        )
        return csv_response(body, f"mesh-coverage-{chosen}.csv")
    return jsonify({"scope": chosen, "mesh_level": mesh_coverage.LEVEL, "years": result})


@bp.get("/mesh-coverage/cells")
def mesh_cells() -> Any:
    """Cells in scope as GeoJSON with ``has_station`` for a year (for the map)."""
    access.require(*MESH_LAYERS)
    with db.connection() as conn:
        year = int_arg("year")
        if year is None:
            year = max(mesh_coverage.cells_with_station(conn))
        collection = mesh_coverage.cells_geojson(conn, scope(), year)
    return jsonify(collection), 200, {"Content-Type": "application/geo+json"}


def rate_chart_svg(result: list[mesh_coverage.YearRate], lang: str) -> str:
    """Bars of the deployment rate per year."""
    ja = lang != "en"
    listed = ", ".join(
        f"{r.year}: {r.rate:.0%} ({r.cells_with_station}/{r.cells_in_scope})" for r in result
    )
    return charts.bar_chart(
        tuple(str(r.year) for r in result),
        tuple(r.rate for r in result),
        percent=True,
        title="5G基盤展開率 (2次メッシュ)" if ja else "5G deployment rate (2nd mesh)",
        desc=("年ごとの展開率: " if ja else "Rate per year: ") + listed,
    )


@bp.get("/mesh-coverage/chart.svg")
def mesh_chart() -> Any:
    """The deployment-rate chart as SVG."""
    return svg_response(rate_chart_svg(rates(), current_lang()))


@bp.get("/areastats/<layer_id>")
def area_statistics(layer_id: str) -> Any:
    """Counts, lengths or areas of a public layer per municipality or JIS X 0410 mesh."""
    fmt = output_format("json", "csv", "geojson")
    spec = access.layer(layer_id)
    unit = areastats.check_unit(request.args.get("by", "municipality"))
    with db.connection() as conn:
        stats = areastats.area_statistics(conn, spec, unit)
        if fmt == "geojson":
            body = areastats.as_geojson(conn, stats)
            return jsonify(body), 200, {"Content-Type": "application/geo+json"}
    if fmt == "csv":
        rows = [(u.code, u.name, u.value) for u in stats.units]
        filename = f"{layer_id}-{unit}-{stats.measure}.csv"
        return csv_response(csv_bytes(("code", "name", stats.measure), rows), filename)
    return jsonify(
        {
            "layer": stats.layer,
            "unit": stats.unit,
            "measure": stats.measure,
            "total": stats.total,
            "units": stats.units,
        }
    )
