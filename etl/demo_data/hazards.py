"""Hazard and boundary layers: municipal boundaries, flood depth and landslide warning zones."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, box

from etl.demo_data.layer_frames import layer_frame
from etl.demo_data.places import (
    HOFU,
    M_LAT,
    M_LON,
    MUNICIPALITIES,
    MUNICIPALITY_BY_CODE,
    PREFECTURE,
    YAMAGUCHI,
)
from etl.demo_data.shapes import blob, debris_fan, layer_rng
from etl.demo_data.world import World
from gis.layerstore.layerspec import LayerSpec


def admin_boundaries(spec: LayerSpec, world: World) -> gpd.GeoDataFrame:
    """The three municipalities, clipped to the demo area."""
    rows, geoms = [], []
    for muni in MUNICIPALITIES:
        rows.append(
            {
                "lg_code": muni.code,
                "pref_name": PREFECTURE,
                "county_name": None,
                "name": muni.name,
                "ward_name": None,
            }
        )
        geoms.append(MultiPolygon([world.munis[muni.code]]))
    return layer_frame(spec, rows, geoms)


_DETAIL_CLASSES = (
    (0.3, "0.3m未満"),
    (0.5, "0.3m以上0.5m未満"),
    (1.0, "0.5m以上1.0m未満"),
    (3.0, "1.0m以上3.0m未満"),
    (5.0, "3.0m以上5.0m未満"),
    (10.0, "5.0m以上10.0m未満"),
    (20.0, "10.0m以上20.0m未満"),
    (math.inf, "20.0m以上"),
)
RANK_LIMITS = (0.5, 3.0, 5.0, 10.0, 20.0)  # MLIT standard ranks 1-6


def depth_rank(depth_m: float) -> int:
    """MLIT standard depth rank (1-6) of a depth in metres."""
    return int(np.searchsorted(RANK_LIMITS, depth_m, side="right")) + 1


def flood_depth(spec: LayerSpec, world: World) -> gpd.GeoDataFrame:
    """100 m flood-depth cells along the lower reaches of the 椹野川 and the 佐波川."""
    rng = layer_rng(1)
    cell_lon, cell_lat = 100.0 / M_LON, 100.0 / M_LAT
    reaches = (
        ("椹野川", world.fushino.intersection(box(131.3, 33.9, 131.7, 34.11)), 2.0, 3.2),
        ("佐波川", world.saba.intersection(box(131.3, 33.9, 131.7, 34.085)), 2.2, 3.6),
    )
    rows, geoms = [], []
    for river_name, reach, upstream_depth, extra_at_mouth in reaches:
        min_x, min_y, max_x, max_y = reach.buffer(0.005).bounds
        ix = np.arange(
            math.floor((min_x - 131.0) / cell_lon), math.ceil((max_x - 131.0) / cell_lon)
        )
        iy = np.arange(math.floor((min_y - 34.0) / cell_lat), math.ceil((max_y - 34.0) / cell_lat))
        gx, gy = np.meshgrid(ix, iy)
        x0 = 131.0 + gx.ravel() * cell_lon
        y0 = 34.0 + gy.ravel() * cell_lat
        cx, cy = x0 + cell_lon / 2, y0 + cell_lat / 2
        centres = shapely.points(cx, cy)
        dist = shapely.distance(centres, reach) * M_LAT
        downstream = shapely.line_locate_point(reach, centres, normalized=True)
        keep_p = np.where(dist < 80.0, 1.0, np.clip((250.0 - dist) / 220.0, 0.0, 1.0))
        draw = rng.random(len(dist))
        depth = (
            (upstream_depth + extra_at_mouth * downstream**2)
            * np.exp(-dist / 120.0)
            * rng.lognormal(0.0, 0.18, len(dist))
        )
        cells = shapely.box(x0, y0, x0 + cell_lon, y0 + cell_lat)
        on_land = shapely.within(cells, world.land)
        keep = (draw < keep_p) & on_land & (depth >= 0.05)
        for i in np.flatnonzero(keep):
            d = round(float(depth[i]), 2)
            source_class = next(label for limit, label in _DETAIL_CLASSES if d < limit)
            rows.append(
                {
                    # Some sources give only the rank; keep a few depths empty like them.
                    "depth_m": None if draw[i] < 0.05 else d,
                    "depth_rank": depth_rank(d),
                    "source_class": source_class,
                    "scenario": "想定最大規模 L2",
                    "river_name": river_name,
                }
            )
            geoms.append(MultiPolygon([cells[i]]))
    return layer_frame(spec, rows, geoms)


_PHENOMENON = {1: ("急", "K"), 2: ("土", "D"), 3: ("地", "J")}


def landslide_zones(spec: LayerSpec, world: World) -> gpd.GeoDataFrame:
    """Landslide warning zones (yellow) in the hills, some with a special (red) zone inside."""
    rng = layer_rng(2)
    regions = (
        (YAMAGUCHI, (131.40, 34.190, 131.665, 34.255), 46),
        (HOFU, (131.555, 34.085, 131.665, 34.140), 14),
    )
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    yellows: list[Polygon] = []
    for code, (x0, y0, x1, y1), target in regions:
        muni = world.munis[code]
        count = 0
        serial = 0
        per_place: dict[str, int] = {}
        for _ in range(2000):
            if count >= target:
                break
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if world.elevation(np.array([lon]), np.array([lat]))[0] < 80.0:
                continue
            phenomenon = int(rng.choice([1, 2, 3], p=[0.55, 0.35, 0.10]))
            if phenomenon == 1:
                yellow = blob(rng, lon, lat, rng.uniform(60, 140), rng.uniform(25, 50), rough=0.15)
            elif phenomenon == 2:
                yellow = debris_fan(
                    rng, lon, lat, rng.uniform(300, 650), rng.uniform(30, 60), rng.uniform(120, 220)
                )
            else:
                yellow = blob(
                    rng, lon, lat, rng.uniform(120, 250), rng.uniform(100, 200), vertices=14
                )
            if not muni.contains(yellow) or any(yellow.distance(y) < 0.0005 for y in yellows):
                continue
            with_red = phenomenon != 3 and rng.random() < 0.6 and count + 2 <= target
            yellows.append(yellow)
            serial += 1
            place = world.nearest_place(lon, lat, code)
            per_place[place.name] = per_place.get(place.name, 0) + 1
            prefix, letter = _PHENOMENON[phenomenon]
            designated = dt.date(2006, 4, 1) + dt.timedelta(days=int(rng.integers(0, 6200)))
            base = {
                "phenomenon": phenomenon,
                "zone_no": f"{code[:5]}-{letter}{serial:03d}",
                "zone_name": f"{prefix}・{place.name}{per_place[place.name]}",
                "address": f"{PREFECTURE}{MUNICIPALITY_BY_CODE[code].name}{place.name}",
                "designated_on": designated,
                "lg_code": code,
            }
            rows.append({**base, "zone_class": 1})
            geoms.append(MultiPolygon([yellow]))
            count += 1
            if with_red:
                scaled = affinity.scale(yellow, 0.6, 0.6, origin=(lon, lat))
                red = yellow.intersection(scaled)
                if isinstance(red, Polygon) and not red.is_empty:
                    rows.append({**base, "zone_class": 2})
                    geoms.append(MultiPolygon([red]))
                    count += 1
    return layer_frame(spec, rows, geoms)
