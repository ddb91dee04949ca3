"""Token authentication for the API: ``Authorization: Bearer <token>``.

Views that change data call :func:`require_principal`; a missing or bad token answers 401
problem+json with a ``WWW-Authenticate: Bearer`` challenge, a known user without the right
answers 403.

Every write (POST, PUT, PATCH, DELETE) is authenticated before its view runs, so before its
body is read or validated: an anonymous caller learns nothing about what a valid body looks
like, and a viewer (who may write nothing) gets 403 at once. Only the body size cap comes
first (Flask refuses a larger body when it is read). :data:`ANONYMOUS_WRITES` lists the POSTs
that change nothing (they compute an answer from the body).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request

from gis.platform import auth
from gis.platform.errors import Forbidden, Unauthorized
from webmap import db, errors

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ANONYMOUS_WRITES = {"transit_api.evaluate_draft"}  # evaluates a draft route, saves nothing


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
    with db.connection() as conn:
        who = require_principal(conn)
    if who.role == auth.Role.VIEWER:
        raise Forbidden(f"user {who.name!r} is a viewer and may not change data")


def authenticate_writes_first(app: Flask) -> None:
    """Authenticate every write before its view (after the rate limits and input guards)."""
    app.before_request(_authenticate_writes)


def init_app(app: Flask) -> None:
    """Add the Bearer challenge to 401 answers."""

    @app.errorhandler(Unauthorized)
    def _unauthorized(exc: Unauthorized) -> Response:
        response = errors.problem(exc.status, exc.code, str(exc), exc.code)
        response.headers["WWW-Authenticate"] = 'Bearer realm="kasane"'
        return response
