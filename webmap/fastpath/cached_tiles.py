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

A hit pushes no app context (only a counted OGC tile, for :mod:`webmap.usage_counting`, does), and
what is the same for every hit of one tile is worked out once: its ETag, its header list in each
encoding, the encoding each ``Accept-Encoding`` value chooses, the metric series it counts in.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable
from typing import Any, cast

from flask import Flask
from werkzeug.datastructures import Accept
from werkzeug.http import HTTP_STATUS_CODES, parse_accept_header, parse_etags

from gis.ogc.tiles import check_address
from gis.platform.errors import BadRequest
from gis.platform.settings import Settings
from webmap import access, layer_files
from webmap import served_versions as served
from webmap import usage_counting as usage
from webmap.auth import carries_credentials
from webmap.cache import ByteLRU
from webmap.metrics import cache_event, observe
from webmap.ogc import CORS_HEADERS
from webmap.ogc.tiles import MVT, OGC_RULE, XYZ_RULE, layer_ids, tile_address
from webmap.responses import COMPRESS_ABOVE, negotiate
from webmap.security import FIXED_HEADERS, policy

_NUMBER = r"(0|[1-9][0-9]{0,7})"  # canonical only: anything else is left to Flask
_ZXY = rf"{_NUMBER}/{_NUMBER}/{_NUMBER}"
_XYZ = re.compile(rf"/tiles/([A-Za-z0-9_,-]+)/{_ZXY}\.mvt")
_OGC = re.compile(rf"/collections/([A-Za-z0-9_-]+)/tiles/WebMercatorQuad/{_ZXY}")
_Answer = tuple[int, list[tuple[str, str]], bytes]
_STATUS = {s: f"{s} {HTTP_STATUS_CODES[s].upper()}" for s in (200, 204, 304)}
_MEMO = 65_536  # tiles whose ETag and headers are remembered
StartResponse = Callable[..., Any]


class FastTiles:
    """WSGI middleware answering response-cache hits of tile requests before Flask runs."""

    def __init__(self, app: Flask, wrapped: Callable[[dict[str, Any], StartResponse], Any]):
        self.app = app
        self.wrapped = wrapped
        self.settings: Settings = app.extensions["kasane.settings"]
        self.empty_policy = policy(self.settings, None)  # what Flask puts on 204 and 304
        self.answered = 0  # requests answered here (tests and curiosity)
        self._address = functools.lru_cache(maxsize=_MEMO)(tile_address)
        self._head = functools.lru_cache(maxsize=_MEMO)(self._headers)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer a cached tile, or pass the request on to Flask."""
        started = time.perf_counter()
        answer = None
        if (
            self.settings.cache_mb > 0
            and environ.get("REQUEST_METHOD") == "GET"
            and not environ.get("QUERY_STRING")
            and not carries_credentials(environ)
        ):
            answer = self._answer(environ, started)
        if answer is None:
            return cast(Iterable[bytes], self.wrapped(environ, start_response))
        status, headers, body = answer
        start_response(_STATUS[status], headers)
        self.answered += 1
        return [body] if body else []

    def _answer(self, environ: dict[str, Any], started: float) -> _Answer | None:
        path: str = environ.get("PATH_INFO", "")
        parsed = _parse(path)
        if parsed is None:
            return None
        rule, label, ids, z, x, y = parsed
        found = self._lookup(environ, ids, z, x, y)
        if found is None:
            return None
        status = found[0]
        where = ("GET", path, environ.get("REMOTE_ADDR"))
        observe(rule, label, status, time.perf_counter() - started, where)
        if rule == OGC_RULE:  # as webmap.usage_counting counts a collection's tiles
            with self.app.app_context():
                usage.record("layer", label)
        return found

    def _lookup(
        self, environ: dict[str, Any], ids: tuple[str, ...], z: int, x: int, y: int
    ) -> _Answer | None:
        state = served.live_state_of(self.app)
        public = self._public()
        store: ByteLRU | None = self.app.extensions.get("kasane.cache")
        if state is None or store is None or not all(i in public and i in state for i in ids):
            return None
        key, etag = self._address(tuple((i, state[i].version) for i in ids), z, x, y)
        if (asked := environ.get("HTTP_IF_NONE_MATCH")) and parse_etags(asked).contains(
            etag.strip('"')
        ):
            return 304, list(self._head(304, etag, 0, None)), b""
        body = store.get(key)
        if body is None:
            return None
        encoding = None
        if len(body) > COMPRESS_ABOVE and (accepts := environ.get("HTTP_ACCEPT_ENCODING")):
            encoding = _preferred(accepts)
        if encoding:
            body = store.get((key, encoding))
            if body is None:  # Flask compresses it and keeps it for next time
                return None
        cache_event(True)
        status = 200 if body else 204
        return status, list(self._head(status, etag, len(body), encoding)), body

    def _public(self) -> Any:
        """The public layer registry (made once, in an app context, by :mod:`webmap.access`)."""
        layer_files.registry_of(self.app)  # re-read if the layer files changed
        public = self.app.extensions.get("kasane.public_registry")
        if public is None:
            with self.app.app_context():
                public = access.public_registry()
        return public

    def _headers(
        self, status: int, etag: str, size: int, encoding: str | None
    ) -> tuple[tuple[str, str], ...]:
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
        return tuple(head + list(FIXED_HEADERS))


@functools.lru_cache(maxsize=_MEMO)
def _parse(path: str) -> tuple[str, str, tuple[str, ...], int, int, int] | None:
    """Rule, layer label, layer ids and z, x, y of a tile path; None unless a valid tile's."""
    if xyz := _XYZ.fullmatch(path):
        rule, label, (z, x, y) = XYZ_RULE, xyz[1], map(int, xyz.groups()[1:])
    elif ogc := _OGC.fullmatch(path):
        rule, label, (z, y, x) = OGC_RULE, ogc[1], map(int, ogc.groups()[1:])
    else:
        return None
    try:
        ids = tuple(layer_ids(label))
        check_address(z, x, y)
    except BadRequest:
        return None
    return rule, label, ids, z, x, y


@functools.lru_cache(maxsize=256)
def _preferred(accept_encoding: str) -> str | None:
    """The encoding Flask chooses for a compressible body under this ``Accept-Encoding``."""
    return negotiate(parse_accept_header(accept_encoding, Accept), COMPRESS_ABOVE + 1)
