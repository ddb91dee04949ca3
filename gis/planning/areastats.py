"""Area statistics (the integrated GIS's 集計 function): a layer summed per municipality or mesh.

The measure follows the layer's geometry:

- points (and mixed layers): ``count`` of features. A non-point feature is placed by a point on
  its surface (``ST_PointOnSurface``). On meshes the cell is the feature's JIS X 0410 code
  (:func:`gis.geo.mesh.mesh_codes`, edges to the north/east cell); on municipalities the first
  boundary covering the point, so a point on a shared border counts once;
- lines: ``length_m``, geodesic metres of each feature's part inside the unit;
- polygons: ``area_m2``, geodesic square metres of each feature's part inside the unit.

Lengths and areas are computed on the GRS80/WGS84 ellipsoid (PostGIS ``geography``), so no
plane-rectangular zone has to be chosen and units straddling two zones are still exact.
Overlapping features are each counted (a sum over features, not over dissolved area).
Units: ``municipality`` (the ``admin_boundaries`` layer) or ``mesh1``/``mesh2``/``mesh3``
(JIS X 0410 cells overlapping the prefecture, generated from codes).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import shapely
from psycopg import sql

from gis.geo.mesh import cells_overlapping, mesh_codes, mesh_polygon
from gis.layerstore.layerspec import GeometryType, LayerSpec
from gis.layerstore.loaded_layers import require_loaded
from gis.layerstore.storage import Conn, layer_view
from gis.platform.errors import BadRequest

Unit = Literal["municipality", "mesh1", "mesh2", "mesh3"]
UNITS: tuple[str, ...] = get_args(Unit)
Measure = Literal["count", "length_m", "area_m2"]
BOUNDARIES = "admin_boundaries"
_LINES = {GeometryType.LINESTRING, GeometryType.MULTILINESTRING}
_POLYGONS = {GeometryType.POLYGON, GeometryType.MULTIPOLYGON}


def check_unit(value: str) -> Unit:
    """The unit named by ``value``; BadRequest for anything else."""
    if value not in UNITS:
        raise BadRequest(f"by must be one of {', '.join(UNITS)}, not {value!r}")
    return value  # type: ignore[return-value]


def measure_for(spec: LayerSpec) -> Measure:
    """What is summed for a layer: counts, lengths or areas."""
    if spec.geometry in _LINES:
        return "length_m"
    if spec.geometry in _POLYGONS:
        return "area_m2"
    return "count"


@dataclass(frozen=True)
class UnitValue:
    """One unit (a municipality or a mesh cell) and its value."""

    code: str
    name: str
    value: float


@dataclass(frozen=True)
class AreaStatistics:
    """A layer summarised over units."""

    layer: str
    unit: Unit
    measure: Measure
    units: list[UnitValue]

    @property
    def total(self) -> float:
        """The sum over all units."""
        return sum(u.value for u in self.units)


def _prefecture(conn: Conn) -> Any:
    row = conn.execute(
        sql.SQL("SELECT ST_AsBinary(ST_Union(geom)) FROM {}").format(layer_view(BOUNDARIES))
    ).fetchone()
    if not row or row[0] is None:
        raise BadRequest(f"layer {BOUNDARIES!r} has no features")
    return shapely.from_wkb(bytes(row[0]))


def _municipalities(conn: Conn) -> dict[str, str]:
    rows = conn.execute(
        sql.SQL("SELECT lg_code, name FROM {} ORDER BY lg_code").format(layer_view(BOUNDARIES))
    ).fetchall()
    return {str(code): str(name) for code, name in rows}


def _level(unit: Unit) -> int:
    return int(unit[-1])


def _representative_points(conn: Conn, spec: LayerSpec) -> tuple[np.ndarray, np.ndarray]:
    point = "geom" if spec.geometry == GeometryType.POINT else "ST_PointOnSurface(geom)"
    rows = conn.execute(
        sql.SQL("SELECT ST_X({p}), ST_Y({p}) FROM {view}").format(
            p=sql.SQL(point), view=layer_view(spec.id)
        )
    ).fetchall()
    coords = np.array(rows, dtype=np.float64).reshape(-1, 2)
    return coords[:, 0], coords[:, 1]


def _count_by_mesh(conn: Conn, spec: LayerSpec, level: int) -> Counter[str]:
    lons, lats = _representative_points(conn, spec)
    if len(lons) == 0:
        return Counter()
    return Counter(str(code) for code in mesh_codes(lats, lons, level))


def _count_by_municipality(conn: Conn, spec: LayerSpec) -> Counter[str]:
    point = "f.geom" if spec.geometry == GeometryType.POINT else "ST_PointOnSurface(f.geom)"
    rows = conn.execute(
        sql.SQL(
            "SELECT m.lg_code, count(*) FROM {view} f CROSS JOIN LATERAL ("
            " SELECT b.lg_code FROM {bounds} b WHERE ST_Covers(b.geom, {p})"
            " ORDER BY b.lg_code LIMIT 1) m GROUP BY m.lg_code"
        ).format(view=layer_view(spec.id), bounds=layer_view(BOUNDARIES), p=sql.SQL(point))
    ).fetchall()
    return Counter({str(code): int(n) for code, n in rows})


def _measure_in_units(
    conn: Conn, spec: LayerSpec, measure: Measure, unit: Unit, codes: list[str]
) -> dict[str, float]:
    function = sql.SQL("ST_Length" if measure == "length_m" else "ST_Area")
    units: sql.Composable
    if unit == "municipality":
        units = sql.SQL("SELECT lg_code AS code, geom FROM {}").format(layer_view(BOUNDARIES))
        params: tuple[Any, ...] = ()
    else:
        units = sql.SQL(
            "SELECT unnest(%s::text[]) AS code, ST_GeomFromWKB(unnest(%s::bytea[]), 4326) AS geom"
        )
        params = (codes, [shapely.to_wkb(mesh_polygon(code)) for code in codes])
    query = sql.SQL(
        "WITH u AS ({units}) SELECT u.code,"
        " sum({fn}(ST_CollectionExtract(ST_Intersection(f.geom, u.geom), {dim})::geography))"
        " FROM u JOIN {view} f ON f.geom && u.geom AND ST_Intersects(f.geom, u.geom)"
        " GROUP BY u.code"
    ).format(
        units=units,
        fn=function,
        dim=sql.Literal(2 if measure == "length_m" else 3),
        view=layer_view(spec.id),
    )
    return {str(code): float(value or 0.0) for code, value in conn.execute(query, params)}


def area_statistics(conn: Conn, spec: LayerSpec, unit: Unit) -> AreaStatistics:
    """Counts, lengths or areas of ``spec`` per unit (every unit listed, zeros included)."""
    require_loaded(conn, spec.id)
    require_loaded(conn, BOUNDARIES)
    measure = measure_for(spec)
    if unit == "municipality":
        names = _municipalities(conn)
        codes = list(names)
    else:
        codes = cells_overlapping(_prefecture(conn), _level(unit))
        names = {code: code for code in codes}
    values: dict[str, float]
    if measure == "count":
        counts = (
            _count_by_municipality(conn, spec)
            if unit == "municipality"
            else _count_by_mesh(conn, spec, _level(unit))
        )
        for code in counts:  # features beyond the prefecture's cells keep their own cell
            names.setdefault(code, code)
        values = {code: float(n) for code, n in counts.items()}
    else:
        values = _measure_in_units(conn, spec, measure, unit, codes)
    return AreaStatistics(
        layer=spec.id,
        unit=unit,
        measure=measure,
        units=[UnitValue(code, names[code], values.get(code, 0.0)) for code in sorted(names)],
    )


def unit_geometries(conn: Conn, stats: AreaStatistics) -> dict[str, dict[str, Any]]:
    """GeoJSON geometries of the units, for a choropleth."""
    if stats.unit != "municipality":
        return {u.code: shapely.geometry.mapping(mesh_polygon(u.code)) for u in stats.units}
    rows = conn.execute(
        sql.SQL("SELECT lg_code, ST_AsGeoJSON(geom, 6)::json FROM {}").format(
            layer_view(BOUNDARIES)
        )
    ).fetchall()
    return {str(code): geometry for code, geometry in rows}


def as_geojson(conn: Conn, stats: AreaStatistics) -> dict[str, Any]:
    """The units as a GeoJSON FeatureCollection with ``value`` (for a choropleth)."""
    geometries = unit_geometries(conn, stats)
    return {
        "type": "FeatureCollection",
        "layer": stats.layer,
        "unit": stats.unit,
        "measure": stats.measure,
        "features": [
            {
                "type": "Feature",
                "id": u.code,
                "geometry": geometries.get(u.code),
                "properties": {"code": u.code, "name": u.name, "value": u.value},
            }
            for u in stats.units
        ],
    }
