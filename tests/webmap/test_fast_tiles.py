"""Cached tiles answered before Flask (webmap/fastpath/cached_tiles.py) must be the same answers
the Flask
views give: compared header for header with the Flask path (a query string sends a request
there), decoded independently, and checked against shapely on the loaded data."""

from __future__ import annotations

import gzip
import time

import brotli
import mapbox_vector_tile
import pytest
import shapely
from prometheus_client import REGISTRY

from etl.writer import write_version
from gis.layerstore import storage
from gis.platform.db import connect
from tests.demo import demo_frames
from tests.middleware import middleware as find_middleware
from tests.webmap.test_tiles import TO_3857, _tile_box, _tile_of
from webmap import served_versions as served
from webmap.fastpath.cached_tiles import FastTiles
from webmap.ogc.tiles import XYZ_RULE

ENCODINGS = [{}, {"Accept-Encoding": "gzip"}, {"Accept-Encoding": "br;q=1, gzip;q=0.5"}]


def _paths() -> list[str]:
    frames = demo_frames()
    lon, lat = frames["shelters"].geometry.iloc[0].coords[0]
    x, y = _tile_of(lon, lat, 12)
    plon, plat = frames["flood_depth"].geometry.iloc[0].representative_point().coords[0]
    px, py = _tile_of(plon, plat, 12)
    return [
        f"/tiles/shelters/12/{x}/{y}.mvt",
        f"/tiles/shelters,flood_depth/12/{px}/{py}.mvt",
        f"/collections/flood_depth/tiles/WebMercatorQuad/12/{py}/{px}",
        "/tiles/shelters/12/0/0.mvt",  # empty: 204
    ]


def _fast(client, path: str, headers: dict[str, str]):
    """``client.get`` that fails unless the fast path answered it."""
    middleware = find_middleware(client.application, FastTiles)
    before = middleware.answered
    response = client.get(path, headers=headers)
    assert middleware.answered == before + 1, f"{path} was not answered before Flask"
    return response


def _decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.data)
    if encoding == "br":
        return bytes(brotli.decompress(response.data))
    return bytes(response.data)


@pytest.mark.parametrize("headers", ENCODINGS)
def test_hits_equal_the_flask_answer_header_for_header(client, demo_loaded, headers):
    for path in _paths():
        first = client.get(path, headers=headers)  # a miss: Flask builds and caches it
        assert first.status_code in (200, 204), path
        hit = _fast(client, path, headers)
        flask_hit = client.get(f"{path}?via=flask", headers=headers)
        assert hit.status == flask_hit.status == first.status
        assert list(hit.headers.items()) == list(flask_hit.headers.items()), path
        assert hit.data == flask_hit.data
        if hit.status_code == 200:
            asked = headers.get("Accept-Encoding", "")
            wanted = "br" if asked.startswith("br") else "gzip" if asked else None
            assert hit.headers.get("Content-Encoding") == wanted
            raw = client.get(path).data
            assert _decoded(hit) == raw
            assert mapbox_vector_tile.decode(raw)


def test_if_none_match_is_304_like_flask(client, demo_loaded):
    path = _paths()[0]
    etag = client.get(path).headers["ETag"]
    fast = _fast(client, path, {"If-None-Match": etag})
    slow = client.get(f"{path}?via=flask", headers={"If-None-Match": etag})
    assert fast.status_code == slow.status_code == 304
    assert fast.data == b""
    assert list(fast.headers.items()) == list(slow.headers.items())
    other = _fast(client, path, {"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200


def test_what_the_fast_path_leaves_to_flask(client, demo_loaded):
    middleware = find_middleware(client.application, FastTiles)
    path = _paths()[0]
    client.get(path)
    before = middleware.answered
    asked = [
        client.get(f"{path}?lang=en"),
        client.head(path),
        client.get(path, headers={"Authorization": "Bearer ksn_guessed"}),
        client.get("/tiles/no_such_layer/12/0/0.mvt"),
        client.get("/tiles/shelters/12/9999/0.mvt"),
        client.get(path.replace("/12/", "/012/")),
    ]
    assert middleware.answered == before
    assert [r.status_code for r in asked] == [200, 200, 401, 404, 400, 200]
    assert "kasane_lang=en" in asked[0].headers["Set-Cookie"]


def test_hits_are_counted_in_metrics(client, demo_loaded):
    path = _paths()[0]
    client.get(path)
    labels = {"route": XYZ_RULE, "layer": "shelters", "status": "200"}
    requests = REGISTRY.get_sample_value("kasane_requests_total", labels) or 0.0
    hits = REGISTRY.get_sample_value("kasane_cache_hits_total") or 0.0
    for _ in range(3):
        _fast(client, path, {})
    assert REGISTRY.get_sample_value("kasane_requests_total", labels) == requests + 3
    assert REGISTRY.get_sample_value("kasane_cache_hits_total") == hits + 3
    latency = {"route": XYZ_RULE}
    assert REGISTRY.get_sample_value("kasane_request_seconds_count", latency) >= 3


def _load_wifi(database_url, registry, frame) -> int:
    spec = registry.get("wifi_spots")
    with connect(database_url, autocommit=True) as conn:
        return write_version(conn, spec, frame, storage.Provenance(rows_read=len(frame)))


def _wait_for_version(app, version: int) -> None:
    deadline = time.monotonic() + 5.0
    with app.app_context():
        while (served.live_state() or {}).get("wifi_spots", None) is None or (
            served.live_state()["wifi_spots"].version != version
        ):
            assert time.monotonic() < deadline, "the listener did not see the new version"
            time.sleep(0.02)


def test_a_new_version_is_served_at_once(app, client, demo_loaded, database_url, registry):
    original = demo_frames()["wifi_spots"]
    lon, lat = original.geometry.iloc[0].coords[0]
    z = 14
    x, y = _tile_of(lon, lat, z)
    path = f"/tiles/wifi_spots/{z}/{x}/{y}.mvt"
    client.get(path)
    old = _fast(client, path, {})
    changed = original.iloc[:1].copy()
    try:
        _wait_for_version(app, _load_wifi(database_url, registry, changed))
        new = client.get(path)  # the old entry no longer matches: Flask builds the new tile
        assert new.headers["ETag"] != old.headers["ETag"]
        features = mapbox_vector_tile.decode(new.data)["wifi_spots"]["features"]
        xs, ys = TO_3857.transform(changed.geometry.x.values, changed.geometry.y.values)
        inside = shapely.contains_xy(_tile_box(z, x, y), xs, ys)
        assert len(features) == int(inside.sum()) == 1
        assert _fast(client, path, {}).data == new.data
        assert client.get(path, headers={"If-None-Match": old.headers["ETag"]}).status_code == 200
    finally:
        _wait_for_version(app, _load_wifi(database_url, registry, original))


def test_remembered_headers_follow_each_request(client, demo_loaded):
    """The ETag and headers a hit reuses are per tile and encoding: alternating encodings and
    tiles in one app still gives each request Flask's own headers and the bytes it names."""
    paths = _paths()[:2]
    for path in paths:
        for headers in ENCODINGS:
            client.get(path, headers=headers)  # fill every encoding
    for _ in range(2):
        for headers in [*ENCODINGS, *reversed(ENCODINGS)]:
            for path in paths:
                hit = _fast(client, path, headers)
                flask_hit = client.get(f"{path}?via=flask", headers=headers)
                assert list(hit.headers.items()) == list(flask_hit.headers.items())
                assert int(hit.headers["Content-Length"]) == len(hit.data)
                assert _decoded(hit) == client.get(f"{path}?raw=1").data
