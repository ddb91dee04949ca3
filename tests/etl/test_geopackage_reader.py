"""GeoPackages read straight from SQLite give what GDAL gives, and load as a user runs it."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import struct
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from etl.inputs import Input
from etl.readers.geopackage import geometries, geometries_and_wkb, open_geopackage
from etl.readers.vector import open_vector
from gis.platform.db import connect
from gis.platform.errors import LoadError
from tests.etl.conftest import ROOT

ZONE_III = "EPSG:6671"  # JGD2011 plane-rectangular zone III (Okayama, Yamaguchi…)


def _mixed_frame(n: int = 40) -> gpd.GeoDataFrame:
    """Every column kind a GeoPackage holds, with missing values, in a projected CRS."""
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(-60_000, 60_000, n), rng.uniform(-120_000, 0, n)
    geometry: list[Any] = [shapely.Point(x, y).buffer(200 + i, 3) for i, (x, y) in
                           enumerate(zip(xs, ys, strict=True))]  # fmt: skip
    geometry[3] = None
    geometry[5] = shapely.MultiPolygon(
        [geometry[4], shapely.box(xs[5], ys[5], xs[5] + 9, ys[5] + 9)]
    )
    geometry[6] = shapely.Polygon(
        shapely.box(xs[6], ys[6], xs[6] + 100, ys[6] + 100).exterior,
        [shapely.box(xs[6] + 10, ys[6] + 10, xs[6] + 20, ys[6] + 20).exterior.coords[::-1]],
    )
    return gpd.GeoDataFrame(
        {
            "番号": pd.array([i if i % 7 else None for i in range(n)], dtype="Int64"),
            "名称": [f"区域{i}" if i % 5 else None for i in range(n)],
            "深さ": [i / 4 if i % 6 else math.nan for i in range(n)],
            "flag": [bool(i % 2) for i in range(n)],
            "day": [date(2024, 4, 1 + i % 28) for i in range(n)],
            "stamp": [datetime(2024, 4, 1, i % 24, 30, tzinfo=UTC) for i in range(n)],
        },
        geometry=geometry,
        crs=ZONE_III,
    )


def _edit(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    """Change a GeoPackage as a careless editor might (GDAL's R-tree triggers call the
    spatial functions below, which plain SQLite lacks; the R-tree itself is not read)."""
    with sqlite3.connect(path) as db:
        db.create_function("ST_IsEmpty", 1, lambda blob: 0)
        for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            db.create_function(name, 1, lambda blob: 0.0)
        for statement, params in statements:
            db.execute(statement, params)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return pd.Timestamp(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def test_sqlite_reader_gives_what_gdal_gives(tmp_path: Path) -> None:
    path = tmp_path / "mixed.gpkg"
    pyogrio.write_dataframe(_mixed_frame(), path, driver="GPKG")
    package = open_geopackage(path, encoding=None, crs=None)
    assert package is not None and len(package) == 40
    ours = list(package.tables(max_rows=7))
    gdal = list(open_vector(Input(path), encoding=None, crs=None).tables(max_rows=7))
    assert [len(t) for t in ours] == [7, 7, 7, 7, 7, 5] == [len(t) for t in gdal]
    for mine, theirs in zip(ours, gdal, strict=True):
        assert list(mine.columns) == list(theirs.columns)
        assert (mine.rows == theirs.rows).all()
        for name in mine.columns:
            assert [_plain(v) for v in mine.columns[name]] == [
                _plain(v) for v in theirs.columns[name]
            ], name
        assert mine.geometry is not None and theirs.geometry is not None
        assert shapely.equals_exact(mine.geometry, theirs.geometry, tolerance=0).tolist() == [
            g is not None for g in theirs.geometry
        ]
        assert [g is None for g in mine.geometry] == [g is None for g in theirs.geometry]


def test_chunks_keep_to_the_byte_budget(tmp_path: Path) -> None:
    path = tmp_path / "mixed.gpkg"
    pyogrio.write_dataframe(_mixed_frame(), path, driver="GPKG")
    package = open_geopackage(path, encoding=None, crs=None)
    assert package is not None
    with sqlite3.connect(path) as db:
        sizes = [len(b or b"") for (b,) in db.execute("SELECT geom FROM mixed ORDER BY fid")]
    budget = 3 * max(sizes)
    tables = list(package.tables(max_rows=1000, max_bytes=budget))
    assert sum(len(t) for t in tables) == 40 and len(tables) > 1
    start = 0
    for table in tables:
        part = sizes[start : start + len(table)]
        assert sum(part) <= budget or len(part) == 1
        start += len(table)


def test_other_geopackages_are_left_to_gdal(tmp_path: Path) -> None:
    two = tmp_path / "two.gpkg"
    frame = _mixed_frame(8)
    pyogrio.write_dataframe(frame, two, layer="a", driver="GPKG")
    pyogrio.write_dataframe(frame, two, layer="b", driver="GPKG", append=True)
    assert open_geopackage(two, encoding=None, crs=None) is None  # which layer? GDAL's rule
    one = tmp_path / "one.gpkg"
    pyogrio.write_dataframe(frame, one, driver="GPKG")
    assert open_geopackage(one, encoding="cp932", crs=None) is None  # --encoding: GDAL's
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x01" * 2000)
    assert open_geopackage(broken, encoding=None, crs=None) is None  # GDAL explains


def test_text_that_is_not_utf8_names_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "sjis.gpkg"
    pyogrio.write_dataframe(_mixed_frame(12), path, driver="GPKG")
    _edit(
        path, ("UPDATE sjis SET 名称 = CAST(? AS TEXT) WHERE fid = 9", ("避難所".encode("cp932"),))
    )
    package = open_geopackage(path, encoding=None, crs=None)
    assert package is not None
    with pytest.raises(LoadError, match=r"^row 9, field 名称: text that is not UTF-8"):
        list(package.tables(max_rows=5))


def _load_bench(url: str, layer: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KASANE_DATABASE_URL": url,
        "KASANE_LAYERS_DIR": str(ROOT / "bench" / "layers"),
    }
    command = [sys.executable, "-m", "kasane", "load", layer, *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_projected_geopackage_loads_with_row_rules(etl_url: str, tmp_path: Path) -> None:
    """Points in plane-rectangular zone III end where PROJ puts them; a capacity that SQLite
    stored as text, one below the minimum and a null geometry are rejected with reasons."""
    rng = np.random.default_rng(11)
    xs, ys = rng.uniform(-50_000, 50_000, 60), rng.uniform(-150_000, -50_000, 60)
    frame = gpd.GeoDataFrame(
        {"fid_src": range(1, 61), "name": [f"避難所{i}" for i in range(60)],
         "capacity": [10 * i for i in range(60)], "category": ["指定避難所"] * 60},
        geometry=[shapely.Point(x, y) for x, y in zip(xs, ys, strict=True)], crs=ZONE_III,
    )  # fmt: skip
    path = tmp_path / "points.gpkg"
    pyogrio.write_dataframe(frame, path, driver="GPKG")
    _edit(
        path,
        ("UPDATE points SET capacity = 'many' WHERE fid = 4", ()),
        ("UPDATE points SET capacity = -5 WHERE fid = 9", ()),
        ("UPDATE points SET geom = NULL WHERE fid = 17", ()),
    )
    report = tmp_path / "report.json"
    proc = _load_bench(etl_url, "bench_points", str(path), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert "loaded 57 features" in proc.stdout
    issues = json.loads(report.read_text("utf-8"))["files"][0]["issues"]
    assert {(i["row"], i["field"], i["action"]) for i in issues} == {
        (4, "capacity", "rejected"), (9, "capacity", "rejected"), (17, "geometry", "rejected")
    }  # fmt: skip
    reasons = {i["row"]: i["reason"] for i in issues}
    assert reasons[4].startswith("capacity 'many' is not an integer")
    assert "below the minimum" in reasons[9]
    lon, lat = Transformer.from_crs(ZONE_III, "EPSG:4326", always_xy=True).transform(xs, ys)
    with connect(etl_url) as conn:
        served = conn.execute(
            "SELECT fid_src, ST_X(geom), ST_Y(geom), capacity FROM layer_data.bench_points"
            " ORDER BY fid_src"
        ).fetchall()
    kept = [i for i in range(60) if i + 1 not in (4, 9, 17)]
    assert [r[0] for r in served] == [i + 1 for i in kept]
    assert (
        max(abs(r[1] - lon[i]) + abs(r[2] - lat[i]) for r, i in zip(served, kept, strict=True))
        < 1e-9
    )
    assert [r[3] for r in served] == [10 * i for i in kept]


def _blob(geometry: shapely.Geometry, *, envelope: int = 0, big_endian: bool = False) -> bytes:
    """A GeoPackage geometry cell written by hand (spec §2.1.3), independently of GDAL."""
    order = ">" if big_endian else "<"
    flags = (0 if big_endian else 1) | envelope << 1 | (0x10 if geometry.is_empty else 0)
    head = b"GP" + bytes([0, flags]) + struct.pack(f"{order}i", 4326)
    if envelope:
        minx, miny, maxx, maxy = geometry.bounds
        head += struct.pack(f"{order}4d", minx, maxx, miny, maxy)
    return head + shapely.to_wkb(geometry, byte_order=0 if big_endian else 1)


def test_geometry_cells_of_every_layout() -> None:
    square = shapely.box(131.0, 34.0, 131.1, 34.1)
    point = shapely.Point(131.5, 34.2)
    cells = [
        _blob(point),
        _blob(point, envelope=1),
        _blob(square, envelope=1),
        _blob(square, big_endian=True),
        _blob(point, envelope=1, big_endian=True),
        None,
        _blob(shapely.Polygon()),
    ]
    rows = np.arange(1, len(cells) + 1)
    found = geometries(cells, rows)
    assert found[5] is None and found[6].is_empty
    for got, want in zip(found[:5], [point, point, square, square, point], strict=True):
        assert shapely.equals_exact(got, want, tolerance=0)
    same_points = geometries([_blob(point), _blob(shapely.Point(132, 35))], rows[:2])
    assert [g.coords[0] for g in same_points] == [(131.5, 34.2), (132.0, 35.0)]


def test_cells_that_are_not_geopackage_geometries_name_their_row() -> None:
    """A bad cell rejects its row with the reason, never the whole file."""
    good = _blob(shapely.Point(131.5, 34.2))
    extended = good[:3] + bytes([good[3] | 0x20]) + good[4:]
    cases = [
        ([good, extended], "an extended GeoPackage geometry (curves are not supported)"),
        ([good, shapely.to_wkb(shapely.Point(1, 2))], "the geometry is not a GeoPackage geometry"),
        ([good, good[:8] + b"\x01\x03\x00\x00\x00\x05"],
         "unreadable geometry (ParseException: Unexpected EOF parsing WKB)"),
    ]  # fmt: skip
    for cells, reason in cases:
        notes: list[tuple[int, str, str]] = []
        found, _ = geometries_and_wkb(cells, np.array([1, 2]), notes)
        assert notes == [(2, reason, "rejected")]
        assert found[1] is None and found[0].equals(shapely.Point(131.5, 34.2))


def test_an_empty_feature_table_is_one_empty_table(tmp_path: Path) -> None:
    path = tmp_path / "empty.gpkg"
    pyogrio.write_dataframe(_mixed_frame(8).iloc[:0], path, driver="GPKG")
    package = open_geopackage(path, encoding=None, crs=None)
    assert package is not None and len(package) == 0
    (table,) = package.tables(max_rows=5, max_bytes=1000)
    assert len(table) == 0 and list(table.columns) == [
        "番号",
        "名称",
        "深さ",
        "flag",
        "day",
        "stamp",
    ]


def test_polygons_in_lonlat_load_as_read_and_repairs_are_written_again(
    etl_url: str, tmp_path: Path
) -> None:
    """The loader sends a GeoPackage's own WKB when nothing changed a polygon; a bow-tie made
    valid is written from its repaired geometry. PostGIS checks both columns."""
    rng = np.random.default_rng(21)
    shapes = [
        shapely.Point(rng.uniform(131, 134), rng.uniform(34, 35)).buffer(0.01, int(q))
        for q in rng.integers(1, 30, 30)
    ]
    shapes[4] = shapely.Polygon([(132, 34), (132.01, 34.01), (132.01, 34), (132, 34.01)])
    frame = gpd.GeoDataFrame(
        {"fid_src": range(1, 31), "river": ["旭川"] * 30,
         "depth_rank": [1 + i % 6 for i in range(30)],
         "area_name": [f"区域{i}" for i in range(30)]},
        geometry=shapes, crs="EPSG:4326",
    )  # fmt: skip
    path = tmp_path / "zones.gpkg"
    pyogrio.write_dataframe(frame, path, driver="GPKG")
    report = tmp_path / "r.json"
    proc = _load_bench(etl_url, "bench_polygons", str(path), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    issues = json.loads(report.read_text("utf-8"))["files"][0]["issues"]
    assert [(i["row"], i["action"]) for i in issues] == [(5, "repaired")]
    with connect(etl_url) as conn:
        rows = conn.execute(
            "SELECT fid_src, ST_AsBinary(geom), ST_IsValid(geom) FROM layer_data.bench_polygons"
            " ORDER BY fid_src"
        ).fetchall()
    assert [r[0] for r in rows] == list(range(1, 31))
    assert all(r[2] for r in rows)
    for (fid, wkb, _), shape in zip(rows, shapes, strict=True):
        if fid != 5:
            assert bytes(wkb) == shapely.to_wkb(shapely.MultiPolygon([shape]))
