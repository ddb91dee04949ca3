"""What is loaded: served versions of layers, with provenance summaries."""

from __future__ import annotations

from typing import Any

from gis.layerstore.storage import Conn
from gis.platform.errors import NotFound


def layer_status(conn: Conn) -> dict[str, dict[str, Any]]:
    """Served version, row count, load time and bbox of every loaded layer."""
    rows = conn.execute(
        "SELECT c.layer_id, c.version, v.rows_loaded, v.loaded_at, v.bbox"
        " FROM kasane.layer_current c JOIN kasane.layer_versions v"
        " USING (layer_id, version)"
    ).fetchall()
    return {
        str(r[0]): {
            "version": int(r[1]),
            "rows_loaded": int(r[2]),
            "loaded_at": r[3].isoformat(),
            "bbox": list(r[4]) if r[4] else None,
        }
        for r in rows
    }


def served_version(conn: Conn, layer_id: str) -> int | None:
    """The served version of a layer, or None when it has never been loaded."""
    row = conn.execute(
        "SELECT version FROM kasane.layer_current WHERE layer_id = %s", (layer_id,)
    ).fetchone()
    return int(row[0]) if row else None


def require_loaded(conn: Conn, layer_id: str) -> int:
    """The served version of a layer; NotFound when it is not loaded."""
    version = served_version(conn, layer_id)
    if version is None:
        raise NotFound(f"layer {layer_id!r} is not loaded")
    return version
