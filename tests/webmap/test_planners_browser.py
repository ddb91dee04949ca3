"""/datasets in headless Chromium: downloads work (axe: tests/webmap/test_every_page_axe.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import open_page

pytestmark = pytest.mark.browser


def test_download_links_work_from_the_catalogue(browser, live_server) -> None:
    page, _ = open_page(browser, f"{live_server}/datasets?lang=en")
    try:
        links = page.eval_on_selector_all(
            "a[download]", "links => links.map(a => a.getAttribute('href'))"
        )
        assert any(h.endswith("/datasets/dead_zones.gpkg") for h in links)
        with page.expect_download() as info:
            page.locator("a[href$='/datasets/shelters.csv']").click()
        download = info.value
        assert download.suggested_filename == "shelters.csv"
        assert Path(download.path()).read_bytes()[:3] == b"\xef\xbb\xbf"
    finally:
        page.context.close()
