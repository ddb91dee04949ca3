"""Live shelter status (L-Alert 開設状況 and 混雑状況) with an append-only history.

The status lives in ``kasane.shelter_status`` keyed by the shelters layer's ``shelter_id``,
not in the versioned layer, so reloading the shelter list keeps it. Every change is appended
to ``kasane.shelter_status_history`` with the user, the organisation, the time and old -> new.
A shelter without a row has never been reported: it counts as 未開設 (not opened).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from gis.layerstore.storage import layer_view
from gis.platform import audit
from gis.platform.auth import Principal
from gis.platform.errors import BadRequest, NotFound
from gis.platform.languages import Msg

Conn = psycopg.Connection[Any]
SHELTERS_VIEW = layer_view("shelters")

# L-Alert 開設状況 (pcx_sh:Sort), in the order L-Alert lists them.
STATUSES: dict[str, dict[str, str]] = {
    "not_opened": Msg("未開設", "Not opened"),
    "open": Msg("開設", "Open"),
    "closed": Msg("閉鎖", "Closed"),
    "unknown": Msg("不明", "Unknown"),
    "permanent": Msg("常設", "Always open"),
}
# L-Alert 混雑状況 (pcx_sh:Status).
CROWDING: dict[str, dict[str, str]] = {
    "vacant": Msg("空き", "Space available"),
    "crowded": Msg("混雑", "Crowded"),
    "full": Msg("定員一杯", "Full"),
    "unknown": Msg("不明", "Unknown"),
}
DISTRIBUTIONS = ("Actual", "Exercise", "Test")
OPEN_STATES = ("open", "permanent")  # a resident can go there now
DEFAULT_STATUS = "not_opened"
MAX_NOTE = 500
MAX_EVACUEES = 1_000_000


def _parse(value: object, vocabulary: dict[str, dict[str, str]], what: str) -> str:
    """Accept the English key or the Japanese L-Alert word."""
    text = str(value).strip() if value is not None else ""
    if text in vocabulary:
        return text
    for key, labels in vocabulary.items():
        if text == labels["ja"]:
            return key
    choices = ", ".join(f"{k} ({v['ja']})" for k, v in vocabulary.items())
    raise BadRequest(f"unknown {what} {text!r}; use one of {choices}")


def parse_status(value: object) -> str:
    """``'open'`` or ``'開設'`` -> ``'open'``; other values are a :class:`BadRequest`."""
    return _parse(value, STATUSES, "status")


def parse_crowding(value: object) -> str:
    """``'crowded'`` or ``'混雑'`` -> ``'crowded'``."""
    return _parse(value, CROWDING, "crowding")


@dataclass(frozen=True)
class StatusChange:
    """What a caller asks to set."""

    status: str
    crowding: str = "unknown"
    note: str | None = None
    distribution: str = "Actual"
    evacuees: int | None = None

    def __post_init__(self) -> None:
        if self.evacuees is not None and not 0 <= self.evacuees <= MAX_EVACUEES:
            raise BadRequest(f"evacuees must be a count from 0 to {MAX_EVACUEES}")

    @classmethod
    def from_json(cls, body: object) -> StatusChange:
        """Validate a request body such as ``{"status": "open", "crowding": "空き"}``."""
        if not isinstance(body, dict) or "status" not in body:
            raise BadRequest('the body must be a JSON object with at least "status"')
        unknown = set(body) - {"status", "crowding", "note", "distribution", "evacuees"}
        if unknown:
            raise BadRequest(f"unknown keys in the body: {', '.join(sorted(unknown))}")
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            raise BadRequest(f"note must be text of at most {MAX_NOTE} characters")
        distribution = str(body.get("distribution", "Actual"))
        if distribution not in DISTRIBUTIONS:
            raise BadRequest(f"distribution must be one of {', '.join(DISTRIBUTIONS)}")
        evacuees = body.get("evacuees")
        if evacuees is not None and (type(evacuees) is not int):
            raise BadRequest("evacuees must be a whole number")
        return cls(
            status=parse_status(body["status"]),
            crowding=parse_crowding(body.get("crowding", "unknown")),
            note=note.strip() or None if isinstance(note, str) else None,
            distribution=distribution,
            evacuees=evacuees,
        )


@dataclass(frozen=True)
class ShelterStatus:
    """The current status of one shelter."""

    shelter_id: str
    lg_code: str
    status: str
    crowding: str
    note: str | None
    distribution: str
    revision: int
    opened_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    updated_by: str
    org_code: str

    def to_json(self) -> dict[str, Any]:
        """JSON with both labels of status and crowding."""
        return {
            "shelter_id": self.shelter_id,
            "lg_code": self.lg_code,
            "status": self.status,
            "status_label": STATUSES[self.status],
            "crowding": self.crowding,
            "crowding_label": CROWDING[self.crowding],
            "note": self.note,
            "distribution": self.distribution,
            "revision": self.revision,
            "opened_at": _iso(self.opened_at),
            "closed_at": _iso(self.closed_at),
            "updated_at": _iso(self.updated_at),
            "updated_by": self.updated_by,
            "organisation": self.org_code,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_SELECT_STATUS = (
    "SELECT s.shelter_id, s.lg_code, s.status, s.crowding, s.note, s.distribution, s.revision,"
    " s.opened_at, s.closed_at, s.updated_at, u.name, u.org_code"
    " FROM kasane.shelter_status s JOIN kasane.users u ON u.id = s.updated_by"
)


def _status_row(row: Any) -> ShelterStatus:
    return ShelterStatus(*row)


def shelter_owner(conn: Conn, shelter_id: str) -> str:
    """The local-government code of a served shelter; :class:`NotFound` if there is none."""
    try:
        row = conn.execute(
            sql.SQL("SELECT lg_code FROM {} WHERE shelter_id = %s LIMIT 1").format(SHELTERS_VIEW),
            (shelter_id,),
        ).fetchone()
    except psycopg.errors.UndefinedTable:
        raise NotFound("the shelters layer is not loaded") from None
    if row is None:
        raise NotFound(f"no shelter with id {shelter_id!r}")
    return str(row[0])


def current(conn: Conn, shelter_id: str) -> ShelterStatus | None:
    """The shelter's current status, or None when it was never reported."""
    row = conn.execute(_SELECT_STATUS + " WHERE s.shelter_id = %s", (shelter_id,)).fetchone()
    return _status_row(row) if row else None


def set_status(
    conn: Conn, principal: Principal, shelter_id: str, change: StatusChange
) -> ShelterStatus:
    """Record a change by ``principal`` (who must be allowed to edit the shelter's municipality).

    Runs in one transaction: the row is locked, the history appended, the state replaced.
    """
    lg_code = shelter_owner(conn, shelter_id)
    principal.require_edit(lg_code)
    with conn.transaction():
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('kasane.shelter'), hashtext(%s))", (shelter_id,)
        )
        before = current(conn, shelter_id)
        old_status = before.status if before else None
        last = conn.execute(
            "SELECT coalesce(max(revision), 0) FROM kasane.shelter_status_history"
            " WHERE shelter_id = %s",
            (shelter_id,),
        ).fetchone()
        revision = int(last[0]) + 1 if last else 1
        now_row = conn.execute("SELECT now()").fetchone()
        assert now_row is not None
        now: datetime = now_row[0]
        opened_at = before.opened_at if before else None
        closed_at = before.closed_at if before else None
        if change.status == "open" and old_status != "open":
            opened_at, closed_at = now, None
        elif change.status == "closed" and old_status != "closed":
            closed_at = now
        conn.execute(
            "INSERT INTO kasane.shelter_status_history (shelter_id, revision, lg_code,"
            " old_status, new_status, old_crowding, new_crowding, note, distribution,"
            " changed_at, user_id, user_name, org_code, evacuees)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                shelter_id,
                revision,
                lg_code,
                old_status,
                change.status,
                before.crowding if before else None,
                change.crowding,
                change.note,
                change.distribution,
                now,
                principal.user_id,
                principal.name,
                principal.org_code,
                change.evacuees,
            ),
        )
        conn.execute(
            "INSERT INTO kasane.shelter_status AS s (shelter_id, lg_code, status, crowding, note,"
            " distribution, revision, opened_at, closed_at, updated_at, updated_by, evacuees)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (shelter_id) DO UPDATE SET lg_code = EXCLUDED.lg_code,"
            " status = EXCLUDED.status, crowding = EXCLUDED.crowding, note = EXCLUDED.note,"
            " distribution = EXCLUDED.distribution, revision = EXCLUDED.revision,"
            " opened_at = EXCLUDED.opened_at, closed_at = EXCLUDED.closed_at,"
            " updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by,"
            " evacuees = EXCLUDED.evacuees",
            (
                shelter_id,
                lg_code,
                change.status,
                change.crowding,
                change.note,
                change.distribution,
                revision,
                opened_at,
                closed_at,
                now,
                principal.user_id,
                change.evacuees,
            ),
        )
    result = current(conn, shelter_id)
    assert result is not None
    return result


def _summary(state: ShelterStatus) -> dict[str, Any]:
    return {"status": state.status, "crowding": state.crowding, "revision": state.revision}


def change_and_record(
    conn: Conn, principal: Principal, shelter_id: str, change: StatusChange
) -> ShelterStatus:
    """:func:`set_status` and its audit entry in one transaction: the one way a person's
    change is made, whether it comes from the API or the staff console."""
    with conn.transaction():
        before = current(conn, shelter_id)
        state = set_status(conn, principal, shelter_id, change)
        after = {**_summary(state), "evacuees": change.evacuees}
        audit.record(conn, principal, "shelter.status", f"shelters/{shelter_id}",
                     before=before and _summary(before), after=after)  # fmt: skip
    return state


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change."""

    revision: int
    old_status: str | None
    new_status: str
    old_crowding: str | None
    new_crowding: str
    note: str | None
    distribution: str
    changed_at: datetime
    user_name: str
    org_code: str

    def to_json(self) -> dict[str, Any]:
        """JSON for the history endpoint."""
        return {**self.__dict__, "changed_at": self.changed_at.isoformat()}


def history(conn: Conn, shelter_id: str) -> list[HistoryEntry]:
    """Every change of a shelter's status, oldest first."""
    rows = conn.execute(
        "SELECT revision, old_status, new_status, old_crowding, new_crowding, note,"
        " distribution, changed_at, user_name, org_code FROM kasane.shelter_status_history"
        " WHERE shelter_id = %s ORDER BY revision",
        (shelter_id,),
    ).fetchall()
    return [HistoryEntry(*row) for row in rows]
