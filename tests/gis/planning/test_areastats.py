"""Area statistics against independent computations on the raw demo data
(jismesh for mesh codes, geopandas for point-in-polygon, pyproj.Geod for geodesic measures)."""

from __future__ import annotations

import geopandas as gpd
import jismesh.utils as ju
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import box

from gis.planning import areastats
from gis.platform.db import connect
from gis.platform.errors import BadRequest

GEOD = Geod(ellps="WGS84")


def _run(database_url, registry, layer: str, unit: str):
    with connect(database_url) as conn:
        return areastats.area_statistics(conn, registry.get(layer), unit)


def _cell(code: str):
    south, west = ju.to_meshpoint(code, 0, 0)
    north, east = ju.to_meshpoint(code, 1, 1)
    return box(west, south, east, north)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_point_counts_per_mesh(database_url, demo_loaded, demo_frames, registry, level) -> None:
    shelters = demo_frames["shelters"]
    codes = ju.to_meshcode(shelters.geometry.y.values, shelters.geometry.x.values, level)
    expected = {str(c): n for c, n in zip(*np.unique(codes, return_counts=True), strict=True)}
    stats = _run(database_url, registry, "shelters", f"mesh{level}")
    assert stats.measure == "count"
    got = {u.code: int(u.value) for u in stats.units if u.value}
    assert got == expected
    assert stats.total == len(shelters)


def test_point_counts_per_municipality(database_url, demo_loaded, demo_frames, registry) -> None:
    joined = gpd.sjoin(
        demo_frames["shelters"][["geometry"]], demo_frames["admin_boundaries"], predicate="within"
    )
    expected = joined.groupby("lg_code").size().to_dict()
    stats = _run(database_url, registry, "shelters", "municipality")
    assert {u.code: int(u.value) for u in stats.units} == expected
    names = dict(
        zip(
            demo_frames["admin_boundaries"]["lg_code"],
            demo_frames["admin_boundaries"]["name"],
            strict=True,
        )
    )
    assert {u.code: u.name for u in stats.units} == names


def test_polygon_areas_per_municipality(database_url, demo_loaded, demo_frames, registry) -> None:
    flood, munis = demo_frames["flood_depth"], demo_frames["admin_boundaries"]
    stats = {
        u.code: u.value for u in _run(database_url, registry, "flood_depth", "municipality").units
    }
    for code, boundary in zip(munis["lg_code"], munis.geometry, strict=True):
        parts = shapely.intersection(flood.geometry.values, boundary)
        expected = sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in parts if not p.is_empty)
        assert stats[code] == pytest.approx(expected, rel=1e-4)


def test_line_lengths_per_2nd_mesh(database_url, demo_loaded, demo_frames, registry) -> None:
    routes = demo_frames["transit_routes"]
    stats = _run(database_url, registry, "transit_routes", "mesh2")
    assert stats.measure == "length_m"
    for unit in stats.units:
        parts = shapely.intersection(routes.geometry.values, _cell(unit.code))
        expected = sum(GEOD.geometry_length(p) for p in parts if not p.is_empty)
        assert unit.value == pytest.approx(expected, rel=1e-4, abs=1e-3)
    total = sum(GEOD.geometry_length(g) for g in routes.geometry)
    assert stats.total == pytest.approx(total, rel=1e-4)


def test_bad_unit() -> None:
    with pytest.raises(BadRequest):
        areastats.check_unit("mesh4")
