"""A feed whose service period has ended: loaded with a warning naming its period; the API and
the page default to a day inside it and say that it expired, with its end date; ``/layers``
lists every feed's period. The feed is the real 岩国市 GTFS-JP feed with every date moved back
312 weeks (so weekdays stay weekdays), which makes it expired whatever today is."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from gis.transit.periods import Period
from tests.browser import accessible_page
from tests.etl.conftest import etl_url, run_load  # noqa: F401  (fixture re-export)
from tests.server import running_server
from tests.shared_data import shared_path
from tests.transit.conftest import IWAKUNI
from tests.transit.synthetic import boundary_from_n03, write_mesh_csv

SHIFT = timedelta(weeks=312)
N03 = ("n03-smartnews", "geojson_s0010_N03-21_35_210101.json")


def _shifted(text: str) -> str:
    """Every YYYYMMDD cell of a calendar file moved back by :data:`SHIFT`."""
    lines = text.splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        for i, cell in enumerate(cells):
            if len(cell) == 8 and cell.isdigit() and cell.startswith("20"):
                day = date(int(cell[:4]), int(cell[4:6]), int(cell[6:]))
                cells[i] = (day - SHIFT).strftime("%Y%m%d")
        out.append(",".join(cells))
    return "\r\n".join(out) + "\r\n"


def _calendar_range(members: dict[str, bytes]) -> tuple[date, date]:
    days = []
    for name in ("calendar.txt", "calendar_dates.txt"):
        for line in members[name].decode("utf-8-sig").splitlines()[1:]:
            days += [c for c in line.split(",") if len(c) == 8 and c.isdigit()]
    parsed = sorted(date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in days)
    return parsed[0], parsed[-1]


@pytest.fixture(scope="module")
def expired_feed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date, date]:
    source = shared_path("yamaguchi-uesugi", "gtfs", "352080_gtfs-jp.zip")
    with zipfile.ZipFile(source) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    for name in ("calendar.txt", "calendar_dates.txt", "feed_info.txt"):
        if name in members:
            members[name] = _shifted(members[name].decode("utf-8-sig")).encode("utf-8-sig")
    target = tmp_path_factory.mktemp("feed") / "352080_old.zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    target.write_bytes(out.getvalue())
    first, last = _calendar_range(members)
    return target, first, last


@pytest.fixture(scope="module")
def expired_url(etl_url: str, expired_feed: tuple[Path, date, date], tmp_path_factory: Any) -> str:  # noqa: F811
    n03 = shared_path(*N03)
    mesh = tmp_path_factory.mktemp("mesh") / "iwakuni_mesh3.csv"
    write_mesh_csv(boundary_from_n03(n03, IWAKUNI[:5]), mesh)
    run_load(etl_url, "admin_boundaries", str(n03), check=True)
    run_load(etl_url, "population_mesh", str(mesh), "--set", "survey_year=2020", check=True)
    return etl_url


@pytest.fixture(scope="module")
def expired_load(
    expired_url: str, expired_feed: tuple[Path, date, date], tmp_path_factory: Any
) -> str:
    report = tmp_path_factory.mktemp("report") / "r.json"
    proc = run_load(expired_url, "transit", str(expired_feed[0]), "--report", str(report),
                    check=True)  # fmt: skip
    return proc.stdout + report.read_text("utf-8")


@pytest.fixture(scope="module")
def expired_server(expired_url: str, expired_load: str) -> Iterator[str]:
    with running_server(expired_url, workers=1) as base:
        yield base


def test_period_rules() -> None:
    period = Period(date(2025, 4, 1), date(2026, 3, 31))  # a Tuesday
    assert period.status(date(2025, 6, 4)) == "current"
    assert period.default_day(date(2025, 6, 4)) == date(2025, 6, 4)
    assert period.default_day(date(2024, 12, 1)) == date(2025, 4, 1)  # not started: first day
    assert period.status(date(2026, 12, 7)) == "expired"
    assert period.default_day(date(2026, 12, 7)) == date(2026, 3, 30)  # a Monday, as 12-07
    assert period.default_day(date(2026, 12, 9)) == date(2026, 3, 25)  # a Wednesday
    assert Period(None, None).default_day(date(2026, 12, 7)) == date(2026, 12, 7)


def _expected_day(last: date) -> date:
    today = date.today()
    return last - timedelta(days=(last.weekday() - today.weekday()) % 7)


def test_expired_feed_loads_with_a_warning_naming_its_period(
    expired_load: str, expired_feed: tuple[Path, date, date]
) -> None:
    _, first, last = expired_feed
    assert f"service period {first} to {last} ended (today is {date.today()})" in expired_load


def test_api_defaults_to_a_day_inside_the_period(
    expired_server: str, expired_feed: tuple[Path, date, date]
) -> None:
    import json
    import urllib.request

    _, first, last = expired_feed
    with urllib.request.urlopen(f"{expired_server}/api/transit/stops?municipality={IWAKUNI}") as r:
        body = json.load(r)
    assert body["request"]["date"] == _expected_day(last).isoformat()
    assert body["service_period"] == {"first": first.isoformat(), "last": last.isoformat(),
                                      "status": "expired"}  # fmt: skip
    assert sum(s["departures"] for s in body["stops"]) > 0  # not "0 departures"
    with urllib.request.urlopen(f"{expired_server}/layers?f=json") as r:
        feeds = json.load(r)["feeds"]
    assert feeds == [{"feed_id": "352080_old", "first": first.isoformat(),
                      "last": last.isoformat(), "status": "expired"}]  # fmt: skip


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_says_the_feed_expired(
    browser: Any, expired_server: str, expired_feed: tuple[Path, date, date], lang: str
) -> None:
    _, _, last = expired_feed
    day = _expected_day(last).isoformat()
    with accessible_page(browser, f"{expired_server}/map/transit?lang={lang}", lang) as page:
        notice = page.locator("#feed-period").inner_text()
        assert last.isoformat() in notice and day in notice
        assert ("ended on" if lang == "en" else "終わっています") in notice
        assert page.locator("#date").input_value() == day
    with accessible_page(browser, f"{expired_server}/layers?lang={lang}", lang) as page:
        row = page.locator("#feed-list tbody tr").first.inner_text()
        assert "352080_old" in row and last.isoformat() in row
        assert ("expired" if lang == "en" else "期限切れ") in row
