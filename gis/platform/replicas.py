"""Read replicas: which streaming standby may answer a read right now.

Each server process watches every replica named in ``KASANE_DATABASE_REPLICA_URLS`` from one
background thread, asking each a few times a second whether it is a standby, how far it has
replayed the primary's WAL (an LSN) and how far behind it is (seconds). A read may go to a
replica only when, at its last check (recent), it was

- up and in recovery (a promoted or misconfigured server is never read as a replica);
- no more than ``KASANE_REPLICA_MAX_LAG_S`` behind; and
- replayed at least up to the primary's WAL position the caller names: the position the primary
  had when this process last heard of a new layer version or shelter status
  (:class:`gis.layerstore.served_versions.ServedVersions`), so a replica never answers for a
  version, or an epoch, whose data it has not replayed. Replay only moves forward, so a check
  that passed stays true until the next.

Otherwise the primary answers: a replica that is down or behind is skipped with no error.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from dataclasses import dataclass, field

import psycopg

from gis.platform.db import CONNECT_TIMEOUT_S, redact

log = logging.getLogger("kasane.replicas")
CHECK_EVERY_S = 0.25
STALE_AFTER_S = 2.0  # a check older than this is not trusted (the watcher is stuck)

# seconds behind: 0 while everything received is replayed, else since the last replayed commit
CHECK_SQL = """
SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
       END::float8,
       CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END
"""


def parse_lsn(text: str | None) -> int | None:
    """``'16/B374D848'`` -> an integer that orders as the WAL position does."""
    if not text:
        return None
    match = re.fullmatch(r"([0-9A-Fa-f]+)/([0-9A-Fa-f]+)", text.strip())
    if match is None:
        return None
    return (int(match.group(1), 16) << 32) | int(match.group(2), 16)


def parse_urls(text: str) -> list[str]:
    """Replica URLs from ``KASANE_DATABASE_REPLICA_URLS`` (comma- or space-separated)."""
    return [part for part in re.split(r"[,\s]+", text.strip()) if part]


@dataclass
class ReplicaState:
    """What the last check of one replica found."""

    name: str
    url: str
    up: bool = False
    standby: bool = False
    paused: bool = False
    lag_s: float | None = None
    replay_lsn: int | None = None
    checked: float = 0.0  # time.monotonic() of the last check, 0 before the first
    error: str | None = None

    def usable(self, needed_lsn: int, max_lag_s: float, now: float) -> bool:
        """Whether this replica may answer a read that needs WAL up to ``needed_lsn``."""
        return (
            self.up
            and self.standby
            and now - self.checked < STALE_AFTER_S
            and self.lag_s is not None
            and self.lag_s <= max_lag_s
            and self.replay_lsn is not None
            and self.replay_lsn >= needed_lsn
        )

    def describe(self, max_lag_s: float) -> dict[str, object]:
        """For ``/readyz``: state, lag and the last error, never the password."""
        if not self.up:
            state = "down"
        elif not self.standby:
            state = "not a standby"
        elif self.lag_s is not None and self.lag_s > max_lag_s:
            state = "lagging"
        else:
            state = "streaming"
        return {
            "name": self.name,
            "url": redact(self.url),
            "state": state,
            "lag_s": None if self.lag_s is None else round(self.lag_s, 3),
            "replay_paused": self.paused,
            "error": self.error,
        }


@dataclass
class Replicas:
    """The replicas of one process, checked by one background thread started on first use."""

    urls: list[str]
    max_lag_s: float
    states: list[ReplicaState] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.states = [ReplicaState(f"replica{i + 1}", u) for i, u in enumerate(self.urls)]

    def start(self, wait_s: float = 1.0) -> Replicas:
        """Start checking (idempotent); waits up to ``wait_s`` for the first round."""
        with self._lock:
            if self._thread is not None or not self.states:
                return self
            self._thread = threading.Thread(target=self._run, name="kasane-replicas", daemon=True)
            self._thread.start()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and any(s.checked == 0 for s in self.states):
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Ask the thread to end (it notices within one check)."""
        self._stop.set()

    def choose(self, needed_lsn: int | None) -> ReplicaState | None:
        """A replica that may answer now (taking turns), or None: ask the primary."""
        if needed_lsn is None or not self.states:
            return None
        if self._thread is None:
            self.start()
        now = time.monotonic()
        usable = [s for s in self.states if s.usable(needed_lsn, self.max_lag_s, now)]
        if not usable:
            return None
        return usable[next(self._turn) % len(usable)]

    def failed(self, state: ReplicaState, error: str) -> None:
        """A read found the replica unreachable: skip it until its next good check."""
        state.up, state.error = False, error

    def _run(self) -> None:
        conns: dict[str, psycopg.Connection[tuple[object, ...]]] = {}
        while not self._stop.is_set():
            for state in self.states:
                self._check(state, conns)
            self._stop.wait(CHECK_EVERY_S)
        for conn in conns.values():
            conn.close()

    def _check(
        self, state: ReplicaState, conns: dict[str, psycopg.Connection[tuple[object, ...]]]
    ) -> None:
        try:
            conn = conns.get(state.url)
            if conn is None or conn.closed:
                conn = psycopg.connect(
                    state.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                )
                conns[state.url] = conn
            row = conn.execute(CHECK_SQL).fetchone()
        except psycopg.Error as exc:
            broken = conns.pop(state.url, None)
            if broken is not None:
                broken.close()
            if state.up:
                log.warning("replica %s is unreachable: %s", state.name, exc)
            first = str(exc).strip().splitlines()
            state.up, state.error = False, first[0] if first else type(exc).__name__
            state.checked = time.monotonic()
            return
        assert row is not None
        state.standby = bool(row[0])
        state.replay_lsn = parse_lsn(str(row[1])) if row[1] is not None else None
        state.lag_s = float(row[2]) if row[0] else None  # type: ignore[arg-type]
        state.paused = bool(row[3])
        state.up, state.error = True, None
        state.checked = time.monotonic()
