"""JIS X 0410 regional mesh (地域メッシュ) codes, computed exactly.

Mesh statistics (census, 5G coverage, hazard exposure) are keyed by these codes, so a point that
lands in the neighbouring cell silently moves people or base stations between areas. Cell edges
are whole multiples of 7.5″ × 11.25″ (and of 3.75″ × 5.625″ at level 6), which binary floats
cannot represent, so ``floor(lat * 1.5)``-style float code goes wrong on edges. Here every
coordinate is first rounded to the nearest microarcsecond (µas, ≈0.03 mm on the ground) and all
further arithmetic is on integers: a float meant to lie on an edge (``35 + 20 / 60``) lands on it
exactly and, as JIS requires, goes to the north/east cell. The same integer code path serves the
scalar and the numpy functions, so they cannot disagree.

Levels: 1 = 第1次 (4 digits, 40′ × 1°), 2 = 第2次 ("10 km", 6 digits, 5′ × 7′30″),
3 = 基準/第3次 (8 digits, 30″ × 45″), 4 = 2分の1 (9), 5 = 4分の1 (10), 6 = 8分の1 (11).
Codes read ``p u | q v | r w | half | quarter | eighth`` (see docs §2.1); the last three digits
are 1 = SW, 2 = SE, 3 = NW, 4 = NE.

The mesh-able range is lat 20°–46°, lon 122°–154° (Japan with its outlying islands).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
from shapely.geometry import Polygon, box

UAS_PER_DEG: Final = 3_600_000_000  # microarcseconds per degree
_S: Final = 1_000_000  # microarcseconds per arc-second

LAT_MIN, LAT_MAX = 20.0, 46.0  # half-open [min, max)
LON_MIN, LON_MAX = 122.0, 154.0

# (cell height, cell width) in µas and code length for each level.
CELL: Final[dict[int, tuple[int, int]]] = {
    1: (2400 * _S, 3600 * _S),
    2: (300 * _S, 450 * _S),
    3: (30 * _S, 45 * _S),
    4: (15 * _S, 22_500_000),
    5: (7_500_000, 11_250_000),
    6: (3_750_000, 5_625_000),
}
CODE_LENGTH: Final[dict[int, int]] = {1: 4, 2: 6, 3: 8, 4: 9, 5: 10, 6: 11}
_LEVEL_BY_LENGTH: Final = {n: level for level, n in CODE_LENGTH.items()}
_SUBDIVISION_NAMES: Final = {4: "half (2分の1)", 5: "quarter (4分の1)", 6: "eighth (8分の1)"}


def _check_level(level: int) -> None:
    if level not in CELL:
        raise ValueError(
            f"mesh level must be 1-6 (1st, 2nd, 3rd, half, quarter, eighth), got {level!r}"
        )


def _to_uas(lat: Any, lon: Any) -> tuple[Any, Any]:
    """Degrees (floats or arrays) -> integer µas, rounding half-to-even (Python and numpy agree)."""
    if isinstance(lat, np.ndarray):
        return np.rint(lat * float(UAS_PER_DEG)).astype(np.int64), np.rint(
            lon * float(UAS_PER_DEG)
        ).astype(np.int64)
    return round(lat * float(UAS_PER_DEG)), round(lon * float(UAS_PER_DEG))


def _code_number(lat_u: Any, lon_u: Any, level: int) -> Any:
    """The mesh code as an integer, from µas; works elementwise on Python ints or int64 arrays."""
    code = (lat_u // CELL[1][0]) * 100 + (lon_u // UAS_PER_DEG - 100)  # p u
    lat_r, lon_r = lat_u % CELL[1][0], lon_u % CELL[1][1]
    for lvl in (2, 3):  # q v, then r w
        if level < lvl:
            return code
        h, w = CELL[lvl]
        code = code * 100 + (lat_r // h) * 10 + lon_r // w
        lat_r, lon_r = lat_r % h, lon_r % w
    for lvl in (4, 5, 6):  # 2x2 splits numbered 1 = SW, 2 = SE, 3 = NW, 4 = NE
        if level < lvl:
            return code
        h, w = CELL[lvl]
        code = code * 10 + 2 * (lat_r // h) + lon_r // w + 1
        lat_r, lon_r = lat_r % h, lon_r % w
    return code


def _check_range(lat: float, lon: float) -> None:
    if not (LAT_MIN <= lat < LAT_MAX and LON_MIN <= lon < LON_MAX):
        raise ValueError(
            f"({lat}, {lon}) is outside the mesh-able range lat {LAT_MIN}-{LAT_MAX}, "
            f"lon {LON_MIN}-{LON_MAX} (is it swapped, or not in degrees?)"
        )


def mesh_code(lat: float, lon: float, level: int) -> str:
    """The JIS X 0410 code of the cell containing (lat, lon); edges belong to the north/east cell.

    ``mesh_code(34.6618, 133.9350, 3) == '51337794'``. Raises ValueError for a bad level or a
    point outside lat 20-46, lon 122-154.
    """
    _check_level(level)
    _check_range(lat, lon)
    lat_u, lon_u = _to_uas(lat, lon)
    return str(_code_number(lat_u, lon_u, level))


def mesh_codes(lats: npt.ArrayLike, lons: npt.ArrayLike, level: int) -> npt.NDArray[np.str_]:
    """Vectorised :func:`mesh_code`: lat and lon arrays (broadcast together) -> array of codes."""
    _check_level(level)
    lat_a, lon_a = np.broadcast_arrays(
        np.asarray(lats, dtype=np.float64), np.asarray(lons, dtype=np.float64)
    )
    bad = ~((lat_a >= LAT_MIN) & (lat_a < LAT_MAX) & (lon_a >= LON_MIN) & (lon_a < LON_MAX))
    if bad.any():  # NaN fails every comparison, so it is caught here too
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{int(bad.sum())} point(s) outside the mesh-able range lat {LAT_MIN}-{LAT_MAX}, "
            f"lon {LON_MIN}-{LON_MAX}; first at index {i}: "
            f"({lat_a.flat[i]}, {lon_a.flat[i]})"
        )
    lat_u, lon_u = _to_uas(lat_a, lon_a)
    numbers: npt.NDArray[np.int64] = _code_number(lat_u, lon_u, level)
    return numbers.astype(np.str_)


def mesh_level(code: str) -> int:
    """The level (1-6) of a mesh code, after checking every part; ValueError names the bad part."""
    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        raise ValueError(f"mesh code {code!r} must be a string of ASCII digits")
    level = _LEVEL_BY_LENGTH.get(len(code))
    if level is None:
        raise ValueError(
            f"mesh code {code!r} has {len(code)} digits; expected 4, 6, 8, 9, 10 or 11"
        )
    p, u = int(code[0:2]), int(code[2:4])
    if not LAT_MIN * 1.5 <= p < LAT_MAX * 1.5:
        raise ValueError(f"mesh code {code!r}: latitude part p={code[0:2]} is outside 30-68")
    if not LON_MIN - 100 <= u < LON_MAX - 100:
        raise ValueError(f"mesh code {code!r}: longitude part u={code[2:4]} is outside 22-53")
    if level >= 2:
        for name, digit in (("q", code[4]), ("v", code[5])):
            if digit > "7":
                raise ValueError(f"mesh code {code!r}: 2nd-mesh digit {name}={digit} must be 0-7")
    for lvl in (4, 5, 6):
        if level >= lvl and code[lvl + 4] not in "1234":
            raise ValueError(
                f"mesh code {code!r}: {_SUBDIVISION_NAMES[lvl]} digit {code[lvl + 4]} must be 1-4"
            )
    return level


def _sw_uas(code: str) -> tuple[int, int, int]:
    """(level, south edge, west edge) of a validated code, in µas."""
    level = mesh_level(code)
    lat = int(code[0:2]) * CELL[1][0]
    lon = (int(code[2:4]) + 100) * UAS_PER_DEG
    if level >= 2:
        lat += int(code[4]) * CELL[2][0]
        lon += int(code[5]) * CELL[2][1]
    if level >= 3:
        lat += int(code[6]) * CELL[3][0]
        lon += int(code[7]) * CELL[3][1]
    for lvl in range(4, level + 1):
        north, east = divmod(int(code[lvl + 4]) - 1, 2)
        lat += north * CELL[lvl][0]
        lon += east * CELL[lvl][1]
    return level, lat, lon


def mesh_bounds(code: str) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a cell, in degrees of the code's datum."""
    level, lat, lon = _sw_uas(code)
    h, w = CELL[level]
    return (
        lon / UAS_PER_DEG,
        lat / UAS_PER_DEG,
        (lon + w) / UAS_PER_DEG,
        (lat + h) / UAS_PER_DEG,
    )


def mesh_polygon(code: str) -> Polygon:
    """The cell as a shapely Polygon (lon/lat, counter-clockwise exterior)."""
    return box(*mesh_bounds(code), ccw=True)


def mesh_parent(code: str, level: int) -> str:
    """The enclosing code at a coarser (or the same) level: ``mesh_parent('51337794', 2)``."""
    _check_level(level)
    own = mesh_level(code)
    if level > own:
        raise ValueError(f"mesh code {code!r} is level {own}; it has no level-{level} parent")
    return code[: CODE_LENGTH[level]]


def meshes_in_bbox(
    min_lon: float,
    min_lat: float,
    max_lon: float,
    max_lat: float,
    level: int,
    *,
    max_cells: int = 1_000_000,
) -> list[str]:
    """Sorted codes of every cell whose interior overlaps the bbox.

    Cells that only share an edge with the bbox are left out, so a bbox that is exactly one cell
    gives one code. A degenerate bbox (a point or a line) gives the cells containing it under the
    north/east rule. Raises ValueError for an inverted or out-of-range bbox, or when more than
    ``max_cells`` cells would be produced (a guard against e.g. level 5 over all of Japan).
    """
    _check_level(level)
    if min_lon > max_lon or min_lat > max_lat:
        raise ValueError(f"inverted bbox ({min_lon}, {min_lat}, {max_lon}, {max_lat})")
    _check_range(min_lat, min_lon)
    if not (LAT_MIN <= max_lat <= LAT_MAX and LON_MIN <= max_lon <= LON_MAX):
        raise ValueError(f"bbox corner ({max_lat}, {max_lon}) is outside the mesh-able range")
    lat0, lon0 = _to_uas(min_lat, min_lon)
    lat1, lon1 = _to_uas(max_lat, max_lon)
    h, w = CELL[level]
    rows = range(lat0 // h, max(lat0 // h, (lat1 - 1) // h) + 1)
    cols = range(lon0 // w, max(lon0 // w, (lon1 - 1) // w) + 1)
    if len(rows) * len(cols) > max_cells:
        raise ValueError(
            f"bbox covers {len(rows) * len(cols)} level-{level} cells (limit {max_cells})"
        )
    return sorted(str(_code_number(r * h, c * w, level)) for r in rows for c in cols)


def cells_overlapping(area: Any, level: int) -> list[str]:
    """Sorted codes of the level-``level`` cells whose interior overlaps a (multi)polygon.

    ``area`` is a shapely geometry in lon/lat. Cells that only touch its boundary are left out.
    """
    import shapely

    min_lon, min_lat, max_lon, max_lat = area.bounds
    codes = meshes_in_bbox(min_lon, min_lat, max_lon, max_lat, level)
    cells = np.array([mesh_polygon(code) for code in codes], dtype=object)
    shapely.prepare(area)
    keep = shapely.intersects(area, cells) & ~shapely.touches(area, cells)
    return [code for code, kept in zip(codes, keep, strict=True) if kept]
