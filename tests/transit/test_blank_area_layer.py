"""Transit-blank areas published as a layer: `kasane transit blank-areas` on the real 岩国市
feed, then served like any layer (items and vector tiles), and replaced per municipality."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import urllib.request
from datetime import date

import mapbox_vector_tile
import pytest

from gis.platform.db import connect
from gis.transit.coverage import coverage
from gis.transit.request import TransitRequest
from tests.conftest import ROOT
from tests.transit.conftest import IWAKUNI

pytestmark = pytest.mark.shared
DAY = date(2025, 6, 4)


def _publish(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kasane", "transit", "blank-areas", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "KASANE_DATABASE_URL": url},
    )  # fmt: skip


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_publish_then_serve_as_items_and_tiles(transit_url: str, transit_server: str) -> None:
    done = _publish(transit_url, "--municipality", "35208", "--date", DAY.isoformat())
    assert done.returncode == 0, done.stderr
    with connect(transit_url) as conn:
        expected = coverage(conn, TransitRequest(IWAKUNI, DAY))
    assert f"{len(expected.blank_areas)} blank areas of {IWAKUNI}" in done.stdout

    with urllib.request.urlopen(
        f"{transit_server}/collections/transit_blank_areas/items?limit=1000&f=json"
    ) as response:
        items = json.load(response)
    assert items["numberMatched"] == len(expected.blank_areas)
    total = sum(f["properties"]["area_m2"] for f in items["features"])
    assert total == pytest.approx(expected.blank_area_m2, rel=1e-3)
    assert {f["properties"]["service_date"] for f in items["features"]} == {DAY.isoformat()}

    biggest = max(items["features"], key=lambda f: f["properties"]["area_m2"])
    ring = biggest["geometry"]["coordinates"][0][0]
    lon, lat = ring[0]
    x, y = _tile_of(lon, lat, 12)
    with urllib.request.urlopen(f"{transit_server}/tiles/transit_blank_areas/12/{x}/{y}.mvt") as r:
        tile = mapbox_vector_tile.decode(r.read())
    assert "transit_blank_areas" in tile
    props = tile["transit_blank_areas"]["features"][0]["properties"]
    assert props["lg_code"] == IWAKUNI


def test_republishing_replaces_only_that_municipality(transit_url: str) -> None:
    assert (
        _publish(transit_url, "--municipality", IWAKUNI, "--date", DAY.isoformat()).returncode == 0
    )
    with connect(transit_url) as conn:
        before = conn.execute(
            "SELECT count(*) FROM layer_data.transit_blank_areas WHERE lg_code = %s", (IWAKUNI,)
        ).fetchone()[0]
    stricter = _publish(
        transit_url, "--municipality", IWAKUNI, "--date", DAY.isoformat(), "--min-departures", "20"
    )
    assert stricter.returncode == 0, stricter.stderr
    with connect(transit_url) as conn:
        rows = conn.execute(
            "SELECT count(*), min(min_departures), max(min_departures)"
            " FROM layer_data.transit_blank_areas WHERE lg_code = %s",
            (IWAKUNI,),
        ).fetchone()
        strict = coverage(conn, TransitRequest(IWAKUNI, DAY, min_departures=20))
    assert rows == (len(strict.blank_areas), 20, 20)
    assert before > 0


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("35209", "municipality 352098 is not in the loaded admin_boundaries layer"),
        ("3520", "municipality: '3520' is not a 5- or 6-digit local-government code"),
    ],
)
def test_bad_municipality_is_one_line(transit_url: str, code: str, reason: str) -> None:
    done = _publish(transit_url, "--municipality", code, "--date", DAY.isoformat())
    assert done.returncode == 1
    assert done.stderr.strip() == f"kasane: error: {reason}"
