"""GTFS-JP (岩国市) and the Google sample feed, side by side in the transit schema."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from gis.platform.db import connect
from tests.etl.conftest import run_load
from tests.shared_data import shared_path

pytestmark = pytest.mark.shared


def _raw(feed: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(feed) as z:
        text = z.read(name).decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text)) if any(v.strip() for v in r.values())]


def _seconds(text: str) -> int:
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def test_two_feeds_side_by_side(etl_url: str) -> None:
    iwakuni = shared_path("yamaguchi-uesugi", "gtfs", "352080_gtfs-jp.zip")
    google = shared_path("gtfs-google-sample", "good_feed.zip")
    proc = run_load(etl_url, "transit", str(iwakuni), str(google), check=True)
    assert "transit_stops v1" in proc.stdout
    with connect(etl_url) as conn:
        for table in (
            "stops",
            "routes",
            "trips",
            "stop_times",
            "calendar_dates",
            "shapes",
            "translations",
        ):
            n = conn.execute(
                f"SELECT count(*) FROM transit.{table} WHERE feed_id = '352080_gtfs-jp'"
            ).fetchone()
            assert n[0] == len(_raw(iwakuni, f"{table}.txt")), table
        fares = conn.execute(
            "SELECT count(*) FROM transit.extra_records WHERE file_name = 'fare_rules.txt'"
            " AND feed_id = '352080_gtfs-jp'"
        ).fetchone()
        assert fares[0] == len(_raw(iwakuni, "fare_rules.txt")) == 42129
        # 9:20:00-style times in the Google sample
        times = conn.execute(
            "SELECT trip_id, stop_sequence, departure_time FROM transit.stop_times"
            " WHERE feed_id = 'good_feed'"
        ).fetchall()
        raw = {
            (r["trip_id"], int(r["stop_sequence"])): r["departure_time"]
            for r in _raw(google, "stop_times.txt")
        }
        assert {(t, s): d for t, s, d in times} == {
            k: _seconds(v) if v else None for k, v in raw.items()
        }
        assert any(v.startswith("9:") or v.startswith("6:") for v in raw.values())
        agency = conn.execute(
            "SELECT agency_name FROM transit.agency WHERE feed_id = 'good_feed'"
        ).fetchone()
        assert agency[0] == _raw(google, "agency.txt")[0]["agency_name"]
        # route lines: from shapes.txt for 岩国, from stop sequences for the sample (no shapes)
        lines = dict(
            conn.execute(
                "SELECT feed_id, count(*) FROM layer_data.transit_routes GROUP BY feed_id"
            ).fetchall()
        )
        assert lines == {"352080_gtfs-jp": 46, "good_feed": len(_raw(google, "routes.txt"))}
        stops = conn.execute("SELECT count(*) FROM layer_data.transit_stops").fetchone()
        assert stops[0] == len(_raw(iwakuni, "stops.txt")) + len(_raw(google, "stops.txt"))
        version = conn.execute(
            "SELECT version FROM kasane.layer_current WHERE layer_id = 'transit_stops'"
        ).fetchone()

    # replacing one feed leaves the other alone
    again = run_load(etl_url, "transit", str(google), "--force", check=True)
    assert "transit_stops v" in again.stdout
    with connect(etl_url) as conn:
        counts = dict(
            conn.execute("SELECT feed_id, count(*) FROM transit.stops GROUP BY feed_id").fetchall()
        )
        assert counts == {"352080_gtfs-jp": 822, "good_feed": 10}
        now = conn.execute(
            "SELECT version FROM kasane.layer_current WHERE layer_id = 'transit_stops'"
        ).fetchone()
        assert now[0] == version[0] + 1
    same = run_load(etl_url, "transit", str(google))
    assert same.returncode == 0 and "unchanged" in same.stdout


def test_extra_files_warned_and_broken_feed_rejected(etl_url: str, tmp_path: Path) -> None:
    google = shared_path("gtfs-google-sample", "good_feed.zip")
    feed = tmp_path / "extra_feed.zip"
    with zipfile.ZipFile(google) as src, zipfile.ZipFile(feed, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "stop_times.txt":
                data = data.replace(b"6:20:00,6:20:00", b"25:10:00,25:10:00", 1)
            dst.writestr(info, data)
        dst.writestr("notes.txt", "not gtfs")
    proc = run_load(etl_url, "transit", str(feed), "--dry-run", check=True)
    assert "files ignored (not GTFS/GTFS-JP): notes.txt" in proc.stdout
    assert "dry run" in proc.stdout
    run_load(etl_url, "transit", str(feed), check=True)
    with connect(etl_url) as conn:
        late = conn.execute(
            "SELECT max(departure_time) FROM transit.stop_times WHERE feed_id = 'extra_feed'"
        ).fetchone()
    assert late[0] == 25 * 3600 + 10 * 60
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("stops.txt", "stop_id\n1\n")
        z.writestr("agency.txt", "agency_name\nx\n")
    bad = run_load(etl_url, "transit", str(broken))
    assert bad.returncode == 1 and "not a GTFS feed" in bad.stdout
