"""Draft routes: what a planned line with stops would add, saved per organisation.

A draft is GeoJSON in lon/lat: one or more (Multi)LineString features for the line and
(Multi)Point features for its stops, plus a name and departures per day (as foreign members
of the FeatureCollection, or given separately). Its stops cover discs of the bus radius when
the draft runs at least the minimum departures. The gains are measured against the existing
coverage of the same request: population newly covered and transit-blank area removed (both
within the populated cells, area-weighted as in :mod:`gis.transit.coverage`), newly covered
area of the municipality, and how much of the line runs within ``OVERLAP_M`` of an existing
route's line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from psycopg import sql
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from gis.layerstore.storage import Conn, layer_view
from gis.platform.errors import BadRequest
from gis.transit.coverage import QUAD_SEGS, CoverageModel, build_model
from gis.transit.request import TransitRequest
from gis.transit.service import route_services

OVERLAP_M = 50.0
MAX_STOPS = 500
MAX_DEPARTURES = 1000


@dataclass(frozen=True)
class Draft:
    """A parsed draft route (geometry in lon/lat)."""

    name: str
    departures_per_day: int
    line: BaseGeometry
    stops: list[shapely.Point]

    def features(self) -> list[dict[str, Any]]:
        """The draft as GeoJSON features: the line, then the stops in order."""
        line = {"type": "Feature", "geometry": shapely.geometry.mapping(self.line),
                "properties": {"role": "line"}}  # fmt: skip
        stops = [
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(p),
                "properties": {"role": "stop", "n": n},
            }
            for n, p in enumerate(self.stops, start=1)
        ]
        return [line, *stops]


def _in_japan(geom: BaseGeometry) -> bool:
    x0, y0, x1, y1 = geom.bounds
    return bool(122.0 <= x0 <= x1 <= 154.5 and 20.0 <= y0 <= y1 <= 46.0)


def parse_draft(body: Any, *, name: str | None = None, departures: int | None = None) -> Draft:
    """A draft from GeoJSON (dict or text); BadRequest says what is wrong."""
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except ValueError as err:
            raise BadRequest(f"the draft is not JSON: {err}") from None
    if not isinstance(body, dict) or body.get("type") not in ("FeatureCollection", "Feature"):
        raise BadRequest("the draft must be a GeoJSON FeatureCollection (a line and its stops)")
    features = body.get("features", []) if body["type"] == "FeatureCollection" else [body]
    lines: list[BaseGeometry] = []
    stops: list[shapely.Point] = []
    for n, feature in enumerate(features, start=1):
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise BadRequest(f"feature {n}: not a GeoJSON geometry ({err})") from None
        if geom.is_empty or not _in_japan(geom):
            raise BadRequest(f"feature {n}: empty or outside Japan (coordinates are lon, lat)")
        if geom.geom_type in ("LineString", "MultiLineString"):
            lines.append(geom)
        elif geom.geom_type in ("Point", "MultiPoint"):
            stops.extend(shapely.get_parts(geom))
        else:
            raise BadRequest(f"feature {n}: {geom.geom_type} is neither a line nor a stop")
    if not lines:
        raise BadRequest("the draft needs a LineString for the route")
    if not stops or len(stops) > MAX_STOPS:
        raise BadRequest(f"the draft needs 1 to {MAX_STOPS} stop points")
    label = (name or str(body.get("name") or "")).strip() or "draft"
    per_day = departures if departures is not None else body.get("departures_per_day")
    try:
        per_day = int(per_day)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadRequest("departures_per_day (a whole number) is required") from None
    if not 0 <= per_day <= MAX_DEPARTURES:
        raise BadRequest(f"departures_per_day must be 0 to {MAX_DEPARTURES}")
    return Draft(label[:200], per_day, shapely.line_merge(shapely.union_all(lines)), stops)


def _to_zone(geoms: list[BaseGeometry], epsg: int) -> np.ndarray:
    forward = Transformer.from_crs(4326, epsg, always_xy=True)
    return np.asarray(
        shapely.transform(
            np.asarray(geoms, dtype=object), lambda x, y: forward.transform(x, y), interleaved=False
        )
    )


def _route_lines(conn: Conn, model: CoverageModel) -> list[tuple[str, str, BaseGeometry]]:
    served = {r.key: r.name for r in route_services(conn, model.request) if r.trips > 0}
    rows = conn.execute(
        sql.SQL("SELECT feed_id, route_id, ST_AsBinary(ST_Transform(geom, %s)) FROM {}").format(
            layer_view("transit_routes")
        ),
        (model.epsg,),
    ).fetchall()
    return [
        (f"{r[0]}:{r[1]}", served[f"{r[0]}:{r[1]}"], shapely.from_wkb(bytes(r[2])))
        for r in rows
        if f"{r[0]}:{r[1]}" in served
    ]


def _gain(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return round(after - before, 1)


def evaluate(conn: Conn, req: TransitRequest, draft: Draft) -> dict[str, Any]:
    """The draft's gains over the existing coverage for ``req``."""
    model = build_model(conn, req)
    line = _to_zone([draft.line], model.epsg)[0]
    counts = draft.departures_per_day >= req.min_departures
    points = _to_zone(list(draft.stops), model.epsg)
    new = shapely.buffer(points, req.bus_radius_m, quad_segs=QUAD_SEGS) if counts else points[:0]
    everything = np.concatenate([model.discs, new])
    combined = model.covered_parts(everything, shapely.STRtree(everything))
    existing = model.covered_cells
    existing_union = shapely.union_all(model.discs)
    new_area = shapely.difference(
        shapely.intersection(shapely.union_all(new), model.boundary), existing_union
    )
    before, after = model.people(existing), model.people(combined)
    lines = [r for r in _route_lines(conn, model) if shapely.dwithin(line, r[2], OVERLAP_M)]
    near = shapely.buffer(np.asarray([g for _, _, g in lines], dtype=object), OVERLAP_M)
    shapely.prepare(line)
    overlaps = [
        (key, label, round(float(shapely.length(shapely.intersection(line, zone))), 1))
        for (key, label, _), zone in zip(lines, near, strict=True)
    ]
    overlap_m = float(shapely.length(shapely.intersection(line, shapely.union_all(near))))
    length = float(shapely.length(line))
    return {
        "name": draft.name,
        "departures_per_day": draft.departures_per_day,
        "meets_min_departures": counts,
        "stops": len(draft.stops),
        "length_m": round(length, 1),
        "population_newly_covered": _gain(before, after),
        "blank_area_removed_m2": round(
            float(np.sum(shapely.area(combined)) - np.sum(shapely.area(existing))), 1
        ),
        "newly_covered_area_m2": round(float(shapely.area(new_area)), 1),
        "overlap_m": round(overlap_m, 1),
        "overlap_share": round(overlap_m / length, 4) if length else 0.0,
        "overlapping_routes": [
            {"route": key, "name": label, "overlap_m": metres}
            for key, label, metres in sorted(overlaps, key=lambda o: -o[2])
            if metres > 0
        ],
        "crs": f"EPSG:{model.epsg}",
    }
