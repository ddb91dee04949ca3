"""Shelter lists for people and feeds: the filterable, sortable table and the open shelters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from gis.platform.errors import BadRequest, NotFound
from gis.residents.shelter_status import CROWDING, DEFAULT_STATUS, STATUSES
from gis.residents.shelters import ADMIN, HAZARDS, KINDS, SHELTERS

Conn = psycopg.Connection[Any]
PAGE_SIZE = 50
# Sort keys offered to people, each with its SQL expression (never user text).
SORTS: dict[str, str] = {
    "name": 's.name_kana COLLATE "C", s.name COLLATE "C"',
    "municipality": "s.lg_code",
    "kind": "s.kind",
    "capacity": "s.capacity",
    "status": "coalesce(st.status, 'not_opened')",
    "updated": "st.updated_at",
}


@dataclass(frozen=True)
class ShelterFilter:
    """Filters and order of the shelter table."""

    lg_code: str | None = None
    hazard: str | None = None
    open_only: bool = False
    sort: str = "name"
    descending: bool = False
    page: int = 1

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise BadRequest(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if self.hazard is not None and self.hazard not in HAZARDS:
            raise BadRequest(f"unknown hazard {self.hazard!r}")
        if self.page < 1:
            raise BadRequest("page must be 1 or more")


@dataclass
class ShelterRow:
    """One shelter with its live status, ready for a table or a feed."""

    shelter_id: str
    lg_code: str
    municipality: str
    name: str
    name_kana: str | None
    address: str | None
    kind: str | None
    capacity: int | None
    hazards: list[str]
    lon: float
    lat: float
    status: str = DEFAULT_STATUS
    crowding: str = "unknown"
    note: str | None = None
    revision: int = 0
    distribution: str = "Actual"
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    org_name: str | None = None
    history: list[tuple[int, datetime]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The §7.3 shelter-status fields, with ja/en labels."""
        return {
            "shelter_id": self.shelter_id,
            "lg_code": self.lg_code,
            "municipality": self.municipality,
            "name": self.name,
            "name_kana": self.name_kana,
            "address": self.address,
            "lat": self.lat,
            "lon": self.lon,
            "kind": self.kind,
            "kind_label": KINDS.get(self.kind or ""),
            "hazards": self.hazards,
            "capacity": self.capacity,
            "open_state": self.status,
            "open_state_label": STATUSES[self.status],
            "crowding": self.crowding,
            "crowding_label": CROWDING[self.crowding],
            "note": self.note,
            "revision": self.revision,
            "distribution_status": self.distribution,
            "opened_at": self.opened_at.isoformat() if self.opened_at else None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "reported_at": self.updated_at.isoformat() if self.updated_at else None,
        }


def _admin_loaded(conn: Conn) -> bool:
    view = sql.Literal(ADMIN.as_string(conn))
    row = conn.execute(sql.SQL("SELECT to_regclass({}) IS NOT NULL").format(view)).fetchone()
    return bool(row and row[0])


def _select(conn: Conn) -> sql.Composable:
    muni = (
        sql.SQL("(SELECT a.name FROM {} a WHERE a.lg_code = s.lg_code LIMIT 1)").format(ADMIN)
        if _admin_loaded(conn)
        else sql.SQL("NULL::text")
    )
    flags = sql.SQL(", ").join(sql.Identifier("s", f"hz_{h}") for h in HAZARDS)
    return sql.SQL(
        "SELECT s.shelter_id, s.lg_code, coalesce({muni}, s.lg_code), s.name, s.name_kana,"
        " s.address, s.kind, s.capacity, {flags}, ST_X(s.geom), ST_Y(s.geom),"
        " coalesce(st.status, 'not_opened'), coalesce(st.crowding, 'unknown'), st.note,"
        " coalesce(st.revision, 0), coalesce(st.distribution, 'Actual'), st.opened_at,"
        " st.closed_at, st.updated_at, o.name"
        " FROM {shelters} s LEFT JOIN kasane.shelter_status st ON st.shelter_id = s.shelter_id"
        " LEFT JOIN kasane.users u ON u.id = st.updated_by"
        " LEFT JOIN kasane.organisations o ON o.code = u.org_code"
    ).format(muni=muni, flags=flags, shelters=SHELTERS)


def _row(r: Any) -> ShelterRow:
    n = len(HAZARDS)
    flags = r[8 : 8 + n]
    rest = r[8 + n :]
    return ShelterRow(
        shelter_id=r[0],
        lg_code=r[1],
        municipality=r[2],
        name=r[3],
        name_kana=r[4],
        address=r[5],
        kind=r[6],
        capacity=r[7],
        hazards=[h for h, f in zip(HAZARDS, flags, strict=True) if f],
        lon=rest[0],
        lat=rest[1],
        status=rest[2],
        crowding=rest[3],
        note=rest[4],
        revision=rest[5],
        distribution=rest[6],
        opened_at=rest[7],
        closed_at=rest[8],
        updated_at=rest[9],
        org_name=rest[10],
    )


def _where(flt: ShelterFilter) -> tuple[sql.Composable, list[Any]]:
    parts: list[sql.Composable] = [sql.SQL("TRUE")]
    params: list[Any] = []
    if flt.lg_code:
        parts.append(sql.SQL("s.lg_code = %s"))
        params.append(flt.lg_code)
    if flt.hazard:
        parts.append(sql.SQL("{} IS TRUE").format(sql.Identifier("s", f"hz_{flt.hazard}")))
    if flt.open_only:
        parts.append(sql.SQL("st.status IN ('open', 'permanent')"))
    return sql.SQL(" AND ").join(parts), params


def list_shelters(conn: Conn, flt: ShelterFilter) -> tuple[list[ShelterRow], int]:
    """One page of shelters matching ``flt``, and how many match in all."""
    where, params = _where(flt)
    order = sql.SQL(SORTS[flt.sort] + (" DESC NULLS LAST" if flt.descending else " ASC"))
    query = sql.SQL("{} WHERE {} ORDER BY {}, s.fid LIMIT %s OFFSET %s").format(
        _select(conn), where, order
    )
    count = sql.SQL(
        "SELECT count(*) FROM {} s LEFT JOIN kasane.shelter_status st"
        " ON st.shelter_id = s.shelter_id WHERE {}"
    ).format(SHELTERS, where)
    try:
        rows = conn.execute(query, [*params, PAGE_SIZE, (flt.page - 1) * PAGE_SIZE]).fetchall()
        total_row = conn.execute(count, params).fetchone()
    except psycopg.errors.UndefinedTable:
        raise NotFound("the shelters layer is not loaded") from None
    return [_row(r) for r in rows], int(total_row[0]) if total_row else 0


def municipalities(conn: Conn) -> list[tuple[str, str]]:
    """(lg_code, name) of every municipality that has shelters, by code."""
    muni = (
        sql.SQL("(SELECT a.name FROM {} a WHERE a.lg_code = c.lg_code LIMIT 1)").format(ADMIN)
        if _admin_loaded(conn)
        else sql.SQL("NULL::text")
    )
    try:
        rows = conn.execute(
            sql.SQL(
                "SELECT c.lg_code, coalesce({}, c.lg_code) FROM"
                " (SELECT DISTINCT lg_code FROM {}) c ORDER BY c.lg_code"
            ).format(muni, SHELTERS)
        ).fetchall()
    except psycopg.errors.UndefinedTable:
        return []
    return [(str(r[0]), str(r[1])) for r in rows]


def open_shelters(conn: Conn, shelter_id: str | None = None) -> list[ShelterRow]:
    """Shelters whose status is 開設 (open) now (all, or the one with ``shelter_id``), most
    recently changed first, with their revision times (for CAP ``references``)."""
    query = sql.SQL(
        "{} WHERE st.status = 'open' AND (%s::text IS NULL OR s.shelter_id = %s)"
        " ORDER BY st.updated_at DESC, s.fid"
    ).format(_select(conn))
    try:
        rows = [_row(r) for r in conn.execute(query, (shelter_id, shelter_id)).fetchall()]
    except psycopg.errors.UndefinedTable:
        return []
    if rows:
        history = conn.execute(
            "SELECT shelter_id, revision, changed_at FROM kasane.shelter_status_history"
            " WHERE shelter_id = ANY(%s) ORDER BY shelter_id, revision",
            ([r.shelter_id for r in rows],),
        ).fetchall()
        by_id: dict[str, list[tuple[int, datetime]]] = {}
        for shelter_id, revision, changed_at in history:
            by_id.setdefault(str(shelter_id), []).append((int(revision), changed_at))
        for r in rows:
            r.history = by_id.get(r.shelter_id, [])
    return rows


MAP_LIMIT = 2000


def in_bbox(
    conn: Conn, bbox: tuple[float, float, float, float], limit: int = MAP_LIMIT
) -> tuple[list[ShelterRow], bool]:
    """Shelters inside ``bbox`` (min lon, min lat, max lon, max lat) with their live status,
    for map markers, and whether more than ``limit`` matched (then only ``limit`` are given)."""
    query = sql.SQL(
        "{} WHERE s.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) ORDER BY s.fid LIMIT %s"
    ).format(_select(conn))
    try:
        rows = conn.execute(query, (*bbox, limit + 1)).fetchall()
    except psycopg.errors.UndefinedTable:
        raise NotFound("the shelters layer is not loaded") from None
    return [_row(r) for r in rows[:limit]], len(rows) > limit


BOARD_STATES = ("not_opened", "open", "crowded", "full", "closed")
BOARD_LIMIT = 1000


def board_state(status: str, crowding: str) -> str:
    """The one word the shelter board shows: open / crowded / full for an open shelter by
    its crowding, else the L-Alert status."""
    if status in ("open", "permanent"):
        return crowding if crowding in ("crowded", "full") else "open"
    return status


def board(
    conn: Conn,
    lg_code: str,
    *,
    hazard: str | None = None,
    state: str | None = None,
    text: str | None = None,
) -> list[tuple[ShelterRow, int | None]]:
    """One municipality's shelters for the staff board, with their evacuee counts: those
    serving ``hazard``, in board ``state``, whose name or address contains ``text``."""
    if hazard is not None and hazard not in HAZARDS:
        raise BadRequest(f"unknown hazard {hazard!r}")
    if state is not None and state not in BOARD_STATES:
        raise BadRequest(f"unknown state {state!r}; use one of {', '.join(BOARD_STATES)}")
    flt = ShelterFilter(lg_code=lg_code, hazard=hazard)
    where, params = _where(flt)
    if text:
        where = sql.SQL("{} AND (strpos(s.name, %s) > 0 OR strpos(coalesce(s.address, ''), %s)"
                        " > 0)").format(where)  # fmt: skip
        params += [text, text]
    query = sql.SQL("{} WHERE {} ORDER BY {}, s.fid LIMIT %s").format(
        _select(conn), where, sql.SQL(SORTS["name"])
    )
    try:
        rows = [_row(r) for r in conn.execute(query, [*params, BOARD_LIMIT]).fetchall()]
    except psycopg.errors.UndefinedTable:
        raise NotFound("the shelters layer is not loaded") from None
    counts = dict(
        conn.execute(
            "SELECT shelter_id, evacuees FROM kasane.shelter_status WHERE lg_code = %s",
            (lg_code,),
        ).fetchall()
    )
    if state is not None:
        rows = [r for r in rows if board_state(r.status, r.crowding) == state]
    return [(r, counts.get(r.shelter_id)) for r in rows]


def summary(conn: Conn) -> list[dict[str, Any]]:
    """Per municipality: shelters, how many are open / crowded / full, and evacuees (the
    disaster headquarters' view)."""
    try:
        rows = conn.execute(
            sql.SQL(
                "SELECT s.lg_code, count(*),"
                " count(*) FILTER (WHERE st.status IN ('open', 'permanent')),"
                " count(*) FILTER (WHERE st.status IN ('open', 'permanent')"
                "   AND st.crowding = 'crowded'),"
                " count(*) FILTER (WHERE st.status IN ('open', 'permanent')"
                "   AND st.crowding = 'full'),"
                " coalesce(sum(st.evacuees) FILTER (WHERE st.status IN ('open', 'permanent')), 0)"
                " FROM {} s LEFT JOIN kasane.shelter_status st ON st.shelter_id = s.shelter_id"
                " GROUP BY s.lg_code ORDER BY s.lg_code"
            ).format(SHELTERS)
        ).fetchall()
    except psycopg.errors.UndefinedTable:
        return []
    names = dict(municipalities(conn))
    keys = ("shelters", "open", "crowded", "full", "evacuees")
    return [
        {
            "lg_code": r[0],
            "name": names.get(r[0], r[0]),
            **dict(zip(keys, map(int, r[1:]), strict=True)),
        }
        for r in rows
    ]
