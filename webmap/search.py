"""``GET /api/search``: addresses and place names, answered from this process's memory.

The index (:class:`gis.search.engine.SearchIndex`) is built from the served versions of the
``addresses`` layer and of every public layer with names, on the first search of a process.
When a served version changes (the version listener says so) a new index is built in a
background thread while the old one keeps answering; the new one then replaces it whole.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connection as direct_connection
from gis.search import sources
from gis.search.engine import ADDRESS_LAYER, Query, SearchIndex
from gis.search.gazetteer import Gazetteer
from gis.search.places import PlaceIndex
from webmap import access
from webmap import served_versions as served
from webmap.i18n import current_lang

bp = Blueprint("search", __name__, url_prefix="/api")
log = logging.getLogger(__name__)
Key = tuple[tuple[str, int], ...]
_lock = threading.Lock()


def build(url: str, registry: LayerRegistry, versions: dict[str, int]) -> SearchIndex:
    """A search index of the given served versions, read over its own connection."""
    started = time.monotonic()
    specs = sources.place_layers(registry, versions)
    with direct_connection(url) as conn:
        rows = list(sources.address_rows(conn)) if ADDRESS_LAYER in versions else []
        gazetteer = Gazetteer(rows)
        places = PlaceIndex(p for spec in specs for p in sources.places(conn, spec))
    titles = {s.id: s.title for s in registry}  # Text: any language, with fallbacks
    log.info("search index: %d towns, %d blocks, %d places in %.1f s", len(gazetteer),
             gazetteer.blocks, len(places), time.monotonic() - started)  # fmt: skip
    return SearchIndex(gazetteer, places, titles)


class _Holder:
    """This process's index and the versions it was built from."""

    def __init__(self) -> None:
        self.key: Key | None = None
        self.index: SearchIndex | None = None
        self.building: Key | None = None

    def get(self, app: Flask, registry: LayerRegistry, versions: dict[str, int]) -> SearchIndex:
        key: Key = tuple(sorted(versions.items()))
        if self.index is not None and self.key == key:
            return self.index
        url = str(app.extensions["kasane.db_url"])
        if self.index is None:
            with _lock:
                if self.index is None or self.key != key:
                    self.index, self.key = build(url, registry, versions), key
            return self.index
        with _lock:
            if self.building != key:
                self.building = key
                threading.Thread(
                    target=self._rebuild, args=(url, registry, versions, key), daemon=True
                ).start()
        return self.index

    def _rebuild(
        self, url: str, registry: LayerRegistry, versions: dict[str, int], key: Key
    ) -> None:
        try:
            index = build(url, registry, versions)
        except Exception:  # the old index keeps answering; the next request tries again
            log.exception("search index rebuild failed")
            with _lock:
                self.building = None
            return
        with _lock:
            self.index, self.key = index, key


def _holder(app: Flask) -> _Holder:
    mine: tuple[int, _Holder] | None = app.extensions.get("kasane.search")
    if mine is None or mine[0] != os.getpid():
        with _lock:
            mine = app.extensions.get("kasane.search")
            if mine is None or mine[0] != os.getpid():
                mine = app.extensions["kasane.search"] = (os.getpid(), _Holder())
    return mine[1]


def index() -> SearchIndex:
    """The search index of the versions served now (an older one while a new one builds)."""
    registry = access.public_registry()
    state = served.state()
    wanted = {ADDRESS_LAYER} | {s.id for s in sources.place_layers(registry, state)}
    versions = {layer: state[layer].version for layer in wanted if layer in state}
    return _holder(current_app).get(current_app, registry, versions)


@bp.get("/search")
def search() -> Response:
    """Addresses and place names matching ?q= (best first), as GeoJSON with a ``best`` member."""
    args = request.args
    query = Query.parse(args.get("q"), args.get("limit"), args.get("near"), current_lang())
    body: dict[str, Any] = index().search(query)
    return jsonify(body)
