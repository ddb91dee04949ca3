"""Vector tiles decoded by an independent decoder (mapbox-vector-tile); expectations from
the demo frames with shapely, in Web Mercator."""

from __future__ import annotations

import json
import math

import mapbox_vector_tile
import pytest
import shapely
from pyproj import Transformer

from tests.demo import demo_frames

TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _tile_box(z: int, x: int, y: int) -> shapely.Polygon:
    size = 40075016.685578488 / 2**z
    minx = -20037508.342789244 + x * size
    maxy = 20037508.342789244 - y * size
    return shapely.box(minx, maxy - size, minx + size, maxy)


@pytest.fixture(scope="module")
def frames():
    return demo_frames()


def test_tile_has_named_layers_with_declared_attributes(client, demo_loaded, registry, frames):
    lon, lat = frames["shelters"].geometry.iloc[0].coords[0]
    z = 12
    x, y = _tile_of(lon, lat, z)
    response = client.get(f"/tiles/shelters,flood_depth/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.data)
    assert "shelters" in decoded
    spec = registry.get("shelters")
    allowed = {f.name for f in spec.fields if f.in_tiles}
    for feature in decoded["shelters"]["features"]:
        assert set(feature["properties"]) <= allowed
        assert "phone" not in feature["properties"]
    # every shelter inside the tile (by shapely, in 3857) is in the tile
    xs, ys = TO_3857.transform(
        frames["shelters"].geometry.x.values, frames["shelters"].geometry.y.values
    )
    inside = shapely.contains_xy(_tile_box(z, x, y), xs, ys)
    ids = {f["id"] for f in decoded["shelters"]["features"]}
    expected = {i + 1 for i, hit in enumerate(inside) if hit}
    assert expected <= ids


def test_ogc_tile_equals_xyz_tile(client, demo_loaded, frames):
    lon, lat = frames["shelters"].geometry.iloc[0].coords[0]
    x, y = _tile_of(lon, lat, 13)
    a = client.get(f"/tiles/shelters/13/{x}/{y}.mvt").data
    b = client.get(f"/collections/shelters/tiles/WebMercatorQuad/13/{y}/{x}").data
    assert a == b and a


def test_empty_tile_is_204(client, demo_loaded):
    assert client.get("/tiles/shelters/12/0/0.mvt").status_code == 204


def test_below_min_zoom_is_empty(client, demo_loaded, registry):
    z = registry.get("shelters").min_zoom - 1
    assert client.get(f"/tiles/shelters/{z}/0/0.mvt").status_code == 204


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/shelters/30/0/0.mvt",
        "/tiles/shelters/3/8/0.mvt",
        "/tiles/shelters/3/0/9.mvt",
        "/tiles/shelters,shelters/3/0/0.mvt",
        "/collections/shelters/tiles/WebMercatorQuad/2/4/0",
    ],
)
def test_bad_address_is_400(client, demo_loaded, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_tile_etag_304_and_gzip(client, demo_loaded, frames):
    import gzip

    lon, lat = frames["flood_depth"].geometry.iloc[0].representative_point().coords[0]
    x, y = _tile_of(lon, lat, 12)
    url = f"/tiles/flood_depth/12/{x}/{y}.mvt"
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(packed.data) == first.data


def test_polygon_tile_clips_to_the_tile(client, demo_loaded, frames):
    lon, lat = frames["flood_depth"].geometry.iloc[0].representative_point().coords[0]
    x, y = _tile_of(lon, lat, 14)
    decoded = mapbox_vector_tile.decode(client.get(f"/tiles/flood_depth/14/{x}/{y}.mvt").data)
    for feature in decoded["flood_depth"]["features"]:
        bounds = shapely.geometry.shape(feature["geometry"]).bounds
        assert bounds[0] >= -64 and bounds[2] <= 4096 + 64


def test_tilejson(client, demo_loaded, registry):
    doc = json.loads(client.get("/tiles/shelters,flood_depth.json").data)
    assert doc["tilejson"] == "3.0.0"
    assert [v["id"] for v in doc["vector_layers"]] == ["shelters", "flood_depth"]
    assert doc["tiles"][0].endswith("/tiles/shelters,flood_depth/{z}/{x}/{y}.mvt")
    assert doc["minzoom"] == min(registry.get(i).min_zoom for i in ("shelters", "flood_depth"))
    assert len(doc["bounds"]) == 4 and doc["attribution"]
    meta = json.loads(client.get("/collections/shelters/tiles/WebMercatorQuad").data)
    assert meta["layers"][0]["id"] == "shelters"
