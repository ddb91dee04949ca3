"""What a new version would change, for the staff console's preview before publishing: the
features added, removed and kept (by the layer's ``id_field``), or only the counts when the
layer has none, and a sample of positions for a small map."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.storage import layer_view

Conn = psycopg.Connection[Any]
SAMPLE_IDS = 20
MAP_POINTS = 2000


def served_ids(conn: Conn, spec: LayerSpec, part: str | None = None) -> tuple[int, set[str] | None]:
    """(row count, ids as text or None without an ``id_field``) of the served version, or of
    one part of a shared layer; (0, empty) when nothing is served yet."""
    view = layer_view(spec.id)
    where: sql.Composable = sql.SQL("")
    if part is not None and spec.parts:
        where = sql.SQL(" WHERE {} = {}").format(sql.Identifier(spec.parts), sql.Literal(part))
    try:
        if spec.id_field:
            rows = conn.execute(
                sql.SQL("SELECT {}::text FROM {}{}").format(
                    sql.Identifier(spec.id_field), view, where
                )
            ).fetchall()
            return len(rows), {str(r[0]) for r in rows}
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}{}").format(view, where)).fetchone()
        return (int(row[0]) if row else 0), None
    except psycopg.errors.UndefinedTable:
        conn.rollback()
        return 0, set() if spec.id_field else None


def difference(
    served_count: int, served: set[str] | None, new_count: int, new: set[str] | None
) -> dict[str, Any]:
    """Added / removed / kept by id (a few ids of each as examples), or the counts."""
    body: dict[str, Any] = {"served_rows": served_count, "new_rows": new_count}
    if served is None or new is None:
        return {**body, "by_id": False}
    added, removed = sorted(new - served), sorted(served - new)
    return {
        **body,
        "by_id": True,
        "added": len(added),
        "removed": len(removed),
        "kept": len(new & served),
        "added_ids": added[:SAMPLE_IDS],
        "removed_ids": removed[:SAMPLE_IDS],
    }
