"""Flood depth, N03, landslide, EV, Wi-Fi and the Shunan bus map from the real files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer

from gis.platform.db import connect
from tests.etl.conftest import run_load
from tests.shared_data import shared_path

pytestmark = pytest.mark.shared


def _shx_count(shp: Path) -> int:
    return (shp.with_suffix(".shx").stat().st_size - 100) // 8


def _first_vertex(shp: Path) -> tuple[float, float]:
    data = shp.read_bytes()
    # record header (8) + shape type (4) + bbox (32) + numParts (4) + numPoints (4) + parts
    num_parts = struct.unpack("<i", data[100 + 8 + 36 : 100 + 8 + 40])[0]
    start = 100 + 8 + 44 + 4 * num_parts
    return struct.unpack("<2d", data[start : start + 16])


def test_flood_depth_grid(etl_url: str, tmp_path: Path) -> None:
    folder = shared_path("yamaguchi-uesugi", "flood_depth")
    shapefiles = sorted(folder.rglob("*.shp"))
    assert len(shapefiles) == 7
    expected = sum(_shx_count(p) for p in shapefiles)
    report = tmp_path / "flood.json"
    run_load(etl_url, "flood_depth", str(folder), "--report", str(report), check=True)
    data = json.loads(report.read_text("utf-8"))
    assert data["rows_loaded"] == expected == 8964 + 5757 + 1920 + 167 + 24 + 3811 + 403
    assert {f["crs"] for f in data["files"]} == {"EPSG:2445"}
    # first vertex of the first cell, transformed independently from the raw .shp bytes
    x, y = _first_vertex(shapefiles[0])
    lon, lat = Transformer.from_crs(2445, 4326, always_xy=True).transform(x, y)
    with connect(etl_url) as conn:
        wkb = conn.execute(
            "SELECT ST_AsBinary(geom) FROM layer_data.flood_depth WHERE fid = 1"
        ).fetchone()
        ring = shapely.get_exterior_ring(shapely.get_geometry(shapely.from_wkb(bytes(wkb[0])), 0))
        first = shapely.get_coordinates(ring)[0]
        assert first[0] == pytest.approx(lon, abs=1e-9) and first[1] == pytest.approx(lat, abs=1e-9)
        ranks = conn.execute(
            "SELECT min(depth_m), max(depth_m), depth_rank FROM layer_data.flood_depth"
            " GROUP BY depth_rank ORDER BY depth_rank"
        ).fetchall()
    edges = [0.5, 3.0, 5.0, 10.0, 20.0]
    for low, high, rank in ranks:
        assert (edges[rank - 2] if rank > 1 else 0) <= low and high < edges[rank - 1]
    assert [r[2] for r in ranks] == [1, 2, 3, 4]


def test_n03_then_points_outside_their_municipality(etl_url: str, tmp_path: Path) -> None:
    folder = shared_path("n03-smartnews")
    report = tmp_path / "n03.json"
    proc = run_load(etl_url, "admin_boundaries", str(folder), "--report", str(report), check=True)
    codes = set()
    for name in ("geojson_s0010_N03-21_33_210101.json", "geojson_s0010_N03-21_35_210101.json"):
        raw = json.loads((folder / name).read_text("utf-8"))
        codes |= {f["properties"]["N03_007"] for f in raw["features"]}
    data = json.loads(report.read_text("utf-8"))
    assert data["rows_loaded"] == len(codes) == 49
    prefectures = next(f for f in data["files"] if "prefectures" in f["name"])
    assert prefectures["rows_rejected"] == 47 and prefectures["rows_loaded"] == 0
    topo = next(
        f for f in data["files"] if f["name"].endswith("topojson_s0010_N03-21_35_210101.json")
    )
    assert topo["format"] == "topojson" and topo["rows_read"] == 19
    assert all(i["reason"].startswith("duplicate lg_code") for i in topo["issues"])
    assert "loaded 49 features" in proc.stdout
    # a point in 岩国市 that claims to be in 下関市 is rejected (far outside), measured
    # independently
    features = json.loads((folder / "geojson_s0010_N03-21_35_210101.json").read_text())
    iwakuni = shapely.geometry.shape(
        next(f["geometry"] for f in features["features"] if f["properties"]["N03_007"] == "35208")
    )
    inside = iwakuni.representative_point()
    sample = tmp_path / "wifi.csv"
    sample.write_text(
        "市区町村コード,名称,緯度,経度,SSID\n"
        f"352012,wrong town,{inside.y},{inside.x},x\n"
        f"35208,right town,{inside.y},{inside.x},x\n",
        "utf-8",
    )
    out = tmp_path / "wifi.json"
    run_load(etl_url, "wifi_spots", str(sample), "--report", str(out), check=True)
    issues = json.loads(out.read_text("utf-8"))["files"][0]["issues"]
    assert [(i["row"], i["action"]) for i in issues] == [(2, "rejected")]
    assert "outside 下関市 (352012): more than 10 km" in issues[0]["reason"]


def test_landslide_ev_wifi(etl_url: str, tmp_path: Path) -> None:
    landslide = shared_path("landslide-tokyo", "tokyo_dosekiryu_tokubetsu.json")
    raw = json.loads(landslide.read_text("utf-8"))["features"]
    run_load(etl_url, "landslide_zones", str(landslide), check=True)
    with connect(etl_url) as conn:
        rows = conn.execute(
            "SELECT count(*), min(phenomenon), max(zone_class), count(designated_on)"
            " FROM layer_data.landslide_zones"
        ).fetchone()
        reiwa = conn.execute(
            "SELECT count(*) FROM layer_data.landslide_zones WHERE designated_on = '2019-06-28'"
        ).fetchone()
    dated = sum(1 for f in raw if f["properties"]["koujidate"])
    assert rows == (len(raw), 2, 2, dated)
    assert reiwa[0] == sum(1 for f in raw if f["properties"]["koujidate"] == "令和元年6月28日")

    ev = shared_path("ev-tokushima", "電気自動車充電スタンド.csv")
    proc = run_load(etl_url, "ev_chargers", str(ev), check=True)
    body = ev.read_text("cp932").splitlines()
    assert body[0].startswith("徳島県内") and body[1].startswith("ID,")
    assert f"loaded {len(body) - 2} features" in proc.stdout
    assert "skipped 1 title row(s) above the header" in proc.stdout

    wifi = shared_path("yamaguchi-uesugi", "wifi")
    report = tmp_path / "wifi.json"
    run_load(etl_url, "wifi_spots", str(wifi), "--report", str(report), check=True)
    files = {Path(f["name"]).name: f for f in json.loads(report.read_text("utf-8"))["files"]}
    assert files["lan1031.csv"]["rows_rejected"] == 6
    assert files["07_lan_353418_public_wireless_lan.csv"]["rows_loaded"] == 1
    assert any(
        "18 blank" in i["reason"] for i in files["07_lan_353418_public_wireless_lan.csv"]["issues"]
    )
    assert files["352110_public_wireless_lan_tourist-spot.csv"]["rows_loaded"] == 4


def test_shunan_shapefile_without_prj(etl_url: str, tmp_path: Path) -> None:
    folder = shared_path("yamaguchi-uesugi", "bus_map_shunan", "オープンデータ用WGS84")
    no_crs = run_load(etl_url, "transit_stops", str(folder / "バス停.shp"))
    assert no_crs.returncode == 1
    assert "no .prj" in no_crs.stdout and "--crs EPSG:4326" in no_crs.stdout
    dbf = (folder / "バス停.dbf").read_bytes()
    header_len = struct.unpack("<H", dbf[8:10])[0]
    width = dbf[32 + 16]  # length of the first field ("name")
    first_name = dbf[header_len + 1 : header_len + 1 + width].decode("cp932").strip()
    zipped = next(folder.parent.glob("*.zip"))
    report = tmp_path / "shunan.json"
    run_load(
        etl_url,
        "transit_stops",
        str(zipped),
        "--crs",
        "EPSG:4326",
        "--report",
        str(report),
        check=True,
    )
    data = json.loads(report.read_text("utf-8"))
    names = [f["name"] for f in data["files"]]
    assert f"{zipped.name}:バス停.shp" in names  # CP932 member names decoded
    stops = next(f for f in data["files"] if f["name"].endswith("バス停.shp"))
    assert stops["encoding"] == "cp932" and stops["rows_loaded"] == 103
    with connect(etl_url) as conn:
        found = conn.execute(
            "SELECT count(*) FROM layer_data.transit_stops WHERE name = %s", (first_name,)
        ).fetchone()
    assert found[0] >= 1
