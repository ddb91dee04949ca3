"""The served version of each layer in this process, kept current by NOTIFY (gis.versions)."""

from __future__ import annotations

import os

from flask import current_app

from gis.errors import NotFound
from gis.layerspec import LayerSpec
from gis.versions import Served, ServedVersions
from webmap import db


def _tracker() -> ServedVersions:
    """This process's listener, started on first use (after any gunicorn fork)."""
    ext = current_app.extensions
    existing: tuple[int, ServedVersions] | None = ext.get("kasane.versions")
    if existing is None or existing[0] != os.getpid():
        with current_app.app_context():
            tracker = ServedVersions(ext["kasane.db_url"]).start()
        ext["kasane.versions"] = (os.getpid(), tracker)
        return tracker
    return existing[1]


def state() -> dict[str, Served]:
    """The served version of every loaded layer."""
    return _tracker().lookup(db.connection)


def served(spec: LayerSpec) -> Served:
    """The served version of a layer; NotFound when it is not loaded."""
    found = state().get(spec.id)
    if found is None:
        raise NotFound(f"layer {spec.id!r} has no data loaded yet")
    return found
