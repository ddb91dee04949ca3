"""The audit log viewer: organisation admins read their organisation's entries, the
prefecture's admins everyone's; filter by organisation, user, action, layer and dates; CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Response, render_template, request

from gis.geo.lg_codes import is_prefecture
from gis.platform import audit
from gis.platform.auth import Principal, Role
from gis.platform.errors import BadRequest, NotFound
from webmap import db
from webmap.staff.session import bp, signed_in

PAGE = 200
JST = timedelta(hours=9)


def _day(name: str) -> datetime | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name} must be a date such as 2025-09-02, not {text!r}") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - JST  # the day in Japan


def _query(who: Principal) -> dict[str, Any]:
    """The filters of this request, scoped to what ``who`` may read."""
    if who.role != Role.ADMIN:
        raise NotFound("no such page")
    args = request.args
    org = (args.get("org") or "").strip() or None
    if not is_prefecture(who.org_code):
        if org and org != who.org_code:
            raise NotFound("no such organisation in your log")
        org = who.org_code
    until = _day("until")
    layer = (args.get("layer") or "").strip()
    return {
        "org": org,
        "actor": (args.get("user") or "").strip() or None,
        "action": (args.get("action") or "").strip() or None,
        "target": f"layers/{layer}" if layer else None,
        "since": _day("since"),
        "until": until + timedelta(days=1) if until else None,  # the whole last day
    }


@bp.get("/audit")
def audit_view() -> Any:
    """The newest entries matching the filters."""
    who = signed_in()
    query = _query(who)
    with db.connection() as conn:
        found = audit.entries(conn, limit=PAGE, **query)
    return render_template("staff/audit.html", who=who, entries=found, args=request.args,
                           prefecture=is_prefecture(who.org_code), page=PAGE)  # fmt: skip


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)


@bp.get("/audit.csv")
def audit_csv() -> Response:
    """The same entries as CSV (UTF-8 with a BOM, so spreadsheet programs read Japanese)."""
    who = signed_in()
    query = _query(who)
    with db.connection() as conn:
        found = audit.entries(conn, limit=audit.MAX_ENTRIES, **query)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "actor", "organisation", "action", "target", "before", "after"])
    for e in found:
        changes = [_json(e.before), _json(e.after)]
        writer.writerow([e.at.isoformat(), e.actor, e.org_code or "", e.action, e.target, *changes])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="kasane-audit.csv"'
    return response
