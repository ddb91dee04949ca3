"""Geometry sources of declared mappings: WKT, mesh codes and municipalities (no database)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import shapely

from etl.readers import Table
from etl.report import FileReport
from etl.sources import Context
from etl.sources.declared import map_declared
from gis.layerstore.layerspec import LayerSpec

HEAD = """id = "t"
kind = "%s"
geometry = "%s"
owner = "352039"
title = { ja = "t", en = "t" }
description = { ja = "t", en = "t" }
license = { name = "x", attribution = { ja = "x", en = "x" } }
[source]
geometry = "%s"
columns = ["形状", "コード"]
[[fields]]
name = "name"
type = "text"
title = { ja = "名称", en = "Name" }
source = { columns = ["名称"] }
"""


def _map(kind: str, geometry: str, source: str, cells: list[str], **areas: object) -> tuple:
    spec = LayerSpec.model_validate(tomllib.loads(HEAD % (kind, geometry, source)))
    table = Table(
        {"名称": [f"n{i}" for i in range(len(cells))], "コード": cells},
        np.arange(2, len(cells) + 2),
    )
    report = FileReport("f.csv")
    mapped = map_declared(spec, table, Context(Path("f.csv"), report, {}, areas))  # type: ignore[arg-type]
    return mapped.geometry, [(i.row, i.reason) for i in report.issues]


def test_wkt_cells() -> None:
    geoms, problems = _map(
        "route", "LineString", "wkt", ["LINESTRING (131.4 34.1, 131.5 34.2)", "LINESTRING (1", ""]
    )
    assert geoms[0].equals(shapely.LineString([(131.4, 34.1), (131.5, 34.2)]))
    assert geoms[1] is None and geoms[2] is None
    assert problems[0][0] == 3 and problems[0][1].startswith("unreadable WKT")
    assert problems[1] == (4, "no geometry (the WKT cell is empty)")


def test_mesh_codes_give_cells_or_their_centres() -> None:
    cells, problems = _map("area", "Polygon", "mesh", ["51310000", "5131000012", "12"])
    assert cells[0].bounds == (131.0, 34.0 + 0 / 120, 131.0125, 34.0 + 1 / 120)
    assert cells[1] is not None and cells[1].area < cells[0].area
    assert [row for row, _ in problems] == [4]
    centres, _ = _map("facility", "Point", "mesh", ["51310000"])
    assert centres[0].equals(cells[0].centroid)


def test_municipality_codes_give_outlines_or_a_point_inside() -> None:
    yamaguchi = shapely.box(131.3, 34.0, 131.7, 34.4)
    outlines, problems = _map(
        "area",
        "MultiPolygon",
        "lg_code",
        ["35203", "352039", "999999"],
        **{"352039": ("山口市", yamaguchi)},
    )
    assert outlines[0] is yamaguchi and outlines[1] is yamaguchi and outlines[2] is None
    assert problems == [(4, "'999999' has check digit 9, expected 7")]
    points, _ = _map(
        "facility", "Point", "lg_code", ["352039"], **{"352039": ("山口市", yamaguchi)}
    )
    assert yamaguchi.contains(points[0])
