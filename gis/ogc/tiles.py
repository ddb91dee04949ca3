"""Mapbox Vector Tiles from PostGIS: one ``ST_AsMVT`` per layer, concatenated.

Each layer's rows are found with an index-friendly bbox test: ``geom && <the tile's lon/lat
envelope>`` on a version table (Web Mercator keeps the axes apart and monotonic, so a bbox in
one is a bbox in the other: one GiST index, on ``geom``, serves tiles and items), and
``geom_3857 && ST_TileEnvelope(…, margin)`` on the band and parts copies, which hold the
Web-Mercator geometry that is drawn (projected once per version, not per tile), simplified by
:data:`gis.ogc.tile_bands.SIMPLIFY_UNITS` tile units below the layer's last zoom (starting from a
pre-simplified band copy of the version, :mod:`gis.ogc.tile_bands`, at zooms up to 13), clipped by
``ST_AsMVTGeom`` and capped at ``feature_cap`` rows per layer per tile (which rows are kept when
a tile has more is unspecified). Features are written in ``fid`` order (then by their clipped
geometry, for the pieces of one polygon), so a tile's bytes do not depend on the query plan:
its strong ETag, and an exported archive (:mod:`gis.ogc.pmtiles_export`), stay true to it
(tiles over the cap excepted). Only declared attributes with ``in_tiles`` are written; ``fid``
is the MVT feature id. Polygon layers with very large polygons get a subdivided copy
(:func:`prepare_parts`), so that a tile reads only the pieces it touches rather than whole
prefecture-sized polygons; a polygon then appears in a tile as several pieces with the same
feature id. Every value is a bind parameter, and psycopg
prepares the statement per connection.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from gis.layerstore.layerspec import GeometryType, LayerSpec
from gis.layerstore.storage import SCHEMA, Conn, version_table
from gis.ogc.cql2_sql import SqlFilter, to_sql
from gis.ogc.filter_cost import bounded
from gis.ogc.output_crs import DEFAULT, OutputCrs
from gis.ogc.tile_bands import band_of, band_table, prepare_band, tolerance
from gis.platform.errors import BadRequest

EXTENT = 4096
BUFFER = 64
MAX_Z = 24
WORLD_M = 40075016.685578488
DEFAULT_FEATURE_CAP = 20_000
PARTS_SCHEMA = "layer_tiles"
SUBDIVIDE_ABOVE = 2_048  # vertices: polygons larger than this are cut into pieces
PIECE_VERTICES = 256
_POLYGONAL = {GeometryType.POLYGON, GeometryType.MULTIPOLYGON, GeometryType.GEOMETRY}
_LINEAR = {GeometryType.LINESTRING, GeometryType.MULTILINESTRING}
log = logging.getLogger("kasane.tiles")
_BAND_SUFFIX = re.compile(r"__b[0-9]+$")
_parts_known: dict[tuple[str, int], bool] = {}
_bands_known: dict[tuple[str, int, int], bool] = {}
_parts_lock = threading.Lock()


def vector_layer(spec: LayerSpec) -> dict[str, Any]:
    """The TileJSON ``vector_layers`` entry of a layer (its attributes written to tiles)."""
    kinds = {"text": "String", "boolean": "Boolean", "date": "String", "jsonb": "String"}
    return {
        "id": spec.id,
        "description": spec.title.en,
        "minzoom": spec.min_zoom,
        "maxzoom": spec.max_zoom,
        "fields": {f.name: kinds.get(f.type, "Number") for f in spec.fields if f.in_tiles},
    }


def check_address(z: int, x: int, y: int) -> None:
    """BadRequest unless ``z/x/y`` is a tile of the Web-Mercator quad tree."""
    if not 0 <= z <= MAX_Z:
        raise BadRequest(f"zoom {z} is out of range (0-{MAX_Z})")
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise BadRequest(f"tile {z}/{x}/{y} does not exist: x and y must be 0-{2**z - 1}")


def parts_table(layer_id: str, version: int) -> sql.Identifier:
    """Where the subdivided polygons of a version live."""
    return sql.Identifier(PARTS_SCHEMA, f"{layer_id}__v{version}")


def prepare_parts(conn: Conn, spec: LayerSpec, version: int) -> bool:
    """Make the subdivided copy of a polygon layer version when it has very large polygons.

    Idempotent and safe to call from several processes (a transaction-level advisory lock);
    a loader may call it right after a load, a server calls it lazily. Returns whether the
    version has a parts table. Parts of versions whose table is gone are dropped.
    """
    if spec.geometry not in _POLYGONAL:
        return False
    with conn.transaction():
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('kasane.parts'), hashtext(%s))", (spec.id,)
        )
        exists = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (f'{PARTS_SCHEMA}."{spec.id}__v{version}"',)
        ).fetchone()
        if exists and exists[0]:
            return True
        biggest = conn.execute(
            sql.SQL("SELECT coalesce(max(ST_NPoints(geom)), 0) FROM {}").format(
                version_table(spec.id, version)
            )
        ).fetchone()
        if not biggest or int(biggest[0]) <= SUBDIVIDE_ABOVE:
            return False
        table = parts_table(spec.id, version)
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} AS SELECT fid,"
                " ST_Subdivide(ST_Transform(geom, 3857), {}) AS geom_3857 FROM {}"
            ).format(table, sql.Literal(PIECE_VERTICES), version_table(spec.id, version))
        )
        conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom_3857)").format(table))
        conn.execute(sql.SQL("ANALYZE {}").format(table))
        _drop_stale_parts(conn)
    return True


def prepare_copies(conn: Conn, spec: LayerSpec, version: int) -> None:
    """Make every tile copy of a version (subdivided parts, simplified bands) ahead of use."""
    has_parts(conn, spec, version)
    for band in {band_of(spec, z) for z in range(spec.max_zoom + 1)}:
        has_band(conn, spec, version, band)


def has_band(conn: Conn, spec: LayerSpec, version: int, band: int) -> bool:
    """Whether tiles of this version in ``band`` read its band copy (made on first call)."""
    key = (spec.id, version, band)
    known = _bands_known.get(key)
    if known is None:
        with _parts_lock:
            known = _bands_known.get(key)
            if known is None:
                try:
                    prepare_band(
                        conn, spec, version, band, cut_above=SUBDIVIDE_ABOVE, piece=PIECE_VERTICES
                    )
                    _drop_stale_parts(conn)
                    known = True
                except psycopg.errors.InsufficientPrivilege as exc:
                    log.warning("no band copy of %s v%s: %s", spec.id, version, exc)
                    known = False
                _bands_known[key] = known
    return known


def _drop_stale_parts(conn: Conn) -> None:
    rows = conn.execute(
        "SELECT p.tablename FROM pg_tables p WHERE p.schemaname = %s", (PARTS_SCHEMA,)
    ).fetchall()
    alive = {
        str(r[0])
        for r in conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace"
            " AND relkind IN ('r', 'v')",  # a view: a shared layer's version
            (SCHEMA,),
        ).fetchall()
    }
    for (name,) in rows:
        if _BAND_SUFFIX.sub("", str(name)) in alive:
            continue
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(PARTS_SCHEMA, name)))


def has_parts(conn: Conn, spec: LayerSpec, version: int) -> bool:
    """Whether tiles of this version read the subdivided copy (prepared on first call)."""
    key = (spec.id, version)
    known = _parts_known.get(key)
    if known is None:
        with _parts_lock:
            known = _parts_known.get(key)
            if known is None:
                try:
                    known = prepare_parts(conn, spec, version)
                except psycopg.errors.InsufficientPrivilege as exc:
                    log.warning("no subdivided copy of %s v%s: %s", spec.id, version, exc)
                    known = False
                _parts_known[key] = known
    return known


_IN_MERCATOR = sql.SQL("{}.geom_3857 && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s)")
_IN_LONLAT = sql.SQL("{}.geom && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)")


@dataclass(frozen=True)
class _Source:
    """What a tile's layer reads (attributes as ``t``), its Web-Mercator geometry, and the bbox
    test that finds its rows with the source's GiST index."""

    table: sql.Composable
    mercator: sql.Composable
    in_tile: sql.Composable


def _source(conn: Conn, spec: LayerSpec, version: int, z: int) -> _Source:
    data = version_table(spec.id, version)
    band = band_of(spec, z)
    if has_band(conn, spec, version, band):
        table = sql.SQL("{} AS t").format(band_table(spec.id, version, band))
        return _Source(table, sql.SQL("t.geom_3857"), _IN_MERCATOR.format(sql.Identifier("t")))
    if has_parts(conn, spec, version):
        parts = parts_table(spec.id, version)
        table = sql.SQL("{} AS p JOIN {} AS t USING (fid)").format(parts, data)
        return _Source(table, sql.SQL("p.geom_3857"), _IN_MERCATOR.format(sql.Identifier("p")))
    # no copy (a read-only role could not make one): the version table, projected per row
    table = sql.SQL("{} AS t").format(data)
    return _Source(
        table, sql.SQL("ST_Transform(t.geom, 3857)"), _IN_LONLAT.format(sql.Identifier("t"))
    )


def lonlat_envelope(z: int, x: int, y: int, margin: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of ``ST_TileEnvelope(z, x, y, margin => margin)``,
    by the inverse of the spherical Web Mercator, widened by 1e-9° (0.1 mm) so that rounding
    never leaves out a feature that the Mercator test would find; clamped to the globe."""
    size = WORLD_M / 2**z
    half = WORLD_M / 2
    left, right = -half + (x - margin) * size, -half + (x + 1 + margin) * size
    top, bottom = half - (y - margin) * size, half - (y + 1 + margin) * size
    radius = WORLD_M / (2 * math.pi)

    def lat(metres: float) -> float:
        return math.degrees(math.atan(math.sinh(metres / radius)))

    pad = 1e-9
    return (
        max(-180.0, math.degrees(left / radius) - pad),
        max(-90.0, lat(bottom) - pad),
        min(180.0, math.degrees(right / radius) + pad),
        min(90.0, lat(top) + pad),
    )


def _geometry(spec: LayerSpec, z: int, mercator: sql.Composable) -> sql.Composable:
    geom = mercator
    if spec.geometry in _POLYGONAL | _LINEAR and z < spec.max_zoom:
        # shapes smaller than the tolerance vanish: they would not show at this zoom anyway
        geom = sql.SQL("ST_Simplify({}, %(tol)s, false)").format(geom)
    return sql.SQL("ST_AsMVTGeom({}, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {}, {}, true)").format(
        geom, sql.Literal(EXTENT), sql.Literal(BUFFER)
    )


def tile_filter(
    spec: LayerSpec, version: int, expr: dict[str, Any], crs: OutputCrs, index: int
) -> tuple[SqlFilter, sql.Composable]:
    r"""A CQL2 filter (parsed JSON) as a condition on a tile's rows (``t``).

    Attribute conditions on fields that are in the tiles are tested on the tile's own rows
    (the band copies hold those columns); anything else (spatial conditions, which must see
    the stored, unsimplified geometry, and fields left out of tiles) picks ``fid``\s from the
    version table, so a filtered tile shows exactly the features that ``items`` returns."""
    flt = to_sql(expr, spec, crs, prefix=f"cql{index}_")
    in_tiles = {f.name for f in spec.fields if f.in_tiles}
    if not flt.spatial and flt.fields <= in_tiles:
        flt = to_sql(expr, spec, crs, prefix=f"cql{index}_", alias="t")
        return flt, flt.condition
    chosen = sql.SQL("t.fid IN (SELECT fid FROM {} WHERE {})").format(
        version_table(spec.id, version), flt.condition
    )
    return flt, chosen


def _layer_tile(
    spec: LayerSpec, z: int, index: int, source: _Source, where: sql.Composable | None = None
) -> sql.Composable:
    attrs = [f.name for f in spec.fields if f.in_tiles]
    columns = sql.SQL("").join(sql.SQL(", t.{}").format(sql.Identifier(name)) for name in attrs)
    return sql.SQL(
        "(SELECT coalesce(ST_AsMVT(q, {name}, {extent}, 'geom', 'fid' ORDER BY q.fid, q.geom),"
        " ''::bytea) FROM"
        " (SELECT * FROM (SELECT t.fid{columns}, {geom} AS geom FROM {table}"
        " WHERE {in_tile} LIMIT %(cap)s) AS r WHERE geom IS NOT NULL) AS q)"
    ).format(
        in_tile=source.in_tile if where is None else source.in_tile + sql.SQL(" AND ") + where,
        name=sql.Placeholder(f"name{index}"),
        extent=sql.Literal(EXTENT),
        columns=columns,
        geom=_geometry(spec, z, source.mercator),
        table=source.table,
    )


def tile(
    conn: Conn,
    layers: Sequence[tuple[LayerSpec, int]],
    z: int,
    x: int,
    y: int,
    *,
    feature_cap: int = DEFAULT_FEATURE_CAP,
    cql: dict[str, Any] | None = None,
    cql_crs: OutputCrs = DEFAULT,
) -> bytes:
    """The MVT bytes of tile ``z/x/y`` with one MVT layer per ``(spec, version)``.

    Layers outside their zoom range (below ``min_zoom``) are left out; the result is empty
    when no layer has a feature in the tile. ``cql`` (a parsed CQL2 filter) keeps only the
    features that match it, in every layer, under the filter time limit (a tile is already
    bounded by its bbox, so the LIKE rule of :func:`gis.ogc.filter_cost.check_cost` is not
    applied).
    """
    check_address(z, x, y)
    params: dict[str, Any] = {
        "z": z,
        "x": x,
        "y": y,
        "margin": BUFFER / EXTENT,
        "cap": feature_cap,
        "tol": tolerance(z),
    }
    params["w"], params["s"], params["e"], params["n"] = lonlat_envelope(z, x, y, BUFFER / EXTENT)
    pieces = []
    flt: SqlFilter | None = None
    for index, (spec, version) in enumerate(layers):
        where = None
        if cql is not None:
            flt, where = tile_filter(spec, version, cql, cql_crs, index)
            params.update(flt.params)
        if z < spec.min_zoom:
            continue
        params[f"name{index}"] = spec.id
        pieces.append(_layer_tile(spec, z, index, _source(conn, spec, version, z), where))
    if not pieces:
        return b""
    statement = sql.SQL("SELECT ") + sql.SQL(" || ").join(pieces)
    with bounded(conn, flt):
        row = conn.execute(statement, params, prepare=True).fetchone()
    return bytes(row[0]) if row and row[0] else b""
