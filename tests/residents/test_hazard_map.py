"""/map/hazard in real headless Chromium against a database holding the demo layers and the
REAL Yamaguchi flood-depth grid (loaded with `kasane load`). Expectations come from the raw
shapefiles (pyogrio/shapely), the MLIT rank table and pyproj.Geod, never from the page."""

from __future__ import annotations

import json
import math
import urllib.request
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from pyproj import Geod

from gis.layerstore.registry import LayerRegistry
from gis.platform import auth
from gis.platform.db import connect
from tests.browser import accessible_page, axe_violations, open_page, wait_until
from tests.etl.conftest import etl_url, run_load  # noqa: F401  (etl_url is a fixture)
from tests.server import running_server
from tests.shared_data import shared_path

GEOD = Geod(ellps="WGS84")
# MLIT standard depth ranks (upper limits in m) and their English wording
MLIT_LIMITS = (0.5, 3.0, 5.0, 10.0, 20.0)
MLIT_LABELS_EN = {
    1: "under 0.5 m",
    2: "0.5 m to under 3.0 m",
    3: "3.0 m to under 5.0 m",
    4: "5.0 m to under 10.0 m",
    5: "10.0 m to under 20.0 m",
    6: "20.0 m and over",
}
NEAR = (131.47, 34.15)  # demo shelters are around here
PANEL_READY = "document.querySelector('#panel-hazards') !== null"


def mlit_rank(depth_m: float) -> int:
    return 1 + sum(depth_m >= limit for limit in MLIT_LIMITS)


def _raw_cells() -> gpd.GeoDataFrame:
    """Every cell of the raw grid, in its own plane-rectangular CRS (EPSG:2445)."""
    folder = shared_path("yamaguchi-uesugi", "flood_depth")
    frames = [pyogrio.read_dataframe(p) for p in sorted(folder.rglob("*.shp"))]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


@pytest.fixture(scope="module")
def deep_cell() -> dict[str, Any]:
    """A deep (ZZ_6/ZZ_7, ≥ 4 m) cell of the raw grid near the demo shelters: its centre and
    the worst depth of every raw cell holding that centre."""
    cells = _raw_cells()
    deep = cells[cells["ZZ"] >= 4.0]
    centres = gpd.GeoSeries(deep.geometry.centroid, crs=cells.crs).to_crs(4326)
    order = ((centres.x - NEAR[0]) ** 2 + (centres.y - NEAR[1]) ** 2).sort_values().index
    centre = centres[order[0]]
    holding = cells[cells.to_crs(4326).geometry.contains(centre)]
    depth = float(holding["ZZ"].max())
    return {"lon": centre.x, "lat": centre.y, "depth": depth, "rank": mlit_rank(depth)}


@pytest.fixture(scope="module")
def real_site(
    etl_url: str,  # noqa: F811
    registry: LayerRegistry,
) -> Iterator[dict[str, str]]:
    """Demo layers, then the real flood grid over the demo one; a server; an admin token;
    every fourth flood shelter opened through the API."""
    from etl.demo import load_demo

    load_demo(etl_url, registry)
    run_load(
        etl_url, "flood_depth", str(shared_path("yamaguchi-uesugi", "flood_depth")), check=True
    )
    with connect(etl_url) as conn:
        token = auth.add_user(conn, "hazard-map-admin", "350001", auth.Role.ADMIN)
        ids = [
            r[0] for r in conn.execute("SELECT shelter_id FROM layer_data.shelters ORDER BY fid")
        ]
        conn.commit()
    with running_server(etl_url, KASANE_RATE_LIMIT_WRITES="0") as base:
        for shelter_id in ids[::4]:
            put_status(base, token, shelter_id, "open")
        yield {"base": base, "url": etl_url, "token": token}


def put_status(base: str, token: str, shelter_id: str, status: str) -> None:
    request = urllib.request.Request(
        f"{base}/api/shelters/{shelter_id}/status",
        data=json.dumps({"status": status, "crowding": "vacant"}).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def expected_nearest(url: str, lon: float, lat: float, hazard: str, n: int = 5) -> list[str]:
    """The n nearest shelters for ``hazard`` that are open now, by pyproj.Geod."""
    with connect(url) as conn:
        rows = conn.execute(
            f"SELECT s.shelter_id, ST_X(s.geom), ST_Y(s.geom), s.hz_{hazard}, st.status"
            " FROM layer_data.shelters s"
            " LEFT JOIN kasane.shelter_status st USING (shelter_id)"
        ).fetchall()
    found = []
    for shelter_id, x, y, suitable, status in rows:
        if suitable and status in ("open", "permanent"):
            _, _, dist = GEOD.inv(lon, lat, x, y)
            found.append((dist, shelter_id))
    return [s for _, s in sorted(found)[:n]]


def panel_shelters(page: Any, hazard: str) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        f"ol.nearest[data-hazard='{hazard}'] li",
        "items => items.map(li => ({id: li.dataset.shelterId, status: li.dataset.status,"
        " distance: li.dataset.distanceM, text: li.textContent}))",
    )


def mercator_px(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2**zoom
    x = (lon + 180.0) / 360.0 * scale
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * scale
    return x, y


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} never got the keyboard focus")


pytestmark = [pytest.mark.browser, pytest.mark.shared]


def test_click_on_a_deep_real_cell_shows_its_depth_class_and_nearest_shelters(
    browser, real_site, deep_cell
) -> None:
    zoom = 18
    centre_lon, centre_lat = deep_cell["lon"] + 0.0003, deep_cell["lat"] + 0.0002
    page, watch = open_page(
        browser, f"{real_site['base']}/map/hazard?lang=en&c={centre_lat},{centre_lon}&z={zoom}"
    )
    try:
        wait_until(page, "document.body.dataset.hazardMap === 'ready'")
        box = page.locator(".folium-map").bounding_box()
        cx, cy = mercator_px(centre_lon, centre_lat, zoom)
        px, py = mercator_px(deep_cell["lon"], deep_cell["lat"], zoom)
        page.mouse.click(
            box["x"] + box["width"] / 2 + (px - cx), box["y"] + box["height"] / 2 + (py - cy)
        )
        wait_until(page, PANEL_READY)
        flood = page.locator("#panel-hazards li[data-kind='flood_depth']")
        assert flood.get_attribute("data-depth-rank") == str(deep_cell["rank"])
        assert MLIT_LABELS_EN[deep_cell["rank"]] in flood.inner_text()
        lat = float(page.input_value("#check-lat"))
        lon = float(page.input_value("#check-lon"))
        assert GEOD.inv(lon, lat, deep_cell["lon"], deep_cell["lat"])[2] < 3.0  # within the cell
        want = expected_nearest(real_site["url"], lon, lat, "flood")
        got = panel_shelters(page, "flood")
        assert want and [g["id"] for g in got] == want
        for item in got:
            assert item["status"] == "open"
            assert (" to the " in item["text"]) and (
                " m " in item["text"] or " km " in item["text"]
            )
        assert watch.console_errors == []
        assert watch.offsite_requests == []
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_errors_no_offsite_requests_and_no_axe_violations(
    browser, real_site, deep_cell, lang
) -> None:
    base = f"{real_site['base']}/map/hazard?lang={lang}"
    with accessible_page(browser, base, lang) as page:
        wait_until(page, "document.body.dataset.hazardMap === 'ready'")
        assert axe_violations(page) == []  # the map alone; the helper checks it with a point
        point = f"&lat={deep_cell['lat']}&lon={deep_cell['lon']}&z=16"
        page.goto(base + point, wait_until="networkidle")
        wait_until(page, PANEL_READY)
        assert page.locator("#panel-hazards li[data-depth-rank]").count() == 1


def test_keyboard_only_check_read_and_share(browser, real_site, deep_cell) -> None:
    page, watch = open_page(browser, f"{real_site['base']}/map/hazard?lang=en")
    try:
        wait_until(page, "document.body.dataset.hazardMap === 'ready'")
        tab_to(page, "a.skip-map")
        page.keyboard.press("Enter")
        # phone first: "my location" and "the map centre" come before the coordinates
        for expected in ("locate", "check-centre", "check-lat"):
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == expected
        page.keyboard.type(f"{deep_cell['lat']:.6f}")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "check-lon"
        page.keyboard.type(f"{deep_cell['lon']:.6f}")
        page.keyboard.press("Enter")
        wait_until(page, PANEL_READY)
        assert page.evaluate("document.activeElement.id") == "panel-heading"
        text = page.inner_text("#place-panel")
        assert MLIT_LABELS_EN[deep_cell["rank"]] in text
        tab_to(page, "#share-link")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert f"lat={deep_cell['lat']:.6f}" in page.url
        wait_until(page, PANEL_READY)
        rank = page.get_attribute("#panel-hazards li[data-kind='flood_depth']", "data-depth-rank")
        assert rank == str(deep_cell["rank"])
        assert page.is_checked("#layer-flood") and page.is_checked("#layer-shelters")
        assert watch.console_errors == []
    finally:
        page.context.close()


def test_enter_on_the_focused_map_checks_its_centre(browser, real_site, deep_cell) -> None:
    url = f"{real_site['base']}/map/hazard?lang=en&c={deep_cell['lat']},{deep_cell['lon']}&z=18"
    page, watch = open_page(browser, url)
    try:
        wait_until(page, "document.body.dataset.hazardMap === 'ready'")
        tab_to(page, ".folium-map")
        page.keyboard.press("Enter")
        wait_until(page, PANEL_READY)
        rank = page.get_attribute("#panel-hazards li[data-kind='flood_depth']", "data-depth-rank")
        assert rank == str(deep_cell["rank"])
        page.keyboard.press("Tab")  # focus went to the panel and goes on from there, not back
        assert page.evaluate(
            "document.getElementById('place-panel').contains(document.activeElement)"
        )
        assert watch.console_errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [320, 360])
def test_small_screens_reflow_without_horizontal_scroll(
    browser, real_site, deep_cell, width
) -> None:
    url = f"{real_site['base']}/map/hazard?lat={deep_cell['lat']}&lon={deep_cell['lon']}"
    page, watch = open_page(browser, url, width=width, height=740)
    try:
        wait_until(page, PANEL_READY)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1]
        map_box = page.locator(".folium-map").bounding_box()
        panel_box = page.locator("#place-panel").bounding_box()
        assert panel_box["y"] >= map_box["y"] + map_box["height"]  # the panel is below the map
        assert panel_box["x"] >= 0 and panel_box["x"] + panel_box["width"] <= width
        assert watch.console_errors == []
    finally:
        page.context.close()


def test_status_change_shows_on_the_next_check_without_reload(browser, real_site) -> None:
    with connect(real_site["url"]) as conn:
        row = conn.execute(
            "SELECT s.shelter_id, ST_X(s.geom), ST_Y(s.geom) FROM layer_data.shelters s"
            " LEFT JOIN kasane.shelter_status st USING (shelter_id)"
            " WHERE s.hz_flood AND coalesce(st.status, 'not_opened') = 'not_opened'"
            " ORDER BY s.fid LIMIT 1"
        ).fetchone()
    shelter_id, lon, lat = row
    page, watch = open_page(browser, f"{real_site['base']}/map/hazard?lang=en&c={lat},{lon}&z=16")
    try:
        marker = f"span.badge[data-shelter-id='{shelter_id}']"
        wait_until(page, f"document.querySelector({marker!r}) !== null")
        assert page.get_attribute(marker, "data-status") == "not_opened"
        page.click("#check-centre")
        wait_until(page, PANEL_READY)
        assert shelter_id not in [s["id"] for s in panel_shelters(page, "flood")]
        put_status(real_site["base"], real_site["token"], shelter_id, "open")
        page.click("#check-centre")
        wait_until(page, f"document.querySelector({marker!r}).dataset.status === 'open'")
        wait_until(page, PANEL_READY)
        first = panel_shelters(page, "flood")[0]
        assert first["id"] == shelter_id and first["status"] == "open"
        assert watch.console_errors == []
    finally:
        page.context.close()
        put_status(real_site["base"], real_site["token"], shelter_id, "not_opened")


def test_location_denied_says_so_and_granted_checks_the_place(
    browser, real_site, deep_cell
) -> None:
    page, _ = open_page(browser, f"{real_site['base']}/map/hazard?lang=en")
    try:
        wait_until(page, "document.body.dataset.hazardMap === 'ready'")
        page.click("#locate")
        wait_until(page, "document.getElementById('locate-status').textContent.includes('denied')")
    finally:
        page.context.close()
    context = browser.new_context(
        geolocation={"latitude": deep_cell["lat"], "longitude": deep_cell["lon"]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    try:
        page.goto(f"{real_site['base']}/map/hazard?lang=en", wait_until="networkidle")
        page.click("#locate")
        wait_until(page, PANEL_READY)
        rank = page.get_attribute("#panel-hazards li[data-kind='flood_depth']", "data-depth-rank")
        assert rank == str(deep_cell["rank"])
    finally:
        context.close()
