"""Real third-party clients against `kasane serve` (gunicorn, 2 workers): GDAL's OAPIF and
MVT drivers and owslib; and a new layer version is served at once by every worker."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import geopandas as gpd
import pytest

from etl.writer import write_version
from gis.layerstore import storage
from gis.platform.db import connect
from tests.demo import demo_frames
from tests.shared_data import shared_program


@pytest.fixture()
def ogrinfo() -> str:
    """GDAL's ogrinfo (Debian gdal-bin), the third-party OAPIF and MVT client."""
    return shared_program("ogrinfo", "gdal-bin")


def _fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_ogrinfo_oapif_lists_and_reads(live_server, registry, ogrinfo) -> None:
    out = subprocess.run(
        [ogrinfo, "-ro", "-q", f"OAPIF:{live_server}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    for spec in (s for s in registry.public() if not s.derived):  # the loaded layers
        assert spec.id in out.stdout
    feature_count = len(demo_frames()["wifi_spots"])
    out = subprocess.run(
        [ogrinfo, "-ro", "-so", f"OAPIF:{live_server}/collections/wifi_spots", "wifi_spots"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert f"Feature Count: {feature_count}" in out.stdout


def test_gdal_mvt_driver_decodes_a_tile(live_server, tmp_path: Path, ogrinfo) -> None:
    frame = demo_frames()["shelters"]
    import math

    lon, lat = frame.geometry.iloc[0].coords[0]
    z = 12
    x = int((lon + 180) / 360 * 2**z)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**z)
    status, _, body = _fetch(f"{live_server}/tiles/shelters,flood_depth/{z}/{x}/{y}.mvt")
    assert status == 200
    path = tmp_path / str(z) / str(x) / f"{y}.pbf"
    path.parent.mkdir(parents=True)
    path.write_bytes(body)
    out = subprocess.run([ogrinfo, "-ro", "-al", "-so", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Layer name: shelters" in out.stdout
    assert "shelter_id: String" in out.stdout
    assert "phone" not in out.stdout


def test_owslib_reads_items(live_server) -> None:
    from owslib.ogcapi.features import Features

    api = Features(live_server)
    ids = {c["id"] for c in api.collections()["collections"]}
    assert "shelters" in ids
    items = api.collection_items("shelters", limit=5)
    assert len(items["features"]) == 5
    assert items["numberMatched"] == len(demo_frames()["shelters"])


def _load(database_url: str, registry, frame: gpd.GeoDataFrame) -> int:
    spec = registry.get("wifi_spots")
    with connect(database_url, autocommit=True) as conn:
        return write_version(conn, spec, frame, storage.Provenance(rows_read=len(frame)))


def test_new_version_is_served_at_once_by_every_worker(live_server, database_url, registry):
    original = demo_frames()["wifi_spots"]
    url = f"{live_server}/collections/wifi_spots/items?limit=1"
    for _ in range(8):  # warm the caches of both workers
        _fetch(url)
    changed = original.iloc[:3].copy()
    try:
        _load(database_url, registry, changed)
        _wait_until_every_worker_serves(url, 3)
    finally:
        _load(database_url, registry, original)
    _wait_until_every_worker_serves(url, len(original))


def _wait_until_every_worker_serves(url: str, expected: int) -> None:
    """Each worker learns of a commit by NOTIFY as soon as its listener thread runs (within
    milliseconds on a quiet machine; a lost notification would wait for the 30 s safety
    refresh). Require 12 fresh answers in a row — both workers answer some — within 3 s."""
    deadline = time.monotonic() + 3.0
    fresh = 0
    while fresh < 12:
        status, _, body = _fetch(url)
        assert status == 200
        fresh = fresh + 1 if json.loads(body)["numberMatched"] == expected else 0
        assert time.monotonic() < deadline, "a worker still serves the replaced version"


def test_metrics_health_and_ready(live_server) -> None:
    assert _fetch(f"{live_server}/healthz")[0] == 200
    assert _fetch(f"{live_server}/readyz")[0] == 200
    _fetch(f"{live_server}/collections/shelters/items?limit=1")
    status, _, body = _fetch(f"{live_server}/metrics")
    assert status == 200
    text = body.decode()
    assert "kasane_requests_total" in text and 'route="/collections/<layer_id>/items"' in text
    assert "kasane_request_seconds_bucket" in text
    assert "kasane_cache_hits_total" in text
