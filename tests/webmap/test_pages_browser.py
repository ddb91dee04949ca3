"""The public pages in a real headless Chromium: keyboard, maps that load only from Kasane.
(axe-core, language and reflow of every page: tests/webmap/test_every_page_axe.py.)"""

from __future__ import annotations

import pytest

from tests.browser import accessible_page, open_page
from tests.server import running_server

pytestmark = pytest.mark.browser


def test_skip_link_is_first_in_tab_order(browser, live_server) -> None:
    page, _ = open_page(browser, f"{live_server}/layers")
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_map_page_loads_only_from_kasane(browser, live_server, lang: str) -> None:
    """A folium map page (items as HTML): Leaflet runs, every request stays on Kasane
    (the live server has no basemap, so there is no exception), and axe finds nothing."""
    url = f"{live_server}/collections/shelters/items?f=html&lang={lang}"
    with accessible_page(browser, url, lang) as page:
        assert page.locator(".leaflet-container").count() == 1
        assert page.locator(".leaflet-interactive").count() > 0  # features drawn


@pytest.fixture(scope="module")
def server_with_basemap(database_url, demo_loaded):
    """`kasane serve` whose basemap lives on another loopback host (127.0.0.2)."""
    basemap = "http://127.0.0.2:9/basemap/{z}/{x}/{y}.png"
    with running_server(database_url, workers=1, KASANE_BASEMAP_URL=basemap) as base:
        yield base


def test_only_basemap_tiles_leave_kasane(browser, server_with_basemap) -> None:
    page, watch = open_page(browser, f"{server_with_basemap}/collections/shelters/items?f=html")
    try:
        # Chromium does not always report a request for a tile it already failed to load (or
        # for an "unsafe" port such as 9), so the tiles' addresses are read from the page
        tiles = page.evaluate(
            "Array.from(document.querySelectorAll('img.leaflet-tile'), i => i.src)"
        )
        assert tiles, "the basemap should have been requested"
        assert all(u.startswith("http://127.0.0.2:9/basemap/") for u in tiles)
        assert all(u.startswith("http://127.0.0.2:9/basemap/") for u in watch.offsite_requests)
    finally:
        page.context.close()
