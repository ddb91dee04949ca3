"""The basemap in real headless Chromium, as in a closed network: every request to anything but
127.0.0.1 is blocked. /map and /map/hazard at the prefecture view still draw a basemap and every
enabled layer (the local basemap beneath the unreachable online tiles), and an imported PMTiles
archive (made here) is served with ETag and drawn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from gis.platform import basemap
from gis.platform.settings import GSI_STD_TILES
from tests.basemap_files import make_pmtiles
from tests.browser import wait_until
from tests.server import running_server

pytestmark = pytest.mark.browser
LAND = (0xF4, 0xF2, 0xEC)  # static/js/basemap.js: land of the local basemap
ARCHIVE_RGB = (200, 0, 200)
PAINTED = """(pane) => {
  let n = 0;
  document.querySelectorAll(`.leaflet-${pane}-pane canvas`).forEach((cv) => {
    const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
  });
  return n;
}"""


def closed_network_page(browser: Any, url: str, width: int = 1280) -> tuple[Any, list[str]]:
    """``url`` with every request to another host than 127.0.0.1 aborted (and listed)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    blocked: list[str] = []

    def route(r: Any) -> None:
        if urlparse(r.request.url).hostname == "127.0.0.1" or r.request.url.startswith("data:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    return page, blocked


@pytest.fixture(scope="module")
def online_default_server(database_url: str, demo_loaded: Any) -> Iterator[str]:
    """Kasane configured as out of the box (GSI tiles online), in a network that blocks them."""
    with running_server(database_url, workers=1, KASANE_BASEMAP_URL=GSI_STD_TILES) as base:
        yield base


def screenshot_colours(page: Any) -> set[tuple[int, int, int]]:
    import io

    from PIL import Image

    shot = Image.open(io.BytesIO(page.locator(".folium-map").screenshot())).convert("RGB")
    w, h = shot.size
    inner = shot.crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4))  # inside the data's box
    return {c for _, c in inner.getcolors(maxcolors=1 << 20)}


@pytest.mark.parametrize("path", ["/map", "/map/hazard"])
def test_prefecture_view_draws_with_the_internet_blocked(
    browser: Any, online_default_server: str, path: str
) -> None:
    page, blocked = closed_network_page(browser, f"{online_default_server}{path}")
    try:
        assert page.evaluate("window.KasaneBasemap !== undefined")
        wait_until(page, f"({PAINTED})('kasane-basemap') > 0")  # land from admin_boundaries
        if path == "/map":
            wait_until(page, "document.body.getAttribute('data-integrated-map') === 'ready'")
            for layer_id in page.evaluate("Object.keys(window.kasaneIntegratedMap.layers)"):
                if page.is_checked(f"#layer-{layer_id}"):
                    wait_until(
                        page, f"document.body.getAttribute('data-drawn-{layer_id}') === 'yes'"
                    )
            assert page.evaluate(f"({PAINTED})('kasane-overlays')") > 0
        else:
            wait_until(page, f"({PAINTED})('hazards') > 0")
            wait_until(page, "document.querySelectorAll('.shelter-marker').length > 0")
        labels = page.locator(".basemap-label").all_inner_texts()
        assert "山口市" in labels
        colours = screenshot_colours(page)
        assert len(colours) > 3 and LAND in colours
        # the only requests that left Kasane were the configured online tiles (blocked here)
        assert blocked and all(u.startswith("https://cyberjapandata.gsi.go.jp/") for u in blocked)
    finally:
        page.context.close()


def test_closed_network_setting_makes_no_offsite_request(browser: Any, live_server: str) -> None:
    """KASANE_BASEMAP_URL empty (the test server): nothing is even tried off-site."""
    page, blocked = closed_network_page(browser, f"{live_server}/map/hazard", width=390)
    try:
        wait_until(page, f"({PAINTED})('kasane-basemap') > 0")
        assert blocked == []
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def archive_server(
    database_url: str, demo_loaded: Any, tmp_path_factory: Any
) -> Iterator[tuple[str, basemap.BasemapInfo]]:
    home = tmp_path_factory.mktemp("home")
    source = Path(home) / "made-here.pmtiles"
    make_pmtiles(source, ARCHIVE_RGB, max_zoom=12)
    info = basemap.import_archive(source, home)
    with running_server(database_url, workers=1, KASANE_HOME=str(home)) as base:
        yield base, info


def test_imported_pmtiles_is_served_and_drawn(browser: Any, archive_server: Any) -> None:
    base, info = archive_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    answers: list[Any] = []
    page.on("response", lambda r: answers.append(r) if "/basemap/tiles/" in r.url else None)
    try:
        page.goto(f"{base}/map", wait_until="networkidle")
        tiles = ".leaflet-kasane-basemap-pane img.leaflet-tile-loaded"
        wait_until(page, f"document.querySelectorAll('{tiles}').length > 0")
        ok = [r for r in answers if r.status == 200]
        assert ok and all(r.headers["content-type"] == "image/png" for r in ok)
        assert all(info.etag in r.headers["etag"] for r in ok)
        assert (
            "Test basemap (made in the test)"
            in page.locator(".leaflet-control-attribution").inner_text()
        )
        assert ARCHIVE_RGB in screenshot_colours(page)
        ranged = page.request.get(f"{base}/basemap/basemap.pmtiles", headers={"Range": "bytes=0-6"})
        assert ranged.status == 206 and ranged.body() == b"PMTiles"
        assert ranged.headers["etag"].strip('"') == info.etag
    finally:
        context.close()
