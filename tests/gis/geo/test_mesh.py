"""JIS X 0410 mesh codes: the worked examples of docs §2.2, edges, round trips, bulk use."""

from __future__ import annotations

import numpy as np
import pytest
from shapely import unary_union
from shapely.geometry import box

from gis.geo.mesh import (
    CODE_LENGTH,
    mesh_bounds,
    mesh_code,
    mesh_codes,
    mesh_level,
    mesh_parent,
    mesh_polygon,
    meshes_in_bbox,
)

OKAYAMA = (34.6618, 133.9350)  # docs §2.2 worked example, near 岡山県庁


@pytest.mark.parametrize(
    ("level", "expected"),
    [(1, "5133"), (2, "513377"), (3, "51337794"), (4, "513377942"), (5, "5133779424")],
)
def test_worked_example_every_level(level: int, expected: str) -> None:
    assert mesh_code(*OKAYAMA, level) == expected


@pytest.mark.parametrize(
    ("lat", "lon", "level", "expected"),
    [
        (35.70078, 139.71475, 3, "53394547"),  # japanmesh README
        (35.658581, 139.745433, 3, "53393599"),  # jismesh README
        (34.1859, 131.4714, 2, "513123"),  # Yamaguchi prefectural office
    ],
)
def test_published_cross_checks(lat: float, lon: float, level: int, expected: str) -> None:
    assert mesh_code(lat, lon, level) == expected


def test_bounds_match_worked_example() -> None:
    assert mesh_bounds("513377") == pytest.approx((133.875, 34 + 35 / 60, 134.0, 34 + 40 / 60))
    assert mesh_bounds("51337794") == pytest.approx(
        (133.925, 34.658333333, 133.9375, 34.666666667), abs=1e-9
    )
    # half digit 2 = SE, quarter digit 4 = NE of that
    min_lon, min_lat, max_lon, max_lat = mesh_bounds("5133779424")
    assert (min_lon, min_lat) == pytest.approx(
        (133.925 + 22.5 / 3600 + 11.25 / 3600, 34.658333333 + 7.5 / 3600)
    )
    assert (max_lon - min_lon, max_lat - min_lat) == pytest.approx((11.25 / 3600, 7.5 / 3600))


@pytest.mark.parametrize("digit", ["1", "2", "3", "4"])
def test_half_digit_positions(digit: str) -> None:
    """1 = SW, 2 = SE, 3 = NW, 4 = NE inside the 1 km cell."""
    base = mesh_bounds("51337794")
    half = mesh_bounds("51337794" + digit)
    east, north = (int(digit) - 1) % 2, (int(digit) - 1) // 2
    assert half[0] == pytest.approx(base[0] + east * 22.5 / 3600)
    assert half[1] == pytest.approx(base[1] + north * 15 / 3600)


def test_edges_go_north_and_east() -> None:
    # The SW corner of 513377 is 34°35'N 133°52'30"E, written as floats that are not exact.
    lat, lon = 34 + 35 / 60, 133 + 52.5 / 60
    assert mesh_code(lat, lon, 2) == "513377"
    assert mesh_code(lat, lon, 5) == "5133770011"
    # 1st-mesh edges: 40' latitude lines and whole degrees of longitude
    assert mesh_code(35 + 20 / 60, 139.0, 1) == "5339"
    assert mesh_code(35 + 20 / 60 - 1e-9, 139.0 - 1e-9, 1) == "5238"
    # every edge of the worked example's 1 km cell belongs to the cells north/east of it
    min_lon, min_lat, max_lon, max_lat = mesh_bounds("51337794")
    assert mesh_code(min_lat, min_lon, 3) == "51337794"
    assert mesh_code(max_lat, min_lon, 3) != "51337794"
    assert mesh_code(min_lat, max_lon, 3) != "51337794"
    assert mesh_code(max_lat - 1e-9, max_lon - 1e-9, 3) == "51337794"


def test_round_trip_random_points() -> None:
    rng = np.random.default_rng(20240411)
    lats = rng.uniform(24.0, 45.5, 3000)
    lons = rng.uniform(123.0, 153.9, 3000)
    for lat, lon in zip(lats, lons, strict=True):
        for level in CODE_LENGTH:
            code = mesh_code(float(lat), float(lon), level)
            assert len(code) == CODE_LENGTH[level]
            assert mesh_level(code) == level
            min_lon, min_lat, max_lon, max_lat = mesh_bounds(code)
            assert min_lat <= lat < max_lat and min_lon <= lon < max_lon
            centre = ((min_lat + max_lat) / 2, (min_lon + max_lon) / 2)
            assert mesh_code(*centre, level) == code
            if level > 1:
                assert mesh_code(float(lat), float(lon), level - 1) == mesh_parent(code, level - 1)


def test_vectorised_equals_scalar() -> None:
    rng = np.random.default_rng(7)
    # random points plus exact cell corners, where float rounding matters most
    corners = [mesh_bounds(c)[:2] for c in ("513377", "51337794", "5339454711", "3036")]
    lats = np.concatenate([rng.uniform(20, 46, 2000), [lat for _, lat in corners]])
    lons = np.concatenate([rng.uniform(122, 154, 2000), [lon for lon, _ in corners]])
    for level in CODE_LENGTH:
        bulk = mesh_codes(lats, lons, level)
        assert bulk.shape == lats.shape
        assert list(bulk) == [mesh_code(a, o, level) for a, o in zip(lats, lons, strict=True)]


def test_vectorised_rejects_bad_points() -> None:
    with pytest.raises(ValueError, match="index 1"):
        mesh_codes([35.0, np.nan], [139.0, 139.0], 3)
    with pytest.raises(ValueError, match="outside"):
        mesh_codes([35.0], [100.0], 3)


def test_agrees_with_jismesh() -> None:
    """An independent implementation, when installed (test-only, not a dependency)."""
    ju = pytest.importorskip("jismesh.utils")
    rng = np.random.default_rng(3)
    lats, lons = rng.uniform(24, 45.5, 5000), rng.uniform(123, 153.9, 5000)
    for level in CODE_LENGTH:
        theirs = np.asarray(ju.to_meshcode(lats, lons, level)).astype(np.int64).astype(str)
        assert list(mesh_codes(lats, lons, level)) == list(theirs)


@pytest.mark.parametrize(
    ("lat", "lon", "level"),
    [(19.99, 135.0, 3), (46.0, 142.0, 3), (35.0, 121.9, 3), (35.0, 154.0, 3), (35, 139, 0),
     (35, 139, 7), (139.7, 35.7, 3)],
)  # fmt: skip
def test_mesh_code_rejects(lat: float, lon: float, level: int) -> None:
    with pytest.raises(ValueError, match=r"range|level"):
        mesh_code(lat, lon, level)


@pytest.mark.parametrize(
    ("code", "part"),
    [
        ("513", "digits"),
        ("51337", "digits"),
        ("5133a7", "ASCII digits"),
        ("５１３３", "ASCII digits"),
        ("513387", "q=8"),
        ("513378", "v=8"),
        ("513377945", "half"),
        ("513377940", "half"),
        ("5133779425", "quarter"),
        ("2933", "p=29"),
        ("5121", "u=21"),
    ],
)
def test_mesh_level_names_the_bad_part(code: str, part: str) -> None:
    with pytest.raises(ValueError, match=part):
        mesh_level(code)


def test_mesh_polygon_is_the_cell_counter_clockwise() -> None:
    poly = mesh_polygon("51337794")
    assert poly.exterior.is_ccw
    assert poly.bounds == mesh_bounds("51337794")
    assert poly.area == pytest.approx((45 / 3600) * (30 / 3600))


def test_mesh_parent() -> None:
    assert mesh_parent("5133779424", 1) == "5133"
    assert mesh_parent("5133779424", 4) == "513377942"
    assert mesh_parent("513377", 2) == "513377"
    with pytest.raises(ValueError, match="no level-3 parent"):
        mesh_parent("513377", 3)


def test_meshes_in_bbox_exact_cell_and_worked_example() -> None:
    assert meshes_in_bbox(*mesh_bounds("513377"), 2) == ["513377"]
    assert meshes_in_bbox(133.9, 34.6, 134.1, 34.7, 2) == ["513377", "513470", "523307", "523400"]
    # a point gives the cell that contains it
    assert meshes_in_bbox(133.935, 34.6618, 133.935, 34.6618, 3) == ["51337794"]


@pytest.mark.parametrize("level", [2, 3, 4])
def test_meshes_in_bbox_covers_exactly(level: int) -> None:
    rng = np.random.default_rng(level)
    for _ in range(20):
        lon0, lat0 = rng.uniform(130.5, 133.5), rng.uniform(33.5, 35.5)
        size = {2: 0.4, 3: 0.05, 4: 0.02}[level]
        bbox = (lon0, lat0, lon0 + rng.uniform(0, size), lat0 + rng.uniform(0, size))
        codes = meshes_in_bbox(*bbox, level)
        assert codes == sorted(set(codes))
        area = box(*bbox)
        cells = [mesh_polygon(c) for c in codes]
        assert all(cell.intersection(area).area > 0 for cell in cells)
        assert unary_union(cells).buffer(1e-12).covers(area)
        # and nothing was missed: every random point of the bbox falls in a listed cell
        pts_lon = rng.uniform(bbox[0], bbox[2], 200)
        pts_lat = rng.uniform(bbox[1], bbox[3], 200)
        assert set(mesh_codes(pts_lat, pts_lon, level)) <= set(codes)


def test_meshes_in_bbox_yamaguchi_second_mesh_count() -> None:
    """Yamaguchi's extent (≈130.77-132.49E, 33.71-34.80N) in 10 km cells: rows × columns."""
    codes = meshes_in_bbox(130.77, 33.71, 132.49, 34.80, 2)
    # lat 33°40'-34°50' is 14 rows of 5'; lon 130°45'-132°30' is 14 columns of 7.5'
    assert len(codes) == 14 * 14
    assert "513123" in codes


def test_meshes_in_bbox_rejects() -> None:
    with pytest.raises(ValueError, match="inverted"):
        meshes_in_bbox(134.0, 34.0, 133.0, 35.0, 2)
    with pytest.raises(ValueError, match="limit"):
        meshes_in_bbox(122.0, 20.0, 154.0, 46.0, 5)
    with pytest.raises(ValueError, match="range"):
        meshes_in_bbox(100.0, 34.0, 101.0, 35.0, 1)
