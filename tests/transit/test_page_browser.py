"""/map/transit in headless Chromium: keyboard-only use of the controls, tables that follow
them, downloads, no off-site requests, and axe-core (WCAG 2.1 A/AA) in Japanese and English."""

from __future__ import annotations

from typing import Any

import pytest

from gis.platform.db import connect
from gis.transit.request import TransitRequest
from gis.transit.service import route_services, stop_services
from tests.browser import accessible_page, open_page
from tests.transit.conftest import IWAKUNI

pytestmark = pytest.mark.shared


def _tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_axe_and_no_offsite_requests(browser: Any, transit_server: str, lang: str) -> None:
    url = f"{transit_server}/map/transit?lang={lang}&date=2025-06-04"
    with accessible_page(browser, url, lang) as page:
        assert page.locator("#stops-table tbody tr").count() > 700


def test_keyboard_only_controls_drive_the_tables(
    browser: Any, transit_server: str, transit_url: str
) -> None:
    page, _ = open_page(browser, f"{transit_server}/map/transit?lang=en")
    _tab_to(page, "date")
    page.keyboard.type("07122025")  # Chromium's date field: mm dd yyyy in English
    _tab_to(page, "route")
    with connect(transit_url) as conn:
        routes = [r for r in route_services(conn, TransitRequest(IWAKUNI, _day())) if r.trips]
    chosen = routes[0]
    options = page.locator("#route option").all_inner_texts()
    steps = options.index(chosen.name)
    for _ in range(steps):
        page.keyboard.press("ArrowDown")
    _tab_to(page, "min-departures")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    _tab_to(page, "show")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "date=2025-07-12" in page.url and "min_departures=3" in page.url
    req = TransitRequest(IWAKUNI, _day(), routes=(chosen.key,), min_departures=3)
    with connect(transit_url) as conn:
        stops = [s for s in stop_services(conn, req) if s.inside]
    rows = page.locator("#stops-table tbody tr")
    assert rows.count() == len(stops)
    first = rows.nth(0).locator("td").all_inner_texts()
    assert int(first[1]) == stops[0].departures
    served = page.locator("#routes-table tbody tr").filter(has_not_text="—")
    assert served.count() >= 1
    assert page.locator("#route").input_value() == chosen.key
    href = page.locator("#stops-csv").get_attribute("href")
    assert "f=csv" in href and "min_departures=3" in href
    csv = page.request.get(transit_server + href)
    assert csv.ok and csv.body().decode("utf-8-sig").count("\r\n") == len(stops) + 1
    page.context.close()


def _day() -> Any:
    from datetime import date

    return date(2025, 7, 12)
