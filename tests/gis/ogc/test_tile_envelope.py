"""Tiles find a version's rows by ``geom`` and the tile's lon/lat envelope: the same rows as
the Web-Mercator test on ``ST_Transform(geom, 3857)``, which PostGIS computes here independently."""

from __future__ import annotations

import math
import random

import mapbox_vector_tile
import pytest

from gis.layerstore import storage
from gis.ogc.tiles import BUFFER, EXTENT, lonlat_envelope, tile
from gis.platform.db import connect

MARGIN = BUFFER / EXTENT


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, int((lon + 180) / 360 * n), int(y)


def test_envelope_holds_postgis_tile_envelope(database_url: str) -> None:
    rng = random.Random(5)
    tiles = [(0, 0, 0), (1, 1, 0), (2, 3, 1), (3, 7, 3)]  # the world's east edge included
    for _ in range(200):
        lon, lat = rng.uniform(129.0, 146.0), rng.uniform(30.0, 45.0)
        tiles.append(_tile_of(lon, lat, rng.randint(4, 16)))
    with connect(database_url) as conn:
        for z, x, y in tiles:
            west, south, east, north = lonlat_envelope(z, x, y, MARGIN)
            row = conn.execute(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT"
                " ST_Transform(ST_TileEnvelope(%s, %s, %s, margin => %s), 4326) AS e) AS t",
                (z, x, y, MARGIN),
            ).fetchone()
            assert row is not None
            if east >= 180 or west <= -180:  # PROJ wraps longitudes past ±180°: latitudes only
                assert south <= row[1] and row[3] <= north
                continue
            assert west <= row[0] and south <= row[1] and row[2] <= east and row[3] <= north
            assert max(row[0] - west, row[1] - south, east - row[2], north - row[3]) < 1e-8


@pytest.mark.parametrize("layer", ["shelters", "flood_depth", "transit_routes"])
def test_tile_rows_are_the_mercator_rows(database_url: str, demo_loaded: object, registry, layer):
    """At the last zoom (no simplification): every row that meets the tile is in it, and every
    row in it has its Mercator bbox within the tile's margin."""
    spec = registry.get(layer)
    z = spec.max_zoom
    with connect(database_url) as conn:
        version = storage.current_versions(conn)[layer]
        table = f'layer_data."{layer}__v{version}"'
        centres = conn.execute(
            f"SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c FROM {table}"
            " ORDER BY fid LIMIT 40) AS t"
        ).fetchall()
        checked = 0
        for lon, lat in centres[::4]:
            _, x, y = _tile_of(lon, lat, z)
            near, meeting = conn.execute(
                "SELECT array_agg(fid) FILTER (WHERE m && ST_TileEnvelope(%(z)s, %(x)s, %(y)s,"
                " margin => %(m)s)), array_agg(fid) FILTER (WHERE ST_Intersects(m,"
                " ST_TileEnvelope(%(z)s, %(x)s, %(y)s))) FROM (SELECT fid,"
                f" ST_Transform(geom, 3857) AS m FROM {table}) AS t",
                {"z": z, "x": x, "y": y, "m": MARGIN},
            ).fetchone()
            data = tile(conn, [(spec, version)], z, x, y)
            decoded = mapbox_vector_tile.decode(data) if data else {}
            found = {f["id"] for f in decoded.get(layer, {}).get("features", [])}
            assert set(meeting or []) <= found <= set(near or []), (z, x, y)
            checked += len(found)
        assert checked > 0
