"""The data files of the static edition: vector tiles, hazard areas for "check a place", the
shelters with their status, and the local basemap's labels.

Tiles are written as one file per address (``tiles/{layer}/{z}/{x}/{y}.mvt``, uncompressed)
rather than one PMTiles archive, because the edition must work from any static server,
including ``python -m http.server``, which does not answer HTTP Range requests; the bytes are
those ``/tiles/…`` serves (:func:`gis.ogc.tiles.tile`). Addresses inside the layer's extent
that hold no feature are written as empty files, so the browser gets 200 (an empty tile), not
404; outside the extent the page does not ask (the layer's ``bounds``).

"Hazards here" is answered in the browser by point-in-polygon on the hazard areas, cut into
one GeoJSON file per tile of zoom :data:`CHUNK_ZOOM` (``areas/{layer}/{x}/{y}.json``), so a
resident fetches only the few kilobytes around the place checked. The geometries are the
layer's own (clipped to the chunk, 7 decimals ≈ 1 cm), not the simplified tile geometry, so
the answer is the one ``/api/hazards/at`` gives.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from psycopg import sql

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.storage import Conn, version_table
from gis.ogc.pmtiles_export import BBox, addresses, tile_span
from gis.ogc.tiles import DEFAULT_FEATURE_CAP, tile
from gis.residents import shelter_list

CHUNK_ZOOM = 12  # about 8 km a side in Japan
MAX_TILE_ZOOM = 14  # deeper zooms are drawn from these tiles (overzoom)
WORLD: BBox = (-180.0, -90.0, 180.0, 90.0)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_json(path: Path, doc: Any) -> None:
    """Write ``doc`` as compact UTF-8 JSON."""
    write_bytes(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())


def write_tiles(
    conn: Conn,
    spec: LayerSpec,
    version: int,
    bbox: BBox,
    out: Path,
    *,
    feature_cap: int = DEFAULT_FEATURE_CAP,
    max_zoom: int = MAX_TILE_ZOOM,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Every tile of the layer over its extent into ``out/{z}/{x}/{y}.mvt``; returns (tiles
    written, of which with features). Empty ones are hard links to one empty file."""
    top = min(spec.max_zoom, max_zoom)
    empty = out / "empty.mvt"
    write_bytes(empty, b"")
    total = with_features = 0
    for z, x, y in addresses(bbox, spec.min_zoom, top):
        target = out / str(z) / str(x) / f"{y}.mvt"
        body = tile(conn, [(spec, version)], z, x, y, feature_cap=feature_cap)
        if body:
            write_bytes(target, body)
            with_features += 1
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(empty, target)
        total += 1
        if progress is not None:
            progress(1)
    return total, with_features


def _chunk_bbox(z: int, x: int, y: int) -> BBox:
    n = 1 << z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return (x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y))


def write_areas(conn: Conn, spec: LayerSpec, version: int, bbox: BBox, out: Path) -> int:
    """The layer's features cut by the tiles of :data:`CHUNK_ZOOM`, one GeoJSON list of
    features per tile of the extent (``out/{x}/{y}.json``); returns the files with features."""
    fields = [f for f in spec.field_names if f != "fid"]
    props = sql.SQL(", ").join(
        sql.SQL("{}, t.{}").format(sql.Literal(f), sql.Identifier(f)) for f in ["fid", *fields]
    )
    query = sql.SQL(
        "SELECT coalesce(json_agg(json_build_object('type', 'Feature',"
        " 'properties', json_build_object({props}),"
        " 'geometry', ST_AsGeoJSON(ST_ClipByBox2D(t.geom, e.env), 7)::json) ORDER BY t.fid)::text,"
        " '')"
        " FROM (SELECT ST_MakeEnvelope(%s, %s, %s, %s, 4326) AS env) e"
        " JOIN {table} t ON t.geom && e.env AND ST_Intersects(t.geom, e.env)"
    ).format(props=props, table=version_table(spec.id, version))
    x0, y0, x1, y1 = tile_span(bbox, CHUNK_ZOOM)
    empty = out / "empty.json"
    write_bytes(empty, b"[]")
    written = 0
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            row = conn.execute(query, _chunk_bbox(CHUNK_ZOOM, x, y)).fetchone()
            target = out / str(x) / f"{y}.json"
            if row and row[0]:
                write_bytes(target, row[0].encode())
                written += 1
            else:  # an empty list, not 404: the page asks only inside the layer's extent
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(empty, target)
    return written


def shelters_document(conn: Conn, as_of: str) -> dict[str, Any]:
    """Every shelter with its live status, as GeoJSON (the properties of
    ``/api/shelters/map``), and when the status was read."""
    rows, _ = shelter_list.in_bbox(conn, WORLD, limit=10_000_000)
    features = [
        {
            "type": "Feature",
            "id": r.shelter_id,
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {k: v for k, v in r.to_json().items() if k not in ("lat", "lon", "note")},
        }
        for r in rows
    ]
    return {"type": "FeatureCollection", "status_as_of": as_of, "features": features}


def basemap_labels(conn: Conn, spec: LayerSpec, version: int) -> list[dict[str, Any]]:
    """Each municipality's name at a point inside it, largest first (as
    ``/basemap/labels.json``)."""
    query = sql.SQL(
        "SELECT name, ST_Y(p), ST_X(p), area FROM ("
        " SELECT coalesce(name, '') || coalesce(ward_name, '') AS name,"
        " ST_PointOnSurface(geom) AS p, ST_Area(geom::geography) / 1e6 AS area FROM {}"
        ") AS t WHERE name <> '' ORDER BY area DESC"
    ).format(version_table(spec.id, version))
    return [
        {"name": n, "lat": round(lat, 6), "lon": round(lon, 6), "km2": round(a, 1)}
        for n, lat, lon, a in conn.execute(query).fetchall()
    ]
