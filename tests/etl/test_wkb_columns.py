"""WKB made with numpy (points from coordinates, polygons' Mercator copies projected in place,
the multipolygon header put in front) is byte for byte what shapely writes, and the Mercator
coordinates are EPSG:3857's."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import shapely

from etl.readers.vector import geometries
from etl.wkb_columns import geometry_columns, point_wkb, to_web_mercator
from gis.layerspec import GeometryType


def _shapely_route(geoms: np.ndarray, multi: bool) -> tuple[list[bytes], list[bytes]]:
    """WKB as shapely makes it: promoted to multi, projected with the sphere's formulas."""
    if multi:
        geoms = np.array(
            [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in geoms],
            dtype=object,
        )

    def sphere(coords: np.ndarray) -> np.ndarray:  # x = R λ, y = R ln tan(π/4 + φ/2)
        lon, lat = np.radians(coords).T
        return np.column_stack([6378137.0 * lon, 6378137.0 * np.log(np.tan(np.pi / 4 + lat / 2))])

    return list(shapely.to_wkb(geoms)), list(shapely.to_wkb(shapely.transform(geoms, sphere)))


def _close(mine: list[bytes], theirs: list[bytes]) -> None:
    """Same structure, coordinates within a micrometre (ln tan and asinh tan round apart)."""
    a = shapely.from_wkb(mine)
    b = shapely.from_wkb(theirs)
    assert list(shapely.get_type_id(a)) == list(shapely.get_type_id(b))
    assert list(shapely.get_num_coordinates(a)) == list(shapely.get_num_coordinates(b))
    assert np.allclose(shapely.get_coordinates(a), shapely.get_coordinates(b), rtol=0, atol=1e-6)


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
    columns = geometry_columns(points, GeometryType.POINT)
    assert columns is not None
    wkb, mercator = columns
    assert isinstance(wkb, np.ndarray) and wkb.dtype.kind == "V"
    expected, expected_mercator = _shapely_route(points, multi=False)
    assert wkb.tolist() == expected
    _close(mercator.tolist(), expected_mercator)


@pytest.mark.parametrize("declared", [GeometryType.POLYGON, GeometryType.MULTIPOLYGON])
def test_polygons(declared: GeometryType) -> None:
    geoms = _polygons(np.random.default_rng(13))
    if declared == GeometryType.POLYGON:
        geoms = geoms[shapely.get_type_id(geoms) == 3]
    columns = geometry_columns(geoms, declared)
    assert columns is not None
    expected, expected_mercator = _shapely_route(geoms, declared == GeometryType.MULTIPOLYGON)
    assert columns[0] == expected
    _close(columns[1], expected_mercator)
    # the projection in place gives the very bytes of shapely.transform with the same formula
    promoted = shapely.from_wkb(expected)
    assert columns[1] == list(shapely.to_wkb(to_web_mercator(promoted)))


@pytest.mark.parametrize("declared", [GeometryType.POLYGON, GeometryType.MULTIPOLYGON])
def test_polygons_with_the_wkb_a_reader_found(declared: GeometryType) -> None:
    """Known WKB (as a GeoPackage holds it) is sent as it is when it has shapely's layout;
    big-endian or missing WKB is written again: the columns are the same either way."""
    geoms = _polygons(np.random.default_rng(14))
    if declared == GeometryType.POLYGON:
        geoms = geoms[shapely.get_type_id(geoms) == 3]
    plain = geometry_columns(geoms, declared)
    assert plain is not None
    little = np.array(shapely.to_wkb(geoms).tolist(), dtype=object)
    little[::7] = None  # repaired rows have no WKB as read
    assert geometry_columns(geoms, declared, little) == plain
    big = np.array(shapely.to_wkb(geoms, byte_order=0).tolist(), dtype=object)
    assert geometry_columns(geoms, declared, big) == plain
    mixed = little.copy()
    mixed[3] = shapely.to_wkb(geoms[3], byte_order=0)
    assert geometry_columns(geoms, declared, mixed) == plain
    three_d = little.copy()
    three_d[5] = shapely.to_wkb(shapely.force_3d(geoms[5]))
    assert geometry_columns(geoms, declared, three_d) == plain


@pytest.mark.parametrize(
    ("geoms", "declared"),
    [
        (shapely.points([[131.0, 34.0, 5.0]]), GeometryType.POINT),  # Z
        (np.array([shapely.Point(131, 34), shapely.Point()], dtype=object), GeometryType.POINT),
        (np.array([shapely.box(131, 34, 132, 35)], dtype=object), GeometryType.POINT),
        (np.array([shapely.Point(131, 34)], dtype=object), GeometryType.MULTIPOINT),
        (
            np.array([shapely.Polygon(), shapely.box(0, 0, 1, 1)], dtype=object),
            GeometryType.MULTIPOLYGON,
        ),
        (np.array([shapely.MultiPolygon()], dtype=object), GeometryType.MULTIPOLYGON),
        (shapely.polygons([[[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 0, 1]]]), GeometryType.POLYGON),
        (np.array([shapely.LineString([(0, 0), (1, 1)])], dtype=object), GeometryType.POLYGON),
    ],
)
def test_other_geometries_are_left_to_shapely(geoms: np.ndarray, declared: GeometryType) -> None:
    assert geometry_columns(np.asarray(geoms, dtype=object), declared) is None


@pytest.mark.parametrize("large", [False, True])
def test_points_read_from_arrow_are_shapely_s(large: bool) -> None:
    """The reader's fast path for 2D points gives the geometries shapely parses from the WKB;
    anything else in the column (a NaN point, a Z point, a polygon, a null) falls back."""
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
        want = shapely.from_wkb(mixed.to_numpy(zero_copy_only=False))
        assert [g.wkt for g in got] == [g.wkt for g in want]
    with_null = pa.array([points[0].wkb, None], type=kind)
    assert geometries(with_null)[1] is None
