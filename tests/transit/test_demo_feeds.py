"""The demo's GTFS-JP feeds (etl/demo_data/gtfs_feeds.py) give the transit planner timetables:
departures per stop equal an independent pandas count over the generated txt files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.demo import load_demo
from etl.demo_data.gtfs_feeds import demo_feeds
from gis.platform.db import connect
from tests.transit.raw_feed import departures

pytestmark = pytest.mark.usefixtures("demo_loaded")
YAMAGUCHI = "352039"


@pytest.fixture(scope="module")
def feed_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("demo-gtfs")
    files = {}
    for feed_id, data in demo_feeds().items():
        files[feed_id] = folder / f"{feed_id}.zip"
        files[feed_id].write_bytes(data)
    return files


@pytest.mark.parametrize(
    "day",
    [date(2026, 11, 24), date(2026, 11, 22), date(2027, 1, 1)],  # Tuesday, Sunday, New Year
    ids=str,
)
def test_departures_per_stop_equal_the_raw_timetable(client, feed_files, day) -> None:
    expected: dict[tuple[str, str], int] = {}
    for feed_id, path in feed_files.items():
        for stop_id, count in departures(path, day).groupby("stop_id").size().items():
            expected[(feed_id, str(stop_id))] = int(count)
    r = client.get(f"/api/transit/stops?municipality={YAMAGUCHI}&date={day}")
    assert r.status_code == 200
    stops = r.get_json()["stops"]
    assert len(stops) > 50
    got = {(s["feed_id"], s["stop_id"]): s["departures"] for s in stops}
    assert got == {key: expected.get(key, 0) for key in got}
    assert sum(got.values()) > 0


def test_weekends_and_the_new_year_run_fewer_buses(client) -> None:
    def total(day: str) -> int:
        r = client.get(f"/api/transit/stops?municipality={YAMAGUCHI}&date={day}")
        return sum(s["departures"] for s in r.get_json()["stops"])

    tuesday, sunday, new_year = total("2026-11-24"), total("2026-11-22"), total("2027-01-01")
    assert 0 < sunday < tuesday
    assert new_year == sunday  # a Friday, but holiday service


def test_loading_the_demo_again_leaves_the_feeds_alone(database_url, registry) -> None:
    count = "SELECT count(*) FROM transit.stops"
    with connect(database_url) as conn:
        before = conn.execute(count).fetchone()
    # a session database that other tests filled with their own data is kept as it is
    outcome = load_demo(database_url, registry).outcome
    assert outcome.get("gtfs:yamaguchi_demo", "unchanged") == "unchanged"
    assert outcome.get("gtfs:hofu_demo", "unchanged") == "unchanged"
    with connect(database_url) as conn:
        assert conn.execute(count).fetchone() == before
