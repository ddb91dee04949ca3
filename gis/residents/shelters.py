"""Shelters with their live status: the nearest suitable ones to a point, and filtered lists.

Distances are geodesic (PostGIS geography on the WGS84 ellipsoid). The nearest search is exact
and uses the GiST index twice: a KNN scan (``ORDER BY geom <-> point``, filtered by hazard flag
and open state) finds ``n`` candidates, whose largest true distance bounds a box; an index
scan of that box, re-ranked by true distance, gives the answer. Planar KNN alone would
rank by degrees, which stretch differently east-west and north-south.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from pyproj import Geod

from gis.layerstore.registry import LayerRegistry
from gis.layerstore.storage import layer_view
from gis.platform.errors import BadRequest, NotFound
from gis.platform.languages import Msg
from gis.platform.params import parse_int
from gis.residents.hazards import Loaded, LonLat, require_in_area
from gis.residents.shelter_status import CROWDING, DEFAULT_STATUS, OPEN_STATES, STATUSES

Conn = psycopg.Connection[Any]
SHELTERS = layer_view("shelters")
ADMIN = layer_view("admin_boundaries")
MAX_NEAREST = 50
GEOD = Geod(ellps="WGS84")

# The 8 GSI hazards, in GSI column order; each is the flag column hz_<key>.
HAZARDS: dict[str, dict[str, str]] = {
    "flood": Msg("洪水", "Flood"),
    "landslide": Msg("崖崩れ・土石流・地滑り", "Landslide, debris flow"),
    "storm_surge": Msg("高潮", "Storm surge"),
    "earthquake": Msg("地震", "Earthquake"),
    "tsunami": Msg("津波", "Tsunami"),
    "fire": Msg("大規模な火事", "Large fire"),
    "inland_flood": Msg("内水氾濫", "Inland flooding"),
    "volcano": Msg("火山現象", "Volcanic phenomena"),
}
KINDS: dict[str, dict[str, str]] = {
    "emergency_site": Msg("指定緊急避難場所", "Emergency evacuation site"),
    "shelter": Msg("指定避難所", "Designated shelter"),
    "both": Msg("指定緊急避難場所・指定避難所", "Evacuation site and shelter"),
    "welfare": Msg("福祉避難所", "Welfare shelter"),
}
DIRECTIONS = (
    Msg("北", "north"),
    Msg("北東", "northeast"),
    Msg("東", "east"),
    Msg("南東", "southeast"),
    Msg("南", "south"),
    Msg("南西", "southwest"),
    Msg("西", "west"),
    Msg("北西", "northwest"),
)
_COLUMNS = "shelter_id, lg_code, name, name_kana, address, kind, capacity, " + ", ".join(
    f"hz_{h}" for h in HAZARDS
)
_OPEN_FILTER = (
    "(SELECT st.status FROM kasane.shelter_status st WHERE st.shelter_id = s.shelter_id)"
    " IN ('open', 'permanent')"
)


def parse_hazard(value: str | None) -> str | None:
    """``'flood'`` etc., or None for any hazard; unknown names are a :class:`BadRequest`."""
    if value is None or value == "":
        return None
    if value not in HAZARDS:
        raise BadRequest(f"unknown hazard {value!r}; use one of {', '.join(HAZARDS)}")
    return value


def parse_bool(name: str, value: str | None) -> bool:
    """``true/false/1/0/yes/no`` (absent = false)."""
    if value is None or value == "":
        return False
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise BadRequest(f"{name}={value!r} must be true or false")


def parse_count(value: str | None, *, default: int = 5, maximum: int = MAX_NEAREST) -> int:
    """How many shelters: a count between 1 and ``maximum``."""
    return parse_int(value, "n", default=default, minimum=1, maximum=maximum)


def direction(bearing: float) -> Msg:
    """The 8-point compass direction of a bearing in degrees (0 = north, clockwise)."""
    return DIRECTIONS[round(bearing / 45.0) % 8]


def _filters(hazard: str | None, open_only: bool) -> sql.Composable:
    parts: list[sql.Composable] = [sql.SQL("TRUE")]
    if hazard:
        parts.append(sql.SQL("s.{} IS TRUE").format(sql.Identifier(f"hz_{hazard}")))
    if open_only:
        parts.append(sql.SQL(_OPEN_FILTER))
    return sql.SQL(" AND ").join(parts)


def nearest_query(hazard: str | None, open_only: bool) -> sql.Composed:
    """The two-phase nearest-shelter SQL (parameters: lon, lat, n)."""
    pt = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"
    return sql.SQL(
        "WITH knn AS MATERIALIZED ("
        "  SELECT s.geom FROM {shelters} s WHERE {filters}"
        f"  ORDER BY s.geom <-> {pt} LIMIT %(n)s),"
        f" r AS (SELECT max(ST_Distance(k.geom::geography, {pt}::geography)) AS m FROM knn k)"
        " SELECT " + ", ".join(f"s.{c.strip()}" for c in _COLUMNS.split(",")) + ","
        f"  ST_X(s.geom), ST_Y(s.geom), ST_Distance(s.geom::geography, {pt}::geography) AS d,"
        "  st.status, st.crowding, st.updated_at"
        " FROM r, {shelters} s"
        " LEFT JOIN kasane.shelter_status st ON st.shelter_id = s.shelter_id"
        f" WHERE s.geom && ST_Expand({pt},"
        "   r.m / (111000.0 * cos(radians(least(abs(%(lat)s) + r.m / 110000.0, 89.9)))) + 1e-6,"
        "   r.m / 110000.0 + 1e-6)"
        "  AND {filters}"
        " ORDER BY d, s.fid LIMIT %(n)s"
    ).format(shelters=SHELTERS, filters=_filters(hazard, open_only))


@functools.lru_cache(maxsize=32)
def _nearest_sql(hazard: str | None, open_only: bool) -> bytes:
    """:func:`nearest_query` rendered once: composing it costs more than running it."""
    return nearest_query(hazard, open_only).as_bytes(None)


def _hazard_list(flags: tuple[Any, ...]) -> list[str]:
    return [h for h, flag in zip(HAZARDS, flags, strict=True) if flag]


def _status_json(status: str | None, crowding: str | None, updated: Any) -> dict[str, Any]:
    status = status or DEFAULT_STATUS
    crowding = crowding or "unknown"
    return {
        "status": status,
        "status_label": STATUSES[status],
        "open_now": status in OPEN_STATES,
        "crowding": crowding,
        "crowding_label": CROWDING[crowding],
        "status_updated_at": updated.isoformat() if updated else None,
    }


@dataclass(frozen=True)
class NearestQuery:
    """What a resident asked for."""

    point: LonLat
    hazard: str | None = None
    open_only: bool = False
    n: int = 5


NEAREST_COLUMNS = tuple(c.strip() for c in _COLUMNS.split(","))
NearestRows = Callable[[NearestQuery], list[tuple[Any, ...]]]


def nearest_in_database(conn: Conn) -> NearestRows:
    """Rows of the nearest shelters from PostGIS: :data:`NEAREST_COLUMNS`, lon, lat,
    distance (m), status, crowding, updated_at; nearest first, ties by fid."""

    def rows(query: NearestQuery) -> list[tuple[Any, ...]]:
        try:
            return conn.execute(
                _nearest_sql(query.hazard, query.open_only),
                {"lon": query.point.lon, "lat": query.point.lat, "n": query.n},
            ).fetchall()
        except psycopg.errors.UndefinedTable:
            raise NotFound("the shelters layer is not loaded") from None

    return rows


def nearest(
    rows_of: NearestRows, registry: LayerRegistry, query: NearestQuery, loaded: Loaded
) -> dict[str, Any]:
    """The ``n`` nearest shelters suitable for ``hazard`` (and open, if asked), nearest first.

    ``loaded``: the served layers and their extents (:func:`gis.residents.hazards.loaded_layers`);
    ``rows_of``: where the rows come from (:func:`nearest_in_database`, or memory).
    """
    point = query.point
    require_in_area(registry, loaded, point)
    shelters = []
    n_haz = len(HAZARDS)
    for r in rows_of(query):
        lon, lat, distance = float(r[7 + n_haz]), float(r[8 + n_haz]), float(r[9 + n_haz])
        azimuth, _, _ = GEOD.inv(point.lon, point.lat, lon, lat)
        bearing = (azimuth + 360.0) % 360.0
        shelters.append(
            {
                "shelter_id": r[0],
                "lg_code": r[1],
                "name": r[2],
                "name_kana": r[3],
                "address": r[4],
                "kind": r[5],
                "kind_label": KINDS.get(str(r[5])),
                "capacity": r[6],
                "hazards": _hazard_list(tuple(r[7 : 7 + n_haz])),
                "lat": lat,
                "lon": lon,
                "distance_m": round(distance, 1),
                "bearing_deg": round(bearing, 1),
                "direction": direction(bearing),
                **_status_json(r[10 + n_haz], r[11 + n_haz], r[12 + n_haz]),
            }
        )
    return {
        "lat": point.lat,
        "lon": point.lon,
        "hazard": query.hazard,
        "hazard_label": HAZARDS.get(query.hazard) if query.hazard else None,
        "open": query.open_only,
        "n": query.n,
        "shelters": shelters,
    }
