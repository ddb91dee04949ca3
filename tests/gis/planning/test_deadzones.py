"""Dead-zone summary figures against a hand computation on the demo data."""

from __future__ import annotations

import pytest

from gis.planning import deadzones
from gis.platform.db import connect
from gis.platform.errors import BadRequest, ConfigError
from gis.platform.year_targets import parse_targets

TARGETS = {2019: 62, 2022: 40}
# The demo data's documented trend (62 surveyed in 2019, resolved 7, 8, 8, 6, 5 in 2020-2024).
DOCUMENTED = {2019: 62, 2020: 55, 2021: 47, 2022: 39, 2023: 33, 2024: 28}


def test_parse_targets() -> None:
    assert parse_targets(" 2022:40, 2019 : 62 ") == {2019: 62, 2022: 40}
    assert parse_targets("") == {}
    with pytest.raises(ConfigError, match="YEAR:COUNT"):
        parse_targets("2019=62")
    with pytest.raises(ConfigError, match="twice"):
        parse_targets("2019:62,2019:50")


def test_target_is_linear_between_given_years() -> None:
    assert deadzones.target_for(TARGETS, 2019) == 62
    assert deadzones.target_for(TARGETS, 2020) == pytest.approx(62 - 22 / 3)
    assert deadzones.target_for(TARGETS, 2022) == 40
    assert deadzones.target_for(TARGETS, 2023) is None
    assert deadzones.target_for(TARGETS, 2018) is None


def _hand(frame, year: int) -> tuple[int, int, int]:
    surveyed = frame[frame["surveyed_year"] <= year]
    ry = surveyed["resolved_year"]
    open_ = surveyed[ry.isna() | (ry > year)]
    return len(open_), int(open_["households"].sum()), int((frame["resolved_year"] == year).sum())


def test_summary_matches_hand_computation(database_url, demo_loaded, demo_frames) -> None:
    frame = demo_frames["dead_zones"]
    with connect(database_url) as conn:
        result = deadzones.summary(conn, as_of=2022, by="municipality", targets=TARGETS)
    assert (result.first_year, result.last_year, result.as_of) == (2019, 2024, 2022)
    assert [y.year for y in result.years] == [2019, 2020, 2021, 2022]
    for item in result.years:
        assert (
            item.unresolved_districts,
            item.unresolved_households,
            item.resolved_districts,
        ) == _hand(frame, item.year)
        assert item.unresolved_districts == DOCUMENTED[item.year]
    assert result.current.target == 40
    assert result.municipalities is not None
    assert {m.lg_code for m in result.municipalities} == set(frame["lg_code"])
    names = dict(
        zip(
            demo_frames["admin_boundaries"]["lg_code"],
            demo_frames["admin_boundaries"]["name"],
            strict=True,
        )
    )
    for muni in result.municipalities:
        own = frame[frame["lg_code"] == muni.lg_code]
        districts, households, _ = _hand(own, 2022)
        assert (muni.unresolved_districts, muni.unresolved_households) == (districts, households)
        assert muni.resolved_districts == int((own["resolved_year"] <= 2022).sum())
        assert muni.surveyed_districts == len(own)
        assert muni.name == names[muni.lg_code]
    assert sum(m.unresolved_districts for m in result.municipalities) == DOCUMENTED[2022]


def test_summary_defaults_to_latest_year(database_url, demo_loaded) -> None:
    with connect(database_url) as conn:
        result = deadzones.summary(conn, as_of=None, by=None, targets={})
    assert result.as_of == 2024
    assert [y.unresolved_districts for y in result.years] == list(DOCUMENTED.values())
    assert result.municipalities is None


@pytest.mark.parametrize(("as_of", "by"), [(2018, None), (2025, None), (2020, "county")])
def test_bad_input_is_a_bad_request(database_url, demo_loaded, as_of, by) -> None:
    with connect(database_url) as conn, pytest.raises(BadRequest):
        deadzones.summary(conn, as_of=as_of, by=by, targets={})


def test_districts_geojson_status_as_of(database_url, demo_loaded, demo_frames) -> None:
    frame = demo_frames["dead_zones"]
    with connect(database_url) as conn:
        collection = deadzones.districts_geojson(conn, 2021)
    statuses = [f["properties"]["status_as_of"] for f in collection["features"]]
    assert len(statuses) == len(frame)
    assert statuses.count("unresolved") == DOCUMENTED[2021]
