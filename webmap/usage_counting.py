"""Counting page views and layer requests in each server process (see ``gis.planning.usage``).

After each successful request the route of an HTML page, or the layer a request names, is
counted in memory. When the flush interval has passed, a background thread adds the counts to
the database; whatever is left is written when the process exits. A database outage never
fails a request: the counts wait for the next flush.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import threading
from typing import Any

from flask import Flask, Response, current_app, request

from gis.planning import usage
from gis.platform.db import connection
from webmap import context, db

log = logging.getLogger("kasane.usage")
LAYER_ARGS = ("layer_id", "layer", "collection_id", "collectionId")
_state_lock = threading.Lock()


def counter() -> usage.UsageCounter:
    """This app's counter in this process (a new one after a fork), flushed at exit."""
    state: dict[str, Any] = current_app.extensions["kasane.usage"]
    with _state_lock:
        if state.get("pid") != os.getpid():
            made = usage.UsageCounter(context.settings().usage_flush_seconds)
            url: str = current_app.extensions["kasane.db_url"]
            at_exit = functools.partial(_flush_at_exit, made, url)
            if not current_app.testing:  # test apps outlive their throw-away databases
                atexit.register(at_exit)
            state.update(pid=os.getpid(), counter=made, at_exit=at_exit)
        value: usage.UsageCounter = state["counter"]
        return value


def _flush_at_exit(made: usage.UsageCounter, url: str) -> None:
    try:
        usage.flush(made, lambda: connection(url))
    except Exception as exc:  # at exit there is nobody left to tell but the log
        log.warning("usage counts lost at exit: %s", exc)


def close(app: Flask) -> None:
    """Write this process's counts of ``app`` now and drop its exit flush (app being closed)."""
    state: dict[str, Any] = app.extensions.get("kasane.usage") or {}
    with _state_lock:
        made = state.pop("counter", None)
        at_exit = state.pop("at_exit", None)
        mine = state.pop("pid", None) == os.getpid()
    if at_exit is not None:
        atexit.unregister(at_exit)
    if made is not None and mine:
        _flush_at_exit(made, app.extensions["kasane.db_url"])


def _flush_in_background(made: usage.UsageCounter) -> None:
    pool = db.pool()

    def run() -> None:
        try:
            usage.flush(made, pool.connection)
        except Exception as exc:
            log.warning("usage counts not written yet (will retry): %s", exc)

    threading.Thread(target=run, name="kasane-usage-flush", daemon=True).start()


def flush_now() -> None:
    """Write this process's counts now (the /stats page does this before reading)."""
    usage.flush(counter(), db.pool().connection)


def _classify(response: Response) -> tuple[str, str] | None:
    if response.status_code >= 400 or request.url_rule is None or request.endpoint == "static":
        return None
    for name in LAYER_ARGS:
        value = (request.view_args or {}).get(name)
        if isinstance(value, str) and value in context.registry():
            return "layer", value
    if response.mimetype == "text/html" and request.method == "GET":
        return "page", request.url_rule.rule
    return None


def init_app(app: Flask) -> None:
    """Count every successful page view and layer request."""
    app.extensions["kasane.usage"] = {}

    @app.after_request
    def _count(response: Response) -> Response:
        hit = _classify(response)
        if hit is not None:
            record(*hit)
        return response


def record(kind: str, key: str) -> None:
    """Count one page view or layer request (flushed in the background when due)."""
    made = counter()
    made.record(kind, key)
    if made.due() and not made.flushing.locked():
        _flush_in_background(made)
