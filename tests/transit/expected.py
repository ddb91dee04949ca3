"""Independent coverage expectations with geopandas/shapely from the raw inputs (stops.txt,
the N03 GeoJSON, the mesh CSV), in EPSG:6671 (JGD2011 plane-rectangular zone III, Yamaguchi)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from tests.transit.raw_feed import departures, read

ZONE = 6671


def mesh3_box(code: str) -> shapely.Polygon:
    """A 3rd-mesh cell from its 8-digit code (JIS X 0410), computed here from the definition."""
    lat = int(code[0:2]) / 1.5 + int(code[4]) / 12 + int(code[6]) / 120
    lon = int(code[2:4]) + 100 + int(code[5]) / 8 + int(code[7]) / 80
    return shapely.box(lon, lat, lon + 1 / 80, lat + 1 / 120)


def boundary(n03: Path, n03_code: str) -> shapely.Geometry:
    """The municipality dissolved, in the zone."""
    frame = gpd.read_file(n03)
    return frame[frame["N03_007"] == n03_code].to_crs(ZONE).union_all()


def mesh(mesh_csv: Path) -> gpd.GeoDataFrame:
    """The mesh CSV as cells in the zone, with their whole area."""
    table = pd.read_csv(mesh_csv, dtype={"KEY_CODE": str})
    cells = gpd.GeoDataFrame(
        table, geometry=[mesh3_box(c) for c in table["KEY_CODE"]], crs=4326
    ).to_crs(ZONE)
    cells["cell_area"] = cells.area
    return cells[cells["population"] > 0]


def served_stops(feed: Path, day: date, min_departures: int) -> gpd.GeoSeries:
    """Points (zone) of the boardable stops with at least ``min_departures`` on ``day``."""
    counts = departures(feed, day).groupby("stop_id").size()
    stops = read(feed, "stops.txt")
    stops = stops[stops["stop_id"].map(counts).fillna(0) >= min_departures]
    points = gpd.points_from_xy(stops["stop_lon"].astype(float), stops["stop_lat"].astype(float))
    return gpd.GeoSeries(points, crs=4326).to_crs(ZONE)


def people(cells: gpd.GeoDataFrame, area: shapely.Geometry) -> float:
    """Area-weighted population of ``cells`` inside ``area``."""
    inside = cells.geometry.intersection(area).area
    return float((cells["population"] * inside / cells["cell_area"]).sum())
