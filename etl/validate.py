"""Row-level quality rules: coordinates, geometries and the layer's declared field rules.

A row is repaired only when the fix is certain, and every repair is reported: swapped
latitude/longitude (their ranges in Japan do not overlap), a latitude or longitude that lost its
decimal point when exactly one power of ten brings it within 50 km of the file's other points,
and invalid polygons (made valid). Everything else that is wrong rejects the row with a reason.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely

from etl.cell_values import clean
from etl.report import FileReport
from etl.star_shaped import proven_valid
from gis.geo.crs import parse_dms
from gis.layerstore.layerspec import FieldSpec, GeometryType, LayerSpec

LON_RANGE = (122.0, 154.0)
LAT_RANGE = (20.0, 46.0)
NEAR_KM = 50.0
PARALLEL_FROM = 2000  # geometries; fewer are checked in one thread
# GEOS's is_valid costs about 0.6 µs for a 4-vertex polygon, 4.8 µs for 32 and 32 µs for 128;
# the star-shape proof 1.4, 3.3 and 17 µs: it pays from a little over 20 vertices
PROOF_FROM_VERTICES = 24


def in_japan(lon: float, lat: float) -> bool:
    """True inside the box that holds Japan and its outlying islands."""
    return LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return parse_dms(text)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111.32 * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot(dx, (a[1] - b[1]) * 110.57)


@dataclass
class RawPoint:
    """A coordinate pair as read, before the rules are applied."""

    row: int
    lon: float | None
    lat: float | None
    problem: str | None = None  # set when the text did not parse


def parse_coordinates(row: int, lat_text: object, lon_text: object) -> RawPoint:
    """Read decimal or DMS text (``34°03'07.7"N``); blank or unreadable gives a problem."""
    lat_s, lon_s = clean(lat_text), clean(lon_text)
    if not lat_s and not lon_s:
        return RawPoint(row, None, None, "no coordinates (latitude and longitude are empty)")
    if not lat_s or not lon_s:
        missing = "latitude" if not lat_s else "longitude"
        return RawPoint(row, None, None, f"{missing} is empty")
    try:
        return RawPoint(row, _number(lon_s), _number(lat_s))
    except ValueError as err:
        return RawPoint(row, None, None, f"unreadable coordinate: {err}")


def _shifted(value: float, low: float, high: float) -> list[float]:
    return [value / 10**k for k in range(1, 7) if low <= value / 10**k <= high]


def resolve_points(points: list[RawPoint], report: FileReport) -> list[tuple[float, float] | None]:
    """Apply the coordinate rules; returns (lon, lat) or None (rejected) for each point."""
    good = [(p.lon, p.lat) for p in points if p.lon is not None and p.lat is not None]
    good = [(x, y) for x, y in good if in_japan(x, y) and x != y]
    centre = None
    if good:
        centre = (float(np.median([g[0] for g in good])), float(np.median([g[1] for g in good])))
    return [_resolve(p, centre, report) for p in points]


def _resolve(
    p: RawPoint, centre: tuple[float, float] | None, report: FileReport
) -> tuple[float, float] | None:
    if p.problem or p.lon is None or p.lat is None:
        report.add(p.row, "緯度/経度", p.problem or "no coordinates", "rejected")
        return None
    lon, lat = p.lon, p.lat
    if lon == lat:
        report.add(
            p.row, "緯度/経度", f"longitude equals latitude ({lat}): a copy error", "rejected"
        )
        return None
    if in_japan(lon, lat):
        return lon, lat
    if in_japan(lat, lon):
        report.add(p.row, "緯度/経度", f"latitude {lat} and longitude {lon} swapped; swapped back",
                   "repaired")  # fmt: skip
        return lat, lon
    fixes = [
        (x, y)
        for x in ([lon] if LON_RANGE[0] <= lon <= LON_RANGE[1] else _shifted(lon, *LON_RANGE))
        for y in ([lat] if LAT_RANGE[0] <= lat <= LAT_RANGE[1] else _shifted(lat, *LAT_RANGE))
    ]
    near = [f for f in fixes if centre is not None and _km(f, centre) <= NEAR_KM]
    if len(near) == 1:
        field, was, now = (
            ("緯度", lat, near[0][1]) if near[0][1] != lat else ("経度", lon, near[0][0])
        )
        report.add(p.row, field, f"{was} lost its decimal point; read as {now:.10g}", "repaired")
        return near[0]
    if fixes:
        report.add(p.row, "緯度/経度", f"({lat}, {lon}) is outside Japan; a lost decimal point"
                   " is likely but the fix is not certain", "rejected")  # fmt: skip
        return None
    report.add(p.row, "緯度/経度", f"({lat}, {lon}) is outside Japan", "rejected")
    return None


_POLYGONAL = {GeometryType.POLYGON, GeometryType.MULTIPOLYGON}
_LINEAR = {GeometryType.LINESTRING, GeometryType.MULTILINESTRING}
_PUNTAL = {GeometryType.POINT, GeometryType.MULTIPOINT}
_TYPE_NAMES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
               6: "MultiPolygon", 7: "GeometryCollection"}  # fmt: skip
_FAMILY = {0: _PUNTAL, 4: _PUNTAL, 1: _LINEAR, 5: _LINEAR, 3: _POLYGONAL, 6: _POLYGONAL}


def check_geometries(
    geoms: np.ndarray, rows: np.ndarray, spec: LayerSpec, report: FileReport
) -> tuple[np.ndarray, np.ndarray]:
    """Validate geometries for ``spec``: returns (geometries, keep mask). Vectorised.

    Empty or missing: rejected. Invalid: made valid (polygonal parts kept) and reported as
    repaired. Wrong family (a line in a point layer): rejected. Outside Japan: rejected. A
    single-part MultiPoint in a Point layer becomes its point.
    """
    geoms = np.asarray(geoms, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    for row in rows[~keep]:
        report.add(int(row), "geometry", "empty geometry", "rejected")
    keep &= ~non_finite(geoms, keep, rows, report)
    collections = keep & (shapely.get_type_id(geoms) == 7)
    if collections.any():
        geoms[collections] = [_uncollected(g, spec) for g in geoms[collections]]
        for row, g in zip(rows[collections], geoms[collections], strict=True):
            if shapely.get_type_id(g) != 7:
                report.add(int(row), "geometry", f"GeometryCollection of one kind of part made"
                           f" a {_TYPE_NAMES[shapely.get_type_id(g)]}", "repaired")  # fmt: skip
    invalid = keep & ~_valid(geoms, keep)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        fixed = shapely.make_valid(geoms[invalid])
        if spec.geometry in _POLYGONAL:
            fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        geoms[invalid] = fixed
        emptied = invalid & shapely.is_empty(geoms)
        for row, reason, gone in zip(rows[invalid], reasons, emptied[invalid], strict=True):
            if gone:
                report.add(int(row), "geometry", f"degenerate geometry (zero area or length:"
                           f" {reason}): nothing is left once made valid", "rejected")  # fmt: skip
            else:
                report.add(int(row), "geometry", f"invalid geometry made valid ({reason})",
                           "repaired")  # fmt: skip
        keep &= ~emptied
    types = shapely.get_type_id(geoms)
    if spec.geometry == GeometryType.POINT:
        single = keep & (types == 4) & (shapely.get_num_geometries(geoms) == 1)
        geoms[single] = shapely.get_geometry(geoms[single], 0)
        types = shapely.get_type_id(geoms)
    if spec.geometry != GeometryType.GEOMETRY:
        allowed = {t for t, family in _FAMILY.items() if spec.geometry in family}
        if spec.geometry == GeometryType.POINT:
            allowed = {0}
        wrong = keep & ~np.isin(types, list(allowed))
        for row, t in zip(rows[wrong], shapely.get_type_id(geoms[wrong]), strict=True):
            name = _TYPE_NAMES.get(int(t), "geometry")
            report.add(int(row), "geometry", f"{name} does not fit a {spec.geometry} layer",
                       "rejected")  # fmt: skip
        keep &= ~wrong
    bounds = shapely.bounds(geoms)
    outside = keep & ~(
        (bounds[:, 0] >= LON_RANGE[0]) & (bounds[:, 2] <= LON_RANGE[1])
        & (bounds[:, 1] >= LAT_RANGE[0]) & (bounds[:, 3] <= LAT_RANGE[1])
    )  # fmt: skip
    for row in rows[outside]:
        report.add(int(row), "geometry", "outside Japan (wrong CRS?)", "rejected")
    keep &= ~outside
    return geoms, keep


def _valid(geoms: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """GEOS's validity of the ``keep`` geometries; those that :func:`proven_valid` proves valid
    (exactly, and faster for polygons of :data:`PROOF_FROM_VERTICES` or more) are not asked
    again."""
    valid = np.ones(len(geoms), dtype=bool)
    unknown = keep.copy()
    polygonal = keep & np.isin(shapely.get_type_id(geoms), (3, 6))
    polygonal &= shapely.get_num_coordinates(geoms) >= PROOF_FROM_VERTICES
    if polygonal.any():
        unknown[polygonal] = ~proven_valid(geoms[polygonal])
    if unknown.any():
        valid[unknown] = _in_threads(shapely.is_valid, geoms[unknown])
    return valid


def _in_threads(func: Callable[[np.ndarray], np.ndarray], geoms: np.ndarray) -> np.ndarray:
    """``func`` over slices of ``geoms`` in one thread per core (shapely releases the GIL)."""
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(geoms) < PARALLEL_FROM:
        return func(geoms)
    with ThreadPoolExecutor(workers) as pool:
        return np.concatenate(list(pool.map(func, np.array_split(geoms, workers))))


def non_finite(
    geoms: np.ndarray, keep: np.ndarray, rows: np.ndarray, report: FileReport
) -> np.ndarray:
    """Mask of the ``keep`` geometries with a NaN or infinite coordinate (each reported as
    rejected: no rule can guess the value)."""
    bad = np.zeros(len(geoms), dtype=bool)
    if not keep.any():
        return bad
    coords, index = shapely.get_coordinates(geoms[keep], return_index=True)
    broken = np.unique(index[~np.isfinite(coords).all(axis=1)])
    if not len(broken):
        return bad
    bad[np.flatnonzero(keep)[broken]] = True
    for row in rows[bad]:
        report.add(int(row), "geometry", "NaN or infinite coordinate", "rejected")
    return bad


_MULTI = {0: shapely.MultiPoint, 1: shapely.MultiLineString, 3: shapely.MultiPolygon}


def _uncollected(geom: shapely.Geometry, spec: LayerSpec) -> shapely.Geometry:
    """A GeometryCollection whose parts are all of the layer's kind as that kind's multi
    geometry (one part: the part itself); any other collection as it is (it is rejected)."""
    parts = [p for g in shapely.get_parts(geom) for p in shapely.get_parts(g)]
    kinds = {int(shapely.get_type_id(p)) for p in parts}
    if len(kinds) != 1 or spec.geometry == GeometryType.GEOMETRY:
        return geom
    kind = kinds.pop()
    if kind not in _MULTI or spec.geometry not in _FAMILY[kind]:
        return geom
    return parts[0] if len(parts) == 1 else _MULTI[kind](parts)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    parts = [g for g in shapely.get_parts(geom) if shapely.get_type_id(g) in (3, 6)]
    if not parts:
        return shapely.Polygon()
    polys = [p for g in parts for p in shapely.get_parts(g)]
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def check_fields(
    values: dict[str, list[object]], rows: np.ndarray, spec: LayerSpec, report: FileReport
) -> np.ndarray:
    """Apply each field's declared rules (required, values, minimum, maximum): keep mask.

    Only fields that declare a rule are checked, and a column is scanned value by value only
    when a cheap whole-column test finds a problem.
    """
    keep = np.ones(len(rows), dtype=bool)
    for field in spec.fields:
        ruled = (
            field.required
            or field.values
            or field.minimum is not None
            or (field.maximum is not None)
        )
        if not ruled:
            continue
        column = values.get(field.name)
        if column is None:
            if field.required:
                keep[:] = False
                for row in rows:
                    report.add(int(row), field.name, f"required field {field.name!r} missing",
                               "rejected")  # fmt: skip
            continue
        if _column_ok(field, column):
            continue
        for i, value in enumerate(column):
            if (problem := field.check(None if _missing(value) else value)) is not None:
                keep[i] = False
                report.add(int(rows[i]), field.name, problem, "rejected")
    return keep


def _missing(value: object) -> bool:
    """None, the NaN that pandas' string and float columns use for a missing value, or
    pandas' own NA and NaT."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _has_missing(column: list[object]) -> bool:
    kinds = set(map(type, column))  # one pass in C
    if kinds <= {int, str, bool}:
        return False
    if kinds <= {int, float}:
        return bool(np.isnan(np.asarray(column, dtype=float)).any())
    return any(map(_missing, column))


def _column_ok(field: FieldSpec, column: list[object]) -> bool:
    """A fast test that no value of the column breaks the field's rules."""
    if _has_missing(column):  # a missing value takes the exact scan below
        return False
    if field.values:
        return set(column) <= set(field.values)
    try:
        numbers = np.asarray(column, dtype=float)
    except (TypeError, ValueError):
        return False
    low = field.minimum if field.minimum is not None else -np.inf
    high = field.maximum if field.maximum is not None else np.inf
    return bool(((numbers >= low) & (numbers <= high)).all())
