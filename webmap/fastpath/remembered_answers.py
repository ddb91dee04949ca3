"""Remembered answers to residents' questions, given before Flask runs.

On a disaster day many residents ask the same questions at once: a link shared in a
neighbourhood group, the default map centre, a school's address. The answers of
``/api/hazards/at`` and ``/api/shelters/nearest`` depend only on the query string, the served
layer versions and the shelter statuses, so each 200 answer to an anonymous GET is kept (a
byte-bounded LRU per process) under *(path, exact query string, epochs)*. The epochs of
:class:`gis.layerstore.served_versions.ServedVersions` move with every new layer version and, for
the nearest
shelters, every shelter status change made by any process (LISTEN/NOTIFY), so no answer outlives
the data it came from; while that listener is down nothing is cached. Status changes, frequent
on a disaster day, leave the hazard answers alone.

A hit is answered by this WSGI middleware without routing, request hooks or a database
connection, with the status, headers and body the app gave the first time, and is still
counted and logged by :mod:`webmap.metrics`. Requests with credentials, and answers that set a
cookie, are never kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from webmap import metrics
from webmap import served_versions as served
from webmap.auth import carries_credentials
from webmap.cache import ByteLRU

# path -> whether its answers depend on shelter statuses (all depend on the layer versions)
ANSWERED_PATHS = {"/api/hazards/at": False, "/api/shelters/nearest": True}
SHARE_OF_CACHE = 4  # answers may take a quarter of the per-worker cache budget (cache_mb)
_HEAD_END = b"\r\n\r\n"

StartResponse = Callable[..., Any]
Key = tuple[str, str, int, int]  # path, query string, layers epoch, status epoch (or 0)


def _pack(headers: list[tuple[str, str]], body: bytes) -> bytes:
    head = "\r\n".join(f"{name}: {value}" for name, value in headers)
    return head.encode("latin-1") + _HEAD_END + body


def _unpack(blob: bytes) -> tuple[list[tuple[str, str]], bytes]:
    head, body = blob.split(_HEAD_END, 1)
    pairs = (line.split(": ", 1) for line in head.decode("latin-1").split("\r\n"))
    return [(name, value) for name, value in pairs], body


class AnswerCache:
    """WSGI middleware in front of ``app.wsgi_app`` (see the module docstring)."""

    def __init__(self, app: Flask, max_bytes: int) -> None:
        self._app = app
        self.wrapped = app.wsgi_app
        self.lru = ByteLRU(max_bytes)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer from memory when this exact question was answered under these epochs."""
        key = self._key(environ)
        if key is None:
            return self.wrapped(environ, start_response)
        started = time.perf_counter()
        blob = self.lru.get(key)
        metrics.cache_event(blob is not None)
        if blob is None:
            return self._remember(environ, start_response, key)
        headers, body = _unpack(blob)
        start_response("200 OK", headers)
        path, query = key[0], key[1]
        where = ("GET", f"{path}?{query}" if query else path, environ.get("REMOTE_ADDR"))
        metrics.observe(path, "", 200, time.perf_counter() - started, where)
        return [body]

    def _key(self, environ: dict[str, Any]) -> Key | None:
        path = environ.get("PATH_INFO", "")
        if (
            path not in ANSWERED_PATHS
            or environ.get("REQUEST_METHOD") != "GET"
            or carries_credentials(environ)
        ):
            return None
        epochs = served.tracker_for(self._app).epochs
        if epochs is None:
            return None
        layers, status = epochs
        return path, environ.get("QUERY_STRING", ""), layers, status if ANSWERED_PATHS[path] else 0

    def _remember(
        self, environ: dict[str, Any], start_response: StartResponse, key: Key
    ) -> Iterable[bytes]:
        seen: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            seen.append((status, headers))
            return start_response(status, headers, *exc_info)

        answer = self.wrapped(environ, capture)
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        if seen and seen[-1][0].startswith("200 "):
            headers = seen[-1][1]
            if not any(name.lower() == "set-cookie" for name, _ in headers):
                self.lru.put(key, _pack(headers, body))
        return [body]


def init_app(app: Flask, cache_mb: int) -> None:
    """Put the answer cache in front of ``app`` (nothing when the cache budget is 0)."""
    max_bytes = cache_mb * 1024 * 1024 // SHARE_OF_CACHE
    if max_bytes > 0:
        app.wsgi_app = AnswerCache(app, max_bytes)  # type: ignore[method-assign]
