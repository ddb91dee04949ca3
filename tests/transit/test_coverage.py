"""Coverage and transit-blank areas of 岩国市 against an independent geopandas computation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.platform.db import connect
from gis.transit.coverage import coverage
from gis.transit.request import TransitRequest
from tests.transit import expected as ex
from tests.transit.conftest import IWAKUNI

pytestmark = pytest.mark.shared
DAY = date(2025, 6, 4)


@pytest.mark.parametrize(("radius", "min_departures"), [(300.0, 1), (500.0, 10)])
def test_coverage_shares_match_geopandas(
    transit_url: str, feed_path: Path, n03_path: Path, mesh_csv: Path,
    radius: float, min_departures: int,
) -> None:  # fmt: skip
    town = ex.boundary(n03_path, "35208")
    discs = ex.served_stops(feed_path, DAY, min_departures).buffer(radius, quad_segs=16)
    covered = discs.union_all().intersection(town)
    cells = ex.mesh(mesh_csv)
    population = ex.people(cells, town)
    covered_people = ex.people(cells, covered)
    populated = cells.geometry.intersection(town).union_all()
    blank = populated.difference(covered)

    req = TransitRequest(IWAKUNI, DAY, bus_radius_m=radius, min_departures=min_departures)
    with connect(transit_url) as conn:
        got = coverage(conn, req)
    assert got.epsg == ex.ZONE
    assert got.area_m2 == pytest.approx(town.area, rel=0.005)
    assert got.covered_area_m2 == pytest.approx(covered.area, rel=0.005)
    assert got.covered_area_share == pytest.approx(covered.area / town.area, abs=0.005)
    assert got.population == pytest.approx(population, rel=0.005)
    assert got.covered_population == pytest.approx(covered_people, rel=0.005)
    assert got.covered_population_share == pytest.approx(covered_people / population, abs=0.005)
    assert got.blank_area_m2 == pytest.approx(blank.area, rel=0.005)
    assert got.blank_population == pytest.approx(population - covered_people, rel=0.005)
    # the parts are disjoint and make up the blank area (how corner-touching cells split into
    # parts is a matter of precision, so their number is not compared)
    assert sum(a.area_m2 for a in got.blank_areas) == pytest.approx(blank.area, rel=0.005)
    assert shapely.union_all([a.geometry for a in got.blank_areas]).area == pytest.approx(
        sum(a.area_m2 for a in got.blank_areas), rel=1e-6
    )
    people_in_parts = sum(a.population or 0.0 for a in got.blank_areas)
    assert people_in_parts == pytest.approx(population - covered_people, rel=0.005)
    assert 0 < got.covered_population_share < 1


def test_blank_areas_api_geojson_and_csv(transit_url: str, n03_path: Path) -> None:
    from gis.platform.settings import load_settings
    from webmap import close, create_app

    app = create_app(load_settings(database_url=transit_url))
    client = app.test_client()
    try:
        args = f"municipality={IWAKUNI}&date={DAY.isoformat()}"
        response = client.get(f"/api/transit/blank-areas?{args}")
        assert response.headers["Content-Type"] == "application/geo+json"
        body = response.get_json()
        frame = gpd.GeoDataFrame.from_features(body["features"], crs=4326).to_crs(ex.ZONE)
        summary = body["summary"]
        assert frame.area.sum() == pytest.approx(summary["blank_area_m2"], rel=0.001)
        assert frame["population"].sum() == pytest.approx(summary["blank_population"], rel=0.001)
        town = ex.boundary(n03_path, "35208")
        assert frame.union_all().difference(town.buffer(1.0)).area < 1.0  # inside the town
        csv = client.get(f"/api/transit/blank-areas?{args}&f=csv").data.decode("utf-8-sig")
        lines = csv.strip().split("\r\n")
        assert lines[0] == "area_id,area_m2,population,lon,lat"
        assert len(lines) == len(body["features"]) + 1
        cover = client.get(f"/api/transit/coverage?{args}").get_json()
        assert cover["blank_area_m2"] == summary["blank_area_m2"]
        assert cover["crs"] == "EPSG:6671"
    finally:
        close(app)
