"""An exact, cheap proof that a polygon is valid, for the many that are star-shaped.

GEOS's validity test (``shapely.is_valid``) nodes every ring to look for self-intersections:
about 0.4 µs a vertex, most of a polygon load's client time. Many polygons can be proved valid
far more cheaply. A polygon without holes whose every edge turns the same way, strictly, around
one point ``c``, and whose edges sweep exactly one full turn around ``c``, is star-shaped from
``c``: every ray from ``c`` meets its ring once, so the ring is simple and the polygon valid.
``c`` is the centroid, else the mean of the vertices, else the bbox's centre. The turn of each
edge is the sign of an orientation determinant, taken only when Shewchuk's error bound for it
(the fast filter of his robust ``orient2d``) proves the floating-point sign right; the full
turns are counted from the edges' angles, whose sum is a whole number of turns give or take
rounding far below half a turn. What this cannot prove (holes, several parts, a vertex
repeated, a ring not star-shaped from those points, a sign too close to call) is left to GEOS,
so the result is GEOS's own.
"""

from __future__ import annotations

import numpy as np
import shapely

# Shewchuk, "Adaptive precision floating-point arithmetic and fast robust geometric
# predicates" (1997): |det| above this times the sum of the products' magnitudes has the
# sign of the exact determinant of the floating-point inputs.
_EPSILON = 2.0**-53
_CCW_ERRBOUND = (3.0 + 16.0 * _EPSILON) * _EPSILON
_TINY = 1e-150  # below this, products may lose bits to underflow: leave those rings to GEOS
_POLYGON, _MULTIPOLYGON = 3, 6


def proven_valid(geoms: np.ndarray) -> np.ndarray:
    """True where the test above proves a geometry valid; False means "not proved" (ask GEOS)."""
    geoms = np.asarray(geoms, dtype=object)
    proven = np.zeros(len(geoms), dtype=bool)
    types = shapely.get_type_id(geoms)
    single = (types == _MULTIPOLYGON) & (shapely.get_num_geometries(geoms) == 1)
    polygons = geoms.copy()
    polygons[single] = shapely.get_geometry(geoms[single], 0)
    candidates = np.flatnonzero(
        ((types == _POLYGON) | single)
        & ~shapely.is_empty(polygons)
        & (shapely.get_num_interior_rings(polygons) == 0)
    )
    rings = shapely.get_exterior_ring(polygons[candidates])
    for centre in (_centroid, _vertex_mean, _bbox_centre):  # each tried where the last failed
        if not len(candidates):
            break
        found = _star_shaped(rings, centre(polygons[candidates], rings))
        proven[candidates[found]] = True
        candidates, rings = candidates[~found], rings[~found]
    return proven


def _centroid(polygons: np.ndarray, rings: np.ndarray) -> np.ndarray:
    centres = np.full((len(polygons), 2), np.nan)  # stays NaN where it is POINT EMPTY
    with np.errstate(invalid="ignore"):
        coords, which = shapely.get_coordinates(shapely.centroid(polygons), return_index=True)
    centres[which] = coords
    return centres


def _vertex_mean(polygons: np.ndarray, rings: np.ndarray) -> np.ndarray:
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    sizes = np.maximum(np.bincount(ring_of, minlength=len(rings)), 1)
    sums = [np.bincount(ring_of, weights=coords[:, i], minlength=len(rings)) for i in (0, 1)]
    return np.column_stack(sums) / sizes[:, None]


def _bbox_centre(polygons: np.ndarray, rings: np.ndarray) -> np.ndarray:
    bounds = shapely.bounds(polygons)
    return (bounds[:, :2] + bounds[:, 2:]) / 2


def _star_shaped(rings: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """For each ring: proved closed and simple by the star-shape test (from its centre)."""
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    count = len(rings)
    sizes = np.bincount(ring_of, minlength=count)
    ends = np.cumsum(sizes)
    last = np.maximum(ends - 1, 0)
    ok = (sizes >= 4) & (coords[ends - sizes] == coords[last]).all(axis=1)
    ok &= np.isfinite(centres).all(axis=1)
    # an edge joins coordinates j and j+1 of one ring; pairs across two rings weigh nothing
    edge_ring = ring_of[:-1]
    same_ring = edge_ring == ring_of[1:]
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and infinity: never sure, below
        relative = coords - centres[ring_of]
        ax, ay = relative[:-1, 0], relative[:-1, 1]
        bx, by = relative[1:, 0], relative[1:, 1]
        left, right = ax * by, ay * bx
        det = left - right
        magnitude = np.abs(left) + np.abs(right)
        sure = (np.abs(det) > _CCW_ERRBOUND * magnitude) & (magnitude > _TINY)
        angles = np.where(same_ring, np.arctan2(det, ax * bx + ay * by), 0.0)
    edges = np.bincount(edge_ring, weights=same_ring, minlength=count)
    turns = np.bincount(edge_ring, weights=same_ring & sure & (det > 0), minlength=count)
    turns_back = np.bincount(edge_ring, weights=same_ring & sure & (det < 0), minlength=count)
    one_way = (edges > 0) & ((turns == edges) | (turns_back == edges))
    sweep = np.bincount(edge_ring, weights=angles, minlength=count)
    return ok & one_way & (np.abs(np.abs(sweep) - 2 * np.pi) < 0.5)
