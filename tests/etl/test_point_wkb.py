"""Points' WKB made from their coordinates with numpy is byte for byte what shapely writes."""

from __future__ import annotations

import numpy as np
import shapely

from etl.writer import geometry_columns, point_wkb


def test_point_records_are_shapely_wkb() -> None:
    rng = np.random.default_rng(11)
    coords = np.column_stack([rng.uniform(-180, 180, 500), rng.uniform(-85, 85, 500)])
    coords[0] = (0.0, -0.0)
    records = point_wkb(coords)
    assert records.dtype.itemsize == 21
    assert records.tolist() == list(shapely.to_wkb(shapely.points(coords)))


def test_geometry_columns_take_the_numpy_path_only_for_plain_points() -> None:
    rng = np.random.default_rng(12)
    points = shapely.points(np.column_stack([rng.uniform(130, 135, 50), rng.uniform(33, 36, 50)]))
    wkb, mercator = geometry_columns(points)
    assert isinstance(wkb, np.ndarray) and wkb.dtype.kind == "V"
    assert wkb.tolist() == list(shapely.to_wkb(points))
    back = shapely.get_coordinates(shapely.from_wkb(mercator.tolist()))
    lon, lat = np.radians(shapely.get_coordinates(points)).T
    # EPSG:3857 on its sphere, written out here (x = R λ, y = R ln tan(π/4 + φ/2))
    expected = np.column_stack([6378137.0 * lon, 6378137.0 * np.log(np.tan(np.pi / 4 + lat / 2))])
    assert np.allclose(back, expected, rtol=0, atol=1e-6)
    for other in (
        shapely.points([[131.0, 34.0, 5.0]]),  # Z kept: through shapely
        np.array([shapely.Point(131, 34), shapely.Point()], dtype=object),  # POINT EMPTY
        np.array([shapely.box(131, 34, 132, 35)], dtype=object),
    ):
        wkb, _ = geometry_columns(other)
        assert list(wkb) == list(shapely.to_wkb(other))
