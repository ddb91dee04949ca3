"""People: an organisation's admin lists, disables and changes the roles of its users, and
issues (shown once) and revokes their API tokens; the prefecture's admins for any
municipality. Every change is in the audit log."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from gis.geo.lg_codes import is_prefecture
from gis.platform import audit, people
from gis.platform.auth import Principal, Role, parse_role
from gis.platform.errors import BadRequest, NotFound
from webmap import db
from webmap.staff.session import bp, signed_in


def _admin() -> Principal:
    who = signed_in()
    if who.role != Role.ADMIN:
        raise NotFound("no such page")
    return who


def _org(who: Principal, value: str | None) -> str:
    return (value or "").strip() or who.org_code


def _id(value: str) -> int:
    if not value.isdigit():
        raise BadRequest("a user or token id is a whole number")
    return int(value)


def _page(who: Principal, org: str, token: str | None = None, owner: str | None = None) -> Any:
    with db.connection() as conn:
        found = people.members(conn, who, org)
    return render_template(
        "staff/people.html",
        who=who,
        org=org,
        members=found,
        roles=list(Role),
        token=token,
        owner=owner,
        prefecture=is_prefecture(who.org_code),
    )


@bp.get("/people")
def people_view() -> Any:
    """The members of one organisation (one's own, or any for the prefecture's admins)."""
    who = _admin()
    return _page(who, _org(who, request.args.get("org")))


@bp.post("/people/<user_id>/<action>")
def people_change(user_id: str, action: str) -> Any:
    """``role``, ``disable`` or ``token`` (a new API token, shown once on the answer)."""
    who = _admin()
    target = _id(user_id)
    org = _org(who, request.form.get("org"))
    with db.connection() as conn, conn.transaction():
        if action == "role":
            role = parse_role(request.form.get("role", ""))
            name = people.set_role(conn, who, target, role)
            audit.record(conn, who, "staff.user.role", f"users/{name}", after={"role": role.value})
        elif action == "disable":
            name = people.disable(conn, who, target)
            audit.record(conn, who, "staff.user.disable", f"users/{name}")
        elif action == "token":
            name, token = people.new_token(conn, who, target)
            audit.record(conn, who, "staff.token.issue", f"users/{name}")
        else:
            raise NotFound("no such action")
    if action == "token":
        return _page(who, org, token=token, owner=name)
    return redirect(url_for("staff.people_view", org=org), 303)


@bp.post("/tokens/<token_id>/revoke")
def token_revoke(token_id: str) -> Any:
    """Revoke one API token of a member."""
    who = _admin()
    org = _org(who, request.form.get("org"))
    with db.connection() as conn, conn.transaction():
        name = people.revoke_token(conn, who, _id(token_id))
        audit.record(conn, who, "staff.token.revoke", f"users/{name}", after={"token": token_id})
    return redirect(url_for("staff.people_view", org=org), 303)
