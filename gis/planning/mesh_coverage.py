"""5G deployment on the 10 km mesh: share of JIS X 0410 2nd-mesh cells with an advanced station.

The cells in scope are generated from mesh codes over the prefecture's extent (the union of the
``admin_boundaries`` layer), never taken from the coverage data, so a cell missing from the data
counts as a cell without a station. Two scopes:

- ``touching``: every 2nd-mesh cell whose interior overlaps the prefecture (land area > 0);
- ``populated``: those of them with population > 0 in the ``population_mesh`` layer (MIC's
  denominator likewise leaves out mountains and sea with no population).

Rate for year Y = cells in scope with ≥ 1 advanced base station in Y / cells in scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import shapely
from psycopg import sql

from gis.geo.mesh import cells_overlapping, mesh_polygon
from gis.layerstore.loaded_layers import require_loaded
from gis.layerstore.storage import Conn, layer_view
from gis.platform.errors import BadRequest, NotFound

Scope = Literal["touching", "populated"]
SCOPES: tuple[str, ...] = get_args(Scope)
COVERAGE = "mesh_coverage"
BOUNDARIES = "admin_boundaries"
POPULATION = "population_mesh"
LEVEL = 2


def check_scope(value: str) -> Scope:
    """The scope named by ``value``; BadRequest for anything else."""
    if value not in SCOPES:
        raise BadRequest(f"scope must be one of {', '.join(SCOPES)}, not {value!r}")
    return value  # type: ignore[return-value]


def prefecture_area(conn: Conn) -> shapely.Geometry:
    """The union of all municipal boundaries (lon/lat)."""
    require_loaded(conn, BOUNDARIES)
    row = conn.execute(
        sql.SQL("SELECT ST_AsBinary(ST_Union(geom)) FROM {}").format(layer_view(BOUNDARIES))
    ).fetchone()
    if not row or row[0] is None:
        raise NotFound(f"layer {BOUNDARIES!r} has no features")
    return shapely.from_wkb(bytes(row[0]))


def populated_cells(conn: Conn) -> set[str]:
    """2nd-mesh codes holding at least one populated 3rd (or finer) mesh cell."""
    require_loaded(conn, POPULATION)
    rows = conn.execute(
        sql.SQL(
            "SELECT DISTINCT left(mesh_code, 6) FROM {} WHERE coalesce(population, 0) > 0"
        ).format(layer_view(POPULATION))
    ).fetchall()
    return {str(r[0]) for r in rows}


def cells_in_scope(conn: Conn, scope: Scope) -> list[str]:
    """Sorted 2nd-mesh codes in scope, generated from the prefecture's extent."""
    chosen = cells_overlapping(prefecture_area(conn), LEVEL)
    if scope == "populated":
        populated = populated_cells(conn)
        chosen = [code for code in chosen if code in populated]
    return chosen


def cells_with_station(conn: Conn) -> dict[int, set[str]]:
    """Per year, the 2nd-mesh codes with ≥ 1 advanced base station in the coverage layer."""
    require_loaded(conn, COVERAGE)
    rows = conn.execute(
        sql.SQL(
            "SELECT year, mesh_code FROM {}"
            " WHERE has_advanced_station OR coalesce(stations, 0) >= 1"
        ).format(layer_view(COVERAGE))
    ).fetchall()
    years = conn.execute(
        sql.SQL("SELECT DISTINCT year FROM {} ORDER BY year").format(layer_view(COVERAGE))
    ).fetchall()
    result: dict[int, set[str]] = {int(y): set() for (y,) in years}
    for year, code in rows:
        result[int(year)].add(str(code))
    return result


@dataclass(frozen=True)
class YearRate:
    """Deployment in one year."""

    year: int
    cells_in_scope: int
    cells_with_station: int
    rate: float  # 0..1


def deployment_rates(conn: Conn, scope: Scope) -> list[YearRate]:
    """The deployment rate for every year in the coverage layer."""
    scope_codes = set(cells_in_scope(conn, scope))
    total = len(scope_codes)
    return [
        YearRate(
            year=year,
            cells_in_scope=total,
            cells_with_station=len(codes & scope_codes),
            rate=len(codes & scope_codes) / total if total else 0.0,
        )
        for year, codes in sorted(cells_with_station(conn).items())
    ]


def cells_geojson(conn: Conn, scope: Scope, year: int) -> dict[str, Any]:
    """The cells in scope as GeoJSON polygons with ``has_station`` in ``year`` (for the map)."""
    by_year = cells_with_station(conn)
    if year not in by_year:
        raise BadRequest(f"no coverage data for {year}; years: {sorted(by_year)}")
    features = [
        {
            "type": "Feature",
            "id": code,
            "geometry": shapely.geometry.mapping(mesh_polygon(code)),
            "properties": {"mesh_code": code, "year": year, "has_station": code in by_year[year]},
        }
        for code in cells_in_scope(conn, scope)
    ]
    return {"type": "FeatureCollection", "scope": scope, "year": year, "features": features}
