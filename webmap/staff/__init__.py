"""The staff console under ``/staff``: sign-in, the shelter board and the prefecture summary,
for municipal and prefectural staff who are not programmers (ja/en, accessible, 360 px)."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf.csrf import CSRFError

from gis.platform.settings import Settings
from webmap import errors
from webmap.staff import audit_log, board, people, publish, sign_in  # noqa: F401  (their views join the blueprint)
from webmap.staff.session import bp
from webmap.staff.session import init_app as init_session


def init_app(app: Flask, settings: Settings) -> None:
    """Register the console and its CSRF and cookie settings."""
    init_session(app, settings)

    @app.errorhandler(CSRFError)
    def _csrf_failed(exc: CSRFError) -> Response:
        detail = ("this form has expired or did not come from this site; reload the page and"
                  " try again")  # fmt: skip
        return errors.problem(400, "form expired", detail, "csrf")

    app.register_blueprint(bp)
