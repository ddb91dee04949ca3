"""The version table's WKB column: points made with numpy, single parts put in their multi type
with a header in front, and a reader's WKB passed through, byte for byte what shapely writes (or,
for WKB as read, the very geometries)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import shapely

from etl.readers.vector import geometries
from etl.wkb_columns import geometry_wkb, point_wkb
from gis.layerstore.layerspec import GeometryType

_MULTI = {
    GeometryType.MULTIPOINT: shapely.MultiPoint,
    GeometryType.MULTILINESTRING: shapely.MultiLineString,
    GeometryType.MULTIPOLYGON: shapely.MultiPolygon,
}


def _promoted(geoms: np.ndarray, declared: GeometryType) -> list[bytes]:
    """WKB as shapely writes it for the declared type: single parts wrapped in a multi."""
    multi = _MULTI.get(declared)
    out = [
        multi([g]) if multi and not g.geom_type.startswith("Multi") else g for g in geoms.tolist()
    ]
    return list(shapely.to_wkb(np.array(out, dtype=object)))


def _polygons(rng: np.random.Generator) -> np.ndarray:
    out: list[shapely.Geometry] = []
    for i in range(60):
        x, y = 130 + rng.uniform(0, 5), 33 + rng.uniform(0, 3)
        outer = shapely.Point(x, y).buffer(0.05, quad_segs=int(rng.integers(1, 20)))
        if i % 3 == 1:  # with holes
            outer = outer.difference(shapely.Point(x, y).buffer(0.01))
            outer = outer.difference(shapely.Point(x + 0.03, y).buffer(0.005))
        if i % 4 == 2:  # several parts, the later ones with holes too
            outer = shapely.MultiPolygon([outer, shapely.Point(x + 1, y).buffer(0.02)])
        if i % 5 == 3:
            outer = shapely.MultiPolygon([outer] if outer.geom_type == "Polygon" else outer.geoms)
        out.append(outer)
    return np.array(out, dtype=object)


def test_point_records_are_shapely_wkb() -> None:
    rng = np.random.default_rng(11)
    coords = np.column_stack([rng.uniform(-180, 180, 500), rng.uniform(-85, 85, 500)])
    coords[0] = (0.0, -0.0)
    records = point_wkb(coords)
    assert records.dtype.itemsize == 21
    assert records.tolist() == list(shapely.to_wkb(shapely.points(coords)))


def test_points() -> None:
    rng = np.random.default_rng(12)
    points = shapely.points(np.column_stack([rng.uniform(130, 135, 50), rng.uniform(33, 36, 50)]))
    wkb = geometry_wkb(points, GeometryType.POINT)
    assert isinstance(wkb, np.ndarray) and wkb.dtype.kind == "V"
    assert wkb.tolist() == list(shapely.to_wkb(points))


@pytest.mark.parametrize("declared", [GeometryType.POLYGON, GeometryType.MULTIPOLYGON])
def test_polygons(declared: GeometryType) -> None:
    geoms = _polygons(np.random.default_rng(13))
    if declared == GeometryType.POLYGON:
        geoms = geoms[shapely.get_type_id(geoms) == 3]
    assert geometry_wkb(geoms, declared) == _promoted(geoms, declared)


@pytest.mark.parametrize(
    ("declared", "parts"),
    [
        (GeometryType.MULTIPOINT, [shapely.Point(131, 34), shapely.MultiPoint([(1, 2), (3, 4)])]),
        (
            GeometryType.MULTILINESTRING,
            [shapely.LineString([(131, 34), (132, 35)]), shapely.LineString([(0, 0), (1, 1)])],
        ),
        (GeometryType.GEOMETRY, [shapely.Point(131, 34), shapely.box(0, 0, 1, 1)]),
        (GeometryType.POINT, [shapely.Point(131, 34, 5)]),  # Z: written by shapely
        (GeometryType.POINT, [shapely.Point(131, 34), shapely.Point()]),
    ],
)
def test_other_geometries(declared: GeometryType, parts: list[shapely.Geometry]) -> None:
    geoms = np.array(parts, dtype=object)
    assert list(geometry_wkb(geoms, declared)) == _promoted(geoms, declared)


@pytest.mark.parametrize("declared", [GeometryType.POLYGON, GeometryType.MULTIPOLYGON])
def test_polygons_with_the_wkb_a_reader_found(declared: GeometryType) -> None:
    """Known WKB (as a GeoPackage holds it) is sent as it is, in front of a multi header where
    the column is multi; missing WKB (a repaired row) is written: the same geometries."""
    geoms = _polygons(np.random.default_rng(14))
    if declared == GeometryType.POLYGON:
        geoms = geoms[shapely.get_type_id(geoms) == 3]
    plain = geometry_wkb(geoms, declared)
    little = np.array(shapely.to_wkb(geoms).tolist(), dtype=object)
    little[::7] = None  # repaired rows have no WKB as read
    assert geometry_wkb(geoms, declared, little) == plain
    big = np.array(shapely.to_wkb(geoms, byte_order=0).tolist(), dtype=object)
    sent = geometry_wkb(geoms, declared, big)
    assert sent != plain  # passed through as read, and PostGIS reads either byte order
    assert shapely.equals_exact(shapely.from_wkb(sent), shapely.from_wkb(plain), 0).all()


@pytest.mark.parametrize("large", [False, True])
def test_points_read_from_arrow_are_shapely_s(large: bool) -> None:
    """The reader's fast path for 2D points gives the geometries shapely parses from the WKB;
    anything else in the column (a NaN point, a Z point, a polygon, a null) falls back (and a
    Z point is dropped to 2D: layers are 2D)."""
    kind = pa.large_binary() if large else pa.binary()
    rng = np.random.default_rng(14)
    points = shapely.points(rng.uniform(120, 150, (300, 2)))
    column = pa.array(shapely.to_wkb(points).tolist(), type=kind)
    for sliced in (column, column.slice(7, 100)):
        expected = shapely.from_wkb(sliced.to_numpy(zero_copy_only=False))
        assert shapely.equals_exact(geometries(sliced), expected, tolerance=0).all()
    odd = [
        shapely.Point(np.nan, np.nan).wkb,
        shapely.Point(1, 2, 3).wkb,
        shapely.box(0, 0, 1, 1).wkb,
    ]
    for value in odd:
        mixed = pa.array([points[0].wkb, value], type=kind)
        got = geometries(mixed)
        want = shapely.force_2d(shapely.from_wkb(mixed.to_numpy(zero_copy_only=False)))
        assert [g.wkt for g in got] == [g.wkt for g in want]
    with_null = pa.array([points[0].wkb, None], type=kind)
    assert geometries(with_null)[1] is None
