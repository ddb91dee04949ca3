"""The shelter board (a disaster day on a phone): one municipality's shelters with one-tap
state controls, bulk changes after a confirmation, and the prefecture's live summary.

Every change goes through :func:`gis.residents.shelter_status.change_and_record`, the same
function as ``PUT /api/shelters/{id}/status`` (rules, history, audit), and then tells this
process's remembered answers; PostgreSQL's NOTIFY tells every other process, so the public
map, ``/shelters`` and the CAP/JSON feeds show it at once. A shelter the user may not change
is a 404, the same as an unknown id.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for

from gis.geo.lg_codes import is_prefecture
from gis.platform.auth import Principal, Role
from gis.platform.errors import BadRequest, NotFound
from gis.residents import shelter_list, shelter_status
from gis.residents.shelters import HAZARDS
from webmap import db
from webmap import served_versions as served
from webmap.staff.session import bp, signed_in

# What each one-tap button sets: (L-Alert status, crowding).
STATES: dict[str, tuple[str, str]] = {
    "open": ("open", "vacant"),
    "crowded": ("open", "crowded"),
    "full": ("open", "full"),
    "closed": ("closed", "unknown"),
    "not_opened": ("not_opened", "unknown"),
}
STATE_LABELS = {
    "open": ("開設（空きあり）", "Open"),
    "crowded": ("混雑", "Crowded"),
    "full": ("満員", "Full"),
    "closed": ("閉鎖", "Closed"),
    "not_opened": ("未開設", "Not opened"),
}
MAX_BULK = 500


def _municipality(who: Principal, asked: str | None) -> str:
    """The municipality whose board is shown: one's own, or (prefecture staff) any."""
    if is_prefecture(who.org_code):
        if asked and asked.isdigit() and len(asked) == 6:
            return asked
        return ""
    if asked and asked != who.org_code:
        raise NotFound("no such municipality on your board")
    return who.org_code


def _parse_state(value: str | None) -> str:
    if value not in STATES:
        raise BadRequest(f"unknown state {value!r}; use one of {', '.join(STATES)}")
    return value


def _evacuees(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise BadRequest("the evacuee count must be a whole number (or left empty)")
    return int(text)


def _change(state: str, evacuees: int | None) -> shelter_status.StatusChange:
    status, crowding = STATES[state]
    return shelter_status.StatusChange(status=status, crowding=crowding, evacuees=evacuees)


def _editable(conn: Any, who: Principal, shelter_id: str) -> str:
    """The shelter's municipality when ``who`` may change it; else the 404 of an unknown id."""
    try:
        owner = shelter_status.shelter_owner(conn, shelter_id)
    except NotFound:
        owner = None
    if owner is None or not who.can_edit(owner):
        raise NotFound(f"no shelter with id {shelter_id!r}")
    return owner


def _filters() -> dict[str, str | None]:
    values = request.values
    return {k: (values.get(k) or "").strip() or None for k in ("hazard", "state", "q")}


@bp.get("/shelters")
def shelters() -> Any:
    """The board: filters, one row per shelter with its state and one-tap controls."""
    who = signed_in()
    lg_code = _municipality(who, request.args.get("lg_code"))
    flt = _filters()
    with db.connection() as conn:
        munis = shelter_list.municipalities(conn)
        rows = (
            shelter_list.board(conn, lg_code, hazard=flt["hazard"], state=flt["state"],
                               text=flt["q"])
            if lg_code else []
        )  # fmt: skip
    if lg_code and lg_code not in dict(munis):
        raise NotFound("no such municipality on your board")
    done = request.args.get("done")
    return render_template(
        "staff/board.html", who=who, lg_code=lg_code, flt=flt, rows=rows,
        municipalities=munis, hazards=HAZARDS, states=STATE_LABELS,
        board_state=shelter_list.board_state, can_edit=lg_code and who.can_edit(lg_code),
        prefecture=is_prefecture(who.org_code), done=done,
    )  # fmt: skip


def _back(lg_code: str, **extra: Any) -> Any:
    params: dict[str, Any] = {k: v for k, v in _filters().items() if v}
    return redirect(url_for("staff.shelters", lg_code=lg_code, **params, **extra), 303)


@bp.post("/shelters/<shelter_id>/state")
def set_state(shelter_id: str) -> Any:
    """One tap: set a shelter's state (and evacuee count), then back to the board."""
    who = signed_in()
    state = _parse_state(request.form.get("to"))
    change = _change(state, _evacuees(request.form.get("evacuees")))
    with db.connection() as conn:
        owner = _editable(conn, who, shelter_id)
        shelter_status.change_and_record(conn, who, shelter_id, change)
    served.tracker_for(current_app).status_changed()
    return _back(owner, done=f"{shelter_id}:{state}", _anchor=f"s-{shelter_id}")


@bp.post("/shelters/bulk")
def bulk() -> Any:
    """Set the state of every shelter the board's filters show: first a confirmation page
    naming them, then (``confirm``) the change of exactly those shelters."""
    who = signed_in()
    lg_code = _municipality(who, request.form.get("lg_code"))
    target = _parse_state(request.form.get("target"))
    if not lg_code or not who.can_edit(lg_code):
        raise NotFound("no such municipality on your board")
    flt = _filters()
    if request.form.get("confirm") != "yes":
        with db.connection() as conn:
            rows = shelter_list.board(conn, lg_code, hazard=flt["hazard"], state=flt["state"],
                                      text=flt["q"])  # fmt: skip
        return render_template("staff/bulk_confirm.html", who=who, lg_code=lg_code, flt=flt,
                               rows=rows[:MAX_BULK], target=target, states=STATE_LABELS,
                               hazards=HAZARDS, cancel=_back(lg_code).location)  # fmt: skip
    ids = request.form.getlist("shelter_id")[:MAX_BULK]
    with db.connection() as conn, conn.transaction():
        for shelter_id in ids:
            if _editable(conn, who, shelter_id) != lg_code:
                raise NotFound(f"no shelter with id {shelter_id!r}")
            shelter_status.change_and_record(conn, who, shelter_id, _change(target, None))
    served.tracker_for(current_app).status_changed()
    return _back(lg_code, done=f"bulk:{target}:{len(ids)}")


@bp.get("/summary")
def summary() -> Any:
    """The prefecture's live view: per municipality, shelters open / crowded / full and
    evacuees (prefecture staff only)."""
    who = signed_in()
    if not is_prefecture(who.org_code):
        raise NotFound("no such page")
    with db.connection() as conn:
        rows = shelter_list.summary(conn)
    totals = {k: sum(r[k] for r in rows) for k in ("shelters", "open", "crowded", "full",
                                                   "evacuees")}  # fmt: skip
    return render_template("staff/summary.html", who=who, rows=rows, totals=totals,
                           admin=who.role == Role.ADMIN)  # fmt: skip
