"""Sign-in, sign-out, password change and one-time invitation links of the staff console."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, redirect, render_template, request, session, url_for

from gis.geo.lg_codes import is_prefecture
from gis.platform import audit, invitations, passwords, sessions
from gis.platform.auth import Principal, Role, parse_org_code, parse_role
from gis.platform.errors import BadRequest, KasaneError, NotFound
from webmap import db
from webmap.auth import session_principal, session_value
from webmap.staff.session import (
    bp,
    clear_session_cookie,
    client_digest,
    end_current,
    safe_next,
    set_session_cookie,
    signed_in,
)


def _begin(conn: Any, who: Principal, target: str) -> Response:
    """Start a fresh session for ``who`` (new cookie value, new CSRF secret) and go on."""
    sessions.end(conn, session_value())  # a session carried in from before ends here
    value = sessions.start(conn, who)
    audit.record(conn, who, "staff.sign_in", f"users/{who.name}")
    response = make_response(redirect(target, 303))
    session.clear()
    set_session_cookie(response, value)
    return response


@bp.get("/")
def home() -> Any:
    """What the signed-in user can do here."""
    who = signed_in()
    return render_template("staff/home.html", who=who, prefecture=is_prefecture(who.org_code),
                           admin=who.role == Role.ADMIN)  # fmt: skip


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """The sign-in form; a wrong name or password says so without saying which."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if session_principal() is not None:
            return redirect(target, 303)
        return render_template("staff/sign_in.html", next=target, error=None, name="")
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    try:
        with db.connection() as conn:
            who = passwords.verify(
                conn, name, password, passwords.Throttle.of(name, client_digest())
            )
            return _begin(conn, who, target)
    except (passwords.SignInFailed, passwords.SignInThrottled) as exc:
        page = render_template("staff/sign_in.html", next=target, error=exc, name=name)
        response = make_response(page, exc.status)
        if isinstance(exc, passwords.SignInThrottled):
            response.headers["Retry-After"] = str(exc.retry_after_s)
        return response


@bp.post("/sign-out")
def sign_out() -> Response:
    """End the session on the server at once, and forget the cookies."""
    who = session_principal()
    with db.connection() as conn:
        if who is not None:
            audit.record(conn, who, "staff.sign_out", f"users/{who.name}")
        end_current(conn)
    response = make_response(redirect(url_for("staff.sign_in", signed_out=1), 303))
    clear_session_cookie(response)
    return response


@bp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    """Change one's own password (every other session of the user ends)."""
    who = signed_in()
    if request.method == "GET":
        return render_template("staff/password.html", who=who, error=None, done=False)
    new = request.form.get("new", "")
    if new != request.form.get("repeat", ""):
        error: KasaneError | None = BadRequest("the two new passwords differ")
    else:
        try:
            with db.connection() as conn, conn.transaction():
                passwords.change_password(conn, who, request.form.get("current", ""), new)
                sessions.end_others(conn, who, session_value())
                audit.record(conn, who, "staff.password", f"users/{who.name}")
            error = None
        except BadRequest as exc:
            error = exc
    page = render_template("staff/password.html", who=who, error=error, done=error is None)
    return page, 400 if error else 200


@bp.route("/invitations", methods=["GET", "POST"])
def invite() -> Any:
    """An admin issues a one-time link for a new member of their organisation (the
    prefecture's admins for any municipality); the link is shown once."""
    who = signed_in()
    if who.role != Role.ADMIN:
        raise NotFound("no such page")
    link = None
    if request.method == "POST":
        org = parse_org_code(request.form.get("org", who.org_code))
        role = parse_role(request.form.get("role", "editor"))
        with db.connection() as conn, conn.transaction():
            token = invitations.invite(conn, who, org, role)
            audit.record(conn, who, "staff.invite", f"organisations/{org}",
                         after={"role": role.value})  # fmt: skip
        link = url_for("staff.join", token=token, _external=True)
    return render_template("staff/invite.html", who=who, link=link, roles=list(Role),
                           prefecture=is_prefecture(who.org_code))  # fmt: skip


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str) -> Any:
    """Accept an invitation: choose a user name and a password, then be signed in."""
    with db.connection() as conn:
        org, role = invitations.pending(conn, token)
        if request.method == "GET":
            return render_template("staff/join.html", org=org, role=role, error=None, name="")
        name = request.form.get("name", "")
        try:
            who = invitations.accept(conn, token, name, request.form.get("password", ""))
        except BadRequest as exc:
            page = render_template("staff/join.html", org=org, role=role, error=exc, name=name)
            return page, 400
        return _begin(conn, who, url_for("staff.home"))
