"""Feed service periods: the dates each GTFS feed has service information for.

A feed's period runs from the first to the last date of its ``calendar.txt`` ranges and its
``calendar_dates.txt`` additions. Feeds are published for a timetable season and then expire;
one loaded months ago may not cover today, and the transit page opened on today's date would
show "0 departures" for its municipality with no hint why. So the page and the API default to
a date inside the chosen municipality's feeds' period (when today is past it, the last such day
of today's weekday, so a weekday stays a weekday), and say that the feed has expired, with its
end date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from psycopg import sql

from gis.layerstore.storage import Conn, layer_view

BOUNDARIES = "admin_boundaries"
Status = Literal["current", "expired", "not-started", "unknown"]

_PERIODS = """
SELECT f.feed_id, least(c.first, d.first), greatest(c.last, d.last)
FROM transit.feeds f
LEFT JOIN (SELECT feed_id, min(start_date) AS first, max(end_date) AS last
           FROM transit.calendar GROUP BY feed_id) c USING (feed_id)
LEFT JOIN (SELECT feed_id, min(date) AS first, max(date) AS last FROM transit.calendar_dates
           WHERE exception_type = 1 GROUP BY feed_id) d USING (feed_id)
"""


@dataclass(frozen=True)
class Period:
    """The first and last day with service information (None: the feeds have none)."""

    first: date | None
    last: date | None

    def status(self, today: date) -> Status:
        """Whether ``today`` is inside the period, after it or before it."""
        if self.first is None or self.last is None:
            return "unknown"
        if today > self.last:
            return "expired"
        return "not-started" if today < self.first else "current"

    def default_day(self, today: date) -> date:
        """Today when inside the period; else a day inside it: the first day before it
        starts, the last day of today's weekday once it has ended."""
        status = self.status(today)
        if status in ("current", "unknown") or self.first is None or self.last is None:
            return today
        if status == "not-started":
            return self.first
        day = self.last - timedelta(days=(self.last.weekday() - today.weekday()) % 7)
        return day if day >= self.first else self.last

    def to_json(self, today: date) -> dict[str, Any]:
        """The period for the API: its days (ISO) and its status on ``today``."""
        return {
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "status": self.status(today),
        }


@dataclass(frozen=True)
class FeedPeriod(Period):
    """One feed's period."""

    feed_id: str = ""


def feed_periods(conn: Conn, feed_id: str | None = None) -> list[FeedPeriod]:
    """Every loaded feed's period (or only ``feed_id``'s), by feed id."""
    query = sql.SQL(_PERIODS + (" WHERE f.feed_id = %s" if feed_id else "") + " ORDER BY 1")
    rows = conn.execute(query, (feed_id,) if feed_id else ()).fetchall()
    return [FeedPeriod(r[1], r[2], str(r[0])) for r in rows]


def municipality_period(conn: Conn, lg_code: str) -> Period:
    """The period of the feeds with a stop in the municipality (all feeds when it has none)."""
    row = conn.execute(
        sql.SQL(
            "SELECT min(p.first), max(p.last) FROM (" + _PERIODS + ") AS p (feed_id, first, last)"
            " WHERE EXISTS (SELECT 1 FROM transit.stops s JOIN {b} b"
            " ON ST_Intersects(b.geom, ST_SetSRID(ST_MakePoint(s.stop_lon, s.stop_lat), 4326))"
            " WHERE s.feed_id = p.feed_id AND b.lg_code = %s AND s.stop_lat IS NOT NULL)"
        ).format(b=layer_view(BOUNDARIES)),
        (lg_code,),
    ).fetchone()
    if row is None or row[0] is None:
        every = feed_periods(conn)
        firsts = [p.first for p in every if p.first]
        lasts = [p.last for p in every if p.last]
        return Period(min(firsts, default=None), max(lasts, default=None))
    return Period(row[0], row[1])
