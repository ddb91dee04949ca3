"""/map in real headless Chromium against the demo data: every catalogue layer switches on and
draws (tile requests answered, pixels on its canvas), a click shows the layer file's field titles,
the URL round-trips the state, the keyboard path works, and axe finds nothing (ja/en, panel,
popup and list open, 360 px). Expectations come from the layer files and the database."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect
from tests.browser import axe_violations, open_page, wait_until

pytestmark = pytest.mark.browser
READY = "document.body.getAttribute('data-integrated-map') === 'ready'"
# pixels with any paint on a layer's canvas tiles
PAINTED = """(id) => {
  const grid = window.kasaneIntegratedMap.layers[id];
  let n = 0;
  grid.getContainer().querySelectorAll('canvas').forEach((cv) => {
    const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
  });
  return n;
}"""


def loaded_ids(database_url: str) -> set[str]:
    with connect(database_url) as conn:
        rows = conn.execute("SELECT layer_id FROM kasane.layer_current").fetchall()
    return {r[0] for r in rows}


def test_every_catalogue_layer_switches_on_and_draws(
    browser: Any, live_server: str, registry: LayerRegistry, database_url: str
) -> None:
    page, watch = open_page(browser, f"{live_server}/map?layers=")
    tiles: dict[str, list[int]] = {}
    page.on(
        "response",
        lambda r: (
            tiles.setdefault(r.url.split("/tiles/")[1].split("/")[0], []).append(r.status)
            if "/tiles/" in r.url
            else None
        ),
    )
    try:
        wait_until(page, READY)
        loaded = loaded_ids(database_url)
        assert len(loaded) >= len(registry) - 1  # the demo has no transit blank areas
        for spec in registry:
            if spec.id not in loaded:  # listed, but cannot be switched on
                assert page.is_disabled(f"#layer-{spec.id}")
                continue
            page.check(f"#layer-{spec.id}")
            if spec.min_zoom > page.evaluate("window.kasaneIntegratedMap.map.getZoom()"):
                assert page.is_visible(f"#zoom-note-{spec.id}")  # "zoom in to see it"
                page.uncheck(f"#layer-{spec.id}")
                continue
            wait_until(page, f"document.body.getAttribute('data-drawn-{spec.id}') === 'yes'")
            assert 200 in tiles.get(spec.id, []), f"{spec.id}: no tile answered with features"
            assert set(tiles[spec.id]) <= {200, 204}, spec.id
            assert page.evaluate(PAINTED, spec.id) > 0, f"{spec.id}: nothing drawn"
            page.uncheck(f"#layer-{spec.id}")
        assert watch.console_errors == []
        assert watch.offsite_requests == []
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def a_shelter(database_url: str, demo_loaded: Any) -> dict[str, Any]:
    with connect(database_url) as conn:
        fid, name, lon, lat = conn.execute(
            "SELECT fid, name, ST_X(geom), ST_Y(geom) FROM layer_data.shelters ORDER BY fid LIMIT 1"
        ).fetchone()
    return {"fid": fid, "name": name, "lon": lon, "lat": lat}


def _shelter_page(browser: Any, live_server: str, shelter: dict[str, Any], lang: str) -> Any:
    url = f"{live_server}/map?layers=shelters&c={shelter['lat']},{shelter['lon']}&z=18&lang={lang}"
    page, watch = open_page(browser, url)
    wait_until(page, READY)
    wait_until(page, "document.body.getAttribute('data-drawn-shelters') === 'yes'")
    return page, watch


def test_click_shows_the_field_titles_of_the_layer_file(
    browser: Any, live_server: str, registry: LayerRegistry, a_shelter: dict[str, Any]
) -> None:
    spec = registry.get("shelters")
    page, watch = _shelter_page(browser, live_server, a_shelter, "en")
    try:
        box = page.locator(".folium-map").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        popup = page.locator(".leaflet-popup .attr-table")
        popup.wait_for()
        titles = popup.locator("th").all_inner_texts()
        assert spec.field("name").title.en in titles
        assert set(titles) <= {f.title.en for f in spec.fields}
        link = page.locator(".leaflet-popup a.item-link").get_attribute("href")
        item = page.request.get(f"{live_server}{link}").json()
        assert item["properties"]["name"] in popup.inner_text()
        assert axe_violations(page) == []  # with the popup open
        assert watch.console_errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_keyboard_reaches_features_here_and_their_details(
    browser: Any, live_server: str, registry: LayerRegistry, a_shelter: dict[str, Any], lang: str
) -> None:
    spec = registry.get("shelters")
    page, watch = _shelter_page(browser, live_server, a_shelter, lang)
    try:
        page.focus("#layer-shelters")
        page.keyboard.press("Space")  # off and on again, from the keyboard
        page.keyboard.press("Space")
        assert page.is_checked("#layer-shelters")
        page.focus("#features-here")
        page.keyboard.press("Enter")
        wait_until(page, "document.body.getAttribute('data-here') === 'ready'")
        assert page.evaluate("document.activeElement.id") == "here-heading"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        table = page.locator("#here-body details[open] .attr-table")
        assert table.locator("th").first.inner_text() in {f.title.get(lang) for f in spec.fields}
        assert a_shelter["name"] in page.locator("#here-body").inner_text()
        assert page.get_attribute("html", "lang") == lang
        assert axe_violations(page) == []  # panel and list open
        assert watch.console_errors == [] and watch.offsite_requests == []
    finally:
        page.context.close()


def test_features_in_view_table_and_csv(browser: Any, live_server: str, a_shelter: Any) -> None:
    page, _ = _shelter_page(browser, live_server, a_shelter, "ja")
    try:
        wait_until(page, "document.body.getAttribute('data-in-view') !== null")
        table = page.locator("#in-view-body table[data-layer='shelters']")
        assert a_shelter["name"] in table.inner_text()
        csv_href = page.locator("#in-view-body a[data-csv='shelters']").get_attribute("href")
        csv = page.request.get(f"{live_server}{csv_href}")
        assert csv.ok and a_shelter["name"] in csv.text()
    finally:
        page.context.close()


def test_url_round_trips_the_state(browser: Any, live_server: str) -> None:
    start = (
        "/map?layers=ev_chargers,flood_depth&opacity=flood_depth:0.4&c=34.15,131.47&z=12&lang=en"
    )
    page, _ = open_page(browser, f"{live_server}{start}")
    try:
        wait_until(page, READY)
        state = parse_qs(urlparse(page.url).query)
        assert state["layers"] == ["ev_chargers,flood_depth"]
        assert state["opacity"] == ["flood_depth:0.40"]
        assert state["z"] == ["12"] and state["lang"] == ["en"]
        lat, lon = map(float, state["c"][0].split(","))
        assert abs(lat - 34.15) < 1e-4 and abs(lon - 131.47) < 1e-4
        page.check("#layer-wifi_spots")
        page.fill("#opacity-ev_chargers", "70")
        page.dispatch_event("#opacity-ev_chargers", "input")
        shared = page.url
    finally:
        page.context.close()
    again, _ = open_page(browser, shared)
    try:
        wait_until(again, READY)
        assert again.is_checked("#layer-wifi_spots") and again.is_checked("#layer-ev_chargers")
        assert again.is_checked("#layer-flood_depth") and not again.is_checked("#layer-shelters")
        assert again.input_value("#opacity-ev_chargers") == "70"
        assert again.evaluate("window.kasaneIntegratedMap.map.getZoom()") == 12
        opacity = "window.kasaneIntegratedMap.layers.flood_depth.options.opacity"
        assert again.evaluate(opacity) == pytest.approx(0.4)
    finally:
        again.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_map_is_accessible_at_360_px(browser: Any, live_server: str, lang: str) -> None:
    page, watch = open_page(browser, f"{live_server}/map?lang={lang}", width=360, height=740)
    try:
        wait_until(page, READY)
        # phone first: the map and its actions are on the first screen
        actions = page.locator(".map-actions").bounding_box()
        assert actions["y"] + actions["height"] <= 740
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.click(".nav-toggle")
        assert page.get_attribute(".nav-toggle", "aria-expanded") == "true"
        assert axe_violations(page) == []
        assert watch.console_errors == [] and watch.offsite_requests == []
    finally:
        page.context.close()
