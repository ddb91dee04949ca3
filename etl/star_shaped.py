"""An exact, cheap proof that a polygon is valid, for the many that are star-shaped.

GEOS's validity test (``shapely.is_valid``) nodes every ring to look for self-intersections:
about 0.3 µs a vertex, most of a polygon load's client time. Many polygons can be proved valid
far more cheaply. A polygon without holes whose every edge turns the same way, strictly, around
one point ``c``, and whose ring goes round ``c`` exactly once, is star-shaped from ``c``: every
ray from ``c`` meets its ring once, so the ring is simple and the polygon valid.

The turn of each edge is the sign of an orientation determinant, taken only when Shewchuk's
error bound for it (the fast filter of his robust ``orient2d``) proves the floating-point sign
right. Going round once is counted exactly, without angles: when every edge turns the same way,
the ring crosses the horizontal line through ``c`` upwards once per turn (on the +x side when it
turns anticlockwise, on the -x side when clockwise), and such a crossing is an edge that starts
below the line and ends on or above it (the sign of a floating-point difference is exact).

The kernel of such a polygon (the points it is star-shaped from) can be small: a few per cent of
its size when radii change much from one vertex to the next, and the centroid often misses it.
``c`` starts as the mean of the vertices; where the proof fails, ``c`` is moved just inside the
edge it is worst outside of, and the proof is tried again (:data:`ATTEMPTS` times at most):
on random star-shaped polygons of 20 to 200 vertices, 69 % are proved at once, 97 % after one
move and all after three. Where ``c`` comes from does not matter to the proof's exactness.

What this cannot prove (holes, several parts, a vertex repeated, a ring not star-shaped, a sign
too close to call) is left to GEOS, so the result is GEOS's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

# Shewchuk, "Adaptive precision floating-point arithmetic and fast robust geometric
# predicates" (1997): |det| above this times the sum of the products' magnitudes has the
# sign of the exact determinant of the floating-point inputs.
_EPSILON = 2.0**-53
_CCW_ERRBOUND = (3.0 + 16.0 * _EPSILON) * _EPSILON
_TINY = 1e-150  # below this, products may lose bits to underflow: leave those rings to GEOS
_POLYGON, _MULTIPOLYGON = 3, 6
ATTEMPTS = 4
# How far inside the worst edge a moved centre goes, as a share of the polygon's size (the
# square root of its area): past the line by a margin, so that it does not stay on it.
_MARGIN = 0.01


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
    if not len(candidates):
        return proven
    # without holes, a polygon's coordinates are its exterior ring's
    coords, ring_of = shapely.get_coordinates(polygons[candidates], return_index=True)
    sizes = np.bincount(ring_of, minlength=len(candidates))
    rings = _Rings(coords, np.cumsum(sizes) - sizes, sizes)
    centres = np.add.reduceat(coords, rings.starts) / sizes[:, None]
    for attempt in range(ATTEMPTS):
        found, det = _star_shaped(rings, centres)
        proven[candidates[found]] = True
        if found.all() or attempt == ATTEMPTS - 1:
            break
        rings, picked = rings.subset(np.asarray(~found))
        candidates, centres = candidates[~found], _moved_inside(rings, centres[~found], det[picked])
        helped = np.isfinite(centres).all(axis=1)  # NaN: moving cannot help
        if not helped.all():
            rings, _ = rings.subset(np.asarray(helped))
            candidates, centres = candidates[helped], centres[helped]
    return proven


@dataclass
class _Rings:
    """Closed rings as one coordinate array: ring ``k`` is ``coords[starts[k]:ends[k]]``."""

    coords: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray

    @property
    def ends(self) -> np.ndarray:
        return np.asarray(self.starts + self.sizes)

    def subset(self, keep: np.ndarray) -> tuple[_Rings, np.ndarray]:
        """The rings where ``keep`` is True, and where their coordinates were in ``coords``."""
        sizes = self.sizes[keep]
        starts = np.cumsum(sizes) - sizes
        picked = np.repeat(self.starts[keep] - starts, sizes) + np.arange(int(sizes.sum()))
        return _Rings(self.coords[picked], starts, sizes), picked


def _per_edge(values: np.ndarray, ends: np.ndarray, neutral: object) -> np.ndarray:
    """Values of the pairs (j, j+1) of coordinates, padded to one per coordinate, with
    ``neutral`` at each ring's last coordinate (its pair is not an edge), for ``reduceat``."""
    out = np.empty((len(values) + 1, *values.shape[1:]), dtype=values.dtype)
    out[:-1] = values
    out[ends - 1] = neutral
    return out


def _star_shaped(rings: _Rings, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each ring: proved closed and simple by the star-shape test from its centre; and the
    orientation determinant of each edge (padded as by :func:`_per_edge`)."""
    coords, starts, ends = rings.coords, rings.starts, rings.ends
    ok = (rings.sizes >= 4) & (coords[starts] == coords[ends - 1]).all(axis=1)
    ok &= np.isfinite(centres).all(axis=1)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and infinity: never sure, below
        relative = coords - np.repeat(centres, rings.sizes, axis=0)
        ax, ay = relative[:-1, 0], relative[:-1, 1]
        bx, by = relative[1:, 0], relative[1:, 1]
        left, right = ax * by, ay * bx
        det = left - right
        magnitude = np.abs(left) + np.abs(right)
        sure = (np.abs(det) > _CCW_ERRBOUND * magnitude) & (magnitude > _TINY)
        # upward crossings of the horizontal line through the centre (from below it to on or
        # above it): with every edge turning one way, one per turn round the centre (on the +x
        # side anticlockwise, on the -x side clockwise)
        up = (ay < 0) & (by >= 0)
    anticlockwise = np.logical_and.reduceat(_per_edge(sure & (det > 0), ends, True), starts)
    clockwise = np.logical_and.reduceat(_per_edge(sure & (det < 0), ends, True), starts)
    ups = np.add.reduceat(_per_edge(up.astype(np.int32), ends, 0), starts)
    return ok & (anticlockwise | clockwise) & (ups == 1), _per_edge(det, ends, np.inf)


def _moved_inside(rings: _Rings, centres: np.ndarray, det: np.ndarray) -> np.ndarray:
    """Each ring's centre moved just inside the edge whose line it lies furthest outside of;
    NaN where that cannot help (no area, or already well inside every edge's line)."""
    coords, sizes, starts, ends = rings.coords, rings.sizes, rings.starts, rings.ends
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        x, y = coords[:, 0], coords[:, 1]
        area = np.add.reduceat(_per_edge(x[:-1] * y[1:] - x[1:] * y[:-1], ends, 0.0), starts)
        turn = np.sign(area)  # +1: anticlockwise, the inside is left of each edge
        edges = _per_edge(coords[1:] - coords[:-1], ends, 0.0)
        lengths = np.hypot(edges[:, 0], edges[:, 1])
        inside = np.repeat(turn, sizes) * det / lengths  # distance inside each edge's line
        inside[~np.isfinite(inside)] = np.inf  # the padding, and edges of no length
        worst = np.minimum.reduceat(inside, starts)
        # the last edge of each ring at its worst distance: where its index peaks
        at_worst = np.where(inside == np.repeat(worst, sizes), np.arange(len(inside)), -1)
        edge = np.maximum.reduceat(at_worst, starts)
        normal = (
            np.column_stack([-edges[edge, 1], edges[edge, 0]]) * (turn / lengths[edge])[:, None]
        )
        size = np.sqrt(np.abs(area) / 2)
        step = _MARGIN * size - worst
        moved = centres + step[:, None] * normal
    moved[~(np.isfinite(turn) & (turn != 0) & (step > 0))] = np.nan
    return np.asarray(moved)
