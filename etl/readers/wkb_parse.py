"""Geometries from WKB that never fail more than their own row.

Files from the wild hold geometries that GEOS refuses to build: polygon rings whose last vertex
is not the first (some exporters write them so), rings of too few points, truncated or garbled
WKB. One such feature used to stop the whole file with a ``GEOSException``. Here the column is
parsed at once (the fast path) and, only when that fails, one geometry at a time: a ring that
is merely unclosed is closed when that is certain (it has at least three distinct vertices) and
reported as repaired; anything else unreadable becomes a missing geometry with its reason, so
the row is rejected and the others load. Z and M coordinates are dropped (layers are 2D) and
reported as a repair.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import shapely

Note = tuple[int, str, Literal["rejected", "repaired"]]  # (index in the column, reason, action)
RING_CLOSED = "ring not closed (last vertex ≠ first): closed"
DROPPED_Z = "3D coordinates (z) dropped: layers are 2D"
DROPPED_M = "measured coordinates (m) dropped: layers are 2D"
MIN_DISTINCT = 3  # vertices a ring needs before closing it is certain


def parse_wkb(wkb: np.ndarray) -> tuple[np.ndarray, list[Note]]:
    """Shapely geometries of a WKB column (None stays None) and the notes on the rows that
    were repaired or could not be read (their geometry is None)."""
    try:
        geoms = np.asarray(shapely.from_wkb(wkb), dtype=object)
        notes: list[Note] = []
    except (shapely.errors.GEOSException, ValueError, TypeError):
        geoms, notes = _one_by_one(wkb)
    flat, more = flat_2d(geoms)
    return flat, notes + more


def _one_by_one(wkb: np.ndarray) -> tuple[np.ndarray, list[Note]]:
    out = np.empty(len(wkb), dtype=object)
    notes: list[Note] = []
    for i, value in enumerate(wkb):
        if value is None:
            continue
        try:
            out[i] = shapely.from_wkb(value)
            continue
        except (shapely.errors.GEOSException, ValueError, TypeError) as err:
            reason = _short(err)
        fixed = _closed(value)
        if fixed is None:
            notes.append((i, f"unreadable geometry ({reason})", "rejected"))
        elif (few := _too_few_vertices(fixed)) is not None:
            notes.append((i, few, "rejected"))
        else:
            out[i] = fixed
            notes.append((i, RING_CLOSED, "repaired"))
    return out, notes


def _closed(value: object) -> shapely.Geometry | None:
    """The geometry with its unclosed rings closed by GEOS, or None when that does not help."""
    try:
        return shapely.from_wkb(value, on_invalid="fix")
    except (shapely.errors.GEOSException, ValueError, TypeError):
        return None


def _too_few_vertices(geom: shapely.Geometry) -> str | None:
    """A reason when a ring of ``geom`` has fewer than :data:`MIN_DISTINCT` distinct vertices
    (closing it made a sliver, not a shape)."""
    rings = shapely.get_rings(shapely.get_parts(geom))
    for ring in rings:
        distinct = len(np.unique(shapely.get_coordinates(ring), axis=0))
        if distinct < MIN_DISTINCT:
            return (
                f"ring not closed and has only {distinct} distinct vertices: cannot be"
                " closed with certainty"
            )
    return None


def flat_2d(geoms: np.ndarray) -> tuple[np.ndarray, list[Note]]:
    """``geoms`` in 2D; a note for each geometry that had z or m coordinates."""
    present = ~shapely.is_missing(geoms)
    has_z = present & shapely.has_z(geoms)
    has_m = present & _has_m(geoms)
    changed = has_z | has_m
    if not changed.any():
        return geoms, []
    geoms = geoms.copy()
    geoms[changed] = shapely.force_2d(geoms[changed])
    notes: list[Note] = []
    for i in np.flatnonzero(changed):
        notes.append((int(i), DROPPED_Z if has_z[i] else DROPPED_M, "repaired"))
    return geoms, notes


def _has_m(geoms: np.ndarray) -> np.ndarray:
    has_m = getattr(shapely, "has_m", None)  # shapely 2.1 with GEOS 3.12 and later
    if has_m is None:
        return np.zeros(len(geoms), dtype=bool)
    return np.asarray(has_m(geoms), dtype=bool)


def _short(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text.removeprefix("IllegalArgumentException: ")[:200]
