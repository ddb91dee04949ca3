"""Departures per stop and trips per route on the real 岩国市 feed, against pandas on the raw
txt files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gis.platform.db import connect
from gis.transit.request import TransitRequest
from gis.transit.service import route_services, stop_services
from tests.transit.conftest import IWAKUNI
from tests.transit.raw_feed import active_services, departures, read

pytestmark = pytest.mark.shared
FEED = "352080_gtfs-jp"
# a Wednesday, a Saturday and a Sunday in the feed's period, and a day after its calendar_dates
DAYS = [date(2025, 6, 4), date(2025, 7, 12), date(2025, 8, 17), date(2025, 11, 5)]


@pytest.mark.parametrize("day", DAYS)
def test_departures_per_stop_match_pandas(transit_url: str, feed_path: Path, day: date) -> None:
    expected = departures(feed_path, day)
    per_stop = expected.groupby("stop_id")["t"].agg(["count", "min", "max"])
    in_window = expected[(expected["t"] >= 7 * 3600) & (expected["t"] < 9 * 3600)]
    window = in_window.groupby("stop_id")["t"].agg(["count", "min", "max"])
    req = TransitRequest(IWAKUNI, day, window=(7 * 3600, 9 * 3600))
    with connect(transit_url) as conn:
        stops = stop_services(conn, req)
    assert len(stops) > 700 and all(s.inside for s in stops)
    checked = 0
    for s in stops:
        if s.stop_id not in per_stop.index:
            assert s.departures == 0 and s.first_departure is None
            continue
        row = per_stop.loc[s.stop_id]
        assert (s.departures, s.first_departure, s.last_departure) == (
            row["count"],
            row["min"],
            row["max"],
        ), s.stop_id
        if s.stop_id in window.index:
            w = window.loc[s.stop_id]
            assert s.window_departures == w["count"]
            if w["count"] >= 2:
                expected_headway = (w["max"] - w["min"]) / (w["count"] - 1) / 60
                assert s.mean_headway_min == pytest.approx(expected_headway, abs=0.0501)
        checked += 1
    stops_inside = {s.stop_id for s in stops}
    outside = set(per_stop.index) - stops_inside
    assert checked == len(per_stop) - len(outside)
    assert len(outside) <= 25  # the few stops beyond 岩国市 (e.g. 六日市, 柳井)
    if day == date(2025, 11, 5):  # only calendar.txt's 平日 service is left
        assert active_services(feed_path, day) == {"平日"}


def test_trips_per_route_match_pandas(transit_url: str, feed_path: Path) -> None:
    day = DAYS[0]
    trips = read(feed_path, "trips.txt")
    running = trips[trips["service_id"].isin(active_services(feed_path, day))]
    expected = running.groupby("route_id").size().to_dict()
    with connect(transit_url) as conn:
        routes = route_services(conn, TransitRequest(IWAKUNI, day))
        one = next(r for r in routes if r.trips > 0)
        filtered = route_services(conn, TransitRequest(IWAKUNI, day, routes=(one.key,)))
        filtered_stops = stop_services(conn, TransitRequest(IWAKUNI, day, routes=(one.key,)))
    got = {r.route_id: r.trips for r in routes if r.trips}
    inside_routes = {r.route_id for r in routes}
    assert got == {k: v for k, v in expected.items() if k in inside_routes}
    assert {r.route_id: r.trips for r in filtered if r.trips} == {one.route_id: one.trips}
    deps = departures(feed_path, day)
    only = deps[deps["route_id"] == one.route_id].groupby("stop_id").size().to_dict()
    assert {s.stop_id: s.departures for s in filtered_stops if s.departures} == {
        k: v for k, v in only.items() if k in {s.stop_id for s in filtered_stops}
    }


def test_api_departures_json_and_csv(transit_url: str, feed_path: Path) -> None:
    from webmap import close, create_app

    app = create_app(_settings(transit_url))
    client = app.test_client()
    try:
        args = f"municipality=35208&date={DAYS[1].isoformat()}"
        body = client.get(f"/api/transit/stops?{args}").get_json()
        expected = departures(feed_path, DAYS[1]).groupby("stop_id").size().to_dict()
        assert {s["stop_id"]: s["departures"] for s in body["stops"] if s["departures"]} == {
            k: v for k, v in expected.items() if k in {s["stop_id"] for s in body["stops"]}
        }
        csv = client.get(f"/api/transit/stops?{args}&f=csv")
        assert csv.headers["Content-Type"].startswith("text/csv")
        assert csv.data.startswith(b"\xef\xbb\xbffeed_id,stop_id,name")
        assert csv.data.count(b"\r\n") == len(body["stops"]) + 1
        for bad in ("date=2025-02-30", "municipality=3520", "bus_radius=-3", "window=9-8"):
            response = client.get(f"/api/transit/coverage?{bad}&{args}")
            assert response.status_code == 400, bad
            assert response.mimetype == "application/problem+json"
        assert client.get(f"/api/transit/stops?municipality=131016&{args}").status_code == 404
    finally:
        close(app)


def _settings(url: str):  # type: ignore[no-untyped-def]
    from gis.platform.settings import load_settings

    return load_settings(database_url=url)
