"""The /map/transit map in headless Chromium on the real 岩国市 feed: the layers drawn match the
API, a draft drawn with the mouse (clicks at pixels computed from lon/lat) is evaluated in the
side panel with the API's own figures for the same GeoJSON, the GeoJSON box gives a keyboard
path, and axe-core finds no WCAG 2.1 A/AA violation with the map present."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser import axe_violations, open_page, wait_until
from tests.transit.test_drafts import DAY, _blank_line, _to_lonlat

pytestmark = pytest.mark.shared
URL = f"/map/transit?lang=en&date={DAY.isoformat()}"
MAP = "window[document.querySelector('#transit-map .folium-map').id]"


def _open(browser: Any, server: str, suffix: str = "") -> tuple[Any, Any]:
    page, watch = open_page(browser, server + URL + suffix)
    wait_until(page, "document.getElementById('transit-map').dataset.loaded === 'true'")
    return page, watch


def _click_at(page: Any, lon: float, lat: float) -> None:
    """Click the map where (lon, lat) is, from the map's own projection and its box."""
    point = page.evaluate(f"(() => {{ const p = {MAP}.latLngToContainerPoint([{lat}, {lon}]);"
                          " return [p.x, p.y]; })()")  # fmt: skip
    box = page.locator("#transit-map .folium-map").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_timeout(100)


def _panel(page: Any) -> dict[str, float]:
    def number(selector: str) -> float:
        text = page.locator(selector).text_content().split(" ")[0]
        return float(text.replace(",", ""))

    return {
        "population_newly_covered": number("#gain-population"),
        "blank_area_removed_km2": number("#gain-blank"),
        "overlap_m": number("#gain-overlap"),
        "length_m": number("#gain-length"),
    }


def _api(page: Any, server: str, body: dict[str, Any]) -> dict[str, Any]:
    url = f"{server}/api/transit/drafts/evaluate?municipality=352080&date={DAY.isoformat()}"
    response = page.request.post(url, data=json.dumps(body),
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.ok
    return response.json()["result"]


def _matches(panel: dict[str, float], result: dict[str, Any]) -> None:
    assert panel["population_newly_covered"] == pytest.approx(
        result["population_newly_covered"],
        abs=0.51,  # shown in whole people
    )
    assert panel["blank_area_removed_km2"] == pytest.approx(
        result["blank_area_removed_m2"] / 1e6, abs=0.0006
    )
    assert panel["overlap_m"] == pytest.approx(result["overlap_m"], abs=0.6)
    assert panel["length_m"] == pytest.approx(result["length_m"], abs=0.6)


def test_layers_follow_the_api(browser: Any, transit_server: str) -> None:
    page, watch = _open(browser, transit_server)
    stops = page.request.get(page.locator("#transit-map").get_attribute("data-stops-url")
                             .join([transit_server, ""])).json()  # fmt: skip
    assert page.locator("#transit-map .transit-stop").count() == len(stops["features"]) > 700
    radii = {f["properties"]["radius_px"] for f in stops["features"]}
    assert len(radii) > 1  # sized by departures
    assert page.locator("#transit-map .transit-route").count() > 0
    page.locator("#show-stops").uncheck()
    assert page.locator("#transit-map .transit-stop").count() == 0
    page.locator("#show-population").check()
    wait_until(page, "document.getElementById('transit-map').dataset.population > 0")
    assert watch.console_errors == [] and watch.offsite_requests == []
    page.context.close()


def test_draw_a_draft_and_read_the_panel(
    browser: Any, transit_server: str, feed_path: Path, n03_path: Path, mesh_csv: Path
) -> None:
    (lon_a, lat_a), (lon_b, lat_b) = _to_lonlat(list(_blank_line(feed_path, n03_path, mesh_csv)))
    page, watch = _open(browser, transit_server)
    page.evaluate(f"{MAP}.setView([{(lat_a + lat_b) / 2}, {(lon_a + lon_b) / 2}], 16)")
    page.wait_for_timeout(300)
    page.locator(".leaflet-pm-icon-polyline").click()
    _click_at(page, lon_a, lat_a)
    _click_at(page, lon_b, lat_b)
    _click_at(page, lon_b, lat_b)  # clicking the last vertex again finishes the line
    page.locator(".leaflet-pm-icon-marker").click()
    _click_at(page, lon_a, lat_a)
    _click_at(page, lon_b, lat_b)
    page.keyboard.press("Escape")
    assert "1 line(s), 2 stop(s)" in page.locator("#draft-status").text_content()
    page.locator("#draft-departures").fill("12")
    with page.expect_request("**/api/transit/drafts/evaluate**") as posted:
        page.locator("#draft-evaluate").click()
    wait_until(page, "document.getElementById('transit-map').dataset.evaluated === '1'")
    body = json.loads(posted.value.post_data)
    line = next(f for f in body["features"] if f["geometry"]["type"] == "LineString")
    drawn = line["geometry"]["coordinates"]
    assert drawn[0] == pytest.approx([lon_a, lat_a], abs=5e-5)  # within a pixel or so
    assert drawn[-1] == pytest.approx([lon_b, lat_b], abs=5e-5)
    assert body["departures_per_day"] == 12
    result = _api(page, transit_server, body)
    assert result["population_newly_covered"] > 0
    _matches(_panel(page), result)
    assert axe_violations(page) == []
    assert watch.console_errors == []
    page.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_keyboard_geojson_path_and_axe(
    browser: Any, transit_server: str, feed_path: Path, n03_path: Path, mesh_csv: Path, lang: str
) -> None:
    coords = _to_lonlat(list(_blank_line(feed_path, n03_path, mesh_csv)))

    def feature(kind: str, coordinates: Any) -> dict[str, Any]:
        geometry = {"type": kind, "coordinates": coordinates}
        return {"type": "Feature", "properties": {}, "geometry": geometry}

    features = [feature("LineString", coords), *(feature("Point", c) for c in coords)]
    draft = {"type": "FeatureCollection", "features": features}
    page, watch = _open(browser, transit_server, f"&lang={lang}")
    page.locator("#draft-name").focus()
    page.keyboard.press("Tab")  # departures
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    page.keyboard.press("Tab")  # the GeoJSON box
    assert page.evaluate("document.activeElement.id") == "draft-geojson"
    page.keyboard.insert_text(json.dumps(draft))
    for _ in range(3):  # file input, then the Evaluate button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "draft-evaluate":
            break
    assert page.evaluate("document.activeElement.id") == "draft-evaluate"
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('transit-map').dataset.evaluated === '1'")
    result = _api(page, transit_server, {**draft, "departures_per_day": 12})
    if lang == "en":
        _matches(_panel(page), result)
    assert axe_violations(page) == []
    assert watch.console_errors == [] and watch.offsite_requests == []
    page.context.close()
