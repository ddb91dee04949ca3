"""OGC API - Features against the demo data: expectations come from the demo frames
(shapely, pyproj), never from the server."""

from __future__ import annotations

import json

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box, shape

from gis.layerstore.loaded_layers import layer_status
from gis.platform.db import connect
from tests.demo import demo_frames


@pytest.fixture(scope="module")
def frames():
    return demo_frames()


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.data[:300])
    return json.loads(response.data)


def test_landing_conformance_and_collections(client, demo_loaded, registry, database_url) -> None:
    landing = _get(client, "/?f=json")
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= rels
    assert any("ogcapi-features-1" in c for c in _get(client, "/conformance")["conformsTo"])
    ids = {c["id"] for c in _get(client, "/collections")["collections"]}
    with connect(database_url) as conn:
        loaded = set(layer_status(conn))
    assert ids == {spec.id for spec in registry.public()} & loaded
    assert {"shelters", "flood_depth"} <= ids


def test_items_page_matches_the_demo_frame(client, demo_loaded, frames) -> None:
    frame = frames["shelters"]
    doc = _get(client, "/collections/shelters/items?limit=5")
    assert doc["numberMatched"] == len(frame)
    assert doc["numberReturned"] == 5
    first = doc["features"][0]
    assert first["properties"]["shelter_id"] == frame.iloc[0]["shelter_id"]
    assert shape(first["geometry"]).equals_exact(frame.geometry.iloc[0], 1e-6)
    assert next(link for link in doc["links"] if link["rel"] == "next")


def test_paging_visits_every_feature_once(client, demo_loaded, frames) -> None:
    seen = []
    url = "/collections/wifi_spots/items?limit=7"
    while url:
        doc = _get(client, url)
        seen += [f["id"] for f in doc["features"]]
        nxt = [link["href"] for link in doc["links"] if link["rel"] == "next"]
        url = nxt[0].replace("http://localhost", "") if nxt else ""
    assert sorted(seen) == list(range(1, len(frames["wifi_spots"]) + 1))


def test_bbox_selects_what_shapely_selects(client, demo_loaded, frames) -> None:
    frame = frames["shelters"]
    minx, miny, maxx, maxy = frame.total_bounds
    bbox = (minx, miny, (minx + maxx) / 2, (miny + maxy) / 2)
    expected = int(frame.geometry.intersects(box(*bbox)).sum())
    doc = _get(client, "/collections/shelters/items?limit=10000&bbox=" + ",".join(map(str, bbox)))
    assert doc["numberReturned"] == expected
    assert 0 < expected < len(frame)


def test_number_matched_is_exact_up_to_the_cap_and_left_out_above(
    client, demo_loaded, frames, monkeypatch
) -> None:
    from gis.ogc import features

    frame = frames["shelters"]
    minx, miny, maxx, maxy = frame.total_bounds
    bbox = (minx, miny, (minx + maxx) / 2, (miny + maxy) / 2)
    expected = int(frame.geometry.intersects(box(*bbox)).sum())
    url = "/collections/shelters/items?limit=2&bbox=" + ",".join(map(str, bbox))
    monkeypatch.setattr(features, "COUNT_CAP", expected)
    assert _get(client, url)["numberMatched"] == expected
    monkeypatch.setattr(features, "COUNT_CAP", expected - 1)
    doc = _get(client, url + "&offset=2")  # another page: not a remembered answer
    assert "numberMatched" not in doc
    assert doc["numberReturned"] == 2
    assert any(link["rel"] == "next" for link in doc["links"])


def test_bbox_in_a_plane_rectangular_zone(client, demo_loaded, frames) -> None:
    frame = frames["shelters"]
    to_zone = Transformer.from_crs(4326, 6671, always_xy=True)
    minx, miny, maxx, maxy = frame.total_bounds
    x1, y1 = to_zone.transform(minx, miny)
    x2, y2 = to_zone.transform((minx + maxx) / 2, maxy)
    zone_box = box(x1, y1, x2, y2)
    projected = shapely.transform(frame.geometry.values, lambda c: c, include_z=False)
    xs, ys = to_zone.transform(frame.geometry.x.values, frame.geometry.y.values)
    expected = int(shapely.intersects(zone_box, shapely.points(xs, ys)).sum())
    assert projected is not None
    # EPSG:6671 axis order is northing, easting
    bbox = f"{y1},{x1},{y2},{x2}"
    url = f"/collections/shelters/items?limit=10000&bbox-crs=EPSG:6671&bbox={bbox}"
    assert _get(client, url)["numberReturned"] == expected


@pytest.mark.parametrize("code", [6668, 3857, 6671, 6687])
def test_output_crs_uses_the_crs_axis_order(client, demo_loaded, frames, code: int) -> None:
    point = frames["shelters"].geometry.iloc[0]
    response = client.get(f"/collections/shelters/items/1?crs=EPSG:{code}")
    assert response.headers["Content-Crs"] == f"<http://www.opengis.net/def/crs/EPSG/0/{code}>"
    coords = json.loads(response.data)["geometry"]["coordinates"]
    expected = Transformer.from_crs(4326, code).transform(point.y, point.x)  # EPSG axis order
    tolerance = 1e-6 if code == 6668 else 0.01
    assert coords == pytest.approx(list(expected), abs=tolerance)


def test_property_filter_and_sortby(client, demo_loaded, frames) -> None:
    frame = frames["shelters"]
    kind = frame["kind"].iloc[0]
    doc = _get(client, f"/collections/shelters/items?limit=10000&kind={kind}&sortby=-capacity")
    assert doc["numberReturned"] == int((frame["kind"] == kind).sum())
    capacities = [f["properties"]["capacity"] for f in doc["features"]]
    present = [c for c in capacities if c is not None]
    assert present == sorted(present, reverse=True)


def test_csv_and_html(client, demo_loaded, frames) -> None:
    response = client.get("/collections/wifi_spots/items?f=csv&limit=3")
    lines = response.data.decode().strip().splitlines()
    assert lines[0].startswith("fid,") and len(lines) == 4
    html = client.get("/collections/wifi_spots/items?f=html&limit=3").data.decode()
    assert "<table" in html and "/vendor/leaflet@" in html


@pytest.mark.parametrize(
    "query",
    [
        "limit=0", "limit=10001", "limit=abc", "offset=-1", "bbox=1,2,3", "bbox=a,b,c,d",
        "bbox=3,3,1,1", "crs=EPSG:2000", "bbox-crs=urn:nope", "unknown=1", "sortby=nope",
        "capacity=many", "hz_flood=maybe", "f=xml", "phone=1",
    ],
)  # fmt: skip
def test_bad_input_is_a_problem_not_a_500(client, demo_loaded, query: str) -> None:
    response = client.get(f"/collections/shelters/items?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert json.loads(response.data)["status"] == 400


def test_unknown_layer_and_feature_are_404(client, demo_loaded) -> None:
    for url in ["/collections/nope", "/collections/nope/items", "/collections/shelters/items/0",
                "/collections/shelters/items/abc", "/tiles/nope/1/0/0.mvt"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"


def test_etag_and_304(client, demo_loaded) -> None:
    url = "/collections/shelters/items?limit=3"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_compression_follows_accept_encoding(client, demo_loaded) -> None:
    import gzip

    import brotli

    url = "/collections/shelters/items?limit=50"
    plain = client.get(url).data
    br = client.get(url, headers={"Accept-Encoding": "br"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.data) == plain
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gz.data) == plain
    assert client.get(url).headers.get("Access-Control-Allow-Origin") == "*"


def test_openapi_lists_every_public_collection(client, registry) -> None:
    doc = _get(client, "/api")
    for spec in registry.public():
        assert f"/collections/{spec.id}/items" in doc["paths"]
    assert client.get("/api.html").status_code == 200
