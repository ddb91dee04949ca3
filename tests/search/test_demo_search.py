"""Search on the demo: its gazetteer (generated in the real format, loaded through `kasane
load`'s path) and the names of its layers; then the search box on the hazard map in Chromium."""

from __future__ import annotations

from typing import Any

from tests.browser import axe_violations, open_page, wait_until

PANEL_READY = "document.querySelector('#panel-hazards') !== null"


def test_demo_loads_its_gazetteer_through_the_importer(demo_loaded: dict[str, str]) -> None:
    from etl.demo_data.addresses import block_rows, town_rows

    expected = len(block_rows()) + len(town_rows())
    assert demo_loaded["addresses"].startswith(f"loaded {expected} features")


def test_demo_address_and_places(client: Any, demo_loaded: dict[str, str]) -> None:
    body = client.get("/api/search?q=中央2-3").get_json()
    assert body["best"]["properties"]["label"] == "山口県山口市中央二丁目 3"
    # a kana reading (名称_カナ) typed in hiragana finds the shelter
    body = client.get("/api/search?q=ちゅうおうしょうがっこう").get_json()
    best = body["best"]["properties"]
    assert (best["label"], best["layer"], best["matched"]) == ("中央小学校", "shelters", "kana")
    # a station of the transit layer, named by its layer
    body = client.get("/api/search?q=山口駅&lang=en").get_json()
    assert body["best"]["properties"]["layer"] == "transit_stops"
    assert body["best"]["properties"]["layer_title"] == "Bus stops and stations (GTFS)"
    # a municipality from the boundaries layer ranks as a place too
    labels = [
        f["properties"]["label"] for f in client.get("/api/search?q=防府市").get_json()["features"]
    ]
    assert "防府市" in labels


def test_openapi_documents_search(client: Any) -> None:
    doc = client.get("/api").get_json()
    operation = doc["paths"]["/api/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit", "near", "lang"}


def test_hazard_map_search_by_keyboard(browser: Any, live_server: str) -> None:
    page, watch = open_page(browser, f"{live_server}/map/hazard?lang=en", width=390, height=844)
    try:
        wait_until(page, "document.body.dataset.hazardMap === 'ready'")
        box = page.locator("#place-search input[role=combobox]")
        box.focus()
        page.keyboard.type("中央2-3")
        wait_until(page, "document.querySelectorAll('#place-search [role=option]').length > 0")
        assert box.get_attribute("aria-expanded") == "true"
        status = page.inner_text("#place-search [role=status]")
        assert "suggestion" in status
        page.keyboard.press("ArrowDown")
        active = box.get_attribute("aria-activedescendant")
        assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
        assert "山口県山口市中央二丁目 3" in page.inner_text(f"#{active}")
        assert axe_violations(page) == []  # with the suggestions open
        page.keyboard.press("Enter")
        wait_until(page, PANEL_READY)
        assert box.get_attribute("aria-expanded") == "false"
        assert page.inner_text("#panel-hazards").strip()  # the hazards there, in words
        lat = float(page.input_value("#check-lat"))
        lon = float(page.input_value("#check-lon"))
        assert abs(lat - 34.1808) < 0.003 and abs(lon - 131.4780) < 0.004
        assert watch.console_errors == []
        assert watch.offsite_requests == []
    finally:
        page.context.close()
