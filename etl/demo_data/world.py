"""The geography every demo layer shares: land, municipalities, rivers, plains and terrain."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely import ops
from shapely.geometry import LineString, Point, Polygon

from etl.demo_data.places import (
    HILLS,
    HOFU,
    M_LAT,
    M_LON,
    MUNICIPALITIES,
    PLACES,
    UBE,
    YAMAGUCHI,
    Place,
)
from etl.demo_data.shapes import ellipse, layer_rng, wiggle


class World:
    """The shared geography: land, municipalities, rivers, plains and a terrain model."""

    def __init__(self) -> None:
        rng = layer_rng(0)
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
        self.coast = wiggle(rng, coast_pts, 350.0, 120.0)
        self.land = Polygon([*self.coast.coords, (131.68, 34.26), (131.32, 34.26)])
        yh_border = wiggle(
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
        ube_border = wiggle(
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

        self.fushino = wiggle(
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
        self.saba = wiggle(
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
                ellipse(131.462, 34.168, 0.034, 0.018, 30.0),
                ellipse(131.415, 34.085, 0.030, 0.028),
                ellipse(131.565, 34.050, 0.045, 0.028),
                ellipse(131.460, 34.060, 0.040, 0.020),
                ellipse(131.365, 34.025, 0.030, 0.020),
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
        for x, y, height, sx, sy in HILLS:
            hills = hills + height * np.exp(-0.5 * (((lon - x) / sx) ** 2 + ((lat - y) / sy) ** 2))
        off_plain = shapely.distance(shapely.points(lon, lat), self.plain) * M_LAT
        base = 2.0 + 45.0 * np.clip((lat - 34.04) / 0.15, 0.0, 1.0)
        return np.asarray(base + hills * np.clip(off_plain / 1500.0, 0.0, 1.0))

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
