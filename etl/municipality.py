"""Flag points that lie outside the municipality their row names (when boundaries are loaded)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from etl.report import LoadReport
from gis import storage

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
        "SELECT lg_code, concat_ws(' ', name, ward_name), ST_AsBinary(geom)"
        " FROM layer_data.admin_boundaries"
    ).fetchall()
    return {str(c): (str(n), shapely.from_wkb(bytes(g))) for c, n, g in rows}


def flag_outside_municipality(frame: gpd.GeoDataFrame, areas: Areas, report: LoadReport) -> int:
    """Add a 'flagged' issue for each point outside its stated municipality; returns how many."""
    if "lg_code" not in frame.columns or not len(frame):
        return 0
    if not (shapely.get_type_id(np.asarray(frame.geometry.values)) == 0).all():
        return 0
    if not areas:
        return 0
    by_name = {f.name: f for f in report.files}
    flagged = 0
    for code, group in frame.groupby("lg_code"):
        if code not in areas:
            continue
        name, area = areas[str(code)]
        shapely.prepare(area)
        pts = np.asarray(group.geometry.values, dtype=object)
        inside = shapely.contains(area, pts)
        for (_, row), point in zip(group[~inside].iterrows(), pts[~inside], strict=True):
            km = shapely.distance(area, point) * 111.0 * np.cos(np.radians(point.y))
            if km <= TOLERANCE_KM:
                continue
            by_name[row["_file"]].add(int(row["_row"]), "市区町村コード",
                                      f"point lies {km:.1f} km outside {name} ({code})",
                                      "flagged")  # fmt: skip
            flagged += 1
    return flagged
