"""Landing page, layer list and health endpoints."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from gis.layerstore import loaded_layers as catalog
from gis.transit import derived, periods
from webmap import access, context, db
from webmap.i18n import current_lang
from webmap.ogc import documents

bp = Blueprint("pages", __name__)
TRANSIT_LAYER = "transit_stops"  # made from the GTFS feeds


def _wants_json() -> bool:
    if request.args.get("f") in ("json", "html"):
        return request.args["f"] == "json"
    if not request.accept_mimetypes:  # no Accept header: a person typing the URL
        return False
    # browsers name text/html; API clients send */* or application/json
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


@bp.get("/")
def landing() -> Any:
    """What Kasane is, with links to every map and the API."""
    if _wants_json():
        return jsonify(documents.landing())
    return render_template("pages/index.html", layers=access.registry())


@bp.get("/layers")
def layers() -> Any:
    """Every public layer with its served version and row count, and the service period of
    each GTFS feed behind the transit layers (feeds expire: the period says until when)."""
    visible = access.registry()
    with db.read_connection() as conn:
        status = catalog.layer_status(conn)
        transit = any(spec.id == TRANSIT_LAYER for spec in visible)
        found = periods.feed_periods(conn) if transit else []
    today = date.today()
    feeds = [{"feed_id": p.feed_id, **p.to_json(today)} for p in found]
    lang = current_lang()
    rows = [
        {
            "id": spec.id,
            "kind": spec.kind.value,
            "title": spec.title.get(lang),
            "description": spec.description.get(lang),
            "geometry": spec.geometry.value,
            "attribution": spec.license.attribution.get(lang),
            "version": status.get(spec.id, {}).get("version"),
            "features": status.get(spec.id, {}).get("rows_loaded"),
            "loaded_at": status.get(spec.id, {}).get("loaded_at"),
        }
        for spec in visible
    ]
    if _wants_json():
        return jsonify({"layers": rows, "feeds": feeds})
    return render_template("pages/layers.html", layers=rows, feeds=feeds)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive (no database call)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """The database answers; 503 (with Retry-After) when it does not. Each read replica's
    state (streaming, lagging, down) and lag under ``replicas`` when any are set. With
    ``deep=1``, also whether every derived layer agrees with its sources: ``"status":
    "degraded"`` (still 200: the server can serve) and one line per disagreement under
    ``derived_layers``."""
    deep = request.args.get("deep") == "1"
    with db.connection() as conn:
        conn.execute("SELECT 1")
        problems = derived.check_derived(conn, _declared_derived()) if deep else []
    extra: dict[str, Any] = {}
    replicas = db.replicas_of(current_app)
    if replicas is not None:  # a replica down or behind is skipped: reported, never a 503
        extra["replicas"] = [s.describe(replicas[0].max_lag_s) for s in replicas[0].states]
    if deep:
        status = "degraded" if problems else "ready"
        return jsonify({"status": status, "derived_layers": problems, **extra})
    return jsonify({"status": "ready", **extra})


def _declared_derived() -> tuple[str, ...]:
    registry = context.registry()
    return tuple(layer for layer in derived.DERIVED_LAYERS if layer in registry)
