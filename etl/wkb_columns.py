"""Geometries as the two WKB columns of a version table: EPSG:4326 and its Web Mercator copy.

shapely writes WKB one geometry at a time, and a Web Mercator copy made with
``shapely.transform`` builds every geometry a second time. The common cases of large layers
are done with numpy instead, byte for byte as shapely would write them: plain 2D points become
fixed-width records straight from their coordinates; 2D polygons are written once by shapely,
and their Mercator copy is the same bytes with the coordinates projected in place (their
positions follow from the rings' sizes). A polygon bound for a multipolygon layer gets the
nine-byte multipolygon header in front of it. Everything else goes through shapely.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import shapely

from gis.layerspec import GeometryType

EARTH_RADIUS_M = 6378137.0  # EPSG:3857's sphere
_POINT, _POLYGON, _MULTIPOLYGON = 0, 3, 6
# A 2D point's WKB, little-endian: byte order (1), type (1 = Point), x, y: 21 bytes, packed.
POINT_WKB = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
# Little-endian MultiPolygon of one part; the part's own WKB follows.
_ONE_PART_MULTIPOLYGON = b"\x01\x06\x00\x00\x00\x01\x00\x00\x00"
_HEADER = 9  # byte order, type, count (of rings or parts)
_COUNT = 4  # a ring's number of points
_XY = 16  # two float64


def mercator_coordinates(coords: np.ndarray) -> np.ndarray:
    """Longitude/latitude pairs (degrees) as Web Mercator x/y (metres).

    The spherical formulas of PROJ's ``webmerc`` (what PostGIS's ``ST_Transform(geom, 3857)``
    runs), in numpy: x = R·λ, y = R·asinh(tan φ).
    """
    radians = np.radians(coords)
    out = np.empty_like(coords)
    out[:, 0] = EARTH_RADIUS_M * radians[:, 0]
    out[:, 1] = EARTH_RADIUS_M * np.arcsinh(np.tan(radians[:, 1]))
    return out


def to_web_mercator(geoms: np.ndarray) -> np.ndarray:
    """EPSG:4326 geometries projected to Web Mercator (EPSG:3857), every vertex in one call."""
    return np.asarray(shapely.transform(geoms, mercator_coordinates), dtype=object)


def point_wkb(coords: np.ndarray) -> np.ndarray:
    """2D points (an ``(n, 2)`` array) as WKB, one fixed-width numpy record (``V21``) each:
    the bytes ``shapely.to_wkb`` writes for them, made without a shapely call per point."""
    out = np.empty(len(coords), dtype=POINT_WKB)
    out["order"], out["type"] = 1, 1
    out["x"], out["y"] = coords[:, 0], coords[:, 1]
    return out.view(f"V{POINT_WKB.itemsize}")


def geometry_columns(
    geoms: np.ndarray, declared: GeometryType, known: np.ndarray | None = None
) -> tuple[Any, Any] | None:
    """The WKB of ``geoms`` (EPSG:4326) and of their Web Mercator copies, for ``COPY``, by the
    numpy paths above; None when they do not apply (the caller uses shapely). ``known`` holds
    the WKB a reader found for each geometry, or None: a polygon's is used instead of writing
    it again, when it has the little-endian 2D layout that shapely writes."""
    if not len(geoms) or sys.byteorder != "little" or shapely.has_z(geoms).any():
        return None
    types = shapely.get_type_id(geoms)
    if declared == GeometryType.POINT and (types == _POINT).all():
        coords = shapely.get_coordinates(geoms)
        if len(coords) == len(geoms):  # no POINT EMPTY
            return point_wkb(coords), point_wkb(mercator_coordinates(coords))
        return None
    polygonal = declared in (GeometryType.POLYGON, GeometryType.MULTIPOLYGON)
    if polygonal and np.isin(types, (_POLYGON, _MULTIPOLYGON)).all():
        return _polygon_wkb(geoms, types, known, declared == GeometryType.MULTIPOLYGON)
    return None


def _polygon_wkb(
    geoms: np.ndarray, types: np.ndarray, known: np.ndarray | None, multi: bool
) -> tuple[list[bytes], list[bytes]] | None:
    """Polygons' and multipolygons' WKB (each polygon in a one-part multipolygon when
    ``multi``), and the same bytes with the coordinates projected."""
    wkb = _written_or_known(geoms, known)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    sizes = shapely.get_num_coordinates(rings)
    if not len(rings) or (shapely.get_num_coordinates(parts) == 0).any():
        return None  # an empty polygon or part: its WKB has no ring to place
    # Bytes before each ring's coordinates: its count, its polygon's header when it is the
    # polygon's first ring, and the multipolygon's header before the first part's first ring.
    first_ring = np.r_[True, ring_of[1:] != ring_of[:-1]]
    first_part = np.r_[True, part_of[1:] != part_of[:-1]]
    multi_ring = (first_part & (types[part_of] == _MULTIPOLYGON))[ring_of] & first_ring
    heads = _COUNT + _HEADER * first_ring + _HEADER * multi_ring
    spans = heads + sizes * _XY
    geometry_of = part_of[ring_of]
    lengths = np.fromiter(map(len, wkb), dtype=np.int64, count=len(wkb))
    if (np.bincount(geometry_of, weights=spans, minlength=len(wkb)) != lengths).any():
        return None if known is None else _polygon_wkb(geoms, types, None, multi)  # rewrite
    # One buffer of every geometry's WKB, a multipolygon header in front of each polygon
    # bound for a multipolygon column; where each ring's header and coordinates start in it.
    prefixed = (types == _POLYGON) if multi else np.zeros(len(wkb), dtype=bool)
    any_prefixed = bool(prefixed.any())
    if any_prefixed:
        pieces: list[bytes] = [b""] * (2 * len(wkb))
        pieces[0::2] = [_ONE_PART_MULTIPOLYGON if p else b"" for p in prefixed.tolist()]
        pieces[1::2] = wkb
        data = b"".join(pieces)
    else:
        data = b"".join(wkb)
    heads_at = np.cumsum(spans) - spans + _HEADER * np.cumsum(prefixed)[geometry_of]
    if known is not None and not _little_endian_headers(data, heads_at, first_ring, multi_ring):
        return _polygon_wkb(geoms, types, None, multi)  # e.g. a big-endian GeoPackage: rewrite
    mercator = bytearray(data)
    projected = mercator_coordinates(shapely.get_coordinates(geoms)).astype("<f8").tobytes()
    into, source = memoryview(mercator), memoryview(projected)
    read = 0
    for at, size in zip((heads_at + heads).tolist(), (sizes * _XY).tolist(), strict=True):
        into[at : at + size] = source[read : read + size]
        read += size
    ends = np.cumsum(lengths + _HEADER * prefixed).tolist()
    starts = [0, *ends[:-1]]
    bounds = list(zip(starts, ends, strict=True))
    projected_rows = [bytes(into[s:e]) for s, e in bounds]
    return ([data[s:e] for s, e in bounds] if any_prefixed else wkb), projected_rows


def _written_or_known(geoms: np.ndarray, known: np.ndarray | None) -> list[bytes]:
    """Each geometry's WKB: the ``known`` one where there is one, else written by shapely."""
    if known is None:
        return shapely.to_wkb(geoms).tolist()  # type: ignore[no-any-return]
    wkb: list[bytes] = known.tolist()
    missing = [i for i, w in enumerate(wkb) if w is None]
    if missing:
        for i, written in zip(missing, shapely.to_wkb(geoms[missing]).tolist(), strict=True):
            wkb[i] = written
    return wkb


_POLYGON_HEAD = np.frombuffer(b"\x01\x03\x00\x00\x00", dtype=np.uint8)
_MULTIPOLYGON_HEAD = np.frombuffer(b"\x01\x06\x00\x00\x00", dtype=np.uint8)


def _little_endian_headers(
    data: bytes, heads_at: np.ndarray, first_ring: np.ndarray, multi_ring: np.ndarray
) -> bool:
    """True when every (multi)polygon header in ``data`` is little-endian with a 2D type, as
    shapely writes them (the layout alone does not tell a big-endian WKB apart).
    ``heads_at``: where each ring's head begins; ``multi_ring``: the rings that open a
    multipolygon (its header comes first)."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    return (
        _heads_are(buffer, heads_at[first_ring & ~multi_ring], _POLYGON_HEAD)
        and _heads_are(buffer, heads_at[multi_ring], _MULTIPOLYGON_HEAD)
        and _heads_are(buffer, heads_at[multi_ring] + _HEADER, _POLYGON_HEAD)
    )


def _heads_are(buffer: np.ndarray, at: np.ndarray, head: np.ndarray) -> bool:
    return bool((buffer[at[:, None] + np.arange(len(head))] == head).all())
