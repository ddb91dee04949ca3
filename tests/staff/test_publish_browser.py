"""Publishing in headless Chromium: a broken file's row-level findings with nothing published;
a good file's preview and difference, Publish, and rollback with its confirmation; zero axe
violations on each of those pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import axe_violations
from tests.server import running_server
from tests.staff.conftest import PASSWORD, SITES, served_version, sites

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_loaded")]


@pytest.fixture(scope="module")
def sites_server(database_url: str, sites_layers_dir: Path) -> Iterator[str]:
    """`kasane serve` with the layers that include :data:`SITES`."""
    with running_server(database_url, KASANE_LAYERS_DIR=str(sites_layers_dir)) as base:
        yield base


def _upload(page, name: str, body: bytes) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files("#file", files=[{"name": name, "mimeType": "application/geo+json",
                                          "buffer": body}])  # fmt: skip
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")


def test_broken_then_good_file_publish_and_roll_back(
    browser, sites_server, people, database_url
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{sites_server}/staff/sign-in?lang=en", wait_until="networkidle")
        page.fill("#name", people["yamaguchi_editor"])
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("#sign-in-form button[type=submit]")
        page.goto(f"{sites_server}/staff/layers?lang=en", wait_until="networkidle")
        assert axe_violations(page) == []
        with page.expect_navigation():
            page.click(f"a[data-layer='{SITES}']")
        assert axe_violations(page) == []
        before = served_version(database_url)
        _upload(page, "broken.geojson", sites(["ok", None, None]))
        cells = page.locator("#issues tbody tr").all_inner_texts()
        assert len(cells) == 2 and all("broken.geojson" in c and "name" in c for c in cells)
        assert page.locator("#preview-counts [data-count='loaded']").inner_text() == "1"
        assert axe_violations(page) == []
        assert page.locator("#publish").count() == 1  # the good row may be published; not yet
        assert served_version(database_url) == before
        with page.expect_navigation():
            page.click("text=Cancel")
        _upload(page, "none.geojson", sites([None]))
        assert page.locator("#preview-error").count() == 1
        assert page.locator("#publish").count() == 0  # nothing loadable: no Publish at all
        assert served_version(database_url) == before
        page.goto(f"{sites_server}/staff/layers/{SITES}?lang=en", wait_until="networkidle")
        versions = []
        for names in (["港", "駅"], ["港", "駅", "橋"]):
            _upload(page, "good.geojson", sites(names))
            assert page.locator("svg[role=img]").count() == 1
            assert page.locator("#difference").count() == 1
            assert axe_violations(page) == []
            with page.expect_navigation():
                page.click("#publish")
            assert page.locator("#layer-done").count() == 1
            versions.append(served_version(database_url))
        assert versions[1] == versions[0] + 1  # type: ignore[operator]
        with page.expect_navigation():
            page.click(f"tr[data-version='{versions[0]}'] button")
        assert page.locator("#rollback-question").count() == 1
        assert axe_violations(page) == []
        assert served_version(database_url) == versions[1]
        with page.expect_navigation():
            page.click("#rollback-confirm")
        assert served_version(database_url) == versions[0]
        assert page.locator("#layer-done").count() == 1
        assert errors == []
    finally:
        context.close()
