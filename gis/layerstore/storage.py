"""Versioned layer storage: one table per layer version, swapped in atomically.

Each load writes ``layer_data."<layer>__v<N>"`` (binary ``COPY``, then indexes), and
:func:`publish` points the stable view ``layer_data."<layer>"`` and ``kasane.layer_current``
at it in one transaction, then sends ``NOTIFY kasane_layers`` so servers drop stale caches.
Older versions stay for :func:`rollback`; the oldest beyond ``keep`` are dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from gis import __version__
from gis.layerstore import copy_binary, readers
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.load_lock import loading_elsewhere
from gis.layerstore.rollback_rule import rollback_target
from gis.platform.errors import NotFound

SCHEMA = "layer_data"
NOTIFY_CHANNEL = "kasane_layers"
KEEP_VERSIONS = 3
_VERSION_TABLE = re.compile(r"^(?P<layer>[a-z][a-z0-9_]*)__v(?P<version>\d+)$")
_BINARY_TYPES = {
    "text": "text",
    "integer": "int4",
    "bigint": "int8",
    "real": "float8",
    "boolean": "bool",
    "date": "date",
    "timestamptz": "timestamptz",
    "jsonb": "jsonb",
}

Conn = psycopg.Connection[Any]


@dataclass(frozen=True)
class SourceFile:
    """One input file of a version, identified by content."""

    name: str
    sha256: str
    bytes: int


@dataclass
class Provenance:
    """Where a version came from and what happened to its rows."""

    files: list[SourceFile] = field(default_factory=list)
    source_crs: str | None = None
    source_encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_repaired: int = 0
    rows_rejected: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    demo: bool = False  # the bundled demo data (``kasane demo``), not data a user loaded


@dataclass(frozen=True)
class VersionInfo:
    """A row of ``kasane.layer_versions`` as shown by ``kasane layers history``."""

    layer_id: str
    version: int
    loaded_at: datetime
    rows_loaded: int
    rows_rejected: int
    files: list[str]
    current: bool
    available: bool
    demo: bool = False


def version_table(layer_id: str, version: int) -> sql.Identifier:
    """The table that holds one version of a layer."""
    return sql.Identifier(SCHEMA, f"{layer_id}__v{version}")


def layer_view(layer_id: str) -> sql.Identifier:
    """The stable name that always shows the served version."""
    return sql.Identifier(SCHEMA, layer_id)


def _geometry_sql(spec: LayerSpec, srid: int) -> sql.Composable:
    return sql.SQL("geometry({}, {})").format(sql.SQL(spec.geometry.value), sql.Literal(srid))


def next_version(conn: Conn, layer_id: str) -> int:
    """The number the next version of ``layer_id`` will get."""
    row = conn.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM kasane.layer_versions WHERE layer_id = %s",
        (layer_id,),
    ).fetchone()
    return int(row[0]) if row else 1


# Rows up to a page stay whole in the heap: from 2 kB (the default) PostgreSQL moves geometries
# to the TOAST table, which cost COPY of 20k polygons (then with two geometry columns) 0.34 s
# of server time rather than 0.27 s, and every read a TOAST lookup; it saved a sixth of the disk.
TOAST_TUPLE_TARGET = 8160  # the largest PostgreSQL allows


def create_version_table(
    conn: Conn, spec: LayerSpec, version: int, table: sql.Identifier | None = None
) -> sql.Identifier:
    """Create the empty table for a new version: fid, the declared fields, ``geom`` (4326).

    Tiles draw Web-Mercator copies that are made from it once per version (the band and parts
    copies of :mod:`gis.ogc.tile_bands` and :mod:`gis.ogc.tiles`), so a load writes one geometry
    column.
    ``table`` names another table to create (a part version, :mod:`gis.layerstore.parts`).
    """
    table = table or version_table(spec.id, version)
    columns = [
        sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(f.sql_type)) for f in spec.fields
    ]
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
    conn.execute(
        sql.SQL(
            "CREATE TABLE {table} (fid integer NOT NULL, {columns}, geom {g4326} NOT NULL)"
            " WITH (toast_tuple_target = {target})"
        ).format(
            table=table,
            columns=sql.SQL(", ").join(columns),
            g4326=_geometry_sql(spec, 4326),
            target=sql.Literal(TOAST_TUPLE_TARGET),
        )
    )
    # Coordinates do not compress: skipping the (failing) compression attempt on geometries too
    # big to stay in the row makes COPY of polygons markedly faster and the table no bigger.
    conn.execute(sql.SQL("ALTER TABLE {} ALTER geom SET STORAGE EXTERNAL").format(table))
    return table


def copy_columns(
    conn: Conn,
    spec: LayerSpec,
    table: sql.Identifier,
    batches: Iterable[Sequence[Sequence[Any]]],
    *,
    fid: bool = True,
) -> int:
    """Binary-COPY batches of columns ``(fid, *fields in declared order, wkb_4326)``.

    The (E)WKB may omit the SRID (the column types give it). See
    :func:`gis.layerstore.copy_binary.copy_batches`. ``table`` must have been created in the current
    transaction (:func:`create_version_table`): the rows are written frozen (``COPY … FREEZE``),
    so that no later reader has to set their hint bits, nor vacuum freeze them. Without
    ``fid``, the batches have no fid column and the table's default gives it.
    """
    names = [*(["fid"] if fid else []), *spec.field_names, "geom"]
    kinds = [*(["int4"] if fid else []), *(_BINARY_TYPES[f.type] for f in spec.fields), "geometry"]
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY, FREEZE)").format(
        table, sql.SQL(", ").join(map(sql.Identifier, names))
    )
    return copy_binary.copy_batches(conn, statement, kinds, batches)


STATISTICS_TARGET = sql.Literal(20)


def finish_table(
    conn: Conn,
    table: sql.Identifier,
    bbox: tuple[float, float, float, float] | None = None,
) -> tuple[float, float, float, float] | None:
    """Statistics; returns the bbox (min lon, min lat, max lon, max lat).

    The indexes come first (:func:`gis.layerstore.version_indexes.build_indexes`). A caller that
    knows the
    bbox already (the loader has every geometry's bounds) passes it, which saves a scan.
    Statistics come from a sample of :data:`STATISTICS_TARGET` × 300 rows rather than
    PostgreSQL's default of 30,000: enough for what version tables are asked (bbox index scans,
    equality on a few columns), and five times cheaper (0.24 → 0.05 s for 200k points, most of
    it the two geometry columns' histograms). ``conn`` must be inside a transaction.
    """
    conn.execute(sql.SQL("SET LOCAL default_statistics_target = {}").format(STATISTICS_TARGET))
    conn.execute(sql.SQL("ANALYZE {}").format(table))
    if bbox is not None:
        return bbox
    row = conn.execute(
        sql.SQL(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(geom)::geometry AS e FROM {}) AS x"
        ).format(table)
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def publish(
    conn: Conn,
    spec: LayerSpec,
    version: int,
    provenance: Provenance,
    bbox: tuple[float, float, float, float] | None,
    *,
    keep: int = KEEP_VERSIONS,
) -> None:
    """Record the version and make it the served one. Call inside the load's transaction."""
    conn.execute(
        "INSERT INTO kasane.layer_versions (layer_id, version, table_name, source_files,"
        " source_crs, source_encoding, loader_version, rows_read, rows_loaded, rows_repaired,"
        " rows_rejected, bbox, report, demo) VALUES"
        " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            spec.id,
            version,
            f"{spec.id}__v{version}",
            Jsonb([f.__dict__ for f in provenance.files]),
            provenance.source_crs,
            provenance.source_encoding,
            __version__,
            provenance.rows_read,
            provenance.rows_loaded,
            provenance.rows_repaired,
            provenance.rows_rejected,
            list(bbox) if bbox else None,
            Jsonb(provenance.report),
            provenance.demo,
        ),
    )
    point_to(conn, spec.id, version, public=spec.public)
    prune(conn, spec.id, keep=keep)


def point_to(conn: Conn, layer_id: str, version: int, *, public: bool = True) -> None:
    """Serve ``version`` (a table, or a view of parts): the stable view, the pointer, NOTIFY."""
    conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(layer_view(layer_id)))
    conn.execute(
        sql.SQL("CREATE VIEW {} AS SELECT * FROM {}").format(
            layer_view(layer_id), version_table(layer_id, version)
        )
    )
    readers.grant_view(
        conn, layer_id, public=public
    )  # a new view has no grants: give analysts theirs back
    conn.execute(
        "INSERT INTO kasane.layer_current (layer_id, version) VALUES (%s, %s)"
        " ON CONFLICT (layer_id) DO UPDATE SET version = EXCLUDED.version, changed_at = now()",
        (layer_id, version),
    )
    conn.execute(
        "SELECT pg_notify(%s, %s)",
        (NOTIFY_CHANNEL, json.dumps({"layer": layer_id, "version": version})),
    )


def prune(conn: Conn, layer_id: str, *, keep: int = KEEP_VERSIONS) -> list[int]:
    """Drop the tables of all but the newest ``keep`` versions. The current one always stays,
    and so does the newest version that is not demo data (so that demo data loaded over a
    user's data, ``kasane demo --reset``, never takes away the way back to it)."""
    rows = conn.execute(
        "SELECT v.version FROM kasane.layer_versions v"
        " LEFT JOIN kasane.layer_current c ON c.layer_id = v.layer_id AND c.version = v.version"
        " WHERE v.layer_id = %s AND v.dropped_at IS NULL AND c.version IS NULL"
        " AND v.version IS DISTINCT FROM (SELECT max(u.version) FROM kasane.layer_versions u"
        "  WHERE u.layer_id = v.layer_id AND NOT u.demo AND u.dropped_at IS NULL)"
        " ORDER BY v.version DESC OFFSET %s",
        (layer_id, max(keep - 1, 0)),
    ).fetchall()
    dropped = [int(r[0]) for r in rows]
    for version in dropped:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(version_table(layer_id, version)))
        drop_tile_copies(conn, f"{layer_id}__v{version}")
        conn.execute(
            "UPDATE kasane.layer_versions SET dropped_at = now()"
            " WHERE layer_id = %s AND version = %s",
            (layer_id, version),
        )
    return dropped


def drop_tile_copies(conn: Conn, name: str) -> None:
    """Drop the tile copies made from a version table ``name`` (layer_tiles: parts, bands)."""
    rows = conn.execute(
        "SELECT relname, relkind = 'v' FROM pg_class WHERE relkind IN ('r', 'v')"
        " AND relnamespace = 'layer_tiles'::regnamespace"
        " AND (relname = %s OR starts_with(relname, %s)) ORDER BY relkind DESC",
        (name, f"{name}__b"),
    ).fetchall()
    for (
        table,
        view,
    ) in rows:  # views first: versions of shared layers (gis.layerstore.parts)
        copy = sql.Identifier("layer_tiles", table)
        kind = sql.SQL("VIEW" if view else "TABLE")
        conn.execute(sql.SQL("DROP {} IF EXISTS {} CASCADE").format(kind, copy))


def current_versions(conn: Conn) -> dict[str, int]:
    """Served version of every loaded layer."""
    rows = conn.execute("SELECT layer_id, version FROM kasane.layer_current").fetchall()
    return {str(layer): int(version) for layer, version in rows}


def history(conn: Conn, layer_id: str) -> list[VersionInfo]:
    """Every version of a layer, newest first."""
    rows = conn.execute(
        "SELECT v.layer_id, v.version, v.loaded_at, v.rows_loaded, v.rows_rejected,"
        " v.source_files, c.version IS NOT NULL, v.dropped_at IS NULL, v.demo"
        " FROM kasane.layer_versions v LEFT JOIN kasane.layer_current c"
        " ON c.layer_id = v.layer_id AND c.version = v.version"
        " WHERE v.layer_id = %s ORDER BY v.version DESC",
        (layer_id,),
    ).fetchall()
    return [
        VersionInfo(
            layer_id=str(r[0]),
            version=int(r[1]),
            loaded_at=r[2],
            rows_loaded=int(r[3]),
            rows_rejected=int(r[4]),
            files=[str(f["name"]) for f in r[5]],
            current=bool(r[6]),
            available=bool(r[7]),
            demo=bool(r[8]),
        )
        for r in rows
    ]


def rollback(conn: Conn, layer_id: str, version: int | None = None, *, public: bool = True) -> int:
    """Serve an earlier version again (by default the one before the current); returns it."""
    versions = history(conn, layer_id)
    current = next((v.version for v in versions if v.current), None)
    if current is None:
        raise NotFound(f"layer {layer_id!r} has no loaded version")
    version = rollback_target(versions, current, version, f"layer {layer_id!r}", repr(layer_id))
    point_to(conn, layer_id, version, public=public)
    return version


def drop_orphans(conn: Conn) -> list[str]:
    """Drop version tables that no recorded version owns (left by a killed load), except those
    of a layer that another session is loading right now."""
    rows = conn.execute(
        "SELECT t.tablename FROM pg_tables t WHERE t.schemaname = %s", (SCHEMA,)
    ).fetchall()
    known = {
        str(r[0])
        for r in conn.execute(
            "SELECT table_name FROM kasane.layer_versions WHERE dropped_at IS NULL"
            " UNION ALL SELECT table_name FROM kasane.layer_parts WHERE dropped_at IS NULL"
        ).fetchall()
    }
    dropped = []
    for (name,) in rows:
        match = _VERSION_TABLE.match(str(name))
        if not match or name in known:
            continue
        # A table another session is still indexing (committed, not yet published) is not an
        # orphan: that session holds its layer's load lock. Checked after listing the table, a
        # free lock means its load has ended: published (seen now), or dead (an orphan).
        if not loading_elsewhere(conn, match["layer"]) and not _published(conn, str(name)):
            orphan = sql.Identifier(SCHEMA, name)
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(orphan))
            dropped.append(str(name))
    return dropped


def _published(conn: Conn, table_name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM kasane.layer_versions WHERE table_name = %s AND dropped_at IS NULL"
        " UNION ALL SELECT 1 FROM kasane.layer_parts WHERE table_name = %s"
        " AND dropped_at IS NULL",
        (table_name, table_name),
    ).fetchone()
    return row is not None
