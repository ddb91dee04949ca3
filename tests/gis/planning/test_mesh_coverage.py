"""5G deployment rate on the 2nd mesh, against an independent JIS X 0410 computation (jismesh)."""

from __future__ import annotations

import jismesh.utils as ju
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from gis.planning import mesh_coverage
from gis.platform.db import connect
from gis.platform.errors import BadRequest


def _independent_cells(boundaries) -> list[str]:
    """2nd-mesh cells overlapping the prefecture, found with jismesh on a grid of points."""
    area = shapely.union_all(boundaries.geometry.values)
    min_x, min_y, max_x, max_y = area.bounds
    # Step by a third of a cell (5' x 7.5'), starting at the corner: every cell is hit.
    lats = np.arange(min_y, max_y + 5 / 60 / 3, 5 / 60 / 3)
    lons = np.arange(min_x, max_x + 7.5 / 60 / 3, 7.5 / 60 / 3)
    grid_lat, grid_lon = np.meshgrid(lats, lons)
    codes = {str(c) for c in ju.to_meshcode(grid_lat.ravel(), grid_lon.ravel(), 2)}
    chosen = []
    for code in sorted(codes):
        south, west = ju.to_meshpoint(code, 0, 0)
        north, east = ju.to_meshpoint(code, 1, 1)
        if shapely.intersection(box(west, south, east, north), area).area > 0:
            chosen.append(code)
    return chosen


def test_scope_cells_match_jismesh(database_url, demo_loaded, demo_frames) -> None:
    expected = _independent_cells(demo_frames["admin_boundaries"])
    with connect(database_url) as conn:
        assert mesh_coverage.cells_in_scope(conn, "touching") == expected


def test_rates_match_independent_computation(database_url, demo_loaded, demo_frames) -> None:
    scope = set(_independent_cells(demo_frames["admin_boundaries"]))
    coverage = demo_frames["mesh_coverage"]
    population = demo_frames["population_mesh"]
    populated = set(population.loc[population["population"] > 0, "mesh_code"].str[:6])
    with connect(database_url) as conn:
        touching = mesh_coverage.deployment_rates(conn, "touching")
        only_populated = mesh_coverage.deployment_rates(conn, "populated")
    assert [r.year for r in touching] == sorted(coverage["year"].unique())
    for rates, cells in ((touching, scope), (only_populated, scope & populated)):
        for rate in rates:
            year = coverage[coverage["year"] == rate.year]
            has = set(year.loc[year["has_advanced_station"], "mesh_code"]) & cells
            assert rate.cells_in_scope == len(cells)
            assert rate.cells_with_station == len(has)
            assert rate.rate == pytest.approx(len(has) / len(cells))
    assert only_populated[0].cells_in_scope < touching[0].cells_in_scope
    assert touching[-1].rate > touching[0].rate


def test_cells_geojson(database_url, demo_loaded) -> None:
    with connect(database_url) as conn:
        collection = mesh_coverage.cells_geojson(conn, "touching", 2022)
        rates = {r.year: r for r in mesh_coverage.deployment_rates(conn, "touching")}
        with pytest.raises(BadRequest):
            mesh_coverage.cells_geojson(conn, "touching", 1999)
    flags = [f["properties"]["has_station"] for f in collection["features"]]
    assert len(flags) == rates[2022].cells_in_scope
    assert sum(flags) == rates[2022].cells_with_station


def test_unknown_scope() -> None:
    with pytest.raises(BadRequest):
        mesh_coverage.check_scope("everything")
