"""Rows that lie outside the municipality they name (when boundaries are loaded): flagged when
near it, rejected when far (see :func:`check_municipality`)."""

from __future__ import annotations

import math

import numpy as np
import shapely
from psycopg import sql

from etl.report import FileReport
from etl.row_rules import Chunk
from gis.layerstore import storage

ADMIN_LAYER = "admin_boundaries"
TOLERANCE_KM = 0.2  # N03 boundaries are simplified; a point this close to its own area is fine
REJECT_KM = 10.0  # further outside its own municipality than this, a row is rejected


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


def check_municipality(
    chunk: Chunk, areas: Areas, report: FileReport, reject_km: float = REJECT_KM
) -> np.ndarray:
    """Keep mask of ``chunk``'s rows by where they lie against the municipality they name.

    A point (or a polygon's or line's centroid) more than ``reject_km`` outside its stated
    municipality is rejected with the distance: a wrong digit, not a border. One outside by
    more than :data:`TOLERANCE_KM` but within ``reject_km`` (boundaries are simplified, a
    shelter may stand on the border) is flagged and loaded.
    """
    keep = np.ones(len(chunk), dtype=bool)
    codes = chunk.columns.get("lg_code")
    if codes is None or not len(chunk) or not areas:
        return keep
    by_code: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        if code is not None and str(code) in areas:
            by_code.setdefault(str(code), []).append(i)
    for code, indices in by_code.items():
        name, area = areas[code]
        shapely.prepare(area)
        at = np.asarray(indices)
        points = shapely.centroid(chunk.geometry[at])
        outside = ~shapely.contains(area, points)
        for i, point in zip(at[outside], points[outside], strict=True):
            km = km_outside(area, point)
            if km <= TOLERANCE_KM:
                continue
            what = "point" if shapely.get_type_id(chunk.geometry[i]) == 0 else "centre"
            reason = f"{what} lies {km:.1f} km outside {name} ({code})"
            if km > reject_km:
                keep[i] = False
                report.add(int(chunk.rows[i]), "市区町村コード",
                           f"{reason}: more than {reject_km:g} km (a wrong digit?)",
                           "rejected")  # fmt: skip
            else:
                report.add(int(chunk.rows[i]), "市区町村コード", reason, "flagged")
    return keep


def km_outside(area: shapely.Geometry, point: shapely.Point) -> float:
    """Kilometres from ``point`` to the nearest point of ``area`` (lon/lat; an equirectangular
    approximation, within a fraction of a percent at these distances)."""
    line = shapely.shortest_line(area, point)
    (x1, y1), (x2, y2) = shapely.get_coordinates(line)
    dx = (x2 - x1) * 111.32 * math.cos(math.radians((y1 + y2) / 2))
    return math.hypot(dx, (y2 - y1) * 110.57)
