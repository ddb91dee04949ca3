"""Token authentication for the API: ``Authorization: Bearer <token>``.

Views that change data call :func:`require_principal`; a missing or bad token answers 401
problem+json with a ``WWW-Authenticate: Bearer`` challenge, a known user without the right
answers 403.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request

from gis.platform import auth
from gis.platform.errors import Unauthorized
from webmap import errors


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


def init_app(app: Flask) -> None:
    """Add the Bearer challenge to 401 answers."""

    @app.errorhandler(Unauthorized)
    def _unauthorized(exc: Unauthorized) -> Response:
        response = errors.problem(exc.status, exc.code, str(exc), exc.code)
        response.headers["WWW-Authenticate"] = 'Bearer realm="kasane"'
        return response
