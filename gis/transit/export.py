"""Stops, routes, coverage and blank areas as GeoJSON features and CSV rows.

Stops carry a service class for the map: colour and radius grow with the departures of the
day (colours from the Okabe-Ito palette, distinguishable with colour-blindness; the class
label says the same in words).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from psycopg import sql
from shapely.geometry.base import BaseGeometry

from gis.layerstore.storage import Conn, layer_view
from gis.transit.coverage import Coverage, to_wgs84
from gis.transit.request import clock_text
from gis.transit.service import RouteService, StopService

DECIMALS = 7


@dataclass(frozen=True)
class ServiceClass:
    """A band of departures per day, with how the map draws it."""

    minimum: int
    color: str
    radius_px: int
    ja: str
    en: str


SERVICE_CLASSES = (
    ServiceClass(0, "#999999", 3, "運行なし", "No service"),
    ServiceClass(1, "#E69F00", 4, "1〜9本", "1-9 departures"),
    ServiceClass(10, "#56B4E9", 5, "10〜29本", "10-29 departures"),
    ServiceClass(30, "#009E73", 7, "30〜59本", "30-59 departures"),
    ServiceClass(60, "#0072B2", 9, "60本以上", "60 or more departures"),
)
COVERAGE_COLOR = "#0072B2"
BLANK_COLOR = "#D55E00"
DRAFT_COLOR = "#CC79A7"

STOP_COLUMNS = ("feed_id", "stop_id", "name", "lon", "lat", "inside", "departures",
                "first_departure", "last_departure", "window_departures", "mean_headway_min",
                "routes", "rail")  # fmt: skip
ROUTE_COLUMNS = ("feed_id", "route_id", "operator", "short_name", "long_name", "route_type",
                 "trips", "first_departure", "last_departure")  # fmt: skip
BLANK_COLUMNS = ("area_id", "area_m2", "population", "lon", "lat")


def service_class(departures: int) -> ServiceClass:
    """The band a number of departures falls in."""
    return [c for c in SERVICE_CLASSES if departures >= c.minimum][-1]


def stop_row(s: StopService) -> tuple[Any, ...]:
    """A stop as a CSV row (times as HH:MM)."""
    return (s.feed_id, s.stop_id, s.name, s.lon, s.lat, s.inside, s.departures,
            clock_text(s.first_departure), clock_text(s.last_departure), s.window_departures,
            s.mean_headway_min, s.routes, s.rail)  # fmt: skip


def route_row(r: RouteService) -> tuple[Any, ...]:
    """A route as a CSV row."""
    return (r.feed_id, r.route_id, r.agency_name, r.short_name, r.long_name, r.route_type,
            r.trips, clock_text(r.first_departure), clock_text(r.last_departure))  # fmt: skip


def feature(geometry: BaseGeometry, properties: dict[str, Any], fid: Any = None) -> dict[str, Any]:
    """A GeoJSON feature (lon/lat rounded to 7 decimals)."""
    geojson = shapely.geometry.mapping(shapely.set_precision(geometry, 10**-DECIMALS))
    feature = {"type": "Feature", "geometry": geojson, "properties": properties}
    if fid is not None:
        feature["id"] = fid
    return feature


def collection(features: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A FeatureCollection with extra top-level members (e.g. the request)."""
    return {"type": "FeatureCollection", **extra, "features": features}


def stops_features(stops: list[StopService], lang: str) -> list[dict[str, Any]]:
    """Stops as point features with their service class, colour and radius."""
    out = []
    for s in stops:
        band = service_class(s.departures)
        props = dict(zip(STOP_COLUMNS, stop_row(s), strict=True))
        props.update(color=band.color, radius_px=band.radius_px,
                     service_class=band.en if lang == "en" else band.ja)  # fmt: skip
        out.append(feature(shapely.Point(s.lon, s.lat), props, s.key))
    return out


def routes_features(conn: Conn, routes: list[RouteService]) -> list[dict[str, Any]]:
    """Routes with their lines from the served ``transit_routes`` layer."""
    rows = conn.execute(
        sql.SQL("SELECT feed_id, route_id, ST_AsBinary(geom) FROM {}").format(
            layer_view("transit_routes")
        )
    ).fetchall()
    lines = {(str(r[0]), str(r[1])): shapely.from_wkb(bytes(r[2])) for r in rows}
    out = []
    for r in routes:
        line = lines.get((r.feed_id, r.route_id))
        if line is None:
            continue
        props = dict(zip(ROUTE_COLUMNS, route_row(r), strict=True))
        props["color"] = f"#{r.color}" if r.color else "#0072B2"
        out.append(feature(line, props, r.key))
    return out


def blank_rows(result: Coverage) -> list[tuple[Any, ...]]:
    """Blank areas as CSV rows: id, area, population and a point inside (lon/lat)."""
    points = to_wgs84([shapely.point_on_surface(a.geometry) for a in result.blank_areas],
                      result.epsg)  # fmt: skip
    return [
        (n, round(a.area_m2, 1), None if a.population is None else round(a.population, 1),
         round(p.x, DECIMALS), round(p.y, DECIMALS))
        for n, (a, p) in enumerate(zip(result.blank_areas, points, strict=True), start=1)
    ]  # fmt: skip


def blank_features(result: Coverage) -> list[dict[str, Any]]:
    """Blank areas as polygon features in lon/lat, largest population first."""
    geoms = to_wgs84([a.geometry for a in result.blank_areas], result.epsg)
    return [
        feature(g, {"area_id": n, "area_m2": round(a.area_m2, 1),
                     "population": None if a.population is None else round(a.population, 1),
                     "color": BLANK_COLOR}, n)
        for n, (a, g) in enumerate(zip(result.blank_areas, geoms, strict=True), start=1)
    ]  # fmt: skip
