"""Cacheable API responses: strong ETags, 304s, Cache-Control, CORS, gzip and brotli.

Bodies are compressed once per encoding and kept in the process cache beside the raw body.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Hashable

import brotli
from flask import Response, current_app, request
from werkzeug.datastructures import Accept

from gis.platform.errors import BadRequest
from gis.platform.params import parse_int
from webmap.cache import ByteLRU
from webmap.context import settings
from webmap.metrics import cache_event

COMPRESS_ABOVE = 512
COMPRESSIBLE = ("application/json", "application/geo+json", "application/vnd.mapbox-vector-tile",
                "text/csv", "text/html", "application/vnd.oai.openapi+json;version=3.0",
                "application/problem+json")  # fmt: skip


def cache() -> ByteLRU:
    """This process's response cache."""
    existing: ByteLRU | None = current_app.extensions.get("kasane.cache")
    if existing is None:
        existing = ByteLRU(settings().cache_mb * 1024 * 1024)
        current_app.extensions["kasane.cache"] = existing
    return existing


def etag_for(*parts: object) -> str:
    """A strong ETag from what determines a response (layer versions and address)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def negotiate(accepted: Accept, size: int) -> str | None:
    """The encoding (br, gzip or None) of a ``size``-byte compressible body for a client
    whose ``Accept-Encoding`` is ``accepted``."""
    if size <= COMPRESS_ABOVE:
        return None
    if accepted["br"]:
        return "br"
    if accepted["gzip"]:
        return "gzip"
    return None


def _compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return bytes(brotli.compress(body, quality=4))
    return gzip.compress(body, compresslevel=5)


def not_modified(etag: str) -> Response | None:
    """A 304 when the client already has ``etag``."""
    if request.if_none_match.contains(etag.strip('"')):
        response = Response(status=304)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = settings().cache_control
        response.headers["Vary"] = "Accept-Encoding"
        return response
    return None


def cached(
    key: Hashable, etag: str, mimetype: str, make: Callable[[], bytes], *, status_empty: int = 200
) -> Response:
    """Answer from the cache, or build the body with ``make()`` and cache it.

    An empty body answers ``status_empty`` (204 for tiles).
    """
    early = not_modified(etag)
    if early is not None:
        return early
    store = cache()
    body = store.get(key)
    if store.max_bytes > 0:
        cache_event(body is not None)
    if body is None:
        body = make()
        store.put(key, body)
    if not body and status_empty == 204:
        response = Response(status=204)
    else:
        response = Response(body, mimetype=mimetype)
        encoding = negotiate(request.accept_encodings, len(body))
        if encoding and mimetype.startswith(COMPRESSIBLE):
            packed = store.get((key, encoding))
            if packed is None:
                packed = _compress(body, encoding)
                store.put((key, encoding), packed)
            response.set_data(packed)
            response.headers["Content-Encoding"] = encoding
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = settings().cache_control
    response.headers["Vary"] = "Accept-Encoding"
    return response


def int_arg(name: str) -> int | None:
    """An optional whole-number query parameter (ASCII digits only, as :mod:`gis.platform.params`
    parses them); None when absent or blank, BadRequest when it is not a whole number."""
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    return parse_int(raw, name, default=0)


def output_format(*allowed: str) -> str:
    """``?f=`` when given (must be one of ``allowed``), else the first of ``allowed``."""
    fmt = request.args.get("f", "").strip().lower() or allowed[0]
    if fmt not in allowed:
        raise BadRequest(f"f must be one of {', '.join(allowed)}, not {fmt!r}")
    return fmt


def csv_response(body: bytes, filename: str) -> Response:
    """A CSV download (UTF-8 with BOM, as built by ``gis.ogc.opendata.csv_bytes``)."""
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def svg_response(svg: str) -> Response:
    """An SVG image that browsers may cache briefly."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
