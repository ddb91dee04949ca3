"""A deterministic synthetic population mesh over a municipality (no real mesh file exists in
../shared/data for 岩国市): every 3rd-mesh cell overlapping the boundary gets a population
derived from its code, about a quarter of them none. Written as an e-Stat style CSV so it goes
through the normal loader."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import shapely
from shapely.geometry import shape

from gis.geo.mesh import cells_overlapping


def cell_population(code: str) -> int:
    """People in a cell: a fixed function of the code (0 for about a quarter of the cells)."""
    h = (int(code) * 2654435761) % 4294967291
    return 0 if h % 4 == 0 else h % 900


def boundary_from_n03(path: Path, n03_code: str) -> shapely.Geometry:
    """The union of a municipality's features in an N03 GeoJSON (lon/lat)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    parts = [shape(f["geometry"]) for f in data["features"]
             if f["properties"].get("N03_007") == n03_code]  # fmt: skip
    return shapely.union_all(parts)


def write_mesh_csv(area: shapely.Geometry, path: Path) -> dict[str, int]:
    """Write KEY_CODE,population,households for every 3rd-mesh cell overlapping ``area``."""
    codes = cells_overlapping(area, 3)
    populations = {code: cell_population(code) for code in codes}
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["KEY_CODE", "population", "households"])
        for code, people in populations.items():
            writer.writerow([code, people, people // 2])
    return populations
