"""Dirty geometries from the wild, each class in a small file: repaired (with the rule named)
or rejected (with file, feature number and reason); never a traceback, never the whole file."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from etl.load import LoadOptions, load
from etl.readers.wkb_parse import DROPPED_M, DROPPED_Z, RING_CLOSED, parse_wkb
from etl.report import FileReport
from etl.validate import check_geometries
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect
from tests.conftest import ROOT
from tests.etl.conftest import run_load

X, Y, D = 131.47, 34.18, 0.001  # in 山口市
SQUARE = [[X, Y], [X + D, Y], [X + D, Y + D], [X, Y + D]]


def _feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"phenomenon": 1, "zone_class": 1, **props},
            "geometry": geometry}  # fmt: skip


def _polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def _write(path: Path, features: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _by_row(report: Path | dict[str, Any]) -> dict[int, tuple[str, str]]:
    data = json.loads(report.read_text("utf-8")) if isinstance(report, Path) else report
    return {i["row"]: (i["action"], i["reason"]) for i in data["files"][0]["issues"]}


def test_unclosed_rings_load_with_a_report_not_a_traceback(etl_url: str, tmp_path: Path) -> None:
    """The issue's landslide file: rings whose last vertex is not the first."""
    sample = _write(tmp_path / "landslide.geojson", [
        _feature(_polygon(SQUARE)),  # 1: unclosed, 4 distinct vertices: closed
        _feature(_polygon([*SQUARE, SQUARE[0]])),  # 2: fine as it is
        _feature(_polygon(SQUARE[:2])),  # 3: two vertices: cannot be closed with certainty
        _feature(_polygon([SQUARE[0], SQUARE[1], SQUARE[0], SQUARE[1]])),  # 4: two distinct
    ])  # fmt: skip
    report = tmp_path / "r.json"
    proc = run_load(etl_url, "landslide_zones", str(sample), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "loaded 2 features" in proc.stdout
    issues = _by_row(report)
    assert issues[1] == ("repaired", RING_CLOSED)
    assert 2 not in issues
    assert issues[3][0] == "rejected" and "ring" in issues[3][1]
    assert issues[4] == ("rejected", "ring not closed and has only 2 distinct vertices: cannot"
                         " be closed with certainty")  # fmt: skip
    with connect(etl_url) as conn:
        rows = conn.execute(
            "SELECT ST_IsValid(geom), ST_NPoints(geom) FROM layer_data.landslide_zones"
        ).fetchall()
    assert rows == [(True, 5), (True, 5)]


def test_every_geometry_class_is_repaired_or_rejected_with_its_reason(
    etl_url: str, tmp_path: Path
) -> None:
    bowtie = [[X, Y], [X + D, Y + D], [X + D, Y], [X, Y + D], [X, Y]]
    flat = [[X, Y], [X + D, Y], [X + 2 * D, Y], [X, Y]]
    square3d = [[x, y, 12.5] for x, y in [*SQUARE, SQUARE[0]]]
    collection = {"type": "GeometryCollection", "geometries": [_polygon([*SQUARE, SQUARE[0]])]}
    mixed = {"type": "GeometryCollection", "geometries": [_polygon([*SQUARE, SQUARE[0]]),
             {"type": "Point", "coordinates": [X, Y]}]}  # fmt: skip
    sample = _write(tmp_path / "classes.geojson", [
        _feature(_polygon(bowtie)),  # 1: self-intersection: made valid
        _feature(_polygon(flat)),  # 2: zero area: nothing left
        _feature(_polygon(square3d)),  # 3: 3D: dropped to 2D
        _feature(collection),  # 4: a collection of one polygon: that polygon
        _feature(mixed),  # 5: mixed collection: rejected
        _feature({"type": "LineString", "coordinates": [[X, Y], [X + D, Y]]}),  # 6: a line
        _feature({"type": "Polygon", "coordinates": []}),  # 7: empty
        _feature(_polygon([*SQUARE, SQUARE[0]])),  # 8: fine
    ])  # fmt: skip
    registry = LayerRegistry.from_dir(ROOT / "layers")
    report = load(etl_url, registry.get("landslide_zones"), [sample], LoadOptions(dry_run=True))
    issues = _by_row(report.as_json())
    assert issues[1][0] == "repaired" and "Self-intersection" in issues[1][1]
    assert issues[2][0] == "rejected" and issues[2][1].startswith("degenerate geometry")
    assert issues[3] == ("repaired", DROPPED_Z)
    assert issues[4] == ("repaired", "GeometryCollection of one kind of part made a Polygon")
    assert issues[5] == ("rejected", "GeometryCollection does not fit a MultiPolygon layer")
    assert issues[6] == ("rejected", "LineString does not fit a MultiPolygon layer")
    assert issues[7] == ("rejected", "empty geometry")
    assert 8 not in issues
    assert report.rows_loaded == 4 and report.rows_repaired == 3 and report.rows_rejected == 4


def _ring_wkb(points: list[tuple[float, float]], dims: str = "") -> bytes:
    kind = {"": 3, "Z": 1003, "M": 2003}[dims]
    out = struct.pack("<BII", 1, kind, 1) + struct.pack("<I", len(points))
    for x, y in points:
        out += struct.pack("<dd", x, y) + (struct.pack("<d", 7.0) if dims else b"")
    return out


def test_wkb_parsing_never_raises_past_the_row() -> None:
    square = [(X, Y), (X + D, Y), (X + D, Y + D), (X, Y + D)]
    wkb = np.array([
        _ring_wkb(square),  # unclosed: closed
        _ring_wkb([*square, square[0]], "Z"),  # 3D: 2D
        _ring_wkb([*square, square[0]], "M"),  # measured: 2D
        b"\x01\x03\x00\x00\x00\x05",  # truncated
        None,  # no geometry
        shapely.to_wkb(shapely.Point(X, Y)),  # fine
    ], dtype=object)  # fmt: skip
    geoms, notes = parse_wkb(wkb)
    found = {i: (action, reason) for i, reason, action in notes}
    assert found == {
        0: ("repaired", RING_CLOSED),
        1: ("repaired", DROPPED_Z),
        2: ("repaired", DROPPED_M),
        3: ("rejected", "unreadable geometry (ParseException: Unexpected EOF parsing WKB)"),
    }
    assert geoms[3] is None and geoms[4] is None
    assert not shapely.has_z(geoms[1]) and shapely.equals(geoms[0], geoms[1])


def test_nan_and_infinite_coordinates_are_rejected() -> None:
    registry = LayerRegistry.from_dir(ROOT / "layers")
    with np.errstate(invalid="ignore"):  # numpy's warning on making them
        geoms = np.array([shapely.Point(X, Y), shapely.LineString([(X, Y), (math.nan, Y)]),
                          shapely.LineString([(X, Y), (X, math.inf)])], dtype=object)  # fmt: skip
    report = FileReport("x.gpkg")
    _, keep = check_geometries(geoms, np.array([1, 2, 3]), registry.get("shelters"), report)
    assert keep.tolist() == [True, False, False]
    assert [(i.row, i.reason) for i in report.issues] == [
        (2, "NaN or infinite coordinate"),
        (3, "NaN or infinite coordinate"),
    ]
