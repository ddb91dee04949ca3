"""The audit log: an append-only record of every write (who, organisation, what, when, and a
summary of before and after). Callers record in the same transaction as the change, so a
change that rolls back leaves no entry and no change goes unrecorded; the table refuses
UPDATE, DELETE and TRUNCATE (migration 0800)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from gis.platform.auth import Principal
from gis.platform.errors import BadRequest

Conn = psycopg.Connection[Any]
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class AuditEntry:
    """One recorded write."""

    id: int
    at: datetime
    actor: str
    org_code: str | None
    action: str
    target: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON-ready values."""
        return {**self.__dict__, "at": self.at.isoformat()}


def record(
    conn: Conn,
    who: Principal | str,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry; ``who`` is the API caller or a label such as ``cli:alice``."""
    if isinstance(who, Principal):
        actor, user_id, org = who.name, who.user_id, who.org_code
    else:
        actor, user_id, org = who, None, None
    conn.execute(
        "INSERT INTO kasane.audit_log (actor, user_id, org_code, action, target, before, after)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (actor, user_id, org, action, target,
         None if before is None else Jsonb(before), None if after is None else Jsonb(after)),
    )  # fmt: skip


def entries(
    conn: Conn,
    *,
    limit: int = 50,
    org: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    target: str | None = None,
) -> list[AuditEntry]:
    """The newest entries first, optionally of one organisation, action (prefix), period
    (``since`` inclusive, ``until`` exclusive), actor or target."""
    if not 1 <= limit <= MAX_ENTRIES:
        raise BadRequest(f"limit must be from 1 to {MAX_ENTRIES}, not {limit}")
    rows = conn.execute(
        "SELECT id, at, actor, org_code, action, target, before, after FROM kasane.audit_log"
        " WHERE (%(org)s::text IS NULL OR org_code = %(org)s)"
        " AND (%(action)s::text IS NULL OR action LIKE %(action)s || '%%')"
        " AND (%(since)s::timestamptz IS NULL OR at >= %(since)s)"
        " AND (%(until)s::timestamptz IS NULL OR at < %(until)s)"
        " AND (%(actor)s::text IS NULL OR actor = %(actor)s)"
        " AND (%(target)s::text IS NULL OR target = %(target)s)"
        " ORDER BY id DESC LIMIT %(limit)s",
        {
            "org": org,
            "action": action,
            "since": since,
            "until": until,
            "actor": actor,
            "target": target,
            "limit": limit,
        },
    ).fetchall()
    return [AuditEntry(*row) for row in rows]


def publishers(conn: Conn, layer_id: str) -> dict[int, str]:
    """Who loaded each version of a layer (by version number), from the log."""
    rows = conn.execute(
        "SELECT (after->>'version')::int, actor FROM kasane.audit_log WHERE target = %s"
        " AND action IN ('layer.upload', 'layer.load') AND after ? 'version' ORDER BY id",
        (f"layers/{layer_id}",),
    ).fetchall()
    return {int(r[0]): str(r[1]) for r in rows if r[0] is not None}
