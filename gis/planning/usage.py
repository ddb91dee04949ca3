"""Usage statistics without tracking: page views and layer requests counted per day.

Each server process counts in memory (:class:`UsageCounter`, thread-safe) and adds its counts to
``kasane.usage_daily`` every few seconds and at exit (:func:`flush`), so a surge of requests on a
disaster day costs no database writes per request. Only the day, the kind (``page`` or
``layer``), the page's route or the layer id, and a number are kept: no IP address, no user
agent, no query string.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta

from gis.layerstore.storage import Conn

KINDS = ("page", "layer")
MAX_KEY_LENGTH = 200
CountKey = tuple[date, str, str]


class UsageCounter:
    """Per-process daily counters; :meth:`take` hands them over for writing."""

    def __init__(
        self,
        flush_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.flush_seconds = flush_seconds
        self._clock = clock
        self._today = today
        self._lock = threading.Lock()
        self._counts: Counter[CountKey] = Counter()
        self._last_flush = clock()
        self.flushing = threading.Lock()  # held while a flush runs; one at a time

    def record(self, kind: str, key: str) -> None:
        """Count one page view or layer request for today."""
        if kind not in KINDS:
            raise ValueError(f"usage kind must be one of {KINDS}, not {kind!r}")
        with self._lock:
            self._counts[(self._today(), kind, key[:MAX_KEY_LENGTH])] += 1

    def due(self) -> bool:
        """True when counts are waiting and the flush interval has passed."""
        return bool(self._counts) and self._clock() - self._last_flush >= self.flush_seconds

    def take(self) -> Counter[CountKey]:
        """Remove and return everything counted so far (and restart the interval)."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._last_flush = self._clock()
        return counts

    def give_back(self, counts: Counter[CountKey]) -> None:
        """Return counts that could not be written, to try again at the next flush."""
        with self._lock:
            self._counts.update(counts)

    def pending(self) -> int:
        """How many hits are counted but not written yet."""
        with self._lock:
            return sum(self._counts.values())


def write(conn: Conn, counts: Counter[CountKey]) -> None:
    """Add counts to ``kasane.usage_daily`` in one statement (an upsert that sums)."""
    if not counts:
        return
    keys = sorted(counts)  # a stable order avoids deadlocks between processes
    conn.execute(
        "INSERT INTO kasane.usage_daily (day, kind, key, hits)"
        " SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::bigint[])"
        " ON CONFLICT (day, kind, key) DO UPDATE SET hits = usage_daily.hits + EXCLUDED.hits",
        (
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            [counts[k] for k in keys],
        ),
    )


def flush(counter: UsageCounter, connect: Callable[[], AbstractContextManager[Conn]]) -> int:
    """Write what ``counter`` holds using a connection from ``connect()`` (a context manager).

    On failure the counts go back into the counter and the error propagates. Returns the
    number of hits written.
    """
    with counter.flushing:
        counts = counter.take()
        if not counts:
            return 0
        try:
            with connect() as conn:
                write(conn, counts)
        except Exception:
            counter.give_back(counts)
            raise
        return sum(counts.values())


@dataclass(frozen=True)
class DayUsage:
    """Totals of one day."""

    day: date
    pages: int
    layers: int


def daily_totals(conn: Conn, days: int, *, until: date | None = None) -> list[DayUsage]:
    """Page views and layer requests for each of the last ``days`` days (zeros included)."""
    last = until or date.today()
    first = last - timedelta(days=days - 1)
    rows = conn.execute(
        "SELECT day, kind, sum(hits) FROM kasane.usage_daily"
        " WHERE day BETWEEN %s AND %s GROUP BY day, kind",
        (first, last),
    ).fetchall()
    found = {(r[0], str(r[1])): int(r[2]) for r in rows}
    return [
        DayUsage(d, found.get((d, "page"), 0), found.get((d, "layer"), 0))
        for d in (first + timedelta(days=i) for i in range(days))
    ]


def top(conn: Conn, kind: str, days: int, *, until: date | None = None) -> list[tuple[str, int]]:
    """Pages or layers by hits over the last ``days`` days, most used first."""
    last = until or date.today()
    rows = conn.execute(
        "SELECT key, sum(hits) AS n FROM kasane.usage_daily"
        " WHERE kind = %s AND day BETWEEN %s AND %s GROUP BY key ORDER BY n DESC, key",
        (kind, last - timedelta(days=days - 1), last),
    ).fetchall()
    return [(str(key), int(n)) for key, n in rows]
