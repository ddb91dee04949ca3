"""Flag points that lie outside the municipality their row names (when boundaries are loaded)."""

from __future__ import annotations

import numpy as np
import shapely
from psycopg import sql

from etl.report import LoadReport
from etl.row_rules import Chunk
from gis.layerstore import storage

ADMIN_LAYER = "admin_boundaries"
TOLERANCE_KM = 0.2  # N03 boundaries are simplified; a point this close to its own area is fine


Areas = dict[str, tuple[str, shapely.Geometry]]


def boundaries(conn: storage.Conn) -> Areas:
    """Served municipality outlines by local-government code: (name, polygon); empty when
    the admin boundaries are not loaded."""
    exists = conn.execute(
        "SELECT 1 FROM kasane.layer_current WHERE layer_id = %s", (ADMIN_LAYER,)
    ).fetchone()
    if not exists:
        return {}
    rows = conn.execute(
        sql.SQL(
            "SELECT lg_code, concat_ws(' ', name, ward_name), ST_AsBinary(geom) FROM {}"
        ).format(storage.layer_view("admin_boundaries"))
    ).fetchall()
    return {str(c): (str(n), shapely.from_wkb(bytes(g))) for c, n, g in rows}


def flag_outside_municipality(chunk: Chunk, areas: Areas, report: LoadReport) -> int:
    """Add a 'flagged' issue for each point outside its stated municipality; returns how many."""
    codes = chunk.columns.get("lg_code")
    if codes is None or not len(chunk) or not areas:
        return 0
    if not (shapely.get_type_id(chunk.geometry) == 0).all():
        return 0
    by_code: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        if code is not None and str(code) in areas:
            by_code.setdefault(str(code), []).append(i)
    file_report = next(f for f in report.files if f.name == chunk.file)
    flagged = 0
    for code, indices in by_code.items():
        name, area = areas[code]
        shapely.prepare(area)
        points = chunk.geometry[indices]
        inside = shapely.contains(area, points)
        for i, point in zip(np.asarray(indices)[~inside], points[~inside], strict=True):
            km = shapely.distance(area, point) * 111.0 * np.cos(np.radians(point.y))
            if km <= TOLERANCE_KM:
                continue
            file_report.add(int(chunk.rows[i]), "市区町村コード",
                            f"point lies {km:.1f} km outside {name} ({code})",
                            "flagged")  # fmt: skip
            flagged += 1
    return flagged
