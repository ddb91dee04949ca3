"""Saved draft routes (``kasane.transit_drafts``): each belongs to the organisation of the
user who saved it. Members of that organisation list and export them; editors and admins
save and delete; saving for a municipality needs the right to edit its data
(:meth:`gis.platform.auth.Principal.can_edit`), so a prefecture's admins may save for any of its
municipalities."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from psycopg.types.json import Jsonb

from gis.layerstore.storage import Conn
from gis.platform.auth import Principal, Role
from gis.platform.errors import Forbidden, NotFound
from gis.transit.drafts import Draft
from gis.transit.request import TransitRequest

_COLUMNS = ("id, org_code, lg_code, name, departures_per_day, features, parameters, result,"
            " created_by, created_at")  # fmt: skip


def _parameters(req: TransitRequest) -> dict[str, Any]:
    values = asdict(req)
    values["service_date"] = req.service_date.isoformat()
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def save(
    conn: Conn, who: Principal, req: TransitRequest, draft: Draft, result: dict[str, Any]
) -> dict[str, Any]:
    """Store an evaluated draft for the caller's organisation; returns it as listed."""
    if who.role == Role.VIEWER:
        raise Forbidden(f"user {who.name!r} is a viewer and may not save drafts")
    who.require_edit(req.lg_code)
    row = conn.execute(
        "INSERT INTO kasane.transit_drafts (org_code, lg_code, name, departures_per_day,"
        " features, parameters, result, created_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        f" RETURNING {_COLUMNS}",
        (who.org_code, req.lg_code, draft.name, draft.departures_per_day,
         Jsonb(draft.features()), Jsonb(_parameters(req)), Jsonb(result), who.name),
    ).fetchone()  # fmt: skip
    assert row is not None
    return _record(row)


def _record(row: Any) -> dict[str, Any]:
    keys = [k.strip() for k in _COLUMNS.split(",")]
    record = dict(zip(keys, row, strict=True))
    record["created_at"] = record["created_at"].isoformat()
    return record


def list_drafts(conn: Conn, who: Principal) -> list[dict[str, Any]]:
    """The caller's organisation's drafts, newest first (without their geometry)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM kasane.transit_drafts WHERE org_code = %s"
        " ORDER BY created_at DESC, id DESC",
        (who.org_code,),
    ).fetchall()
    out = []
    for row in rows:
        record = _record(row)
        record.pop("features")
        out.append(record)
    return out


def get_draft(conn: Conn, who: Principal, draft_id: int) -> dict[str, Any]:
    """One draft of the caller's organisation; NotFound otherwise (also for other orgs')."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM kasane.transit_drafts WHERE id = %s AND org_code = %s",
        (draft_id, who.org_code),
    ).fetchone()
    if row is None:
        raise NotFound(f"no draft {draft_id} in organisation {who.org_code}")
    return _record(row)


def delete_draft(conn: Conn, who: Principal, draft_id: int) -> None:
    """Delete a draft of the caller's organisation (editors and admins)."""
    get_draft(conn, who, draft_id)
    if who.role == Role.VIEWER:
        raise Forbidden(f"user {who.name!r} is a viewer and may not delete drafts")
    conn.execute("DELETE FROM kasane.transit_drafts WHERE id = %s", (draft_id,))


def as_geojson(record: dict[str, Any]) -> dict[str, Any]:
    """A saved draft as a FeatureCollection; its figures and parameters as foreign members."""
    return {
        "type": "FeatureCollection",
        "name": record["name"],
        "departures_per_day": record["departures_per_day"],
        "lg_code": record["lg_code"],
        "parameters": record["parameters"],
        "result": record["result"],
        "created_at": record["created_at"],
        "features": record["features"],
    }
