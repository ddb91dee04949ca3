"""Low-zoom tiles read a pre-simplified band copy: far fewer vertices, same covered area."""

from __future__ import annotations

import math

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.layerspec import LayerSpec
from gis.ogc import tile_bands, tiles
from gis.platform.db import connect

HALF_WORLD = 20037508.342789244
CENTRE = (132.0, 34.5)


def _spec() -> LayerSpec:
    return LayerSpec.model_validate(
        {
            "id": "bands_probe",
            "kind": "flood_depth",
            "title": {"ja": "試験", "en": "probe"},
            "description": {"ja": "試験", "en": "probe"},
            "geometry": "Polygon",
            "min_zoom": 0,
            "fields": [{"name": "label", "type": "text", "title": {"ja": "名", "en": "label"}}],
            "license": {"name": "test", "attribution": {"ja": "試験", "en": "test"}},
            "owner": "350001",
        }
    )


def _frame() -> gpd.GeoDataFrame:
    """A wiggly disc of 4,000 vertices (±30 m ripples) and a 55 m square beside it."""
    angles = np.linspace(0, 2 * math.pi, 4000, endpoint=False)
    radius = 0.05 + 0.0003 * np.sin(angles * 400)
    ring = np.column_stack(
        [CENTRE[0] + radius * np.cos(angles), CENTRE[1] + radius * np.sin(angles)]
    )
    tiny = shapely.box(132.2, 34.5, 132.2005, 34.5005)
    return gpd.GeoDataFrame(
        {"label": ["disc", "tiny"]}, geometry=[shapely.Polygon(ring), tiny], crs="EPSG:4326"
    )


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _in_tile_units(geom: shapely.Geometry, z: int, x: int, y: int) -> shapely.Geometry:
    """``geom`` (EPSG:4326) in MVT tile units (y down), computed with pyproj and shapely."""
    to_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
    size = 2 * HALF_WORLD / 2**z
    minx, maxy = -HALF_WORLD + x * size, HALF_WORLD - y * size

    def units(coords: np.ndarray) -> np.ndarray:
        xs, ys = to_3857.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([(xs - minx) / size * 4096, (maxy - ys) / size * 4096])

    return shapely.transform(geom, units)


def _decoded(data: bytes) -> dict[str, shapely.Geometry]:
    feats = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    layer = feats["bands_probe"]["features"]
    return {f["properties"]["label"]: shape(f["geometry"]) for f in layer}


def test_low_zoom_tile_reads_the_simplified_copy_and_still_covers_the_shape(
    database_url,
) -> None:
    spec = _spec()
    frame = _frame()
    z = 8
    x, y = _tile_of(*CENTRE, z)
    disc = _in_tile_units(frame.geometry[0], z, x, y)
    assert shapely.box(0, 0, 4096, 4096).contains(disc)  # the whole disc is in this tile
    with connect(database_url, autocommit=True) as conn:
        version = write_version(conn, spec, frame, storage.Provenance(rows_read=2))
        low = _decoded(tiles.tile(conn, [(spec, version)], z, x, y))
        band = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (f'layer_tiles."bands_probe__v{version}__b9"',)
        ).fetchone()
        tz = 13
        tx, ty = _tile_of(132.20025, 34.50025, tz)
        high = _decoded(tiles.tile(conn, [(spec, version)], tz, tx, ty))
    assert band and band[0]
    # far fewer vertices than the 4,000 stored, and yet the same shape within the tolerances:
    # band copy (z9: half its units at z8) + the tile's own (units) + MVT grid rounding (0.5)
    assert shapely.get_num_coordinates(low["disc"]) < 400
    units = tile_bands.SIMPLIFY_UNITS
    assert units <= 8  # at most half a pixel on a 256-pixel tile
    allowed = disc.length * (units / 2 + units + 0.5)
    assert low["disc"].symmetric_difference(disc).area < allowed
    assert allowed < 0.3 * disc.area  # the bound above means something
    # a 55 m square is far below a pixel at z8 and is left out; at z13 it is there
    assert "tiny" not in low
    assert "tiny" in high


def test_band_copies_are_dropped_with_their_version(database_url) -> None:
    spec = _spec()
    frame = _frame()
    with connect(database_url, autocommit=True) as conn:
        first = write_version(conn, spec, frame, storage.Provenance(rows_read=2))
        tiles.prepare_copies(conn, spec, first)
        names = [f"bands_probe__v{first}__b{band}" for band in (9, 11, 13, 99)]

        def present() -> set[str]:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'layer_tiles'"
                " AND tablename = ANY(%s)",
                (names,),
            ).fetchall()
            return {r[0] for r in rows}

        assert present() == set(names)
        for _ in range(storage.KEEP_VERSIONS):
            write_version(conn, spec, frame, storage.Provenance(rows_read=2))
        assert present() == set()
