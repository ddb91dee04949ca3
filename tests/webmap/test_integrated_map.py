"""/map as HTML: the layer panel comes from the catalogue (grouped by each layer file's theme,
legends from its style classes), / and /layers link to it, and bad URL state is a clear 400."""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from gis.layerstore.layerspec import LayerSpec, Theme
from gis.layerstore.registry import LayerRegistry

ROOT = Path(__file__).resolve().parents[2]


def page(client: Any, query: str = "") -> Any:
    response = client.get(f"/map{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return lxml_html.fromstring(response.get_data(as_text=True))


def test_every_catalogue_layer_is_in_the_panel_under_its_theme(
    client: Any, demo_loaded: Any, registry: LayerRegistry
) -> None:
    doc = page(client, "?lang=en")
    for spec in registry:
        raw = tomllib.loads((ROOT / "layers" / f"{spec.id}.toml").read_text("utf-8"))
        entry = doc.xpath(f'//fieldset[@data-theme="{raw["theme"]}"]//div[@data-layer="{spec.id}"]')
        assert len(entry) == 1, spec.id
        assert (
            entry[0].xpath(f'.//label[@for="layer-{spec.id}"]')[0].text_content() == spec.title.en
        )
        credit = entry[0].xpath(".//p[@class='credit']")[0].text_content()
        assert credit == spec.license.attribution.en
    legends = [f.xpath("./legend")[0].text_content() for f in doc.xpath("//fieldset[@data-theme]")]
    assert legends[0] == "Disaster"  # themes in their declared order
    assert "Statistics and boundaries" in legends


def test_legend_entries_are_the_style_classes(
    client: Any, demo_loaded: Any, registry: LayerRegistry
) -> None:
    doc = page(client, "?lang=ja")
    for spec in registry:
        items = doc.xpath(f'//div[@data-layer="{spec.id}"]//ul[contains(@class,"legend-list")]/li')
        expected = [(str(c.value), c.color, c.label.ja) for c in spec.style.classes] or [
            ("", spec.style.color, spec.title.ja)
        ]
        found = [(li.get("data-value"), li.get("data-color"), li.text_content()) for li in items]
        assert found == expected, spec.id


def test_default_layers_are_the_disaster_theme(
    client: Any, demo_loaded: Any, registry: Any
) -> None:
    doc = page(client)
    checked = {box.get("value") for box in doc.xpath("//input[@name='layers'][@checked]")}
    assert checked == {s.id for s in registry if s.theme is Theme.DISASTER}


def test_url_state_is_read_back(client: Any, demo_loaded: Any) -> None:
    doc = page(client, "?layers=ev_chargers,wifi_spots&opacity=ev_chargers:0.3&c=34.1,131.5&z=12")
    checked = {box.get("value") for box in doc.xpath("//input[@name='layers'][@checked]")}
    assert checked == {"ev_chargers", "wifi_spots"}
    assert doc.xpath("//input[@id='opacity-ev_chargers']")[0].get("value") == "30"
    config = doc.xpath("//script[@id='integrated-map-config']")[0].text
    assert '"enabled": ["ev_chargers", "wifi_spots"]' in config
    assert '"opacity": {"ev_chargers": 0.3}' in config
    script = "".join(s.text or "" for s in doc.xpath("//script[not(@src)]"))
    assert re.search(r"center: \[34\.1, 131\.5\]", script)
    assert '"zoom": 12' in script


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?layers=nope", "layers: unknown layer 'nope'"),
        ("?opacity=shelters:2", "opacity of shelters: '2' must be a number from 0 to 1"),
        ("?opacity=shelters", "must be LAYER:VALUE"),
        ("?z=40", "z='40' must be a whole number from 5 to 18"),
        ("?c=95,131", "lat"),
    ],
)
def test_bad_url_state_is_a_clear_400(
    client: Any, demo_loaded: Any, query: str, message: str
) -> None:
    response = client.get(f"/map{query}", headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


def test_landing_links_the_map_first_and_layers_link_each_layer(
    client: Any, demo_loaded: Any, registry: LayerRegistry
) -> None:
    landing = lxml_html.fromstring(client.get("/?lang=en").get_data(as_text=True))
    first = landing.xpath("//main//ul[1]/li[1]/a")[0]
    assert first.get("href") == "/map"
    layers = lxml_html.fromstring(client.get("/layers?lang=en").get_data(as_text=True))
    for spec in registry:
        row = layers.xpath(f'//th[@id="layer-{spec.id}"]/..')[0]
        link = row.xpath(".//a[starts-with(@href, '/map')]")[0].get("href")
        assert link == f"/map?layers={spec.id}&lang=en"
        assert client.get(link).status_code == 200


def test_hazard_map_links_the_integrated_map_with_its_layers(client: Any, demo_loaded: Any) -> None:
    doc = lxml_html.fromstring(client.get("/map/hazard?lang=en").get_data(as_text=True))
    href = doc.xpath("//a[@id='integrated-link']")[0].get("href")
    assert href == "/map?layers=flood_depth,landslide_zones,shelters&lang=en"


def test_theme_must_be_one_of_the_known_themes() -> None:
    raw = tomllib.loads((ROOT / "layers" / "shelters.toml").read_text("utf-8"))
    raw["theme"] = "weather"
    with pytest.raises(ValueError, match="theme"):
        LayerSpec.model_validate(raw)
