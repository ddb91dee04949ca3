"""Cached vector tiles answered before Flask: a small WSGI middleware in front of the app.

A ``GET`` of ``/tiles/{layers}/{z}/{x}/{y}.mvt`` or of the OGC API - Tiles tile of a collection,
without a query string or credentials, whose layers are public and loaded and whose body (in
the negotiated encoding) is already in this process's response cache, is answered here: same
status, headers and body as the Flask views (:mod:`webmap.ogc.tiles` through
:func:`webmap.responses.cached` and the after-request hooks) give, including the 304 for a
matching ``If-None-Match``, and counted in ``/metrics`` and usage alike. Everything else
(misses, bad addresses, restricted layers, query strings, ``HEAD``) goes to Flask untouched.
Layer versions come from this process's LISTEN tracker and only while it is live, so the first
request after a load already misses the old entries.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.datastructures import Accept
from werkzeug.http import HTTP_STATUS_CODES, parse_accept_header, parse_etags

from gis.errors import BadRequest
from gis.settings import Settings
from gis.tiles import check_address
from webmap import access, served
from webmap.metrics import cache_event, observe
from webmap.ogc import CORS_HEADERS
from webmap.ogc.tiles import MVT, OGC_RULE, XYZ_RULE, layer_ids, tile_address
from webmap.planners import usage
from webmap.responses import cache, negotiate
from webmap.security import FIXED_HEADERS, policy

_NUMBER = r"(0|[1-9][0-9]{0,7})"  # canonical only: anything else is left to Flask
_ZXY = rf"{_NUMBER}/{_NUMBER}/{_NUMBER}"
_XYZ = re.compile(rf"/tiles/([A-Za-z0-9_,-]+)/{_ZXY}\.mvt")
_OGC = re.compile(rf"/collections/([A-Za-z0-9_-]+)/tiles/WebMercatorQuad/{_ZXY}")
_Answer = tuple[int, list[tuple[str, str]], bytes]
StartResponse = Callable[..., Any]


class FastTiles:
    """WSGI middleware answering response-cache hits of tile requests before Flask runs."""

    def __init__(self, app: Flask, wrapped: Callable[[dict[str, Any], StartResponse], Any]):
        self.app = app
        self.wrapped = wrapped
        self.settings: Settings = app.extensions["kasane.settings"]
        self.empty_policy = policy(self.settings, None)  # what Flask puts on 204 and 304
        self.answered = 0  # requests answered here (tests and curiosity)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer a cached tile, or pass the request on to Flask."""
        started = time.perf_counter()
        answer = None
        if (
            self.settings.cache_mb > 0
            and environ.get("REQUEST_METHOD") == "GET"
            and not environ.get("QUERY_STRING")
            and "HTTP_AUTHORIZATION" not in environ
        ):
            answer = self._answer(environ, started)
        if answer is None:
            return self.wrapped(environ, start_response)
        status, headers, body = answer
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}", headers)
        self.answered += 1
        return [body] if body else []

    def _answer(self, environ: dict[str, Any], started: float) -> _Answer | None:
        path: str = environ.get("PATH_INFO", "")
        if xyz := _XYZ.fullmatch(path):
            rule, label, (z, x, y) = XYZ_RULE, xyz[1], map(int, xyz.groups()[1:])
        elif ogc := _OGC.fullmatch(path):
            rule, label, (z, y, x) = OGC_RULE, ogc[1], map(int, ogc.groups()[1:])
        else:
            return None
        with self.app.app_context():
            found = self._lookup(environ, label, z, x, y)
            if found is None:
                return None
            status = found[0]
            where = ("GET", path, environ.get("REMOTE_ADDR"))
            observe(rule, label, status, time.perf_counter() - started, where)
            if rule == OGC_RULE:  # as webmap.planners.usage counts a collection's tiles
                usage.record("layer", label)
        return found

    def _lookup(
        self, environ: dict[str, Any], names: str, z: int, x: int, y: int
    ) -> _Answer | None:
        state = served.live_state()
        public = access.public_registry()
        try:
            ids = layer_ids(names)
            check_address(z, x, y)
        except BadRequest:
            return None
        if state is None or not all(i in public and i in state for i in ids):
            return None
        key, etag = tile_address(tuple((i, state[i].version) for i in ids), z, x, y)
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(etag.strip('"')):
            return 304, self._headers(304, etag, 0, None), b""
        store = cache()
        body = store.get(key)
        if body is None:
            return None
        accepted = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"), Accept)
        encoding = negotiate(accepted, len(body))
        if encoding:
            body = store.get((key, encoding))
            if body is None:  # Flask compresses it and keeps it for next time
                return None
        cache_event(True)
        status = 200 if body else 204
        return status, self._headers(status, etag, len(body), encoding), body

    def _headers(
        self, status: int, etag: str, size: int, encoding: str | None
    ) -> list[tuple[str, str]]:
        head: list[tuple[str, str]] = []
        if status == 200:
            head += [("Content-Type", MVT), ("Content-Length", str(size))]
            if encoding:
                head.append(("Content-Encoding", encoding))
        elif status == 204:
            head.append(("Content-Type", "text/html; charset=utf-8"))
        head += [("ETag", etag), ("Cache-Control", self.settings.cache_control)]
        head += [("Vary", "Accept-Encoding"), *CORS_HEADERS]
        if status != 200:
            head.append(("Content-Security-Policy", self.empty_policy))
        return head + list(FIXED_HEADERS)
