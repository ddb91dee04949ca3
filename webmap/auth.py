"""Who is calling: an API token (``Authorization: Bearer <token>``) or a staff console session.

Views that change data through the API call :func:`require_principal` (tokens only, so a
cross-site form can never write with a browser's cookie); a missing or bad token answers 401
problem+json with a ``WWW-Authenticate: Bearer`` challenge, a known user without the right
answers 403. Reads (:func:`webmap.access.caller`) also accept a signed-in console session,
whose principal is the same :class:`~gis.platform.auth.Principal` a token gives.

Every write (POST, PUT, PATCH, DELETE) is authenticated before its view runs, so before its
body is read or validated: an anonymous caller learns nothing about what a valid body looks
like, and a viewer (who may write nothing) gets 403 at once. Only the body size cap comes
first (Flask refuses a larger body when it is read). :data:`ANONYMOUS_WRITES` lists the POSTs
that change nothing (they compute an answer from the body). The staff console's POSTs
(``staff.*``) are authenticated by its session, also before the body is read, and carry a
CSRF token (:mod:`webmap.staff.session`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, request

from gis.platform import auth, sessions
from gis.platform.errors import Forbidden, Unauthorized
from webmap import context, db, errors

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ANONYMOUS_WRITES = {"transit_api.evaluate_draft"}  # evaluates a draft route, saves nothing
SESSION_COOKIE = "kasane_staff"


def bearer_token() -> str | None:
    """The token of the ``Authorization: Bearer`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        if header:
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        return None
    return token.strip()


def require_principal(conn: Any) -> auth.Principal:
    """The signed-in caller of this request (looked up once per request)."""
    cached: auth.Principal | None = g.get("kasane_principal")
    if cached is None:
        cached = auth.authenticate(conn, bearer_token())
        g.kasane_principal = cached
    return cached


def _authenticate_writes() -> None:
    """Authenticate a write before its view reads the body (see the module doc)."""
    if request.method not in WRITE_METHODS or request.endpoint in ANONYMOUS_WRITES:
        return
    if request.endpoint is None:  # no such route: the 404/405 comes without a lookup
        return
    if request.endpoint.startswith("staff."):  # the console checks its session and CSRF token
        return
    with db.connection() as conn:
        who = require_principal(conn)
    if who.role == auth.Role.VIEWER:
        raise Forbidden(f"user {who.name!r} is a viewer and may not change data")


def authenticate_writes_first(app: Flask) -> None:
    """Authenticate every write before its view (after the rate limits and input guards)."""
    app.before_request(_authenticate_writes)


def carries_credentials(environ: dict[str, Any]) -> bool:
    """True when a WSGI request carries a token or a staff session cookie: the fast path then
    hands it to Flask, so an answer that shows restricted layers is never remembered or
    given to anyone else."""
    cookies = environ.get("HTTP_COOKIE", "")
    return bool(environ.get("HTTP_AUTHORIZATION")) or f"{SESSION_COOKIE}=" in cookies


def session_value() -> str | None:
    """The staff session cookie of this request, if any."""
    return request.cookies.get(SESSION_COOKIE) or None


def session_principal() -> auth.Principal | None:
    """The user signed in to the staff console (looked up once per request), or None when
    there is no session or it has ended (signed out, idle, too old, user revoked)."""
    if "kasane_session_principal" in g:
        cached: auth.Principal | None = g.kasane_session_principal
        return cached
    found = None
    value = session_value()
    if value:
        settings = context.settings()
        with db.connection() as conn:
            found = sessions.principal(
                conn,
                value,
                idle=timedelta(minutes=settings.session_idle_minutes),
                absolute=timedelta(hours=settings.session_max_hours),
            )
    g.kasane_session_principal = found
    return found


def init_app(app: Flask) -> None:
    """Add the Bearer challenge to 401 answers."""

    @app.errorhandler(Unauthorized)
    def _unauthorized(exc: Unauthorized) -> Response:
        response = errors.problem(exc.status, exc.code, str(exc), exc.code)
        response.headers["WWW-Authenticate"] = 'Bearer realm="kasane"'
        return response
