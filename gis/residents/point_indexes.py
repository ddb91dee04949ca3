"""In-memory answers to residents' point questions, kept in step with the served versions.

A process keeps one :class:`PointIndexes`: an :class:`~gis.residents.area_index.AreaIndex` per
hazard or
boundary layer and a :class:`~gis.residents.shelter_index.ShelterIndex`, each for exactly one layer
version, plus a shelter :class:`~gis.residents.shelter_index.Statuses` snapshot for one status
epoch.
An index is used only when its version is the one
:class:`gis.layerstore.served_versions.ServedVersions` says is
served *and* that listener is live; otherwise the caller asks PostGIS, as it always could.

Missing or stale indexes are built by one background thread per process (a load of a big layer
takes seconds; no request waits for it), within a memory budget: a layer whose estimate does
not fit is left to PostGIS. Status snapshots are one small query and are re-read by the first
request that finds them stale (other requests meanwhile ask PostGIS).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import psycopg
from psycopg import sql

from gis.layerstore.served_versions import Served
from gis.layerstore.storage import version_table
from gis.platform.errors import DatabaseUnavailable
from gis.residents import area_index
from gis.residents.area_index import AreaIndex
from gis.residents.shelter_index import BYTES_PER_SHELTER, ShelterIndex, Statuses

log = logging.getLogger("kasane.point_answers")
Conn = psycopg.Connection[Any]
ConnectionFactory = Callable[[], AbstractContextManager[Conn]]
Job = tuple[str, int, tuple[str, ...]]  # layer id, version, fields (or shelter columns)
SHELTERS = "shelters"


class PointIndexes:
    """This process's in-memory indexes (see the module docstring)."""

    def __init__(self, connect: ConnectionFactory, max_bytes: int, hazards: tuple[str, ...]):
        self._connect = connect
        self._max_bytes = max_bytes
        self._hazards = hazards
        self._areas: dict[str, AreaIndex] = {}
        self._shelters: ShelterIndex | None = None
        self._statuses: Statuses | None = None
        self._status_lock = threading.Lock()
        self._sizes: dict[str, int] = {}  # estimated bytes of what is held, by layer
        self._refused: set[tuple[str, int]] = set()  # too big, or failed: PostGIS answers
        self._queued: set[tuple[str, int]] = set()
        self._jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when the budget is 0 (every question goes to PostGIS)."""
        return self._max_bytes > 0

    def area(self, layer_id: str, served: Served, fields: tuple[str, ...]) -> AreaIndex | None:
        """The index of ``layer_id`` at its served version, or None (then it is queued)."""
        found = self._areas.get(layer_id)
        if found is not None and found.version == served.version and found.fields == fields:
            return found
        self._want(layer_id, served.version, fields)
        return None

    def shelters(self, served: Served, columns: tuple[str, ...]) -> ShelterIndex | None:
        """The shelters index at the served version, or None (then it is queued)."""
        found = self._shelters
        if found is not None and found.version == served.version and found.columns == columns:
            return found
        self._want(SHELTERS, served.version, columns)
        return None

    def statuses(
        self, index: ShelterIndex, epoch: int, connect: ConnectionFactory
    ) -> Statuses | None:
        """The status snapshot for ``epoch``: re-read now (over ``connect()``) by one caller
        when stale; the others get None meanwhile and ask PostGIS."""
        found = self._statuses
        if found is not None and found.epoch == epoch and self._shelters is index:
            return found
        if not self._status_lock.acquire(blocking=False):
            return None
        try:
            with connect() as conn:
                fresh = index.read_statuses(conn, epoch)
            self._statuses = fresh
            return fresh
        except psycopg.Error as exc:
            log.warning("shelter statuses not read into memory: %s", exc)
            return None
        finally:
            self._status_lock.release()

    def _want(self, layer_id: str, version: int, fields: tuple[str, ...]) -> None:
        key = (layer_id, version)
        if not self.enabled or key in self._refused or key in self._queued:
            return
        self._queued.add(key)
        self._jobs.put((layer_id, version, fields))
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="kasane-point-indexes", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while True:
            try:
                layer_id, version, fields = self._jobs.get(timeout=60.0)
            except queue.Empty:
                return  # idle: a later request starts a new thread
            try:
                self._build(layer_id, version, fields)
            except (psycopg.OperationalError, DatabaseUnavailable) as exc:
                log.warning("%s v%s not indexed in memory yet: %s", layer_id, version, exc)
            except (psycopg.Error, OSError, ValueError) as exc:  # e.g. the version was pruned
                log.warning("%s v%s not indexed in memory: %s", layer_id, version, exc)
                self._refused.add((layer_id, version))
            finally:
                self._queued.discard((layer_id, version))

    def _build(self, layer_id: str, version: int, fields: tuple[str, ...]) -> None:
        with self._connect() as conn:
            if layer_id == SHELTERS:
                rows = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(version_table(SHELTERS, version))
                ).fetchone()
                need = int(rows[0]) * BYTES_PER_SHELTER if rows else 0
            else:
                need = area_index.estimated_bytes(conn, layer_id, version)
            held = sum(size for held_id, size in self._sizes.items() if held_id != layer_id)
            if held + need > self._max_bytes:
                log.info("%s v%s (~%d MiB) left to PostGIS", layer_id, version, need >> 20)
                self._refused.add((layer_id, version))
                return
            if layer_id == SHELTERS:
                self._shelters = ShelterIndex.build(conn, version, fields, self._hazards)
                self._statuses = None
            else:
                self._areas[layer_id] = AreaIndex.build(conn, layer_id, version, fields)
            self._sizes[layer_id] = need
            log.info("%s v%s held in memory (~%d MiB)", layer_id, version, need >> 20)
