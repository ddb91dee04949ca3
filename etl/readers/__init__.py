"""Readers turn one input into a :class:`Table`: raw columns plus, for vector files, geometry.

Column names are NFKC-normalised and stripped. ``rows`` holds the row number a person would look
for in the source (the CSV line where the record starts, or the feature's 1-based index).
Columns are plain Python lists (``None`` or a float NaN for a missing value), so that a load
needs no data-frame library unless its reader does (pyogrio's does; the GeoPackage and CSV
readers do not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from gis.geo.crs import to_wgs84_transformer

_WGS84 = CRS.from_epsg(4326)


@dataclass
class Table:
    """What a reader found in one input."""

    columns: dict[str, list[Any]]  # column name -> one value per row, in the file's order
    rows: np.ndarray
    geometry: np.ndarray | None = None  # shapely geometries in EPSG:4326, or None for CSV
    encoding: str | None = None
    source_crs: CRS | None = None
    warnings: list[str] = field(default_factory=list)
    # each geometry's WKB as read, when it is already its EPSG:4326 WKB (else None): the writer
    # sends it as it is instead of writing it again
    wkb: np.ndarray | None = None
    # (row, reason, action) of geometries the reader repaired or could not read (then None)
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def to_wgs84(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    """Geometries transformed from ``crs`` to EPSG:4326 lon/lat."""
    if crs.equals(_WGS84, ignore_axis_order=True) or crs.to_epsg() in (4326, 6668, 4612):
        return geoms
    transformer = to_wgs84_transformer(crs)

    def move(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, move), dtype=object)
