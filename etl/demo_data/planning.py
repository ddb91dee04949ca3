"""Planning layers: mobile dead zones, the population mesh and 5G mesh coverage."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point

from etl.demo_data.layer_frames import layer_frame
from etl.demo_data.places import HOFU, M_LAT, M_LON, UBE, YAMAGUCHI
from etl.demo_data.shapes import blob, layer_rng
from etl.demo_data.world import World
from gis.geo.mesh import mesh_polygon, meshes_in_bbox
from gis.layerstore.layerspec import LayerSpec

# Districts resolved per year (2020..2024), per municipality; the rest are still unresolved.
DEAD_ZONE_PLAN = {
    YAMAGUCHI: (36, (4, 5, 5, 4, 3)),
    HOFU: (16, (2, 2, 2, 1, 1)),
    UBE: (10, (1, 1, 1, 1, 1)),
}
_DISTRICT_SUFFIXES = ("奥", "上", "下", "東", "西", "北", "南", "中", "谷", "原", "峠", "迫")
_CARRIERS = ("NTTドコモ", "KDDI", "ソフトバンク", "楽天モバイル")


def dead_zones(spec: LayerSpec, world: World) -> gpd.GeoDataFrame:
    """Mobile-phone dead zones, mostly in the hills; some are resolved each year 2020-2024."""
    rng = layer_rng(7)
    rows, geoms = [], []
    for code, (count, per_year) in DEAD_ZONE_PLAN.items():
        muni = world.munis[code]
        min_x, min_y, max_x, max_y = muni.bounds
        taken: list[Point] = []
        used: set[str] = set()
        districts: list[dict[str, Any]] = []
        while len(districts) < count:
            lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            pt = Point(lon, lat)
            if not muni.contains(pt) or any(pt.distance(t) * M_LAT < 700.0 for t in taken):
                continue
            elev = float(world.elevation(np.array([lon]), np.array([lat]))[0])
            if rng.random() > np.clip((elev - 15.0) / 200.0, 0.03, 1.0):
                continue
            taken.append(pt)
            place = world.nearest_place(lon, lat, code)
            name = next(
                (
                    f"{place.name}{s}地区"
                    for s in _DISTRICT_SUFFIXES
                    if f"{place.name}{s}地区" not in used
                ),
                f"{place.name}第{len(used) + 1}地区",
            )
            used.add(name)
            geom: Any = pt
            if rng.random() < 0.7:
                patch = blob(rng, lon, lat, rng.uniform(150, 450), rng.uniform(150, 400))
                if muni.contains(patch):
                    geom = patch
            households = int(np.clip(round(rng.lognormal(math.log(35.0), 0.8)), 5, 200))
            districts.append({"name": name, "households": households, "geom": geom})
        # Carriers tend to cover the larger districts first.
        priority = np.argsort(
            -np.array([d["households"] for d in districts]) * rng.lognormal(0.0, 0.5, count),
            kind="stable",
        )
        years: list[int | None] = [None] * count
        slot = 0
        for year, resolved in zip(range(2020, 2025), per_year, strict=True):
            for _ in range(resolved):
                years[int(priority[slot])] = year
                slot += 1
        for district, resolved_in in zip(districts, years, strict=True):
            if resolved_in is not None:
                status = "resolved"
                carrier = str(rng.choice(_CARRIERS, p=[0.35, 0.3, 0.25, 0.1]))
            elif rng.random() < 0.2:
                status, carrier = "in_progress", str(rng.choice(_CARRIERS[:3]))
            else:
                status, carrier = "unresolved", None
            rows.append(
                {
                    "lg_code": code,
                    "district_name": district["name"],
                    "households": district["households"],
                    "status": status,
                    "surveyed_year": 2019,
                    "resolved_year": resolved_in,
                    "carrier": carrier,
                }
            )
            geoms.append(district["geom"])
    return layer_frame(spec, rows, geoms)


# (lon, lat, people per km² at the centre, sigma in m)
_TOWNS = (
    (131.474, 34.180, 4200.0, 1800.0),  # 山口 centre
    (131.457, 34.160, 2500.0, 1200.0),  # 湯田
    (131.505, 34.170, 1500.0, 1500.0),  # 大内
    (131.567, 34.055, 4200.0, 2000.0),  # 防府 centre
    (131.398, 34.095, 2200.0, 1400.0),  # 小郡 / 新山口
    (131.345, 34.005, 1200.0, 1300.0),  # 東岐波
    (131.382, 34.020, 900.0, 1000.0),  # 阿知須
)


def population_mesh(spec: LayerSpec, world: World) -> gpd.GeoDataFrame:
    """Population and households per 3rd (1 km) mesh, concentrated in the towns."""
    rng = layer_rng(8)
    min_x, min_y, max_x, max_y = shapely.union_all(list(world.munis.values())).bounds
    codes = sorted(meshes_in_bbox(min_x, min_y, max_x, max_y, 3))
    cells = np.array([mesh_polygon(code) for code in codes], dtype=object)
    land_share = shapely.area(shapely.intersection(cells, world.land)) / shapely.area(cells)
    keep = land_share > 0.0
    codes = [c for c, k in zip(codes, keep, strict=True) if k]
    cells, land_share = cells[keep], land_share[keep]
    centre = shapely.centroid(cells)
    x, y = shapely.get_x(centre), shapely.get_y(centre)
    density = np.zeros(len(codes))
    for lon, lat, peak, sigma in _TOWNS:
        d2 = ((x - lon) * M_LON) ** 2 + ((y - lat) * M_LAT) ** 2
        density += peak * np.exp(-d2 / (2 * sigma**2))
    elev = world.elevation(x, y)
    density += np.where(elev < 60.0, 80.0, np.where(rng.random(len(x)) < 0.6, 15.0, 0.0))
    density *= rng.lognormal(0.0, 0.25, len(x))
    area_km2 = shapely.area(cells) * M_LON * M_LAT / 1e6
    population = np.round(density * area_km2 * land_share).astype(int)
    population[elev > 150.0] = 0
    households = np.round(population / rng.uniform(2.0, 2.6, len(x))).astype(int)
    rows = [
        {"mesh_code": code, "population": int(p), "households": int(h), "survey_year": 2020}
        for code, p, h in zip(codes, population, households, strict=True)
    ]
    return layer_frame(spec, rows, list(cells))


# Share of 2nd meshes (with land) holding an advanced 5G station, by year.
COVERAGE_SHARE = {2020: 0.15, 2021: 0.30, 2022: 0.50, 2023: 0.65, 2024: 0.80}


def mesh_coverage(spec: LayerSpec, world: World, population: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Advanced 5G stations per 2nd (10 km) mesh and year, the most populous meshes first."""
    rng = layer_rng(9)
    min_x, min_y, max_x, max_y = shapely.union_all(list(world.munis.values())).bounds
    codes = sorted(meshes_in_bbox(min_x, min_y, max_x, max_y, 2))
    people = population.groupby(population["mesh_code"].str[:6])["population"].sum()
    pop = np.array([int(people.get(code, 0)) for code in codes])
    cells = [mesh_polygon(code) for code in codes]
    on_land = np.array([cell.intersects(world.land) for cell in cells])
    score = np.log1p(pop) + rng.normal(0.0, 0.8, len(codes))
    score[~on_land] = -np.inf
    order = np.argsort(-score, kind="stable")
    n_land = int(on_land.sum())
    first_year = np.full(len(codes), 9999)
    start = 0
    for year, share in COVERAGE_SHARE.items():
        stop = round(share * n_land)
        first_year[order[start:stop]] = year
        start = max(start, stop)
    rows, geoms = [], []
    for year in COVERAGE_SHARE:
        for i, code in enumerate(codes):
            has = bool(first_year[i] <= year)
            per_year = max(1, round(pop[i] / 25_000))
            stations = (year - int(first_year[i]) + 1) * per_year if has else 0
            rows.append(
                {"mesh_code": code, "year": year, "has_advanced_station": has, "stations": stations}
            )
            geoms.append(cells[i])
    return layer_frame(spec, rows, geoms)
