"""The one place where errors become HTTP responses: RFC 9457 problem+json, or HTML for pages."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from gis.platform.errors import KasaneError

log = logging.getLogger("kasane.web")
RETRY_AFTER_S = 5
HTML_VIEWS = ("/collections", "/conformance", "/tiles/")  # the API's resources with an HTML view


def _wants_html() -> bool:
    fmt = request.args.get("f")
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return fmt == "html" or (best == "text/html" and fmt is None)


def problem(status: int, title: str, detail: str, code: str) -> Response:
    """A problem+json (or HTML) response; 503s carry Retry-After."""
    # The API answers problem+json, except to a person who asked for one of its HTML views
    api = request.path.startswith(("/api", "/tiles", "/collections"))
    html_view = request.args.get("f") == "html" and request.path.startswith(HTML_VIEWS)
    if _wants_html() and (not api or html_view):
        response = Response(
            render_template("pages/error.html", status=status, title=title, detail=detail),
            status=status,
            mimetype="text/html",
        )
    else:
        body = {"type": f"urn:kasane:problem:{code}", "title": title}
        response = jsonify({**body, "status": status, "detail": detail})
        response.status_code = status
        response.mimetype = "application/problem+json"
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def init_app(app: Flask) -> None:
    """Register handlers so no request ever answers with a traceback."""

    @app.errorhandler(KasaneError)
    def _kasane(exc: KasaneError) -> Response:
        if exc.status >= 500 and exc.status != 503:
            log.exception("server error: %s", exc)
        return problem(exc.status, exc.code.replace("-", " "), str(exc), exc.code)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        return problem(status, exc.name, exc.description or exc.name, f"http-{status}")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return problem(500, "internal error", "an unexpected error occurred", "internal-error")
