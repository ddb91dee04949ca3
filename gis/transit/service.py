"""Service on a date: which trips run, departures per stop, trips per route.

A service runs on a date when ``calendar.txt`` has it that weekday between its start and end
dates and ``calendar_dates.txt`` does not remove it (exception 2), or when
``calendar_dates.txt`` adds it (exception 1). Dates are service days: a trip at 25:10 belongs
to the day it starts on. A *departure* is a stop time of a running trip where passengers may
board (``pickup_type`` is not 1, so a trip's last stop is usually not one). Trips listed in
``frequencies.txt`` run once per headway from ``start_time`` up to (not including)
``end_time``, shifted from their timetable. The mean headway is the mean gap between
consecutive departures inside the time window: (last - first) / (departures - 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from psycopg import sql

from gis.geo.crs import jgd2011_zone_epsg, zone_for_prefecture
from gis.layerstore.storage import Conn, layer_view
from gis.platform.errors import NotFound
from gis.transit.request import TransitRequest

BOUNDARIES = "admin_boundaries"
RAIL_ROUTE_TYPES = (0, 1, 2, 5, 7, 12)  # tram, metro, rail, cable tram, funicular, monorail

# Trips that run on %(day)s, after the operator/route filters, one row per run.
RUNS_SQL = """
WITH active AS (
    SELECT c.feed_id, c.service_id FROM transit.calendar c
    WHERE %(day)s BETWEEN c.start_date AND c.end_date
      AND (ARRAY[c.monday, c.tuesday, c.wednesday, c.thursday, c.friday, c.saturday,
                 c.sunday])[extract(isodow FROM %(day)s::date)::int]
    UNION
    SELECT feed_id, service_id FROM transit.calendar_dates
    WHERE date = %(day)s AND exception_type = 1
    EXCEPT
    SELECT feed_id, service_id FROM transit.calendar_dates
    WHERE date = %(day)s AND exception_type = 2
), trips_on AS (
    SELECT t.feed_id, t.trip_id, t.route_id
    FROM transit.trips t JOIN active a USING (feed_id, service_id)
    JOIN transit.routes r USING (feed_id, route_id)
    WHERE (cardinality(%(routes)s::text[]) = 0
           OR t.feed_id || ':' || t.route_id = ANY(%(routes)s::text[]))
      AND (cardinality(%(agencies)s::text[]) = 0
           OR t.feed_id || ':' || coalesce(r.agency_id, '') = ANY(%(agencies)s::text[]))
), runs AS (
    SELECT t.feed_id, t.trip_id, t.route_id, 0 AS shift FROM trips_on t
    WHERE NOT EXISTS (SELECT 1 FROM transit.frequencies f
                      WHERE f.feed_id = t.feed_id AND f.trip_id = t.trip_id)
    UNION ALL
    SELECT t.feed_id, t.trip_id, t.route_id, s.start - first.departure
    FROM trips_on t JOIN transit.frequencies f USING (feed_id, trip_id)
    CROSS JOIN LATERAL (SELECT min(departure_time) AS departure FROM transit.stop_times x
                        WHERE x.feed_id = t.feed_id AND x.trip_id = t.trip_id) first
    CROSS JOIN LATERAL generate_series(f.start_time, f.end_time - 1, f.headway_secs) s(start)
), departures AS (
    SELECT st.feed_id, st.stop_id, r.route_id, r.trip_id, r.shift, st.departure_time + r.shift AS t
    FROM runs r JOIN transit.stop_times st USING (feed_id, trip_id)
    WHERE coalesce(st.pickup_type, 0) <> 1
), municipality AS MATERIALIZED (
    SELECT ST_Transform(geom, %(epsg)s) AS g FROM {boundaries} WHERE lg_code = %(lg_code)s
), rail_stops AS (
    SELECT DISTINCT st.feed_id, st.stop_id
    FROM transit.routes z JOIN transit.trips y USING (feed_id, route_id)
    JOIN transit.stop_times st USING (feed_id, trip_id)
    WHERE z.route_type = ANY(%(rail)s)
), local_stops AS MATERIALIZED (
    SELECT s.feed_id, s.stop_id, s.stop_name, s.stop_lon, s.stop_lat,
           ST_Intersects(m.g, p.g) AS inside,
           EXISTS (SELECT 1 FROM rail_stops x WHERE x.feed_id = s.feed_id
                   AND x.stop_id = s.stop_id) AS rail
    FROM transit.stops s CROSS JOIN municipality m
    CROSS JOIN LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(s.stop_lon, s.stop_lat),
                        4326), %(epsg)s) AS g) p
    WHERE s.stop_lat IS NOT NULL AND coalesce(s.location_type, 0) = 0
      AND ST_DWithin(m.g, p.g, %(within)s)
)
"""

STOPS_SQL = (
    RUNS_SQL
    + """
SELECT s.feed_id, s.stop_id, s.stop_name, s.stop_lon, s.stop_lat, s.inside,
       count(d.stop_id) AS departures, min(d.t), max(d.t),
       count(d.t) FILTER (WHERE d.t >= %(w0)s AND d.t < %(w1)s),
       min(d.t) FILTER (WHERE d.t >= %(w0)s AND d.t < %(w1)s),
       max(d.t) FILTER (WHERE d.t >= %(w0)s AND d.t < %(w1)s),
       count(DISTINCT d.route_id),
       s.rail
FROM local_stops s LEFT JOIN departures d USING (feed_id, stop_id)
GROUP BY s.feed_id, s.stop_id, s.stop_name, s.stop_lon, s.stop_lat, s.inside, s.rail
ORDER BY count(d.stop_id) DESC, s.stop_name, s.feed_id, s.stop_id
"""
)

ROUTES_SQL = (
    RUNS_SQL
    + """
, served AS (
    SELECT DISTINCT t.feed_id, t.route_id FROM transit.trips t
    JOIN transit.stop_times st USING (feed_id, trip_id)
    JOIN local_stops s ON s.feed_id = st.feed_id AND s.stop_id = st.stop_id AND s.inside
), trip_times AS (
    SELECT feed_id, route_id, trip_id, min(t) AS start FROM departures
    GROUP BY feed_id, route_id, trip_id, shift  -- one row per run
), route_runs AS (
    SELECT feed_id, route_id, count(*) AS trips FROM runs GROUP BY feed_id, route_id
), route_times AS (
    SELECT feed_id, route_id, min(start) AS first, max(start) AS last FROM trip_times
    GROUP BY feed_id, route_id
)
SELECT r.feed_id, r.route_id, coalesce(r.agency_id, ''), a.agency_name, r.route_short_name,
       r.route_long_name, r.route_type, r.route_color,
       coalesce(n.trips, 0), tt.first, tt.last
FROM served JOIN transit.routes r USING (feed_id, route_id)
LEFT JOIN route_runs n USING (feed_id, route_id)
LEFT JOIN route_times tt USING (feed_id, route_id)
LEFT JOIN transit.agency a ON a.feed_id = r.feed_id
     AND a.agency_id = coalesce(r.agency_id, a.agency_id)
ORDER BY r.feed_id, coalesce(r.route_short_name, ''), r.route_long_name, r.route_id
"""
)


@dataclass(frozen=True)
class StopService:
    """One stop's service on the date (times in seconds past midnight of the service day)."""

    feed_id: str
    stop_id: str
    name: str
    lon: float
    lat: float
    inside: bool
    departures: int
    first_departure: int | None
    last_departure: int | None
    window_departures: int
    mean_headway_min: float | None
    routes: int
    rail: bool

    @property
    def key(self) -> str:
        """``feed_id:stop_id``."""
        return f"{self.feed_id}:{self.stop_id}"


@dataclass(frozen=True)
class RouteService:
    """One route serving the municipality, with its trips on the date."""

    feed_id: str
    route_id: str
    agency_key: str
    agency_name: str | None
    short_name: str | None
    long_name: str | None
    route_type: int | None
    color: str | None
    trips: int
    first_departure: int | None
    last_departure: int | None

    @property
    def key(self) -> str:
        """``feed_id:route_id``."""
        return f"{self.feed_id}:{self.route_id}"

    @property
    def name(self) -> str:
        """The name to show: short and long name, or the id."""
        parts = [p for p in (self.short_name, self.long_name) if p]
        return " ".join(parts) or self.route_id


def zone_epsg(lg_code: str) -> int:
    """EPSG code of the plane-rectangular zone of the municipality's prefecture."""
    return jgd2011_zone_epsg(zone_for_prefecture(lg_code))


def _params(req: TransitRequest, within_m: float) -> dict[str, Any]:
    return {
        "day": req.service_date,
        "routes": list(req.routes),
        "agencies": list(req.agencies),
        "epsg": zone_epsg(req.lg_code),
        "lg_code": req.lg_code,
        "within": within_m,
        "w0": req.window[0],
        "w1": req.window[1],
        "rail": list(RAIL_ROUTE_TYPES),
    }


def municipality_name(conn: Conn, lg_code: str) -> str:
    """The municipality's name from ``admin_boundaries``; NotFound when it is not there."""
    row = conn.execute(
        sql.SQL("SELECT name FROM {} WHERE lg_code = %s").format(layer_view(BOUNDARIES)),
        (lg_code,),
    ).fetchone()
    if row is None:
        raise NotFound(f"municipality {lg_code} is not in the loaded admin_boundaries layer")
    return str(row[0])


def _headway(count: int, first: int | None, last: int | None) -> float | None:
    if count < 2 or first is None or last is None:
        return None
    return round((last - first) / (count - 1) / 60.0, 1)


def stop_services(conn: Conn, req: TransitRequest, *, within_m: float = 0.0) -> list[StopService]:
    """Boarding stops in (or within ``within_m`` of) the municipality with their departures.

    Busiest first. Stops without a departure that day are listed with 0.
    """
    municipality_name(conn, req.lg_code)
    query = sql.SQL(STOPS_SQL).format(boundaries=layer_view(BOUNDARIES))
    rows = conn.execute(query, _params(req, within_m)).fetchall()
    return [
        StopService(
            feed_id=str(r[0]),
            stop_id=str(r[1]),
            name=str(r[2] or r[1]),
            lon=float(r[3]),
            lat=float(r[4]),
            inside=bool(r[5]),
            departures=int(r[6]),
            first_departure=r[7],
            last_departure=r[8],
            window_departures=int(r[9]),
            mean_headway_min=_headway(int(r[9]), r[10], r[11]),
            routes=int(r[12]),
            rail=bool(r[13]),
        )
        for r in rows
    ]


def route_services(conn: Conn, req: TransitRequest) -> list[RouteService]:
    """Routes that stop in the municipality, with trips, first and last departure on the date.

    Operator and route filters apply to the trips counted; every route serving the
    municipality is listed, so a filtered-out route shows 0 trips.
    """
    municipality_name(conn, req.lg_code)
    query = sql.SQL(ROUTES_SQL).format(boundaries=layer_view(BOUNDARIES))
    rows = conn.execute(query, _params(req, 0.0)).fetchall()
    return [
        RouteService(
            feed_id=str(r[0]),
            route_id=str(r[1]),
            agency_key=f"{r[0]}:{r[2]}",
            agency_name=r[3].strip() if r[3] else None,
            short_name=r[4],
            long_name=r[5],
            route_type=r[6],
            color=r[7],
            trips=int(r[8]),
            first_departure=r[9],
            last_departure=r[10],
        )
        for r in rows
    ]


def service_range(conn: Conn) -> tuple[date | None, date | None]:
    """The first and last date any loaded feed has service information for."""
    row = conn.execute(
        "SELECT least(min(c.start_date), (SELECT min(date) FROM transit.calendar_dates)),"
        " greatest(max(c.end_date), (SELECT max(date) FROM transit.calendar_dates))"
        " FROM transit.calendar c"
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def municipalities_with_stops(conn: Conn) -> list[tuple[str, str, int]]:
    """(lg_code, name, boarding stops inside) of every municipality, busiest first."""
    rows = conn.execute(
        sql.SQL(
            "SELECT b.lg_code, b.name, count(s.stop_id) FROM {} b"
            " LEFT JOIN transit.stops s ON coalesce(s.location_type, 0) = 0"
            " AND s.stop_lat IS NOT NULL"
            " AND ST_Intersects(b.geom, ST_SetSRID(ST_MakePoint(s.stop_lon, s.stop_lat), 4326))"
            " GROUP BY b.lg_code, b.name ORDER BY count(s.stop_id) DESC, b.lg_code"
        ).format(layer_view(BOUNDARIES))
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
