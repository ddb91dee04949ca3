"""Residents' point questions answered before Flask when memory holds all they need.

With the hazard areas and shelters in memory (:mod:`webmap.residents.point_lookup`), Flask's request
machinery (routing, context, hooks, response object) costs more than the answer itself. This
WSGI middleware answers an anonymous ``GET /api/hazards/at`` or ``/api/shelters/nearest`` with
the same gis functions as the views and the headers Flask gave that path's last plain 200
answer (only ``Content-Length`` differs between answers), and counts it in :mod:`webmap.metrics`
as the app would. Everything else goes to Flask: the first question of each path, requests with
credentials or ``?lang=`` (which sets a cookie), NUL characters, any question memory cannot
answer alone, and every error (Flask writes the problem+json).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask

from gis.platform.errors import KasaneError
from gis.residents import hazards, shelters
from webmap import access, metrics
from webmap.auth import carries_credentials
from webmap.residents import point_lookup as memory
from webmap.residents.api import nearest_query, point_of

StartResponse = Callable[..., Any]
PATHS = ("/api/hazards/at", "/api/shelters/nearest")


def _plain_args(query: str) -> dict[str, str] | None:
    """The first value of each parameter, as Flask's ``request.args.get`` gives it; None for
    queries this path leaves to Flask."""
    if "%00" in query.lower() or "\x00" in query:
        return None
    args: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        args.setdefault(name, value)
    return None if "lang" in args else args


def _answer(path: str, args: dict[str, str]) -> dict[str, Any] | None:
    """The body the view would give, from memory; None when memory cannot answer alone."""
    registry, loaded = access.public_registry(), memory.loaded()
    if path == PATHS[0]:
        point = point_of(args)
        find = memory.held_features(registry, loaded)
        return None if find is None else hazards.hazards_at(find, registry, point, loaded)
    if "shelters" not in registry:
        return None
    query = nearest_query(args)
    rows = memory.held_nearest()
    return None if rows is None else shelters.nearest(rows, registry, query, loaded)


class PointAnswers:
    """WSGI middleware in front of ``app.wsgi_app`` (see the module docstring)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self.wrapped = app.wsgi_app
        self._heads: dict[str, list[tuple[str, str]]] = {}  # Flask's headers, by path

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer from memory, or pass the request on to Flask."""
        path = environ.get("PATH_INFO", "")
        if (
            path not in PATHS
            or environ.get("REQUEST_METHOD") != "GET"
            or carries_credentials(environ)
        ):
            return self.wrapped(environ, start_response)
        started = time.perf_counter()
        query = environ.get("QUERY_STRING", "")
        args = _plain_args(query)
        head = self._heads.get(path)
        if args is None or head is None:
            return self._through_flask(environ, start_response, path, learn=args is not None)
        with self._app.app_context():
            try:
                body = _answer(path, args)
            except KasaneError:
                body = None
            if body is None:
                return self._through_flask(environ, start_response, path, learn=False)
            data = (self._app.json.dumps(body, separators=(",", ":")) + "\n").encode()
        start_response(
            "200 OK", [(n, str(len(data)) if n == "Content-Length" else v) for n, v in head]
        )
        where = ("GET", f"{path}?{query}" if query else path, environ.get("REMOTE_ADDR"))
        metrics.observe(path, "", 200, time.perf_counter() - started, where)
        return [data]

    def _through_flask(
        self, environ: dict[str, Any], start_response: StartResponse, path: str, *, learn: bool
    ) -> Iterable[bytes]:
        if not learn:
            return self.wrapped(environ, start_response)

        def capture(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            names = {name for name, _ in headers}
            if status.startswith("200 ") and "Set-Cookie" not in names:
                self._heads[path] = list(headers)
            return start_response(status, headers, *exc_info)

        return self.wrapped(environ, capture)


def init_app(app: Flask) -> None:
    """Put the point-answer path in front of ``app`` (nothing when memory is turned off)."""
    if app.extensions.get("kasane.point_index_bytes", 0) > 0:
        app.wsgi_app = PointAnswers(app)  # type: ignore[method-assign]
