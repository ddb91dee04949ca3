"""The residents' API asks memory first (:mod:`gis.residents.point_indexes`) and PostGIS otherwise.

Memory is used only while this process's version listener is live and holds an index of the
served version (and, for shelters, a status snapshot of the current status epoch); anything
else — a layer still being read, too big for the budget, the listener down — is asked of
PostGIS over a pooled connection taken only when needed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from flask import Flask, current_app

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connection as direct_connection
from gis.residents import hazards, shelters
from gis.residents.area_index import AreaIndex
from gis.residents.hazards import FeatureFinder, Loaded, LonLat
from gis.residents.point_indexes import PointIndexes
from gis.residents.shelters import NEAREST_COLUMNS, NearestQuery, NearestRows
from webmap import db, metrics
from webmap import served_versions as served

_lock = threading.Lock()


def init_app(app: Flask, point_index_mb: int) -> None:
    """Remember this app's memory budget for point indexes (0 = always PostGIS)."""
    app.extensions["kasane.point_index_bytes"] = point_index_mb * 1024 * 1024


def indexes() -> PointIndexes:
    """This process's indexes for the current app (made on first use, after any fork)."""
    app = current_app
    mine: tuple[int, PointIndexes] | None = app.extensions.get("kasane.point_indexes")
    if mine is None or mine[0] != os.getpid():
        with _lock:
            mine = app.extensions.get("kasane.point_indexes")
            if mine is None or mine[0] != os.getpid():
                url = str(app.extensions["kasane.db_url"])
                held = PointIndexes(
                    lambda: direct_connection(url),
                    int(app.extensions["kasane.point_index_bytes"]),
                    tuple(shelters.HAZARDS),
                )
                mine = app.extensions["kasane.point_indexes"] = (os.getpid(), held)
    return mine[1]


def loaded() -> Loaded:
    """Served layers and their extents (from the listener's memory while it is live)."""
    return {layer_id: version.bbox for layer_id, version in served.state().items()}


def _area_indexes(registry: LayerRegistry, where: Loaded) -> dict[str, AreaIndex]:
    state = served.live_state()
    held = indexes()
    if state is None or not held.enabled:
        return {}
    found = {}
    for spec in hazards.layers_asked(registry, where):
        version = state.get(spec.id)
        index = held.area(spec.id, version, tuple(spec.field_names)) if version else None
        if index is not None:
            found[spec.id] = index
    return found


@contextmanager
def feature_finder(registry: LayerRegistry, where: Loaded) -> Iterator[FeatureFinder]:
    """Which features contain a point: from memory where held, else one PostGIS query."""
    memory = _area_indexes(registry, where)
    with ExitStack() as stack:

        def find(specs: list[LayerSpec], point: LonLat) -> dict[str, list[Any]]:
            found = {
                spec.id: memory[spec.id].features_at(point.lon, point.lat)
                for spec in specs
                if spec.id in memory
            }
            rest = [spec for spec in specs if spec.id not in memory]
            metrics.point_answer(not rest)
            if rest:
                conn = stack.enter_context(db.read_connection())
                found.update(hazards.features_in_database(conn)(rest, point))
            return found

        yield find


def held_features(registry: LayerRegistry, where: Loaded) -> FeatureFinder | None:
    """A finder answering from memory alone, or None unless every asked layer is held."""
    memory = _area_indexes(registry, where)
    if any(spec.id not in memory for spec in hazards.layers_asked(registry, where)):
        return None

    def find(specs: list[LayerSpec], point: LonLat) -> dict[str, list[Any]]:
        metrics.point_answer(True)
        return {spec.id: memory[spec.id].features_at(point.lon, point.lat) for spec in specs}

    return find


def held_nearest() -> NearestRows | None:
    """Nearest-shelter rows from memory alone, or None unless the served shelters version and
    the statuses of the current status epoch are held (reading a stale snapshot if need be)."""
    epochs = served.tracker_for(current_app).epochs  # before the statuses: a change meanwhile
    state = served.live_state()  # leaves the snapshot stale, never wrong
    held = indexes()
    version = state.get("shelters") if state is not None and held.enabled else None
    index = held.shelters(version, NEAREST_COLUMNS) if version is not None else None
    if index is None or epochs is None:
        return None
    statuses = held.statuses(index, epochs[1], db.read_connection)
    if statuses is None:
        return None

    def rows(query: NearestQuery) -> list[tuple[Any, ...]]:
        metrics.point_answer(True)
        point = query.point
        return index.nearest_rows(
            statuses, point.lon, point.lat, query.hazard, query.open_only, query.n
        )

    return rows


@contextmanager
def nearest_rows() -> Iterator[NearestRows]:
    """Rows of the nearest shelters: from memory when it is current, else from PostGIS."""
    from_memory = held_nearest()
    if from_memory is not None:
        yield from_memory
        return
    with db.read_connection() as conn:
        in_database = shelters.nearest_in_database(conn)

        def rows(query: NearestQuery) -> list[tuple[Any, ...]]:
            metrics.point_answer(False)
            return in_database(query)

        yield rows
