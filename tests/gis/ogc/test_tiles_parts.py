"""Large polygons are subdivided for tiles, and the pieces still cover the polygon."""

from __future__ import annotations

import math

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import shapely
from shapely.geometry import shape

from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.layerspec import LayerSpec
from gis.ogc import tiles
from gis.platform.db import connect


def _to_3857(coords):
    from pyproj import Transformer

    xs, ys = Transformer.from_crs(4326, 3857, always_xy=True).transform(coords[:, 0], coords[:, 1])
    return np.column_stack([xs, ys])


def _spec() -> LayerSpec:
    return LayerSpec.model_validate(
        {
            "id": "parts_probe",
            "kind": "flood_depth",
            "title": {"ja": "試験", "en": "probe"},
            "description": {"ja": "試験", "en": "probe"},
            "geometry": "MultiPolygon",
            "min_zoom": 0,
            "fields": [{"name": "label", "type": "text", "title": {"ja": "名", "en": "label"}}],
            "license": {"name": "test", "attribution": {"ja": "試験", "en": "test"}},
            "owner": "350001",
        }
    )


def test_big_polygon_is_cut_into_pieces_that_cover_it(database_url) -> None:
    spec = _spec()
    angles = [2 * math.pi * i / 5000 for i in range(5000)]
    ring = [(131.5 + 0.4 * math.cos(a), 34.2 + 0.3 * math.sin(a)) for a in angles]
    big = shapely.Polygon(ring)
    frame = gpd.GeoDataFrame({"label": ["big"]}, geometry=[big], crs="EPSG:4326")
    with connect(database_url, autocommit=True) as conn:
        version = write_version(conn, spec, frame, storage.Provenance(rows_read=1))
        assert tiles.prepare_parts(conn, spec, version)
        pieces = conn.execute(
            "SELECT count(*), max(ST_NPoints(geom_3857))"
            f' FROM layer_tiles."parts_probe__v{version}"'
        ).fetchone()
        assert pieces[0] > 10 and pieces[1] <= tiles.PIECE_VERTICES
        # the tile holding the polygon's east edge, above the simplified bands (gis.ogc.tile_bands)
        z, x, y = 14, 14194, 6533
        data = tiles.tile(conn, [(spec, version)], z, x, y)
    decoded = mapbox_vector_tile.decode(data)
    feats = decoded["parts_probe"]["features"]
    assert len(feats) > 1 and {f["id"] for f in feats} == {1}
    covered = shapely.union_all([shape(f["geometry"]) for f in feats])
    whole = shapely.box(0, 0, 4096, 4096)
    # expectation: the polygon in Web Mercator, cut by the tile, as a share of the tile
    big_3857 = shapely.transform(big, lambda c: _to_3857(c))
    size = 40075016.685578488 / 2**z
    minx, maxy = -20037508.342789244 + x * size, 20037508.342789244 - y * size
    tile_box = shapely.box(minx, maxy - size, minx + size, maxy)
    expected = big_3857.intersection(tile_box).area / tile_box.area
    assert 0.05 < expected < 0.95
    assert abs(covered.intersection(whole).area / whole.area - expected) < 0.01
