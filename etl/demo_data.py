"""Deterministic demo data for every layer, around Yamaguchi city and Hofu (山口市・防府市・宇部市).

Everything is generated here from a fixed seed: no network and no input files. The geography is
plausible rather than true: the coast, two rivers (椹野川, 佐波川), hills, municipal borders and
place names sit roughly where they are, but every feature is invented, and the municipalities are
clipped to the demo area (lon 131.32-131.68, lat up to 34.26). Use it for development,
tests and screenshots, never as hazard or shelter information. Phone numbers use an exchange
starting with 0 (``083-000-1234``), which no real number has.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity, ops
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box

from gis.codes import is_valid_lg_code
from gis.mesh import mesh_polygon, meshes_in_bbox

SEED = 20240401
CRS = "EPSG:4326"
PREFECTURE = "山口県"
YAMAGUCHI, HOFU, UBE = "352039", "352063", "352021"

# Metres per degree near 34.1° N (equirectangular; good enough for shapes of a few km).
M_LAT = 110_950.0
M_LON = 111_320.0 * math.cos(math.radians(34.1))

# Declared fields of each layer, in order, with their types (must match layers/*.toml; the
# tests compare the two).
SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    "admin_boundaries": (
        ("lg_code", "text"),
        ("pref_name", "text"),
        ("county_name", "text"),
        ("name", "text"),
        ("ward_name", "text"),
    ),
    "flood_depth": (
        ("depth_m", "real"),
        ("depth_rank", "integer"),
        ("source_class", "text"),
        ("scenario", "text"),
        ("river_name", "text"),
    ),
    "landslide_zones": (
        ("phenomenon", "integer"),
        ("zone_class", "integer"),
        ("zone_no", "text"),
        ("zone_name", "text"),
        ("address", "text"),
        ("designated_on", "date"),
        ("lg_code", "text"),
    ),
    "shelters": (
        ("shelter_id", "text"),
        ("lg_code", "text"),
        ("name", "text"),
        ("name_kana", "text"),
        ("address", "text"),
        ("kind", "text"),
        ("hz_flood", "boolean"),
        ("hz_landslide", "boolean"),
        ("hz_storm_surge", "boolean"),
        ("hz_earthquake", "boolean"),
        ("hz_tsunami", "boolean"),
        ("hz_fire", "boolean"),
        ("hz_inland_flood", "boolean"),
        ("hz_volcano", "boolean"),
        ("capacity", "integer"),
        ("capacity_note", "text"),
        ("phone", "text"),
        ("url", "text"),
        ("note", "text"),
    ),
    "ev_chargers": (
        ("name", "text"),
        ("address", "text"),
        ("lg_code", "text"),
        ("charger_type", "text"),
        ("connectors", "integer"),
        ("hours", "text"),
        ("phone", "text"),
        ("operator", "text"),
        ("url", "text"),
    ),
    "wifi_spots": (
        ("name", "text"),
        ("address", "text"),
        ("lg_code", "text"),
        ("ssid", "text"),
        ("provider", "text"),
        ("hours", "text"),
        ("note", "text"),
        ("url", "text"),
    ),
    "transit_stops": (
        ("feed_id", "text"),
        ("stop_id", "text"),
        ("name", "text"),
        ("name_en", "text"),
        ("lg_code", "text"),
        ("location_type", "integer"),
        ("departures_per_day", "integer"),
    ),
    "transit_routes": (
        ("feed_id", "text"),
        ("route_id", "text"),
        ("agency_name", "text"),
        ("short_name", "text"),
        ("long_name", "text"),
        ("route_type", "integer"),
        ("color", "text"),
    ),
    "dead_zones": (
        ("lg_code", "text"),
        ("district_name", "text"),
        ("households", "integer"),
        ("status", "text"),
        ("surveyed_year", "integer"),
        ("resolved_year", "integer"),
        ("carrier", "text"),
    ),
    "mesh_coverage": (
        ("mesh_code", "text"),
        ("year", "integer"),
        ("has_advanced_station", "boolean"),
        ("stations", "integer"),
    ),
    "population_mesh": (
        ("mesh_code", "text"),
        ("population", "integer"),
        ("households", "integer"),
        ("survey_year", "integer"),
    ),
}


@dataclass(frozen=True)
class Municipality:
    """A municipality of the demo area."""

    code: str
    name: str
    kana: str
    seed_point: tuple[float, float]  # a point well inside it (lon, lat)
    area_code: str  # telephone area code
    url: str


MUNICIPALITIES = (
    Municipality(
        YAMAGUCHI,
        "山口市",
        "ヤマグチシ",
        (131.47, 34.18),
        "083",
        "https://www.city.yamaguchi.lg.jp/",
    ),
    Municipality(
        HOFU, "防府市", "ホウフシ", (131.57, 34.06), "0835", "https://www.city.hofu.yamaguchi.jp/"
    ),
    Municipality(
        UBE, "宇部市", "ウベシ", (131.34, 34.05), "0836", "https://www.city.ube.yamaguchi.jp/"
    ),
)
_BY_CODE = {m.code: m for m in MUNICIPALITIES}


@dataclass(frozen=True)
class Place:
    """A named place (大字・地区) with an approximate position."""

    name: str
    kana: str
    romaji: str
    lon: float
    lat: float
    code: str
    hill: bool = False


PLACES = (
    Place("中央", "チュウオウ", "Chuo", 131.474, 34.182, YAMAGUCHI),
    Place("大殿", "オオドノ", "Ohdono", 131.480, 34.192, YAMAGUCHI),
    Place("湯田", "ユダ", "Yuda", 131.457, 34.160, YAMAGUCHI),
    Place("宮野", "ミヤノ", "Miyano", 131.505, 34.196, YAMAGUCHI),
    Place("大内", "オオウチ", "Ouchi", 131.507, 34.168, YAMAGUCHI),
    Place("吉敷", "ヨシキ", "Yoshiki", 131.432, 34.172, YAMAGUCHI),
    Place("平川", "ヒラカワ", "Hirakawa", 131.445, 34.145, YAMAGUCHI),
    Place("大歳", "オオトシ", "Ootoshi", 131.455, 34.125, YAMAGUCHI),
    Place("吉田", "ヨシダ", "Yoshida", 131.455, 34.190, YAMAGUCHI),
    Place("仁保", "ニホ", "Niho", 131.565, 34.212, YAMAGUCHI),
    Place("小鯖", "オサバ", "Osaba", 131.540, 34.165, YAMAGUCHI),
    Place("陶", "スエ", "Sue", 131.435, 34.090, YAMAGUCHI),
    Place("鋳銭司", "スゼンジ", "Suzenji", 131.478, 34.085, YAMAGUCHI),
    Place("名田島", "ナタジマ", "Natajima", 131.447, 34.058, YAMAGUCHI),
    Place("秋穂二島", "アイオフタジマ", "Aiofutajima", 131.425, 34.048, YAMAGUCHI),
    Place("小郡", "オゴオリ", "Ogori", 131.398, 34.095, YAMAGUCHI),
    Place("嘉川", "カガワ", "Kagawa", 131.405, 34.070, YAMAGUCHI),
    Place("佐山", "サヤマ", "Sayama", 131.392, 34.042, YAMAGUCHI),
    Place("阿知須", "アジス", "Ajisu", 131.382, 34.020, YAMAGUCHI),
    Place("宮野上", "ミヤノカミ", "Miyanokami", 131.525, 34.215, YAMAGUCHI, hill=True),
    Place("上宇野令", "カミウノレ", "Kamiunore", 131.485, 34.207, YAMAGUCHI, hill=True),
    Place("吉敷佐畑", "ヨシキサバタ", "Yoshikisabata", 131.425, 34.198, YAMAGUCHI, hill=True),
    Place("仁保上郷", "ニホカミゴウ", "Nihokamigo", 131.605, 34.235, YAMAGUCHI, hill=True),
    Place("大内御堀", "オオウチミホリ", "Ouchimihori", 131.518, 34.186, YAMAGUCHI, hill=True),
    Place("徳地", "トクヂ", "Tokuji", 131.560, 34.245, YAMAGUCHI, hill=True),
    Place("仁保下郷", "ニホシモゴウ", "Nihoshimogo", 131.640, 34.200, YAMAGUCHI, hill=True),
    Place("松崎", "マツザキ", "Matsuzaki", 131.566, 34.062, HOFU),
    Place("佐波", "サバ", "Saba", 131.570, 34.046, HOFU),
    Place("華城", "ケシロ", "Keshiro", 131.553, 34.075, HOFU),
    Place("牟礼", "ムレ", "Mure", 131.600, 34.062, HOFU),
    Place("右田", "ミギタ", "Migita", 131.550, 34.095, HOFU),
    Place("勝間", "カツマ", "Katsuma", 131.585, 34.052, HOFU),
    Place("新田", "シンデン", "Shinden", 131.560, 34.030, HOFU),
    Place("西浦", "ニシノウラ", "Nishinoura", 131.532, 34.032, HOFU),
    Place("中関", "ナカノセキ", "Nakanoseki", 131.595, 34.025, HOFU),
    Place("華浦", "ケイホ", "Keiho", 131.578, 34.036, HOFU),
    Place("玉祖", "タマノオヤ", "Tamanooya", 131.610, 34.085, HOFU),
    Place("富海", "トノミ", "Tonomi", 131.645, 34.045, HOFU),
    Place("大道", "ダイドウ", "Daido", 131.527, 34.058, HOFU),
    Place("高井", "タカイ", "Takai", 131.562, 34.110, HOFU),
    Place("真尾", "マオ", "Mao", 131.578, 34.106, HOFU, hill=True),
    Place("奈美", "ナミ", "Nami", 131.598, 34.122, HOFU, hill=True),
    Place("久兼", "ヒサカネ", "Hisakane", 131.625, 34.112, HOFU, hill=True),
    Place("東岐波", "ヒガシキワ", "Higashikiwa", 131.345, 34.008, UBE),
    Place("岐波", "キワ", "Kiwa", 131.338, 34.040, UBE),
    Place("丸尾", "マルオ", "Maruo", 131.332, 34.020, UBE),
    Place("小野", "オノ", "Ono", 131.340, 34.092, UBE, hill=True),
)

# (lon, lat, height m, sigma lon °, sigma lat °): hills added to the northern mountains.
_HILLS = (
    (131.605, 34.115, 320.0, 0.025, 0.018),  # Hofu northern hills (右田ヶ岳, 大平山)
    (131.500, 34.110, 240.0, 0.025, 0.015),  # ridge between the Yamaguchi basin and Hofu
    (131.385, 34.150, 260.0, 0.020, 0.030),  # hills west of 吉敷 / 小郡
    (131.335, 34.080, 160.0, 0.015, 0.020),  # 宇部 小野
    (131.645, 34.085, 240.0, 0.020, 0.020),  # 富海 hills
)


def _rng(stream: int) -> np.random.Generator:
    """One independent, reproducible generator per layer, so layers do not shift each other."""
    return np.random.default_rng([SEED, stream])


def _to_deg(lon0: float, lat0: float, dx: np.ndarray, dy: np.ndarray) -> list[tuple[float, float]]:
    """Local offsets in metres around (lon0, lat0) -> lon/lat pairs."""
    return list(zip((lon0 + dx / M_LON).tolist(), (lat0 + dy / M_LAT).tolist(), strict=True))


def _length_m(line: LineString) -> float:
    """Approximate length of a lon/lat line in metres."""
    xy = np.asarray(line.coords)
    return float(np.hypot(np.diff(xy[:, 0]) * M_LON, np.diff(xy[:, 1]) * M_LAT).sum())


def _wiggle(
    rng: np.random.Generator, points: Sequence[tuple[float, float]], step_m: float, amp_m: float
) -> LineString:
    """Densify a polyline to about ``step_m`` and push the new vertices sideways (≤ ``amp_m``)."""
    out = [tuple(points[0])]
    for (x0, y0), (x1, y1) in pairwise(points):
        dx, dy = (x1 - x0) * M_LON, (y1 - y0) * M_LAT
        length = math.hypot(dx, dy)
        n = max(1, round(length / step_m))
        nx, ny = -dy / length, dx / length
        noise = rng.uniform(-1.0, 1.0, n + 1)
        smooth = (noise[:-1] + noise[1:]) / 2
        for k in range(1, n + 1):
            t = k / n
            off = 0.0 if k == n else float(smooth[k]) * amp_m
            out.append(
                (x0 + t * (x1 - x0) + nx * off / M_LON, y0 + t * (y1 - y0) + ny * off / M_LAT)
            )
    return LineString(out)


def _ellipse(lon: float, lat: float, rx: float, ry: float, angle: float = 0.0) -> Polygon:
    """An ellipse with radii in degrees, rotated by ``angle`` degrees."""
    circle = Point(0, 0).buffer(1.0, 16)
    shape = affinity.rotate(affinity.scale(circle, rx, ry, origin=(0, 0)), angle, origin=(0, 0))
    return affinity.translate(shape, lon, lat)


def _blob(
    rng: np.random.Generator,
    lon: float,
    lat: float,
    rx: float,
    ry: float,
    *,
    vertices: int = 12,
    rough: float = 0.2,
) -> Polygon:
    """An irregular, star-shaped (hence valid) polygon; radii in metres, random orientation."""
    t = np.linspace(0.0, 2 * math.pi, vertices, endpoint=False)
    r = 1.0 + rough * rng.uniform(-1.0, 1.0, vertices)
    x, y = rx * r * np.cos(t), ry * r * np.sin(t)
    a = rng.uniform(0.0, math.pi)
    xr, yr = x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)
    return Polygon(_to_deg(lon, lat, xr, yr))


def _fan(
    rng: np.random.Generator, lon: float, lat: float, length: float, w0: float, w1: float
) -> Polygon:
    """A debris-flow fan: narrow at the top of the valley, wide at its mouth (metres)."""
    stations = np.linspace(-length / 2, length / 2, 7)
    widths = np.linspace(w0, w1, 7) * rng.uniform(0.85, 1.15, 7) / 2
    x = np.concatenate([stations, stations[::-1]])
    y = np.concatenate([widths, -widths[::-1]])
    a = rng.uniform(0.0, 2 * math.pi)
    xr, yr = x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)
    return Polygon(_to_deg(lon, lat, xr, yr))


def _series(values: Sequence[Any], kind: str) -> Any:
    """A column of the pandas dtype that fits a declared field type."""
    if kind == "text":
        return pd.Series(list(values), dtype="str")
    if kind in ("integer", "bigint"):
        return pd.array(list(values), dtype="Int64")
    if kind == "real":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if kind == "boolean":
        return np.asarray(values, dtype=bool)
    if kind == "date":
        return pd.Series(list(values), dtype=object)
    raise ValueError(f"no demo column type for {kind!r}")


def _frame(layer_id: str, rows: list[dict[str, Any]], geometry: list[Any]) -> gpd.GeoDataFrame:
    """Build a layer frame with exactly the declared columns, in order, plus ``geometry``."""
    schema = SCHEMA[layer_id]
    columns = {name: _series([row[name] for row in rows], kind) for name, kind in schema}
    for row in rows:
        extra = set(row) - {name for name, _ in schema}
        if extra:
            raise ValueError(f"{layer_id}: undeclared demo columns {sorted(extra)}")
    frame = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)
    return frame.reset_index(drop=True)


def _phone(rng: np.random.Generator, code: str) -> str:
    """A phone number of the right shape that cannot exist (exchange 000 / 00)."""
    area = _BY_CODE[code].area_code
    number = int(rng.integers(1000, 9999))
    return f"{area}-000-{number}" if len(area) == 3 else f"{area}-00-{number}"


class _World:
    """The shared geography: land, municipalities, rivers, plains and a terrain model."""

    def __init__(self) -> None:
        rng = _rng(0)
        coast_pts = [
            (131.32, 33.985),
            (131.345, 33.99),
            (131.37, 33.998),
            (131.39, 34.008),
            (131.405, 34.022),
            (131.42, 34.030),
            (131.44, 34.027),
            (131.46, 34.030),
            (131.48, 34.022),
            (131.50, 34.018),
            (131.52, 34.015),
            (131.545, 34.010),
            (131.575, 34.003),
            (131.60, 34.006),
            (131.625, 34.012),
            (131.65, 34.020),
            (131.68, 34.020),
        ]
        self.coast = _wiggle(rng, coast_pts, 350.0, 120.0)
        self.land = Polygon([*self.coast.coords, (131.68, 34.26), (131.32, 34.26)])
        yh_border = _wiggle(
            rng,
            [
                (131.505, 33.95),
                (131.51, 34.05),
                (131.53, 34.10),
                (131.56, 34.14),
                (131.60, 34.16),
                (131.72, 34.17),
            ],
            300.0,
            110.0,
        )
        ube_border = _wiggle(
            rng,
            [
                (131.28, 34.125),
                (131.35, 34.115),
                (131.365, 34.08),
                (131.362, 34.04),
                (131.37, 33.95),
            ],
            300.0,
            90.0,
        )
        hofu, rest = self._split(self.land, yh_border, MUNICIPALITIES[1].seed_point)
        ube, yamaguchi = self._split(rest, ube_border, MUNICIPALITIES[2].seed_point)
        self.munis: dict[str, Polygon] = {YAMAGUCHI: yamaguchi, HOFU: hofu, UBE: ube}
        for geom in self.munis.values():
            shapely.prepare(geom)
        shapely.prepare(self.land)

        self.fushino = _wiggle(
            rng,
            [
                (131.530, 34.250),
                (131.505, 34.215),
                (131.490, 34.195),
                (131.470, 34.176),
                (131.455, 34.158),
                (131.442, 34.138),
                (131.432, 34.115),
                (131.421, 34.095),
                (131.412, 34.075),
                (131.416, 34.055),
                (131.420, 34.038),
                (131.422, 34.020),
            ],
            250.0,
            60.0,
        )
        self.saba = _wiggle(
            rng,
            [
                (131.560, 34.255),
                (131.556, 34.200),
                (131.546, 34.160),
                (131.550, 34.120),
                (131.545, 34.095),
                (131.550, 34.070),
                (131.560, 34.045),
                (131.573, 34.025),
                (131.580, 34.000),
            ],
            250.0,
            60.0,
        )
        self.plain = shapely.union_all(
            [
                self.fushino.buffer(0.004),
                self.saba.buffer(0.004),
                _ellipse(131.462, 34.168, 0.034, 0.018, 30.0),
                _ellipse(131.415, 34.085, 0.030, 0.028),
                _ellipse(131.565, 34.050, 0.045, 0.028),
                _ellipse(131.460, 34.060, 0.040, 0.020),
                _ellipse(131.365, 34.025, 0.030, 0.020),
                self.coast.buffer(0.008),
            ]
        )
        shapely.prepare(self.plain)
        self.rivers = shapely.union_all([self.fushino, self.saba])
        self._check_places()

    @staticmethod
    def _split(polygon: Polygon, line: LineString, seed: tuple[float, float]) -> tuple[Any, Any]:
        pieces = list(ops.split(polygon, line).geoms)
        if len(pieces) != 2:
            raise RuntimeError(f"border split gave {len(pieces)} pieces, expected 2")
        inside = Point(seed)
        first, second = pieces if pieces[0].contains(inside) else pieces[::-1]
        return first, second

    def _check_places(self) -> None:
        for place in PLACES:
            if not self.munis[place.code].contains(Point(place.lon, place.lat)):
                raise RuntimeError(f"demo place {place.name} lies outside {place.code}")

    def elevation(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """A made-up terrain (m): low plains along the rivers and coast, hills to the north."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        hills = 450.0 * np.clip((lat - 34.195) / 0.05, 0.0, 1.0)
        for x, y, height, sx, sy in _HILLS:
            hills = hills + height * np.exp(-0.5 * (((lon - x) / sx) ** 2 + ((lat - y) / sy) ** 2))
        off_plain = shapely.distance(shapely.points(lon, lat), self.plain) * M_LAT
        base = 2.0 + 45.0 * np.clip((lat - 34.04) / 0.15, 0.0, 1.0)
        return base + hills * np.clip(off_plain / 1500.0, 0.0, 1.0)

    def code_at(self, lon: np.ndarray, lat: np.ndarray) -> list[str | None]:
        """The municipality containing each point (None at sea)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        out: list[str | None] = [None] * len(lon)
        for code, geom in self.munis.items():
            for i in np.flatnonzero(shapely.contains_xy(geom, lon, lat)):
                out[i] = code
        return out

    def nearest_place(self, lon: float, lat: float, code: str | None = None) -> Place:
        """The closest named place (optionally only within one municipality)."""
        candidates = [p for p in PLACES if code is None or p.code == code]
        return min(
            candidates, key=lambda p: ((p.lon - lon) * M_LON) ** 2 + ((p.lat - lat) * M_LAT) ** 2
        )

    def point_near(self, rng: np.random.Generator, place: Place, sigma_m: float) -> Point:
        """A random point around ``place`` (normal, ``sigma_m`` metres) inside its municipality."""
        muni = self.munis[place.code]
        for _ in range(60):
            dx, dy = rng.normal(0.0, sigma_m, 2)
            pt = Point(place.lon + dx / M_LON, place.lat + dy / M_LAT)
            if muni.contains(pt):
                return pt
        return Point(place.lon, place.lat)


# --- layers -----------------------------------------------------------------------------------


def _admin_boundaries(world: _World) -> gpd.GeoDataFrame:
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
    return _frame("admin_boundaries", rows, geoms)


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


def _flood_depth(world: _World) -> gpd.GeoDataFrame:
    rng = _rng(1)
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
    return _frame("flood_depth", rows, geoms)


_PHENOMENON = {1: ("急", "K"), 2: ("土", "D"), 3: ("地", "J")}


def _landslide_zones(world: _World) -> gpd.GeoDataFrame:
    rng = _rng(2)
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
                yellow = _blob(rng, lon, lat, rng.uniform(60, 140), rng.uniform(25, 50), rough=0.15)
            elif phenomenon == 2:
                yellow = _fan(
                    rng, lon, lat, rng.uniform(300, 650), rng.uniform(30, 60), rng.uniform(120, 220)
                )
            else:
                yellow = _blob(
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
                "address": f"{PREFECTURE}{_BY_CODE[code].name}{place.name}",
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
    return _frame("landslide_zones", rows, geoms)


@dataclass(frozen=True)
class _Facility:
    suffix: str
    kana: str
    kind: str
    weight: float
    capacity: tuple[int, int]
    outdoor: bool = False
    school: bool = False


_HALLS = {
    YAMAGUCHI: ("地域交流センター", "チイキコウリュウセンター"),
    HOFU: ("公民館", "コウミンカン"),
    UBE: ("ふれあいセンター", "フレアイセンター"),
}


def _facilities(code: str) -> list[_Facility]:
    hall, hall_kana = _HALLS[code]
    return [
        _Facility("小学校", "ショウガッコウ", "both", 0.20, (400, 1000), school=True),
        _Facility("中学校", "チュウガッコウ", "both", 0.10, (500, 1200), school=True),
        _Facility(hall, hall_kana, "both", 0.20, (80, 300)),
        _Facility("コミュニティセンター", "コミュニティセンター", "both", 0.06, (60, 200)),
        _Facility("集会所", "シュウカイショ", "shelter", 0.14, (20, 60)),
        _Facility("公園", "コウエン", "emergency_site", 0.12, (1000, 6000), outdoor=True),
        _Facility("運動広場", "ウンドウヒロバ", "emergency_site", 0.06, (800, 4000), outdoor=True),
        _Facility("体育館", "タイイクカン", "both", 0.04, (300, 800)),
        _Facility("高等学校", "コウトウガッコウ", "both", 0.03, (600, 1500), school=True),
        _Facility("福祉センター", "フクシセンター", "welfare", 0.03, (20, 60)),
        _Facility("デイサービスセンター", "デイサービスセンター", "welfare", 0.02, (10, 30)),
    ]


def _shelters(
    world: _World, flood: gpd.GeoDataFrame, landslide: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    rng = _rng(3)
    flood_union = shapely.union_all(flood.geometry.values)
    slide_union = shapely.union_all(landslide.geometry.values)
    shapely.prepare(flood_union)
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for code, count in ((YAMAGUCHI, 88), (HOFU, 46), (UBE, 16)):
        muni = _BY_CODE[code]
        places = [p for p in PLACES if p.code == code]
        facilities = _facilities(code)
        pairs = [(p, f) for p in places for f in facilities]
        # Every town place has its primary school and community hall; the rest is sampled.
        fixed = [
            i
            for i, (p, f) in enumerate(pairs)
            if not p.hill and f.suffix in ("小学校", _HALLS[code][0])
        ]
        weights = np.array([f.weight * (0.4 if p.hill else 1.0) for p, f in pairs])
        weights[fixed] = 0.0
        sampled = rng.choice(
            len(pairs), size=count - len(fixed), replace=False, p=weights / weights.sum()
        )
        for serial, index in enumerate(sorted([*fixed, *sampled.tolist()]), start=1):
            place, facility = pairs[index]
            pt = world.point_near(rng, place, 450.0)
            elev = float(world.elevation(np.array([pt.x]), np.array([pt.y]))[0])
            river_m = pt.distance(world.rivers) * M_LAT
            coast_m = pt.distance(world.coast) * M_LAT
            in_flood = flood_union.contains(pt) or (elev < 8.0 and river_m < 800.0)
            near_slide = pt.distance(slide_union) * M_LAT < 150.0 or elev > 120.0
            coastal_low = elev < 6.0 and coast_m < 1500.0
            note = None
            if facility.kind in ("emergency_site", "both"):
                flags = {
                    "hz_flood": not in_flood,
                    "hz_landslide": not near_slide,
                    "hz_storm_surge": not coastal_low,
                    "hz_earthquake": facility.outdoor or rng.random() < 0.85,
                    "hz_tsunami": elev >= 10.0 or coast_m > 3000.0,
                    "hz_fire": facility.outdoor or (facility.school and rng.random() < 0.5),
                    "hz_inland_flood": not (elev < 10.0 and river_m < 1500.0),
                    "hz_volcano": False,
                }
                if in_flood and facility.school and rng.random() < 0.5:
                    flags["hz_flood"] = True
                    note = "洪水時は2階以上を使用"
                if not any(flags.values()):
                    flags["hz_earthquake"] = True
            else:
                flags = dict.fromkeys(
                    (
                        "hz_flood",
                        "hz_landslide",
                        "hz_storm_surge",
                        "hz_earthquake",
                        "hz_tsunami",
                        "hz_fire",
                        "hz_inland_flood",
                        "hz_volcano",
                    ),
                    False,
                )
            capacity: int | None = int(rng.integers(*facility.capacity))
            capacity_note = None
            if facility.outdoor:
                capacity = round(capacity, -2)
                capacity_note = "屋外 1㎡あたり1人"
            elif rng.random() < 0.3:
                capacity_note = "2㎡あたり1人"
            if rng.random() < 0.03:
                capacity, capacity_note = None, "収容人数未算定"
            if note is None and facility.kind in ("shelter", "both") and rng.random() < 0.1:
                note = "ペット同行避難可"
            rows.append(
                {
                    "shelter_id": f"E{code[:5]}{serial:05d}201",
                    "lg_code": code,
                    "name": f"{place.name}{facility.suffix}",
                    "name_kana": f"{place.kana}{facility.kana}",
                    "address": f"{PREFECTURE}{muni.name}{place.name}{int(rng.integers(1, 3000))}",
                    "kind": facility.kind,
                    **flags,
                    "capacity": capacity,
                    "capacity_note": capacity_note,
                    "phone": None if facility.outdoor else _phone(rng, code),
                    "url": muni.url if facility.suffix == _HALLS[code][0] else None,
                    "note": note,
                }
            )
            geoms.append(pt)
    return _frame("shelters", rows, geoms)


_EV = (
    ("山口市役所 本庁舎駐車場", "中央", "both", 2, "8:30-17:15", "山口市"),
    ("道の駅 仁保の郷", "仁保", "quick", 1, "24時間", "山口市"),
    ("湯田温泉 観光駐車場", "湯田", "normal", 4, "24時間", "民間事業者"),
    ("新山口駅 南口駐車場", "小郡", "quick", 2, "24時間", "民間事業者"),
    ("阿知須総合支所", "阿知須", "normal", 1, "8:30-17:15", "山口市"),
    ("大内ショッピングセンター", "大内", "quick", 2, "9:00-22:00", "民間事業者"),
    ("カーディーラー 平川店", "平川", "both", 3, "9:30-18:00", "民間事業者"),
    ("コンビニエンスストア 大歳店", "大歳", "quick", 1, "24時間", "民間事業者"),
    ("秋穂二島 交流センター", "秋穂二島", "normal", 2, "9:00-21:00", "山口市"),
    ("防府市役所", "松崎", "both", 2, "8:30-17:15", "防府市"),
    ("道の駅 潮彩市場防府", "中関", "quick", 1, "24時間", "防府市"),
    ("防府ショッピングセンター", "勝間", "both", 4, "9:00-22:00", "民間事業者"),
    ("カーディーラー 防府店", "華城", "quick", 1, "9:30-18:00", "民間事業者"),
    ("富海 海水浴場駐車場", "富海", "normal", 2, "7:00-19:00", "防府市"),
    ("東岐波ふれあいセンター", "東岐波", "normal", 1, "9:00-21:00", "宇部市"),
)


def _place(name: str) -> Place:
    return next(p for p in PLACES if p.name == name)


def _ev_chargers(world: _World) -> gpd.GeoDataFrame:
    rng = _rng(4)
    rows, geoms = [], []
    for name, place_name, charger_type, connectors, hours, operator in _EV:
        place = _place(place_name)
        pt = world.point_near(rng, place, 300.0)
        muni = _BY_CODE[place.code]
        rows.append(
            {
                "name": name,
                "address": f"{PREFECTURE}{muni.name}{place.name}{int(rng.integers(1, 3000))}",
                "lg_code": place.code,
                "charger_type": charger_type,
                "connectors": connectors,
                "hours": hours,
                "phone": _phone(rng, place.code),
                "operator": operator,
                "url": muni.url if operator == muni.name else None,
            }
        )
        geoms.append(pt)
    return _frame("ev_chargers", rows, geoms)


_WIFI_EXTRA = (
    ("山口駅", "中央", "Yamaguchi_Free_Wi-Fi", "山口県", "24時間", "観光案内所周辺"),
    ("新山口駅 観光交流センター", "小郡", "Yamaguchi_Free_Wi-Fi", "山口県", "8:30-19:00", None),
    ("湯田温泉 足湯", "湯田", "Yamaguchi_Free_Wi-Fi", "山口県", "24時間", None),
    ("防府駅 てんじんぐち", "松崎", "Hofu_Free_Wi-Fi", "防府市", "24時間", None),
    (
        "防府市 観光案内所",
        "松崎",
        "Hofu_Free_Wi-Fi",
        "防府市",
        "9:00-18:00",
        "1回60分・回数制限なし",
    ),
)
_WIFI_SSID = {
    YAMAGUCHI: "Yamaguchi_City_Wi-Fi",
    HOFU: "Hofu_Free_Wi-Fi",
    UBE: "Ube_City_Wi-Fi",
}


def _wifi_spots(world: _World, shelters: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rng = _rng(5)
    rows, geoms = [], []
    for name, place_name, ssid, provider, hours, note in _WIFI_EXTRA:
        place = _place(place_name)
        pt = world.point_near(rng, place, 250.0)
        muni = _BY_CODE[place.code]
        rows.append(
            {
                "name": name,
                "address": f"{PREFECTURE}{muni.name}{place.name}{int(rng.integers(1, 3000))}",
                "lg_code": place.code,
                "ssid": ssid,
                "provider": provider,
                "hours": hours,
                "note": note,
                "url": None,
            }
        )
        geoms.append(pt)
    # Public Wi-Fi at community halls, which are also shelters (opened as 00000JAPAN in disasters).
    halls = shelters[shelters["name"].str.endswith(tuple(h for h, _ in _HALLS.values()))]
    picked = np.sort(rng.choice(len(halls), size=min(20, len(halls)), replace=False))
    for i in picked:
        hall = halls.iloc[int(i)]
        code = str(hall["lg_code"])
        rows.append(
            {
                "name": str(hall["name"]),
                "address": str(hall["address"]),
                "lg_code": code,
                "ssid": _WIFI_SSID[code],
                "provider": _BY_CODE[code].name,
                "hours": "施設の開館時間",
                "note": "災害時は00000JAPANとして開放",
                "url": _BY_CODE[code].url,
            }
        )
        geoms.append(hall.geometry)
    return _frame("wifi_spots", rows, geoms)


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


def _transit(world: _World) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = _rng(6)
    route_rows, route_geoms = [], []
    stops: dict[tuple[str, str], dict[str, Any]] = {}  # (feed, key) -> stop
    names: dict[str, set[str]] = {feed: set() for feed in _FEEDS}
    for feed, _, _, _, _, start, _, end in _ROUTES:  # terminal names are taken first
        names[feed] |= {_TERMINALS[start][0], _TERMINALS[end][0]}
    serial = dict.fromkeys(_FEEDS, 0)

    def add_stop(feed: str, key: str, name: str, name_en: str, pt: Point) -> dict[str, Any]:
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
        return stops[(feed, key)]

    for feed, route_id, short, color, trips, start, via, end in _ROUTES:
        first, last = _TERMINALS[start], _TERMINALS[end]
        line = _wiggle(rng, [(first[2], first[3]), *via, (last[2], last[3])], 220.0, 35.0)
        route_geoms.append(MultiLineString([line]))
        route_rows.append(
            {
                "feed_id": feed,
                "route_id": route_id,
                "agency_name": _FEEDS[feed],
                "short_name": short,
                "long_name": f"{first[0]}〜{last[0]}線",
                "route_type": 3,
                "color": color,
            }
        )
        n = max(2, round(_length_m(line) / 500.0))
        fractions = np.arange(n + 1) / n
        fractions[1:-1] += rng.uniform(-0.2, 0.2, n - 1) / n
        for k, f in enumerate(fractions):
            pt = line.interpolate(float(f), normalized=True)
            if k in (0, n):
                key = start if k == 0 else end
                ja, en, _, _ = _TERMINALS[key]
                stop = add_stop(feed, key, ja, en, Point(round(pt.x, 6), round(pt.y, 6)))
                stop["departures"] += trips
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
            stop = add_stop(feed, f"{route_id}-{k}", name, f"{place.romaji}{suffix_en}", pt)
            stop["departures"] += 2 * trips
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
        _frame("transit_stops", stop_rows, stop_geoms),
        _frame("transit_routes", route_rows, route_geoms),
    )


# Districts resolved per year (2020..2024), per municipality; the rest are still unresolved.
DEAD_ZONE_PLAN = {
    YAMAGUCHI: (36, (4, 5, 5, 4, 3)),
    HOFU: (16, (2, 2, 2, 1, 1)),
    UBE: (10, (1, 1, 1, 1, 1)),
}
_DISTRICT_SUFFIXES = ("奥", "上", "下", "東", "西", "北", "南", "中", "谷", "原", "峠", "迫")
_CARRIERS = ("NTTドコモ", "KDDI", "ソフトバンク", "楽天モバイル")


def _dead_zones(world: _World) -> gpd.GeoDataFrame:
    rng = _rng(7)
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
                blob = _blob(rng, lon, lat, rng.uniform(150, 450), rng.uniform(150, 400))
                if muni.contains(blob):
                    geom = blob
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
        for district, year in zip(districts, years, strict=True):
            if year is not None:
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
                    "resolved_year": year,
                    "carrier": carrier,
                }
            )
            geoms.append(district["geom"])
    return _frame("dead_zones", rows, geoms)


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


def _population_mesh(world: _World) -> gpd.GeoDataFrame:
    rng = _rng(8)
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
    return _frame("population_mesh", rows, list(cells))


# Share of 2nd meshes (with land) holding an advanced 5G station, by year.
COVERAGE_SHARE = {2020: 0.15, 2021: 0.30, 2022: 0.50, 2023: 0.65, 2024: 0.80}


def _mesh_coverage(world: _World, population: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rng = _rng(9)
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
    return _frame("mesh_coverage", rows, geoms)


def demo_layers() -> dict[str, gpd.GeoDataFrame]:
    """Demo data for every layer, keyed by layer id; frames in EPSG:4326 with the declared columns.

    Deterministic: every call returns identical frames.
    """
    for muni in MUNICIPALITIES:
        if not is_valid_lg_code(muni.code):
            raise RuntimeError(f"demo municipality code {muni.code} has a wrong check digit")
    world = _World()
    flood = _flood_depth(world)
    landslide = _landslide_zones(world)
    shelters = _shelters(world, flood, landslide)
    stops, routes = _transit(world)
    population = _population_mesh(world)
    return {
        "admin_boundaries": _admin_boundaries(world),
        "flood_depth": flood,
        "landslide_zones": landslide,
        "shelters": shelters,
        "ev_chargers": _ev_chargers(world),
        "wifi_spots": _wifi_spots(world, shelters),
        "transit_stops": stops,
        "transit_routes": routes,
        "dead_zones": _dead_zones(world),
        "mesh_coverage": _mesh_coverage(world, population),
        "population_mesh": population,
    }
