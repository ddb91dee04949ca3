"""Stop coverage, population reached and transit-blank areas of one municipality.

Everything is measured in the JGD2011 plane-rectangular zone of the municipality's
prefecture (:func:`gis.transit.service.zone_epsg`). A stop covers a disc of the bus radius
(default 300 m), or of the rail radius (default 500 m) when a rail route (GTFS ``route_type``
0, 1, 2, 5, 7 or 12) serves it, provided it has at least ``min_departures`` departures on the
date. Stops outside the municipality but within reach of it count too.

Population comes from the ``population_mesh`` layer, spread evenly over each cell (area
weighting): a cell's part inside an area holds that share of its people. The populated area
is the municipality's part of the cells with people; the transit-blank area is the populated
area outside every disc. Without a population mesh, the whole municipality stands in for the
populated area and population figures are ``None``.

Discs are unioned per mesh cell (only those near the cell), which keeps the work linear in
the number of cells rather than in the size of one giant union.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from psycopg import sql
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from gis.layerstore.loaded_layers import served_version
from gis.layerstore.storage import Conn, layer_view
from gis.platform.errors import BadRequest
from gis.transit.request import TransitRequest
from gis.transit.service import BOUNDARIES, StopService, stop_services, zone_epsg

POPULATION = "population_mesh"
QUAD_SEGS = 16  # vertices per quarter circle of a disc (as geopandas' default)
GRID_M = 0.01  # blank pieces of neighbouring cells are snapped to 1 cm so they join
_EMPTY = shapely.Polygon()


@dataclass(frozen=True)
class BlankArea:
    """One connected transit-blank area (geometry in the zone's metres)."""

    geometry: BaseGeometry
    area_m2: float
    population: float | None


@dataclass
class CoverageModel:
    """The municipality, its mesh cells and the stop discs, in one plane-rectangular zone."""

    request: TransitRequest
    epsg: int
    boundary: BaseGeometry
    stops: list[StopService]
    discs: np.ndarray
    cells: np.ndarray  # cell parts inside the municipality
    cell_area: np.ndarray  # whole-cell areas (for area weighting)
    cell_population: np.ndarray
    has_population: bool
    _tree: shapely.STRtree = field(init=False)
    _local: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self._tree = shapely.STRtree(self.discs)
        self._local = self.covered_parts(self.discs, self._tree)

    def covered_parts(self, discs: np.ndarray, tree: shapely.STRtree) -> np.ndarray:
        """Each cell's part covered by ``discs`` (indexed by ``tree``)."""
        out = np.full(len(self.cells), _EMPTY, dtype=object)
        if len(discs) == 0 or len(self.cells) == 0:
            return out
        cell_idx, disc_idx = tree.query(self.cells, predicate="intersects")
        for i in np.unique(cell_idx):
            local = shapely.union_all(discs[disc_idx[cell_idx == i]])
            out[i] = shapely.intersection(self.cells[i], local)
        return out

    @property
    def covered_cells(self) -> np.ndarray:
        """Each cell's part covered by existing stops."""
        return self._local

    def people(self, parts: np.ndarray) -> float | None:
        """Area-weighted population of per-cell ``parts``."""
        if not self.has_population:
            return None
        return float(np.sum(self.cell_population * shapely.area(parts) / self.cell_area))


@dataclass(frozen=True)
class Coverage:
    """Coverage figures of a municipality for one request."""

    lg_code: str
    epsg: int
    stops_considered: int
    stops_counted: int
    area_m2: float
    covered_area_m2: float
    population: float | None
    covered_population: float | None
    populated_area_m2: float
    blank_area_m2: float
    blank_population: float | None
    blank_areas: list[BlankArea]
    covered_geometry: BaseGeometry = _EMPTY

    @property
    def covered_area_share(self) -> float:
        """Covered share of the municipality's area (0-1)."""
        return self.covered_area_m2 / self.area_m2 if self.area_m2 else 0.0

    @property
    def covered_population_share(self) -> float | None:
        """Covered share of the municipality's population (0-1), None without a mesh."""
        if self.population is None or self.covered_population is None:
            return None
        return self.covered_population / self.population if self.population else 0.0

    def summary(self) -> dict[str, Any]:
        """The figures as plain values (no geometry)."""
        return {
            "lg_code": self.lg_code,
            "crs": f"EPSG:{self.epsg}",
            "stops_considered": self.stops_considered,
            "stops_counted": self.stops_counted,
            "area_m2": round(self.area_m2, 1),
            "covered_area_m2": round(self.covered_area_m2, 1),
            "covered_area_share": round(self.covered_area_share, 6),
            "population": _round(self.population),
            "covered_population": _round(self.covered_population),
            "covered_population_share": _round(self.covered_population_share, 6),
            "populated_area_m2": round(self.populated_area_m2, 1),
            "blank_area_m2": round(self.blank_area_m2, 1),
            "blank_population": _round(self.blank_population),
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _wkb(value: Any) -> BaseGeometry:
    return shapely.from_wkb(bytes(value))


def discs_for(stops: list[StopService], req: TransitRequest, epsg: int) -> np.ndarray:
    """Discs of the stops with enough departures, in the zone."""
    kept = [s for s in stops if s.departures >= req.min_departures]
    if not kept:
        return np.array([], dtype=object)
    to_zone = Transformer.from_crs(4326, epsg, always_xy=True)
    x, y = to_zone.transform([s.lon for s in kept], [s.lat for s in kept])
    radii = [req.rail_radius_m if s.rail else req.bus_radius_m for s in kept]
    return np.asarray(shapely.buffer(shapely.points(x, y), radii, quad_segs=QUAD_SEGS))


def _boundary(conn: Conn, lg_code: str, epsg: int) -> BaseGeometry:
    row = conn.execute(
        sql.SQL("SELECT ST_AsBinary(ST_Transform(geom, %s)) FROM {} WHERE lg_code = %s").format(
            layer_view(BOUNDARIES)
        ),
        (epsg, lg_code),
    ).fetchone()
    if row is None:
        raise BadRequest(f"municipality {lg_code} is not in the loaded admin_boundaries layer")
    return _wkb(row[0])


def _mesh(conn: Conn, lg_code: str, epsg: int) -> list[tuple[Any, int]]:
    if served_version(conn, POPULATION) is None:
        return []
    rows = conn.execute(
        sql.SQL(
            "SELECT ST_AsBinary(ST_Transform(p.geom, %s)), coalesce(p.population, 0)"
            " FROM {mesh} p JOIN {bounds} b ON ST_Intersects(p.geom, b.geom)"
            " WHERE b.lg_code = %s AND coalesce(p.population, 0) > 0 ORDER BY p.fid"
        ).format(mesh=layer_view(POPULATION), bounds=layer_view(BOUNDARIES)),
        (epsg, lg_code),
    ).fetchall()
    return [(r[0], int(r[1])) for r in rows]


def build_model(conn: Conn, req: TransitRequest) -> CoverageModel:
    """Fetch the boundary, the stops (with their departures) and the populated cells."""
    epsg = zone_epsg(req.lg_code)
    stops = stop_services(conn, req, within_m=req.max_radius_m)
    boundary = _boundary(conn, req.lg_code, epsg)
    shapely.prepare(boundary)
    mesh = _mesh(conn, req.lg_code, epsg)
    if mesh:
        whole = shapely.from_wkb([bytes(m[0]) for m in mesh])
        cells = shapely.intersection(whole, boundary)
        areas = shapely.area(whole)
        population = np.array([m[1] for m in mesh], dtype=float)
    else:  # no population mesh: the municipality itself is the one "cell"
        cells = np.array([boundary], dtype=object)
        areas = shapely.area(cells)
        population = np.zeros(1)
    keep = shapely.area(cells) > 0
    return CoverageModel(
        request=req, epsg=epsg, boundary=boundary, stops=stops,
        discs=discs_for(stops, req, epsg), cells=np.asarray(cells)[keep],
        cell_area=np.asarray(areas)[keep], cell_population=population[keep],
        has_population=bool(mesh),
    )  # fmt: skip


def _blank_areas(model: CoverageModel, blank_parts: np.ndarray) -> list[BlankArea]:
    pieces = shapely.get_parts(blank_parts)
    pieces = pieces[shapely.area(pieces) > 1.0]  # drop sliver noise below 1 m²
    if len(pieces) == 0:
        return []
    owner = np.repeat(np.arange(len(blank_parts)), shapely.get_num_geometries(blank_parts))
    owner = owner[shapely.area(shapely.get_parts(blank_parts)) > 1.0]
    weights = model.cell_population[owner] / model.cell_area[owner]
    merged = shapely.get_parts(shapely.union_all(pieces, grid_size=GRID_M))
    tree = shapely.STRtree(merged)
    piece_idx, area_idx = tree.query(shapely.point_on_surface(pieces), predicate="within")
    people = np.zeros(len(merged))
    np.add.at(people, area_idx, shapely.area(pieces[piece_idx]) * weights[piece_idx])
    areas = [
        BlankArea(g, float(shapely.area(g)), float(p) if model.has_population else None)
        for g, p in zip(merged, people, strict=True)
    ]
    return sorted(areas, key=lambda a: (-(a.population or 0.0), -a.area_m2))


def coverage(conn: Conn, req: TransitRequest, *, with_areas: bool = True) -> Coverage:
    """Coverage, population reached and the transit-blank areas for a request."""
    return coverage_of(build_model(conn, req), with_areas=with_areas)


def coverage_of(model: CoverageModel, *, with_areas: bool = True) -> Coverage:
    """The figures of an already built model."""
    covered = shapely.intersection(shapely.union_all(model.discs), model.boundary)
    blank_parts = shapely.difference(model.cells, model.covered_cells)
    areas = _blank_areas(model, blank_parts) if with_areas else []
    return Coverage(
        lg_code=model.request.lg_code,
        epsg=model.epsg,
        stops_considered=len(model.stops),
        stops_counted=len(model.discs),
        area_m2=float(shapely.area(model.boundary)),
        covered_area_m2=float(shapely.area(covered)),
        population=model.people(model.cells),
        covered_population=model.people(model.covered_cells),
        populated_area_m2=float(np.sum(shapely.area(model.cells))),
        blank_area_m2=float(np.sum(shapely.area(blank_parts))),
        blank_population=model.people(blank_parts),
        blank_areas=areas,
        covered_geometry=covered,
    )


def to_wgs84(geoms: list[BaseGeometry], epsg: int) -> list[BaseGeometry]:
    """Geometries from the zone back to lon/lat (EPSG:4326)."""
    back = Transformer.from_crs(epsg, 4326, always_xy=True)
    return list(shapely.transform(np.asarray(geoms, dtype=object), _xy(back), interleaved=False))


def _xy(transformer: Transformer) -> Any:
    def apply(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return transformer.transform(x, y)

    return apply
