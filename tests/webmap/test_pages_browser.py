"""The public pages in a real headless Chromium: language, keyboard, no off-site requests,
and zero axe-core WCAG 2.1 A/AA violations, in Japanese and English."""

from __future__ import annotations

import pytest

from tests.browser import axe_violations, open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/layers"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_is_accessible(browser, live_server, path: str, lang: str) -> None:
    page, watch = open_page(browser, f"{live_server}{path}?lang={lang}")
    try:
        assert page.get_attribute("html", "lang") == lang
        assert watch.console_errors == []
        assert watch.offsite_requests == []
        assert axe_violations(page) == []
    finally:
        page.context.close()


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
    page, watch = open_page(browser, f"{live_server}/collections/shelters/items?f=html&lang={lang}")
    try:
        assert page.locator(".leaflet-container").count() == 1
        assert page.locator(".leaflet-interactive").count() > 0  # features drawn
        assert watch.console_errors == []
        assert watch.offsite_requests == []
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def server_with_basemap(database_url, demo_loaded):
    """`kasane serve` whose basemap lives on another loopback host (127.0.0.2)."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.conftest import ROOT, free_port

    port = free_port()
    env = {
        **os.environ,
        "KASANE_DATABASE_URL": database_url,
        "KASANE_BASEMAP_URL": "http://127.0.0.2:9/basemap/{z}/{x}/{y}.png",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasane", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_only_basemap_tiles_leave_kasane(browser, server_with_basemap) -> None:
    page, watch = open_page(browser, f"{server_with_basemap}/collections/shelters/items?f=html")
    try:
        assert watch.offsite_requests, "the basemap should have been requested"
        assert all(u.startswith("http://127.0.0.2:9/basemap/") for u in watch.offsite_requests)
    finally:
        page.context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/layers",
        "/shelters",
        "/map/hazard",
        "/map/deadzones",
        "/map/transit",
        "/datasets",
        "/stats",
        "/collections/shelters/items?f=html",
    ],
)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_public_pages_reflow_at_360_px(browser, live_server, path: str, lang: str) -> None:
    """WCAG 1.4.10: no horizontal scrolling of the page at 360 CSS px (wide tables scroll
    inside their own box)."""
    joiner = "&" if "?" in path else "?"
    page, _ = open_page(browser, f"{live_server}{path}{joiner}lang={lang}", width=360, height=800)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        page.context.close()
