"""Rows without a geometry are rejected with a reason, and a CSV's --crs is honoured."""

from __future__ import annotations

import json
from pathlib import Path

from pyproj import Geod

from gis.geo.crs import parse_dms
from gis.platform.db import connect
from tests.etl.conftest import run_load

GRS80 = Geod(ellps="GRS80")


def _features(path: Path) -> list[dict[str, object]]:
    features = []
    for i in range(6):
        point = {"type": "Point", "coordinates": [131.4 + i * 0.001, 34.1]}
        features.append(
            {
                "type": "Feature",
                "properties": {"name": f"spot {i}", "lg_code": "352039"},
                "geometry": None if i % 3 == 1 else point,
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return features


def test_null_geometries_are_rejected_with_a_reason(etl_url: str, tmp_path: Path) -> None:
    source = tmp_path / "spots.geojson"
    features = _features(source)
    nulls = {n for n, f in enumerate(features, start=1) if f["geometry"] is None}
    report = tmp_path / "r.json"
    proc = run_load(etl_url, "wifi_spots", str(source), "--report", str(report), check=True)
    assert f"loaded {len(features) - len(nulls)} features" in proc.stdout
    issues = json.loads(report.read_text("utf-8"))["files"][0]["issues"]
    rejected = {(i["row"], i["reason"]) for i in issues if i["action"] == "rejected"}
    assert rejected == {(n, "no geometry (null)") for n in nulls}
    assert f"rejected {len(nulls)}" in proc.stdout


# GSI's TKY2JGD example (docs/jp-gis-standards.md §1.1): Tokyo datum -> JGD2000 by the grid.
TKY = ("35°43'18.0000\"N", "138°44'36.1809\"E")
JGD = ("35°43'29.55634\"N", "138°44'24.90110\"E")


def _served_point(url: str) -> tuple[float, float]:
    with connect(url) as conn:
        row = conn.execute("SELECT ST_X(geom), ST_Y(geom) FROM layer_data.wifi_spots").fetchone()
    assert row is not None
    return float(row[0]), float(row[1])


def test_csv_coordinates_in_the_tokyo_datum(etl_url: str, tmp_path: Path) -> None:
    source = tmp_path / "tokyo.csv"
    lat, lon = parse_dms(TKY[0]), parse_dms(TKY[1])
    source.write_text(f"市区町村コード,名称,緯度,経度,SSID\n192015,甲府,{lat},{lon},a\n", "cp932")
    run_load(etl_url, "wifi_spots", str(source), "--force", check=True)
    as_read = _served_point(etl_url)
    assert GRS80.inv(*as_read, lon, lat)[2] < 0.01  # without --crs: taken as they are
    report = tmp_path / "r.json"
    run_load(etl_url, "wifi_spots", str(source), "--crs", "Tokyo", "--force",
             "--report", str(report), check=True)  # fmt: skip
    moved = _served_point(etl_url)
    truth = (parse_dms(JGD[1]), parse_dms(JGD[0]))
    assert GRS80.inv(*moved, *truth)[2] < 2.0  # the 3-parameter shift: metre level
    assert GRS80.inv(*moved, lon, lat)[2] > 400  # the datum shift was applied
    assert json.loads(report.read_text("utf-8"))["files"][0]["crs"] == "EPSG:4301"


def test_csv_with_a_projected_crs_is_refused(etl_url: str, tmp_path: Path) -> None:
    source = tmp_path / "plane.csv"
    source.write_text("市区町村コード,名称,緯度,経度,SSID\n352039,a,34.1,131.4,a\n", "utf-8")
    proc = run_load(etl_url, "wifi_spots", str(source), "--crs", "EPSG:6671", "--dry-run")
    assert proc.returncode == 1
    assert "projected CRS" in proc.stdout + proc.stderr
