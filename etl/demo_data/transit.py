"""Public transport: two demo bus feeds (GTFS-like), their routes and their stops."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, MultiLineString, Point

from etl.demo_data.layer_frames import layer_frame
from etl.demo_data.shapes import layer_rng, length_m, wiggle
from etl.demo_data.world import World
from gis.layerstore.layerspec import LayerSpec

_FEEDS = {
    "yamaguchi_demo": "かさね交通 山口営業所",
    "hofu_demo": "かさね交通 防府営業所",
}
_TERMINALS = {
    "yamaguchi_st": ("山口駅", "Yamaguchi Station", 131.4745, 34.1735),
    "shinyamaguchi_st": ("新山口駅", "Shin-Yamaguchi Station", 131.3965, 34.0935),
    "hofu_st": ("防府駅", "Hofu Station", 131.5665, 34.0545),
    "niho": ("仁保中央", "Niho Chuo", 131.565, 34.212),
    "nakanoseki": ("中関", "Nakanoseki", 131.595, 34.028),
    "mao": ("真尾", "Mao", 131.578, 34.106),
    "higashikiwa": ("東岐波", "Higashikiwa", 131.345, 34.012),
}
# feed, route_id, short name, colour, trips per day and direction, start, via points, end
_ROUTES = (
    (
        "yamaguchi_demo",
        "Y1",
        "1",
        "E60012",
        36,
        "yamaguchi_st",
        [
            (131.465, 34.166),
            (131.457, 34.160),
            (131.452, 34.146),
            (131.447, 34.130),
            (131.438, 34.117),
            (131.420, 34.104),
        ],
        "shinyamaguchi_st",
    ),
    (
        "yamaguchi_demo",
        "Y2",
        "2",
        "0072B2",
        14,
        "yamaguchi_st",
        [
            (131.485, 34.172),
            (131.500, 34.170),
            (131.515, 34.178),
            (131.530, 34.190),
            (131.548, 34.203),
        ],
        "niho",
    ),
    (
        "yamaguchi_demo",
        "Y3",
        "3",
        "009E73",
        24,
        "shinyamaguchi_st",
        [
            (131.415, 34.083),
            (131.440, 34.078),
            (131.470, 34.080),
            (131.495, 34.072),
            (131.515, 34.062),
            (131.540, 34.058),
        ],
        "hofu_st",
    ),
    (
        "yamaguchi_demo",
        "Y6",
        "6",
        "56B4E9",
        10,
        "shinyamaguchi_st",
        [
            (131.392, 34.078),
            (131.388, 34.060),
            (131.383, 34.040),
            (131.380, 34.024),
            (131.372, 34.018),
        ],
        "higashikiwa",
    ),
    (
        "hofu_demo",
        "H1",
        "中関線",
        "D55E00",
        20,
        "hofu_st",
        [(131.572, 34.045), (131.580, 34.038), (131.588, 34.032)],
        "nakanoseki",
    ),
    (
        "hofu_demo",
        "H2",
        "右田線",
        "CC79A7",
        12,
        "hofu_st",
        [(131.560, 34.066), (131.553, 34.080), (131.550, 34.095), (131.562, 34.102)],
        "mao",
    ),
)
_STOP_SUFFIXES = (
    ("", ""),
    ("入口", " Iriguchi"),
    ("中央", " Chuo"),
    ("小学校前", " Shogakko-mae"),
    ("東", " Higashi"),
    ("西", " Nishi"),
    ("北", " Kita"),
    ("南", " Minami"),
    ("口", "-guchi"),
    ("団地", " Danchi"),
    ("公民館前", " Kominkan-mae"),
    ("橋", "-bashi"),
    ("本町", " Honmachi"),
    ("上", " Kami"),
    ("下", " Shimo"),
)


@dataclass
class DemoRoute:
    """One demo bus route: its line and its stops in travel order (direction 0)."""

    feed_id: str
    route_id: str
    short_name: str
    long_name: str
    color: str
    trips_per_direction: int
    line: LineString
    stop_keys: list[tuple[str, str]]  # keys of DemoNetwork.stops
    stop_fractions: list[float]  # where each stop sits along the line (0..1)


@dataclass
class DemoNetwork:
    """The two demo bus feeds: stops by (feed, key) and routes."""

    stops: dict[tuple[str, str], dict[str, Any]]
    routes: list[DemoRoute]
    agencies: dict[str, str] = field(default_factory=lambda: dict(_FEEDS))


def network(world: World) -> DemoNetwork:
    """The demo bus network; stops are named after the nearest place. Deterministic."""
    rng = layer_rng(6)
    routes: list[DemoRoute] = []
    stops: dict[tuple[str, str], dict[str, Any]] = {}  # (feed, key) -> stop
    names: dict[str, set[str]] = {feed: set() for feed in _FEEDS}
    for feed, _, _, _, _, start, _, end in _ROUTES:  # terminal names are taken first
        names[feed] |= {_TERMINALS[start][0], _TERMINALS[end][0]}
    serial = dict.fromkeys(_FEEDS, 0)

    def add_stop(feed: str, key: str, name: str, name_en: str, pt: Point) -> tuple[str, str]:
        if (feed, key) not in stops:
            serial[feed] += 1
            names[feed].add(name)
            stops[(feed, key)] = {
                "stop_id": f"S{serial[feed]:04d}",
                "name": name,
                "name_en": name_en,
                "point": pt,
                "departures": 0,
            }
        return (feed, key)

    for feed, route_id, short, color, trips, start, via, end in _ROUTES:
        first, last = _TERMINALS[start], _TERMINALS[end]
        line = wiggle(rng, [(first[2], first[3]), *via, (last[2], last[3])], 220.0, 35.0)
        route = DemoRoute(feed, route_id, short, f"{first[0]}〜{last[0]}線", color, trips, line,
                          [], [])  # fmt: skip
        routes.append(route)
        n = max(2, round(length_m(line) / 500.0))
        fractions = np.arange(n + 1) / n
        fractions[1:-1] += rng.uniform(-0.2, 0.2, n - 1) / n
        for k, f in enumerate(fractions):
            pt = line.interpolate(float(f), normalized=True)
            route.stop_fractions.append(float(f))
            if k in (0, n):
                key = start if k == 0 else end
                ja, en, _, _ = _TERMINALS[key]
                stop_key = add_stop(feed, key, ja, en, Point(round(pt.x, 6), round(pt.y, 6)))
                route.stop_keys.append(stop_key)
                stops[stop_key]["departures"] += trips
                continue
            place = world.nearest_place(pt.x, pt.y)
            order = [0, *(1 + rng.permutation(len(_STOP_SUFFIXES) - 1))]
            suffix, suffix_en = next(
                (
                    _STOP_SUFFIXES[int(j)]
                    for j in order
                    if f"{place.name}{_STOP_SUFFIXES[int(j)][0]}" not in names[feed]
                ),
                (f"{route_id}-{k}", f" {route_id}-{k}"),
            )
            name = f"{place.name}{suffix}"
            stop_key = add_stop(feed, f"{route_id}-{k}", name, f"{place.romaji}{suffix_en}", pt)
            route.stop_keys.append(stop_key)
            stops[stop_key]["departures"] += 2 * trips
    return DemoNetwork(stops, routes)


def transit(
    stops_spec: LayerSpec, routes_spec: LayerSpec, world: World
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(stops, routes) layer frames of the demo bus network."""
    net = network(world)
    route_rows = [
        {
            "feed_id": r.feed_id,
            "route_id": r.route_id,
            "agency_name": net.agencies[r.feed_id],
            "short_name": r.short_name,
            "long_name": r.long_name,
            "route_type": 3,
            "color": r.color,
        }
        for r in net.routes
    ]
    route_geoms = [MultiLineString([r.line]) for r in net.routes]
    stops = net.stops
    codes = world.code_at(
        np.array([s["point"].x for s in stops.values()]),
        np.array([s["point"].y for s in stops.values()]),
    )
    stop_rows = [
        {
            "feed_id": feed,
            "stop_id": s["stop_id"],
            "name": s["name"],
            "name_en": s["name_en"],
            "lg_code": code,
            "location_type": 0,
            "departures_per_day": s["departures"],
        }
        for ((feed, _), s), code in zip(stops.items(), codes, strict=True)
    ]
    stop_geoms = [s["point"] for s in stops.values()]
    return (
        layer_frame(stops_spec, stop_rows, stop_geoms),
        layer_frame(routes_spec, route_rows, route_geoms),
    )
