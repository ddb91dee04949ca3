"""``/api/transit``: stops, routes, coverage, blank areas (JSON, CSV, GeoJSON) and drafts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, jsonify, request

from gis.ogc.opendata import csv_bytes
from gis.platform import audit
from gis.platform.errors import BadRequest
from gis.transit import coverage, draft_store, drafts, export, periods, service
from webmap import access, db
from webmap.auth import require_principal
from webmap.i18n import current_lang
from webmap.responses import csv_response, output_format
from webmap.transit.params import period_json, query_args, transit_request

bp = Blueprint("transit_api", __name__, url_prefix="/api/transit")
GEOJSON = {"Content-Type": "application/geo+json"}
TRANSIT_LAYERS = ("transit_stops", "transit_routes", "population_mesh", "admin_boundaries")
access.guard(bp, *TRANSIT_LAYERS)


def _echo(req: Any) -> dict[str, Any]:
    return {"request": query_args(req), "service_period": period_json(req)}


@bp.get("/municipalities")
def municipalities() -> Any:
    """Municipalities with their number of boarding stops, and the feeds' service range."""
    with db.connection() as conn:
        rows = service.municipalities_with_stops(conn)
        first, last = service.service_range(conn)
        feeds = periods.feed_periods(conn)
    today = date.today()
    return jsonify(
        {
            "service_range": [d.isoformat() if d else None for d in (first, last)],
            "feeds": [{"feed_id": p.feed_id, **p.to_json(today)} for p in feeds],
            "municipalities": [{"lg_code": c, "name": n, "stops": s} for c, n, s in rows],
        }
    )


@bp.get("/stops")
def stops() -> Any:
    """Boarding stops in the municipality with departures on the date (json, csv, geojson)."""
    fmt = output_format("json", "csv", "geojson")
    with db.connection() as conn:
        req = transit_request(conn)
        found = service.stop_services(conn, req)
    if fmt == "csv":
        rows = [export.stop_row(s) for s in found]
        name = f"transit-stops-{req.lg_code}-{req.service_date}.csv"
        return csv_response(csv_bytes(export.STOP_COLUMNS, rows), name)
    if fmt == "geojson":
        features = export.stops_features(found, current_lang())
        return jsonify(export.collection(features, **_echo(req))), 200, GEOJSON
    items = [dict(zip(export.STOP_COLUMNS, export.stop_row(s), strict=True)) for s in found]
    return jsonify({**_echo(req), "stops": items})


@bp.get("/routes")
def routes() -> Any:
    """Routes serving the municipality with trips on the date (json, csv, geojson)."""
    fmt = output_format("json", "csv", "geojson")
    with db.connection() as conn:
        req = transit_request(conn)
        found = service.route_services(conn, req)
        if fmt == "geojson":
            features = export.routes_features(conn, found)
            return jsonify(export.collection(features, **_echo(req))), 200, GEOJSON
    if fmt == "csv":
        rows = [export.route_row(r) for r in found]
        name = f"transit-routes-{req.lg_code}-{req.service_date}.csv"
        return csv_response(csv_bytes(export.ROUTE_COLUMNS, rows), name)
    items = [dict(zip(export.ROUTE_COLUMNS, export.route_row(r), strict=True)) for r in found]
    for item, r in zip(items, found, strict=True):
        item["key"], item["operator_key"] = r.key, r.agency_key
    return jsonify({**_echo(req), "routes": items})


@bp.get("/coverage")
def coverage_summary() -> Any:
    """Covered area and population, blank area (json), or the covered area (geojson)."""
    fmt = output_format("json", "geojson")
    with db.connection() as conn:
        req = transit_request(conn)
        result = coverage.coverage(conn, req, with_areas=False)
    if fmt == "geojson":
        geom = coverage.to_wgs84([result.covered_geometry], result.epsg)[0]
        feature = export.feature(geom, {"color": export.COVERAGE_COLOR, **result.summary()})
        return jsonify(export.collection([feature], **_echo(req))), 200, GEOJSON
    return jsonify({**_echo(req), **result.summary()})


@bp.get("/blank-areas")
def blank_areas() -> Any:
    """Transit-blank areas as GeoJSON polygons (the default) or a CSV summary."""
    fmt = output_format("geojson", "csv")
    with db.connection() as conn:
        req = transit_request(conn)
        result = coverage.coverage(conn, req)
    if fmt == "csv":
        name = f"transit-blank-areas-{req.lg_code}-{req.service_date}.csv"
        return csv_response(csv_bytes(export.BLANK_COLUMNS, export.blank_rows(result)), name)
    summary = {**result.summary(), "blank_areas": len(result.blank_areas)}
    body = export.collection(export.blank_features(result), **_echo(req), summary=summary)
    return jsonify(body), 200, GEOJSON


def _posted_draft() -> drafts.Draft:
    per_day = request.args.get("departures_per_day") or request.form.get("departures_per_day")
    name = request.args.get("name") or request.form.get("name")
    departures = None
    if per_day:
        try:
            departures = int(per_day)
        except ValueError:
            raise BadRequest(f"departures_per_day must be whole, not {per_day!r}") from None
    upload = request.files.get("file")
    if upload is not None:
        body: Any = upload.read()
    else:
        body = request.get_json(silent=True)
        if body is None:
            raise BadRequest("post the draft as GeoJSON (application/json) or as a file field")
    return drafts.parse_draft(body, name=name, departures=departures)


@bp.post("/drafts/evaluate")
def evaluate_draft() -> Any:
    """The gains of a draft route, without saving it."""
    draft = _posted_draft()
    with db.connection() as conn:
        req = transit_request(conn)
        result = drafts.evaluate(conn, req, draft)
    return jsonify({**_echo(req), "result": result})


@bp.post("/drafts")
def save_draft() -> Any:
    """Evaluate a draft route and save it for the caller's organisation (Bearer token)."""
    draft = _posted_draft()
    with db.connection() as conn:
        who = require_principal(conn)
        req = transit_request(conn)
        result = drafts.evaluate(conn, req, draft)
        record = draft_store.save(conn, who, req, draft, result)
        summary = {"name": record["name"], "lg_code": req.lg_code}
        audit.record(conn, who, "transit.draft.create", f"drafts/{record['id']}", after=summary)
    record.pop("features")
    return jsonify(record), 201, {"Location": f"{bp.url_prefix}/drafts/{record['id']}"}


@bp.get("/drafts")
def list_drafts() -> Any:
    """The caller's organisation's drafts (Bearer token)."""
    with db.connection() as conn:
        return jsonify({"drafts": draft_store.list_drafts(conn, require_principal(conn))})


@bp.get("/drafts/<int:draft_id>")
def get_draft(draft_id: int) -> Any:
    """One saved draft as GeoJSON (Bearer token)."""
    with db.connection() as conn:
        record = draft_store.get_draft(conn, require_principal(conn), draft_id)
    headers = {**GEOJSON, "Content-Disposition": f'attachment; filename="draft-{draft_id}.geojson"'}
    return jsonify(draft_store.as_geojson(record)), 200, headers


@bp.delete("/drafts/<int:draft_id>")
def delete_draft(draft_id: int) -> Any:
    """Delete a saved draft (Bearer token of an editor or admin of its organisation)."""
    with db.connection() as conn:
        who = require_principal(conn)
        record = draft_store.get_draft(conn, who, draft_id)
        draft_store.delete_draft(conn, who, draft_id)
        before = {"name": record["name"], "lg_code": record["lg_code"]}
        audit.record(conn, who, "transit.draft.delete", f"drafts/{draft_id}", before=before)
    return "", 204
