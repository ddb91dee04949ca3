"""The star-shape proof of validity never calls valid what GEOS calls invalid, and proves the
polygons it is for. GEOS (``shapely.is_valid``) is the judge of every case."""

from __future__ import annotations

import numpy as np
import shapely

from etl.report import FileReport
from etl.star_shaped import proven_valid
from etl.validate import check_geometries
from gis.layerstore.layerspec import LayerSpec


def _star(rng: np.random.Generator, x: float, y: float, clockwise: bool = False) -> shapely.Polygon:
    """A polygon star-shaped from (x, y) by construction: angles strictly increasing once round."""
    steps = rng.uniform(0.3, 1.7, int(rng.integers(3, 200)))
    angles = np.cumsum(steps) / steps.sum() * 2 * np.pi
    radii = rng.uniform(0.45, 1.0, len(angles)) * 0.01
    ring = np.column_stack([x + radii * np.cos(angles), y + radii * np.sin(angles)])
    return shapely.Polygon(ring[::-1] if clockwise else ring)


def _random_rings(rng: np.random.Generator, count: int) -> list[shapely.Geometry]:
    """Polygons from random vertices: mostly self-intersecting, a few simple by chance."""
    out: list[shapely.Geometry] = []
    for _ in range(count):
        n = int(rng.integers(3, 9))
        out.append(shapely.Polygon(rng.uniform(133.0, 133.01, (n, 2))))
    return out


def _awkward() -> list[shapely.Geometry]:
    """Cases a careless proof gets wrong: each is named by what it tests."""
    pentagram = [(np.cos(a), np.sin(a)) for a in np.arange(5) * 4 * np.pi / 5]  # winds twice
    with np.errstate(invalid="ignore"):  # the rings with NaN and infinity
        return _awkward_cases(pentagram)


def _awkward_cases(pentagram: list[tuple[float, float]]) -> list[shapely.Geometry]:
    return [
        shapely.Polygon(pentagram),
        shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)]),  # bow-tie
        shapely.Polygon([(0, 0), (2, 0), (2, 2), (1, 1), (1, 1), (0, 2)]),  # repeated vertex
        shapely.Polygon([(0, 0), (1, 0), (2, 0), (2, 2), (0, 2)]),  # collinear vertices
        shapely.Polygon([(0, 0), (4, 0), (4, 4), (2, 0), (0, 4)]),  # ring touches itself
        shapely.Polygon([(0, 0), (3, 0), (3, 3), (0, 3), (0, 0), (1, 1), (2, 1), (2, 2)]),
        shapely.Polygon([(0, 0), (4, 0), (0, 0.0)]),  # no area
        shapely.Polygon([(0, 0), (1, 0), (1, 1e-17), (0, 1e-17)]),  # sliver, signs too close
        shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4)]]),  # hole
        shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (12, 2), (12, 4)]]),
        shapely.MultiPolygon([shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3)]),  # overlap
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
        shapely.MultiPolygon([shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])]),
        shapely.Polygon([(0, 0), (np.nan, 0), (1, 1)]),
        shapely.Polygon([(0, 0), (np.inf, 0), (1, 1)]),
        shapely.Polygon(),
        shapely.MultiPolygon(),
        shapely.Point(1, 1),
        shapely.LineString([(0, 0), (1, 1)]),
        shapely.box(133.0, 34.0, 133.5, 34.5),
    ]


def test_never_proves_an_invalid_geometry_valid() -> None:
    rng = np.random.default_rng(20260601)
    stars = [_star(rng, 133.0 + i * 0.01, 34.5, clockwise=i % 2 == 1) for i in range(400)]
    multi = [shapely.MultiPolygon([s]) for s in stars[:50]]
    cases = np.array([*stars, *_random_rings(rng, 3000), *_awkward(), *multi], dtype=object)
    proven = proven_valid(cases)
    valid = shapely.is_valid(cases)
    wrongly = [shapely.to_wkt(g) for g in cases[proven & ~valid]]
    assert not wrongly
    assert (~valid).sum() > 1000  # the cases hold plenty of invalid polygons to catch
    # it is of use: star-shaped polygons (whose kernel the centroid often misses) and
    # rectangles are proved without GEOS
    assert proven[: len(stars)].all()
    assert proven[-1]


def test_centres_outside_the_kernel_are_moved_into_it() -> None:
    """Stars whose centroid and vertex mean both lie outside their kernel (where the first
    attempt fails) are still proved, clockwise and anticlockwise."""
    rng = np.random.default_rng(11)
    stars = np.array([_star(rng, 134.0, 35.0, clockwise=i % 2 == 1) for i in range(600)])
    outside = []
    for star in stars:
        ring = np.asarray(star.exterior.coords)
        for centre in (ring[:-1].mean(axis=0), np.asarray(star.centroid.coords)[0]):
            relative = ring - centre
            a, b = relative[:-1], relative[1:]
            turns = np.sign(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])
            if len(set(turns)) > 1:  # some edge turns the other way round this point
                outside.append(star)
                break
    assert len(outside) > 50
    assert proven_valid(np.array(outside, dtype=object)).all()


def test_proof_agrees_with_geos_on_star_shaped_and_convex_polygons() -> None:
    rng = np.random.default_rng(7)
    convex = shapely.convex_hull(shapely.multipoints(rng.uniform(0, 1, (300, 12, 2))))
    stars = np.array([_star(rng, 135.0, 35.0) for _ in range(300)], dtype=object)
    for polygons in (convex, stars):
        proven = proven_valid(polygons)
        assert shapely.is_valid(polygons[proven]).all()
    assert proven_valid(convex).all()  # convex: star-shaped from its centroid


def test_check_geometries_repairs_large_invalid_polygons_and_keeps_proved_ones() -> None:
    """Through the row rules: a 60-vertex star is kept as it is, a 60-vertex ring that crosses
    itself and a small bow-tie are made valid and reported, as GEOS decides."""
    rng = np.random.default_rng(5)
    star = _star(rng, 133.5, 34.5)
    while len(star.exterior.coords) < 30:
        star = _star(rng, 133.5, 34.5)
    angles = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    crossing = shapely.Polygon(  # a rose: its ring winds round three times
        np.column_stack([133.0 + 0.01 * np.cos(3 * angles) * np.cos(angles),
                         34.0 + 0.01 * np.cos(3 * angles) * np.sin(angles)])
    )  # fmt: skip
    bowtie = shapely.Polygon([(133.0, 34.0), (133.1, 34.1), (133.1, 34.0), (133.0, 34.1)])
    geoms = np.array([star, crossing, bowtie], dtype=object)
    expected_valid = shapely.is_valid(geoms)
    assert list(expected_valid) == [True, False, False]
    spec = LayerSpec.model_validate(
        {"id": "t", "kind": "flood_depth", "geometry": "MultiPolygon", "owner": "330001",
         "title": {"ja": "試験", "en": "Test"}, "description": {"ja": "試験", "en": "Test"},
         "license": {"name": "CC0", "attribution": {"ja": "試験", "en": "test"}},
         "fields": [{"name": "n", "type": "integer", "title": {"ja": "n", "en": "n"}}]}
    )  # fmt: skip
    report = FileReport("x")
    out, keep = check_geometries(geoms.copy(), np.array([1, 2, 3]), spec, report)
    repaired = {i.row for i in report.issues if i.action == "repaired"}
    assert repaired == {2, 3}
    assert out[0] is star  # proved valid: left as it was
    assert shapely.is_valid(out[keep]).all()
