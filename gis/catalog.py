"""What is loaded: served versions of layers, with provenance summaries."""

from __future__ import annotations

from typing import Any

from gis.storage import Conn


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
