"""Features of a layer version as GeoJSON, built by PostGIS in one statement per page.

The statement is composed from small clause builders (:func:`where_clause`,
:func:`order_clause`, :func:`geometry_expression`) with identifiers from the layer catalogue
and every value as a bind parameter. PostGIS writes each feature's JSON text; Python only joins
the page with its links, so a 1,000-feature page costs one query and no JSON parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.storage import Conn, version_table
from gis.ogc.filter_cost import bounded, check_cost
from gis.ogc.items_query import ItemsQuery
from gis.ogc.output_crs import DEFAULT, OutputCrs
from gis.platform.errors import NotFound

# numberMatched (optional in OGC API - Features) is left out above this many matches of a
# filter: counting a large bbox again for every page cost more than the page itself.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Page:
    """A page of features: ``features`` is the JSON text of the array's items."""

    features: str
    returned: int
    matched: int | None


def geometry_expression(crs: OutputCrs) -> sql.Composable:
    """``geom`` in the output CRS and its axis order, as GeoJSON text."""
    geom: sql.Composable = sql.Identifier("geom")
    if crs.srid != 4326:
        geom = sql.SQL("ST_Transform({}, {})").format(geom, sql.Literal(crs.srid))
    if crs.north_first:
        geom = sql.SQL("ST_FlipCoordinates({})").format(geom)
    return sql.SQL("ST_AsGeoJSON({}, {})::json").format(geom, sql.Literal(crs.decimals))


def _envelope(query: ItemsQuery) -> sql.Composable:
    srid = query.bbox_crs.srid
    env = sql.SQL("ST_MakeEnvelope(%(x1)s, %(y1)s, %(x2)s, %(y2)s, {})").format(sql.Literal(srid))
    if srid != 4326:
        env = sql.SQL("ST_Transform({}, 4326)").format(env)
    return env


def where_clause(query: ItemsQuery, params: dict[str, Any]) -> sql.Composable:
    """Bounding box (index-friendly ``&&`` then exact) and equality filters."""
    parts: list[sql.Composable] = []
    if query.bbox is not None:
        params.update(zip(("x1", "y1", "x2", "y2"), query.bbox, strict=True))
        env = _envelope(query)
        if query.bbox_crs.srid == 4326:
            parts.append(sql.SQL("geom && {env} AND ST_Intersects(geom, {env})").format(env=env))
        else:
            parts.append(sql.SQL("ST_Intersects(geom, {})").format(env))
    for i, (name, value) in enumerate(query.filters):
        params[f"f{i}"] = value
        parts.append(sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(f"f{i}")))
    if query.cql is not None:
        params.update(query.cql.params)
        parts.append(query.cql.condition)
    if not parts:
        return sql.SQL("")
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(parts)


def order_clause(query: ItemsQuery) -> sql.Composable:
    """``sortby`` fields, then ``fid`` so that paging is stable."""
    keys: list[sql.Composable] = [
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL("DESC" if desc else "ASC"))
        for name, desc in query.sortby
    ]
    if not any(name == "fid" for name, _ in query.sortby):
        keys.append(sql.SQL("fid"))
    return sql.SQL(" ORDER BY ") + sql.SQL(", ").join(keys)


def _feature_json(spec: LayerSpec, crs: OutputCrs) -> sql.Composable:
    props = sql.SQL(", ").join(
        sql.SQL("{}, {}").format(sql.Literal(name), sql.Identifier(name))
        for name in spec.field_names
    )
    return sql.SQL(
        "json_build_object('type', 'Feature', 'id', fid, 'geometry', {geom},"
        " 'properties', json_build_object({props}))::text"
    ).format(geom=geometry_expression(crs), props=props)


def items(conn: Conn, spec: LayerSpec, version: int, query: ItemsQuery, rows: int) -> Page:
    """One page of features; ``rows`` is the version's row count (for ``numberMatched``).

    A CQL2 filter is checked against its cost rules first and runs under its time limit."""
    if query.cql is not None:
        check_cost(query.cql, spec, rows, has_bbox=query.bbox is not None)
    params: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
    where = where_clause(query, params)
    statement = sql.SQL(
        "SELECT coalesce(string_agg(f, ','), ''), count(*) FROM (SELECT {feature} AS f"
        " FROM {table}{where}{order} LIMIT %(limit)s OFFSET %(offset)s) AS page"
    ).format(
        feature=_feature_json(spec, query.crs),
        table=version_table(spec.id, version),
        where=where,
        order=order_clause(query),
    )
    with bounded(conn, query.cql):
        row = conn.execute(statement, params, prepare=True).fetchone()
        text, returned = (str(row[0]), int(row[1])) if row else ("", 0)
        matched = _matched(conn, spec, version, query, where, params, returned)
    return Page(text, returned, matched)


def _matched(
    conn: Conn,
    spec: LayerSpec,
    version: int,
    query: ItemsQuery,
    where: sql.Composable,
    params: dict[str, Any],
    returned: int,
) -> int | None:
    if query.bbox is None and not query.filters and query.cql is None:
        return rows_of(conn, spec, version)
    if returned < query.limit and (returned > 0 or query.offset == 0):
        return query.offset + returned  # the last page: no count needed
    statement = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {}{} LIMIT {}) AS m").format(
        version_table(spec.id, version), where, sql.Literal(COUNT_CAP + 1)
    )
    row = conn.execute(statement, params, prepare=True).fetchone()
    count = int(row[0]) if row else 0
    return count if count <= COUNT_CAP else None


def rows_of(conn: Conn, spec: LayerSpec, version: int) -> int:
    """Row count of a version, from its provenance record (exact: versions never change)."""
    row = conn.execute(
        "SELECT rows_loaded FROM kasane.layer_versions WHERE layer_id = %s AND version = %s",
        (spec.id, version),
    ).fetchone()
    return int(row[0]) if row else 0


def feature(conn: Conn, spec: LayerSpec, version: int, fid: int, crs: OutputCrs = DEFAULT) -> str:
    """One feature as GeoJSON text; NotFound when there is no such ``fid``."""
    statement = sql.SQL("SELECT {} FROM {} WHERE fid = %s").format(
        _feature_json(spec, crs), version_table(spec.id, version)
    )
    row = conn.execute(statement, (fid,), prepare=True).fetchone()
    if row is None:
        raise NotFound(f"layer {spec.id!r} has no feature {fid}")
    return str(row[0])


def csv_rows(conn: Conn, spec: LayerSpec, version: int, query: ItemsQuery) -> list[tuple[Any, ...]]:
    """The page as rows of ``(fid, *fields, WKT geometry in the output CRS)`` for CSV."""
    params: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
    geom = geometry_expression(query.crs)
    wkt = sql.SQL("ST_AsText(ST_GeomFromGeoJSON({}::text))").format(geom)
    statement = sql.SQL(
        "SELECT fid, {fields}, {wkt} FROM {table}{where}{order} LIMIT %(limit)s OFFSET %(offset)s"
    ).format(
        fields=sql.SQL(", ").join(map(sql.Identifier, spec.field_names)),
        wkt=wkt,
        table=version_table(spec.id, version),
        where=where_clause(query, params),
        order=order_clause(query),
    )
    if query.cql is not None:
        check_cost(query.cql, spec, rows_of(conn, spec, version), has_bbox=query.bbox is not None)
    with bounded(conn, query.cql):
        return [tuple(r) for r in conn.execute(statement, params).fetchall()]
