"""The served version of each layer in this process, kept current by NOTIFY
(gis.layerstore.served_versions)."""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.served_versions import Served, ServedVersions
from gis.platform.errors import DatabaseUnavailable, NotFound
from webmap import db

_trackers: dict[tuple[int, str], ServedVersions] = {}
_lock = threading.Lock()


def _tracker() -> ServedVersions:
    """This process's listener for the current app's database."""
    return tracker_for(current_app)


def tracker_for(app: Flask) -> ServedVersions:
    """This process's listener for ``app``'s database, started on first use (after any
    gunicorn fork); apps of one process that share a database share it."""
    key = (os.getpid(), str(app.extensions["kasane.db_url"]))
    tracker = _trackers.get(key)
    if tracker is None:
        with _lock:
            tracker = _trackers.get(key)
            if tracker is None:
                tracker = ServedVersions(key[1]).start()
                _trackers[key] = tracker
    return tracker


def running_tracker(app: Flask) -> ServedVersions | None:
    """This process's listener for ``app``'s database if one runs (never starts one)."""
    return _trackers.get((os.getpid(), str(app.extensions.get("kasane.db_url"))))


def close(app: Flask) -> None:
    """Stop this process's listener for ``app``'s database (the next request starts one)."""
    key = (os.getpid(), str(app.extensions.get("kasane.db_url")))
    with _lock:
        tracker = _trackers.pop(key, None)
    if tracker is not None:
        tracker.stop()


def state() -> dict[str, Served]:
    """The served version of every loaded layer."""
    return _tracker().lookup(db.connection)


def state_or_stale() -> tuple[dict[str, Served], float | None]:
    """The served versions and None; or, while the database cannot be reached, the versions
    last known current and when that was (Unix time), so that pages which need no query and
    tiles in the cache can still be answered (marked stale). DatabaseUnavailable when this
    process never knew the versions."""
    tracker = _tracker()
    known = tracker.last_known()
    if known is not None and tracker.recently_failed():
        return known
    try:
        return tracker.lookup(db.connection), None
    except DatabaseUnavailable:
        tracker.failed()
        known = tracker.last_known()
        if known is None:
            raise
        return known


def live_state() -> dict[str, Served] | None:
    """The served versions while this process's listener is live (then current), else None."""
    return live_state_of(current_app)


def live_state_of(app: Flask) -> dict[str, Served] | None:
    """:func:`live_state` of ``app`` without an app context (the tile fast path)."""
    tracker = tracker_for(app)
    return tracker.lookup(db.connection) if tracker.live else None


def served(spec: LayerSpec) -> Served:
    """The served version of a layer; NotFound when it is not loaded."""
    return served_in(state(), spec)


def served_in(known: dict[str, Served], spec: LayerSpec) -> Served:
    """The version of a layer in ``known``; NotFound when it is not loaded."""
    found = known.get(spec.id)
    if found is None:
        raise NotFound(f"layer {spec.id!r} has no data loaded yet")
    return found
