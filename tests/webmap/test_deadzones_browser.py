"""/map/deadzones in headless Chromium: the slider drives the tables and chart, with and without
JavaScript (axe-core on every state: tests/webmap/test_every_page_axe.py)."""

from __future__ import annotations

import pytest

from tests.browser import axe_violations, open_page, wait_until

pytestmark = pytest.mark.browser


def _hand_unresolved(frame, year: int) -> int:
    return int((frame["resolved_year"].isna() | (frame["resolved_year"] > year)).sum())


def _rows(page, table: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))",
    )


def test_slider_updates_table_chart_and_announcement(browser, live_server, demo_frames) -> None:
    frame = demo_frames["dead_zones"]
    page, watch = open_page(browser, f"{live_server}/map/deadzones?lang=en&as_of=2024")
    try:
        slider = page.locator("#as-of")
        assert page.locator("label[for=as-of]").is_visible()
        slider.focus()
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")  # 2024 -> 2022
        wait_until(page, "document.querySelectorAll('#trend-table tbody tr').length === 4")
        assert slider.get_attribute("aria-valuetext") == "2022"
        assert page.locator("#as-of-value").text_content() == "2022"
        rows = _rows(page, "trend-table")
        assert [r[0] for r in rows] == ["2019", "2020", "2021", "2022"]
        assert [int(r[1]) for r in rows] == [_hand_unresolved(frame, y) for y in range(2019, 2023)]
        assert rows[-1][4] == "40"  # the target for 2022
        muni = _rows(page, "muni-table")
        assert sum(int(r[4]) for r in muni) == _hand_unresolved(frame, 2022)
        assert "2022" in page.locator("#dz-status").text_content()
        assert "39 districts" in page.locator("#dz-status").text_content()
        assert "as_of=2022" in page.locator("#trend-chart").get_attribute("src")
        wait_until(page, "document.getElementById('trend-chart').complete")
        assert page.evaluate("document.getElementById('trend-chart').naturalWidth") > 0
        assert "as_of=2022" in page.url  # the state survives a reload or a shared link
        assert watch.console_errors == []
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_slider_form_works_without_javascript(browser, live_server, demo_frames) -> None:
    frame = demo_frames["dead_zones"]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/map/deadzones?lang=ja")
        page.locator("#as-of").fill("2020")
        page.locator("#year-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "as_of=2020" in page.url
        rows = _rows(page, "trend-table")
        assert [int(r[1]) for r in rows] == [_hand_unresolved(frame, y) for y in (2019, 2020)]
        assert page.locator("#as-of-value").text_content() == "2020年"
    finally:
        context.close()
