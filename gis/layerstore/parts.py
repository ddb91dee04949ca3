"""Shared layers: each municipality publishes, versions and rolls back its own part.

A layer that declares ``parts`` (``parts = "lg_code"``) keeps each part version in a table of
its own, ``layer_data."<layer>__m<code>__v<N>"``, recorded in ``kasane.layer_parts``. Every
layer version of such a layer is a *view* of the same name as a plain version table,
``layer_data."<layer>__v<N>"``, that combines one version of each part by ``UNION ALL``, and
``kasane.layer_versions.parts`` records which (``{"352012": 3, "352080": 1}``). Publishing or
rolling back a part therefore writes and indexes only that part, then makes a new layer
version (a view: no rows copied) and moves ``kasane.layer_current`` to it as any load does, so
ETags, caches and every server process follow a part's change exactly as they follow a version
(:mod:`gis.layerstore.served_versions`). Everything that reads a version table reads the view
unchanged; the planner pushes a bbox or fid test into each part, which has its own GiST index
and primary key.
Feature ids come from one sequence (migration 0910), so they are unique across parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from psycopg import sql
from psycopg.types.json import Jsonb

from gis import __version__
from gis.layerstore import storage
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.rollback_rule import rollback_target
from gis.layerstore.storage import Conn, Provenance
from gis.platform.errors import NotFound

_PUBLISH = "kasane.publish"  # transaction lock: one composition change of a layer at a time
BBox = tuple[float, float, float, float]


def part_key(layer_id: str, code: str) -> str:
    """The name of a part's tables without the version, also its load-lock key."""
    return f"{layer_id}__m{code}"


def part_table(layer_id: str, code: str, version: int) -> sql.Identifier:
    """The table that holds one version of one part."""
    return sql.Identifier(storage.SCHEMA, f"{part_key(layer_id, code)}__v{version}")


@dataclass(frozen=True)
class PartVersion:
    """A row of ``kasane.layer_parts``, as ``kasane layers history --part`` shows it."""

    part: str
    version: int
    loaded_at: datetime
    loaded_by: str
    rows_loaded: int
    rows_rejected: int
    files: list[str]
    current: bool
    available: bool


@dataclass
class NewPart:
    """A part version written (table filled and indexed) and ready to be published."""

    code: str
    version: int
    provenance: Provenance
    bbox: BBox | None


def next_part_version(conn: Conn, layer_id: str, code: str) -> int:
    """The number the next version of a part will get."""
    row = conn.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM kasane.layer_parts"
        " WHERE layer_id = %s AND part = %s",
        (layer_id, code),
    ).fetchone()
    return int(row[0]) if row else 1


def composition(conn: Conn, layer_id: str) -> dict[str, int]:
    """Which version of each part the served layer version shows (empty: nothing served)."""
    row = conn.execute(
        "SELECT v.parts FROM kasane.layer_current c JOIN kasane.layer_versions v"
        " USING (layer_id, version) WHERE c.layer_id = %s",
        (layer_id,),
    ).fetchone()
    return {str(k): int(v) for k, v in (row[0] or {}).items()} if row else {}


def parts_of(conn: Conn, layer_id: str, version: int) -> dict[str, int] | None:
    """The part versions a layer version shows; None for a version of a layer without parts."""
    row = conn.execute(
        "SELECT parts FROM kasane.layer_versions WHERE layer_id = %s AND version = %s",
        (layer_id, version),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return {str(k): int(v) for k, v in row[0].items()}


def served_part_files(conn: Conn, layer_id: str, code: str) -> set[tuple[str, int]]:
    """(sha256, size) of every source file of a part's served version."""
    version = composition(conn, layer_id).get(code)
    if version is None:
        return set()
    row = conn.execute(
        "SELECT source_files FROM kasane.layer_parts WHERE layer_id = %s AND part = %s"
        " AND version = %s",
        (layer_id, code, version),
    ).fetchone()
    return {(str(f["sha256"]), int(f["bytes"])) for f in row[0]} if row else set()


def publish_parts(conn: Conn, spec: LayerSpec, new: list[NewPart], loaded_by: str) -> int:
    """Record new part versions and serve them with every other part's current version.

    Call inside the load's second transaction; returns the new layer version.
    """
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", (_PUBLISH, spec.id))
    for item in new:
        p = item.provenance
        conn.execute(
            "INSERT INTO kasane.layer_parts (layer_id, part, version, table_name, source_files,"
            " source_crs, source_encoding, loaded_by, loader_version, rows_read, rows_loaded,"
            " rows_repaired, rows_rejected, bbox, report) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (spec.id, item.code, item.version, f"{part_key(spec.id, item.code)}__v{item.version}",
             Jsonb([f.__dict__ for f in p.files]), p.source_crs, p.source_encoding, loaded_by,
             __version__, p.rows_read, p.rows_loaded, p.rows_repaired, p.rows_rejected,
             list(item.bbox) if item.bbox else None, Jsonb(p.report)),
        )  # fmt: skip
    parts = composition(conn, spec.id) | {item.code: item.version for item in new}
    changed = new[0].code if len(new) == 1 else None
    files = [f.__dict__ for item in new for f in item.provenance.files]
    return _serve(conn, spec, parts, changed, loaded_by, files, new)


def rollback_part(
    conn: Conn, spec: LayerSpec, code: str, version: int | None, loaded_by: str
) -> tuple[int, int]:
    """Serve an earlier version of one part (default: the one before its current) with every
    other part as it is; returns (the part's version, the new layer version)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", (_PUBLISH, spec.id))
    versions = part_history(conn, spec.id, code)
    current = next((v.version for v in versions if v.current), None)
    if current is None:
        raise NotFound(f"layer {spec.id!r} has no part {code}")
    version = rollback_target(
        versions, current, version, f"part {code} of {spec.id!r}", f"part {code}"
    )
    parts = composition(conn, spec.id) | {code: version}
    report: dict[str, object] = {"rollback": {"part": code, "from": current, "to": version}}
    layer_version = _serve(conn, spec, parts, code, loaded_by, [], [], report)
    return version, layer_version


def _serve(
    conn: Conn,
    spec: LayerSpec,
    parts: Mapping[str, int],
    changed: str | None,
    loaded_by: str,
    files: list[dict[str, object]],
    new: list[NewPart],
    report: Mapping[str, object] | None = None,
) -> int:
    """Make the view of a new layer version over ``parts`` and serve it."""
    version = storage.next_version(conn, spec.id)
    view = storage.version_table(spec.id, version)
    selects = [
        sql.SQL("SELECT * FROM {}").format(part_table(spec.id, code, parts[code]))
        for code in sorted(parts)
    ]
    conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(view))
    conn.execute(sql.SQL("CREATE VIEW {} AS {}").format(view, sql.SQL(" UNION ALL ").join(selects)))
    totals = conn.execute(
        "SELECT coalesce(sum(rows_loaded), 0), min(bbox[1]), min(bbox[2]), max(bbox[3]),"
        " max(bbox[4]) FROM kasane.layer_parts p JOIN jsonb_each_text(%s::jsonb) c"
        " ON c.key = p.part AND c.value::int = p.version WHERE p.layer_id = %s",
        (Jsonb(dict(parts)), spec.id),
    ).fetchone()
    assert totals is not None
    bbox = None if totals[1] is None else [float(v) for v in totals[1:]]
    summary = report or {"parts": {n.code: n.provenance.report for n in new}}
    conn.execute(
        "INSERT INTO kasane.layer_versions (layer_id, version, table_name, source_files,"
        " loader_version, rows_loaded, bbox, report, parts, part) VALUES"
        " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (spec.id, version, f"{spec.id}__v{version}", Jsonb(files), __version__, int(totals[0]),
         bbox, Jsonb({"loaded_by": loaded_by, **summary}), Jsonb(dict(parts)), changed),
    )  # fmt: skip
    storage.point_to(conn, spec.id, version, public=spec.public)
    prune(conn, spec.id)
    return version


def prune(conn: Conn, layer_id: str, *, keep: int = storage.KEEP_VERSIONS) -> None:
    """Drop the views of all but the newest ``keep`` layer versions, and the tables of all but
    the newest ``keep`` versions of each part (a part's served version always stays)."""
    served = composition(conn, layer_id)
    views = conn.execute(
        "SELECT v.version FROM kasane.layer_versions v"
        " LEFT JOIN kasane.layer_current c ON c.layer_id = v.layer_id AND c.version = v.version"
        " WHERE v.layer_id = %s AND v.dropped_at IS NULL AND c.version IS NULL"
        " ORDER BY v.version DESC OFFSET %s",
        (layer_id, max(keep - 1, 0)),
    ).fetchall()
    for (version,) in views:
        _drop_version_view(conn, layer_id, int(version))
    old = conn.execute(
        "SELECT part, version FROM (SELECT part, version, row_number() OVER"
        " (PARTITION BY part ORDER BY version DESC) AS n FROM kasane.layer_parts"
        " WHERE layer_id = %s AND dropped_at IS NULL) AS p WHERE n > %s",
        (layer_id, keep),
    ).fetchall()
    for part, version in old:
        if served.get(str(part)) == int(version):
            continue
        for (layer_version,) in conn.execute(
            "SELECT version FROM kasane.layer_versions WHERE layer_id = %s AND dropped_at IS NULL"
            " AND (parts ->> %s)::int = %s",
            (layer_id, part, version),
        ).fetchall():
            _drop_version_view(conn, layer_id, int(layer_version))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(part_table(layer_id, part, version)))
        storage.drop_tile_copies(conn, f"{part_key(layer_id, part)}__v{version}")
        conn.execute(
            "UPDATE kasane.layer_parts SET dropped_at = now()"
            " WHERE layer_id = %s AND part = %s AND version = %s",
            (layer_id, part, version),
        )


def _drop_version_view(conn: Conn, layer_id: str, version: int) -> None:
    conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(storage.version_table(layer_id, version)))
    storage.drop_tile_copies(conn, f"{layer_id}__v{version}")
    conn.execute(
        "UPDATE kasane.layer_versions SET dropped_at = now() WHERE layer_id = %s AND version = %s",
        (layer_id, version),
    )


def part_history(conn: Conn, layer_id: str, code: str) -> list[PartVersion]:
    """Every version of one part, newest first."""
    served = composition(conn, layer_id).get(code)
    rows = conn.execute(
        "SELECT part, version, loaded_at, loaded_by, rows_loaded, rows_rejected, source_files,"
        " dropped_at IS NULL FROM kasane.layer_parts WHERE layer_id = %s AND part = %s"
        " ORDER BY version DESC",
        (layer_id, code),
    ).fetchall()
    return [
        PartVersion(str(r[0]), int(r[1]), r[2], str(r[3]), int(r[4]), int(r[5]),
                    [str(f["name"]) for f in r[6]], int(r[1]) == served, bool(r[7]))
        for r in rows
    ]  # fmt: skip
