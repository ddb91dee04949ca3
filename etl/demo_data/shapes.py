"""Small random and geometric helpers shared by the demo layers (lengths in metres, lon/lat out)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon

from etl.demo_data.places import M_LAT, M_LON, SEED


def layer_rng(stream: int) -> np.random.Generator:
    """One independent, reproducible generator per layer, so layers do not shift each other."""
    return np.random.default_rng([SEED, stream])


def offsets_to_lonlat(
    lon0: float, lat0: float, dx: np.ndarray, dy: np.ndarray
) -> list[tuple[float, float]]:
    """Local offsets in metres around (lon0, lat0) -> lon/lat pairs."""
    return list(zip((lon0 + dx / M_LON).tolist(), (lat0 + dy / M_LAT).tolist(), strict=True))


def length_m(line: LineString) -> float:
    """Approximate length of a lon/lat line in metres."""
    xy = np.asarray(line.coords)
    return float(np.hypot(np.diff(xy[:, 0]) * M_LON, np.diff(xy[:, 1]) * M_LAT).sum())


def wiggle(
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


def ellipse(lon: float, lat: float, rx: float, ry: float, angle: float = 0.0) -> Polygon:
    """An ellipse with radii in degrees, rotated by ``angle`` degrees."""
    circle = Point(0, 0).buffer(1.0, 16)
    shape = affinity.rotate(affinity.scale(circle, rx, ry, origin=(0, 0)), angle, origin=(0, 0))
    return affinity.translate(shape, lon, lat)


def blob(
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
    return Polygon(offsets_to_lonlat(lon, lat, xr, yr))


def debris_fan(
    rng: np.random.Generator, lon: float, lat: float, length: float, w0: float, w1: float
) -> Polygon:
    """A debris-flow fan: narrow at the top of the valley, wide at its mouth (metres)."""
    stations = np.linspace(-length / 2, length / 2, 7)
    widths = np.linspace(w0, w1, 7) * rng.uniform(0.85, 1.15, 7) / 2
    x = np.concatenate([stations, stations[::-1]])
    y = np.concatenate([widths, -widths[::-1]])
    a = rng.uniform(0.0, 2 * math.pi)
    xr, yr = x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)
    return Polygon(offsets_to_lonlat(lon, lat, xr, yr))
