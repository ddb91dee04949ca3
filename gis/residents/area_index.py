"""One served version of an area layer (flood depth, landslide zones, boundaries) in memory.

``/api/hazards/at`` asks, for every hazard layer and the boundaries, which features contain a
point. In PostGIS each question is an index scan plus exact tests (about a millisecond on a
prefecture's flood polygons); on a disaster day residents ask thousands of them a second, each
about a new place. An :class:`AreaIndex` holds the geometries of one layer version in a shapely
``STRtree`` and answers the same question in microseconds, with the attributes exactly as the
SQL path builds them (the same ``jsonb_build_object`` runs once, at build time).

Building reads the version table (``layer_data."<layer>__v<N>"``), not the layer view, so an
index always describes exactly one version; :mod:`gis.residents.point_indexes` decides when it may
be used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
import shapely
from psycopg import sql

from gis.layerstore.storage import version_table

Conn = psycopg.Connection[Any]
FETCH_ROWS = 5000
# Rough bytes per vertex once in GEOS plus the STRtree and attribute dicts per feature; used
# to refuse a layer before reading it when it would not fit the memory budget.
BYTES_PER_VERTEX = 40
BYTES_PER_FEATURE = 600


def attributes_sql(fields: tuple[str, ...], alias: str = "t") -> sql.Composable:
    """``jsonb_build_object('fid', t.fid, <declared fields>)``: what a feature answers with.

    Only declared fields: converting the whole row would turn geometries into GeoJSON.
    """
    pairs = [sql.SQL("'fid', {}.fid").format(sql.Identifier(alias))] + [
        sql.SQL("{}, {}.{}").format(sql.Literal(name), sql.Identifier(alias), sql.Identifier(name))
        for name in fields
    ]
    return sql.SQL("jsonb_build_object({})").format(sql.SQL(", ").join(pairs))


def estimated_bytes(conn: Conn, layer_id: str, version: int) -> int:
    """Memory an index of this version would take, from its vertex and feature counts."""
    row = conn.execute(
        sql.SQL("SELECT count(*), coalesce(sum(ST_NPoints(geom)), 0) FROM {}").format(
            version_table(layer_id, version)
        )
    ).fetchone()
    assert row is not None
    return int(row[0]) * BYTES_PER_FEATURE + int(row[1]) * BYTES_PER_VERTEX


@dataclass(frozen=True)
class AreaIndex:
    """The features of one layer version, queryable by point."""

    layer_id: str
    version: int
    fields: tuple[str, ...]
    tree: shapely.STRtree
    attributes: list[dict[str, Any]]  # in fid order, as the tree's geometries

    @classmethod
    def build(cls, conn: Conn, layer_id: str, version: int, fields: tuple[str, ...]) -> AreaIndex:
        """Read the version table (in fid order) into an STRtree."""
        query = sql.SQL("SELECT ST_AsBinary(t.geom), {} FROM {} t ORDER BY t.fid").format(
            attributes_sql(fields), version_table(layer_id, version)
        )
        wkbs: list[bytes] = []
        attributes: list[dict[str, Any]] = []
        with conn.cursor(name=f"kasane_area_index_{layer_id}") as cur:
            cur.itersize = FETCH_ROWS
            for wkb, attrs in cur.execute(query):
                wkbs.append(bytes(wkb))
                attributes.append(attrs)
        geometries = shapely.from_wkb(np.array(wkbs, dtype=object))
        return cls(layer_id, version, fields, shapely.STRtree(geometries), attributes)

    def features_at(self, lon: float, lat: float) -> list[dict[str, Any]]:
        """Attributes of every feature that intersects the point (boundary included), in fid
        order, like ``ST_Intersects`` in the SQL path."""
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return [self.attributes[i] for i in np.sort(hits)]
