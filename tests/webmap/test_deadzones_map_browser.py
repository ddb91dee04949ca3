"""The maps of /map/deadzones in headless Chromium: districts follow the year slider with the
status style computed by hand from the demo frame, the mesh map follows the year, the
area-statistics choropleth redraws from its form, and axe-core finds no WCAG 2.1 A/AA
violation with the maps drawn."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import axe_violations, open_page, wait_until

pytestmark = pytest.mark.browser


def _drawn(page: Any, css_class: str, slot: str = "deadzone-map") -> int:
    return int(page.locator(f"#{slot} .leaflet-overlay-pane .{css_class}").count())


def _hand_status(frame: Any, year: int) -> tuple[int, int]:
    """(unresolved, resolved) districts surveyed by the end of ``year``."""
    shown = frame[frame["surveyed_year"].isna() | (frame["surveyed_year"] <= year)]
    resolved = int((shown["resolved_year"].notna() & (shown["resolved_year"] <= year)).sum())
    return len(shown) - resolved, resolved


def test_district_map_follows_the_slider(browser: Any, live_server: str, demo_frames: Any) -> None:
    frame = demo_frames["dead_zones"]
    page, watch = open_page(browser, f"{live_server}/map/deadzones?lang=en&as_of=2024")
    try:
        wait_until(page, "document.getElementById('deadzone-map').dataset.drawnYear === '2024'")
        assert (_drawn(page, "dz-unresolved"), _drawn(page, "dz-resolved")) == _hand_status(
            frame, 2024
        )
        page.locator("#as-of").focus()
        for _ in range(3):
            page.keyboard.press("ArrowLeft")  # 2024 -> 2021
        wait_until(page, "document.getElementById('deadzone-map').dataset.drawnYear === '2021'")
        unresolved, resolved = _hand_status(frame, 2021)
        assert _hand_status(frame, 2021) != _hand_status(frame, 2024)
        assert (_drawn(page, "dz-unresolved"), _drawn(page, "dz-resolved")) == (
            unresolved,
            resolved,
        )
        caption = page.locator("#dz-map-caption").text_content()
        assert f"{unresolved} unresolved, {resolved} resolved" in caption
        statuses = page.locator("#district-table tbody tr td:nth-child(4)").all_text_contents()
        assert statuses.count("Resolved") == resolved and statuses.count("Unresolved") == unresolved
        # the mesh map follows the same year: cells with a station as in the rates API
        wait_until(page, "document.getElementById('mesh-map').dataset.drawnYear === '2021'")
        rates = page.request.get(f"{live_server}/api/mesh-coverage/rates").json()["years"]
        rate = next(r for r in rates if r["year"] == 2021)
        assert _drawn(page, "mesh-with", "mesh-map") == rate["cells_with_station"]
        assert _drawn(page, "mesh-without", "mesh-map") == (
            rate["cells_in_scope"] - rate["cells_with_station"]
        )
        assert f"{100 * rate['rate']:.1f}%" in page.locator("#mesh-map-caption").text_content()
        assert watch.console_errors == [] and watch.offsite_requests == []
    finally:
        page.context.close()


def test_mesh_year_select_redraws(browser: Any, live_server: str, demo_frames: Any) -> None:
    frame = demo_frames["mesh_coverage"]
    page, _ = open_page(browser, f"{live_server}/map/deadzones?lang=ja")
    try:
        page.locator("#mesh-year").select_option("2022")
        wait_until(page, "document.getElementById('mesh-map').dataset.drawnYear === '2022'")
        expected = int(frame[frame["year"] == 2022]["has_advanced_station"].sum())
        assert _drawn(page, "mesh-with", "mesh-map") == expected
    finally:
        page.context.close()


def test_area_statistics_choropleth(browser: Any, live_server: str, demo_frames: Any) -> None:
    shelters = demo_frames["shelters"]
    page, _ = open_page(browser, f"{live_server}/map/deadzones?lang=en")
    try:
        wait_until(
            page, "document.getElementById('stats-map').dataset.drawn === 'shelters/municipality'"
        )
        page.locator("#stats-unit").select_option("mesh2")
        page.locator("#stats-form button[type=submit]").click()
        wait_until(page, "document.getElementById('stats-map').dataset.drawn === 'shelters/mesh2'")
        rows = page.locator("#stats-table tbody tr")
        values = [
            int(v) for v in page.locator("#stats-table tbody td:nth-child(3)").all_text_contents()
        ]
        assert sum(values) == len(shelters)
        assert rows.count() == len(values) > 1
        classes = page.locator("#stats-legend li").count()
        assert 2 <= classes <= 5
        assert "f=csv" in page.locator("#stats-csv").get_attribute("href")
        assert f"total {len(shelters)}" in page.locator("#stats-caption").text_content()
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_maps_are_accessible(browser: Any, live_server: str, lang: str) -> None:
    page, watch = open_page(browser, f"{live_server}/map/deadzones?lang={lang}")
    try:
        wait_until(page, "document.getElementById('stats-map').hasAttribute('data-drawn')")
        wait_until(page, "document.getElementById('mesh-map').hasAttribute('data-drawn-year')")
        page.locator("#dz-districts summary").click()
        assert page.locator("#district-table tbody tr").count() > 0
        assert axe_violations(page) == []
        assert watch.console_errors == []
    finally:
        page.context.close()
