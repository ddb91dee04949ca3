"""Which version of each layer is served, kept current in every server process.

A :class:`ServedVersions` runs one background thread per process that ``LISTEN``s on
``kasane_layers`` (sent by :func:`gis.layerstore.storage.publish` and
:func:`gis.layerstore.storage.rollback`), so a
new version is known within milliseconds of its commit, without a query per request. Caches and
ETags are keyed by these versions, so they never serve data of a replaced version. While the
listening connection is down, :meth:`ServedVersions.lookup` asks the database on each call
instead, and the thread reconnects by itself.

It also ``LISTEN``s on ``kasane_shelter_status`` (sent by a trigger on every change of shelter
status) and counts the changes it hears of in :attr:`ServedVersions.epochs` (layer versions,
shelter statuses): answers cached under one epoch are stale once it moves (see
``webmap.fastpath.remembered_answers``).
"""

from __future__ import annotations

import logging
import select
import threading
import time
from dataclasses import dataclass
from typing import Any

import psycopg

from gis.layerstore.layer_files import LAYER_FILES_CHANNEL
from gis.layerstore.storage import NOTIFY_CHANNEL, Conn
from gis.platform.replicas import parse_lsn

STATUS_CHANNEL = "kasane_shelter_status"  # sent by the trigger of migration 0302

log = logging.getLogger("kasane.versions")
SAFETY_REFRESH_S = 30.0  # re-read everything this often, in case a notification was lost
RECONNECT_S = 1.0
UNREACHABLE_S = 3.0  # after a failed attempt, requests use the last known state this long


@dataclass(frozen=True)
class Served:
    """The served version of a layer, its row count and bbox (lon/lat)."""

    version: int
    rows: int
    bbox: tuple[float, float, float, float] | None


def read_state(conn: Conn) -> dict[str, Served]:
    """The served version of every loaded layer."""
    rows = conn.execute(
        "SELECT c.layer_id, c.version, v.rows_loaded, v.bbox FROM kasane.layer_current c"
        " JOIN kasane.layer_versions v USING (layer_id, version)"
    ).fetchall()
    return {str(r[0]): Served(int(r[1]), int(r[2]), tuple(r[3]) if r[3] else None) for r in rows}


class ServedVersions:
    """The served version of each layer, pushed by NOTIFY."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._state: dict[str, Served] = {}
        self._live = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kasane-versions", daemon=True)
        self._first = threading.Event()
        self._layers_epoch = 0
        self._status_epoch = 0
        self.files_epoch = 0  # `kasane layers reload` notifications heard (layer files changed)
        self._confirmed: float | None = None  # Unix time the state was last known current
        self._failed_at = 0.0  # monotonic time the database was last found unreachable
        # The primary's WAL position when this process last heard of a change (read replicas
        # must have replayed it, see gis.platform.replicas); None: unknown, read the primary.
        self.wal_needed: int | None = None
        self._heard = 0  # notifications heard, to tell whether one came during a statement

    def start(self, wait_s: float = 2.0) -> ServedVersions:
        """Start listening; waits briefly for the first state so early requests hit memory."""
        self._thread.start()
        self._first.wait(wait_s)
        return self

    def stop(self) -> None:
        """Ask the thread to end (it notices within a second)."""
        self._stop.set()

    @property
    def live(self) -> bool:
        """True while the LISTEN connection is up (the state is then current)."""
        return self._live

    @property
    def epochs(self) -> tuple[int, int] | None:
        """Two numbers that move whenever a served layer version changes and whenever a
        shelter status changes; None while the listener is down (changes could go unheard)."""
        return (self._layers_epoch, self._status_epoch) if self._live else None

    def status_changed(self) -> None:
        """Move the status epoch now, for a change this process has just committed (its
        notification reaches the other processes, and this one again, shortly)."""
        self.wal_needed = None  # until the notification comes back with the primary's position
        self._status_epoch += 1

    def lookup(self, conn_factory: Any) -> dict[str, Served]:
        """Current state: from memory while live, else read with ``conn_factory()``."""
        if self._live:
            return self._state
        with conn_factory() as conn:
            state = read_state(conn)
        self._state, self._confirmed = state, time.time()
        return state

    def last_known(self) -> tuple[dict[str, Served], float] | None:
        """The state last known current and when that was (Unix time; now while live), or
        None when it was never read: what pages and cached tiles fall back on while the
        database cannot be reached."""
        if self._live:
            return self._state, time.time()
        if self._confirmed is None:
            return None
        return self._state, self._confirmed

    def failed(self) -> None:
        """Note that the database was just found unreachable (see :meth:`recently_failed`)."""
        self._failed_at = time.monotonic()

    def recently_failed(self, within_s: float = UNREACHABLE_S) -> bool:
        """Whether the database was found unreachable within ``within_s``: callers then use
        :meth:`last_known` at once instead of waiting for a connection that will not come."""
        return not self._live and time.monotonic() - self._failed_at < within_s

    def _wal_position(self, conn: Conn) -> int | None:
        """The primary's current WAL position, read after every notification heard so far
        (one heard while reading it may be of a commit after the position: read again)."""
        for _ in range(100):
            before = self._heard
            row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
            if self._heard == before:
                return parse_lsn(str(row[0])) if row else None
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except (psycopg.Error, OSError) as exc:
                self.wal_needed = None
                if self._live:
                    log.warning("layer version listener lost the database: %s", exc)
                    self._confirmed = time.time()
                self._live = False
                self.failed()
            finally:
                self._first.set()
            self._stop.wait(RECONNECT_S)

    def _listen(self) -> None:
        with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
            dirty = threading.Event()

            def heard(note: psycopg.Notify) -> None:
                self.wal_needed = None  # before any epoch moves; set again after the statement
                self._heard += 1
                if note.channel == NOTIFY_CHANNEL:
                    self._layers_epoch += 1
                    dirty.set()
                elif note.channel == LAYER_FILES_CHANNEL:
                    self.files_epoch += 1
                else:
                    self._status_epoch += 1

            # the only way notifications arrive: psycopg calls the handler for every one it
            # reads, during any statement, so none is lost while another statement runs
            conn.add_notify_handler(heard)
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
            conn.execute(f"LISTEN {STATUS_CHANNEL}")
            conn.execute(f"LISTEN {LAYER_FILES_CHANNEL}")
            self.files_epoch += 1  # a reload may have been sent while nobody listened
            self._state = read_state(conn)
            self._layers_epoch += 1  # anything may have changed while nobody listened
            self._status_epoch += 1
            self.wal_needed = self._wal_position(conn)
            self._live = True
            self._first.set()
            refreshed = time.monotonic()
            while not self._stop.is_set():
                if not dirty.is_set() and time.monotonic() - refreshed < SAFETY_REFRESH_S:
                    readable, _, _ = select.select([conn.fileno()], [], [], 1.0)
                    if readable:  # a notification, or the server closing the connection
                        # reads it: handlers run (or this raises), then the primary's position
                        self.wal_needed = self._wal_position(conn)
                if dirty.is_set() or time.monotonic() - refreshed >= SAFETY_REFRESH_S:
                    dirty.clear()
                    state = read_state(conn)
                    if state != self._state:
                        self._layers_epoch += 1
                    self._state = state
                    refreshed = time.monotonic()
                    log.info(
                        "served layer versions: %s", {k: v.version for k, v in self._state.items()}
                    )
