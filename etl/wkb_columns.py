"""Geometries as the WKB column of a version table (EPSG:4326; no SRID, the column's type
gives it).

shapely writes WKB one geometry at a time. The common cases of large layers skip that: plain 2D
points become fixed-width records straight from their coordinates, and a geometry whose WKB the
reader found (a GeoPackage's, unchanged by the checks) is sent as it was read. A single part
bound for a multi column gets the nine-byte one-part multi header in front of its own WKB, which
PostGIS reads as the multi geometry that ``shapely.multipolygons`` and the like would write.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from gis.layerstore.layerspec import GeometryType

# A 2D point's WKB, little-endian: byte order (1), type (1 = Point), x, y: 21 bytes, packed.
POINT_WKB = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
_POINT = 0
# shapely's type id of the single part that each multi type holds, and the header (little
# endian: byte order, type, one part) that makes a single part's WKB a one-part multi's.
_ONE_PART: dict[GeometryType, tuple[int, bytes]] = {
    GeometryType.MULTIPOINT: (0, b"\x01\x04\x00\x00\x00\x01\x00\x00\x00"),
    GeometryType.MULTILINESTRING: (1, b"\x01\x05\x00\x00\x00\x01\x00\x00\x00"),
    GeometryType.MULTIPOLYGON: (3, b"\x01\x06\x00\x00\x00\x01\x00\x00\x00"),
}


def point_wkb(coords: np.ndarray) -> np.ndarray:
    """2D points (an ``(n, 2)`` array) as WKB, one fixed-width numpy record (``V21``) each:
    the bytes ``shapely.to_wkb`` writes for them, made without a shapely call per point."""
    out = np.empty(len(coords), dtype=POINT_WKB)
    out["order"], out["type"] = 1, 1
    out["x"], out["y"] = coords[:, 0], coords[:, 1]
    return out.view(f"V{POINT_WKB.itemsize}")


def geometry_wkb(geoms: np.ndarray, declared: GeometryType, known: np.ndarray | None = None) -> Any:
    """The WKB of ``geoms`` (EPSG:4326) in the declared type, for ``COPY``: a ``V21`` array
    for plain 2D points, else a list of bytes. ``known`` holds the WKB a reader found for each
    geometry (None where it has none): that is used rather than writing it again."""
    if declared == GeometryType.POINT and len(geoms):
        types = shapely.get_type_id(geoms)
        if (types == _POINT).all() and not shapely.has_z(geoms).any():
            coords = shapely.get_coordinates(geoms)
            if len(coords) == len(geoms):  # no POINT EMPTY
                return point_wkb(coords)
    wkb = _written_or_known(geoms, known)
    one_part = _ONE_PART.get(declared)
    if one_part is None:
        return wkb
    single, header = one_part
    for i in np.flatnonzero(shapely.get_type_id(geoms) == single).tolist():
        wkb[i] = header + wkb[i]
    return wkb


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
