"""Input that no view should see: NUL characters (PostgreSQL text cannot hold them), and
values the database refuses as data errors; both are the client's 400, never a 500."""

from __future__ import annotations

import logging

import psycopg
from flask import Flask, Response, request

from webmap import errors

log = logging.getLogger("kasane.web")


def init_app(app: Flask) -> None:
    """Refuse NUL in the path and query; turn database data errors into 400."""

    @app.before_request
    def _no_nul() -> Response | None:
        query = request.query_string
        if "\x00" in request.path or b"%00" in query.lower() or b"\x00" in query:
            return errors.problem(
                400, "bad request", "NUL characters are not allowed in requests", "bad-request"
            )
        return None

    @app.errorhandler(psycopg.errors.DataError)
    def _data_error(exc: psycopg.errors.DataError) -> Response:
        log.warning("refused a value the database cannot take: %s", exc)
        detail = f"a value in the request is not valid: {exc.diag.message_primary or exc}"
        return errors.problem(400, "bad request", detail, "bad-request")
