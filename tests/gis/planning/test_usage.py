"""Usage counters: counted in memory, written as summed upserts, never lost on a failed write."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from gis.planning import usage
from gis.platform.db import connect, connection

DAY = date(2001, 2, 3)  # far from today, so other tests' counts never mix in


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _hits(url: str, kind: str, key: str) -> int:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT hits FROM kasane.usage_daily WHERE day = %s AND kind = %s AND key = %s",
            (DAY, kind, key),
        ).fetchone()
    return int(row[0]) if row else 0


def test_counter_is_due_only_after_the_interval() -> None:
    clock = Clock()
    counter = usage.UsageCounter(30, clock=clock, today=lambda: DAY)
    assert not counter.due()
    counter.record("page", "/map/deadzones")
    clock.now = 29.9
    assert not counter.due()
    clock.now = 30.0
    assert counter.due()
    assert counter.take() == Counter({(DAY, "page", "/map/deadzones"): 1})
    assert counter.pending() == 0 and not counter.due()
    with pytest.raises(ValueError):
        counter.record("ip", "127.0.0.1")


def test_flushes_add_up(database_url) -> None:
    counter = usage.UsageCounter(30, today=lambda: DAY)
    for _ in range(5):
        counter.record("layer", "shelters")
    counter.record("page", "/datasets")
    assert usage.flush(counter, lambda: connection(database_url)) == 6
    for _ in range(3):
        counter.record("layer", "shelters")
    assert usage.flush(counter, lambda: connection(database_url)) == 3
    assert _hits(database_url, "layer", "shelters") == 8
    assert _hits(database_url, "page", "/datasets") == 1
    with connect(database_url) as conn:
        totals = usage.daily_totals(conn, 2, until=DAY)
        assert [(d.day, d.pages, d.layers) for d in totals] == [
            (date(2001, 2, 2), 0, 0),
            (DAY, 1, 8),
        ]
        assert usage.top(conn, "layer", 1, until=DAY) == [("shelters", 8)]


def test_failed_flush_keeps_the_counts(database_url) -> None:
    counter = usage.UsageCounter(30, today=lambda: DAY)
    counter.record("page", "/stats")

    def broken():
        raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        usage.flush(counter, broken)
    assert counter.pending() == 1
    usage.flush(counter, lambda: connection(database_url))
    assert counter.pending() == 0
    assert _hits(database_url, "page", "/stats") == 1
