"""/map/hazard as HTML (legend, links, input checks, basemap credit) and /api/shelters/map
against the raw demo frame."""

from __future__ import annotations

import re

import pytest
import shapely

from gis.platform.settings import GSI_STD_TILES
from tests.residents.helpers import demo_frames

pytestmark = pytest.mark.usefixtures("demo_loaded")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ja", ["0.5m以上3.0m未満", "土砂災害特別警戒区域 (レッドゾーン)", "指定避難所", "開設"]),
        (
            "en",
            ["0.5 m to under 3.0 m", "Special warning zone (red)", "Designated shelter", "Open"],
        ),
    ],
)
def test_legend_is_text_with_swatches(client, lang, words) -> None:
    html = client.get(f"/map/hazard?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    legend = html[html.index('id="layers-heading"') :]
    for word in words:
        assert word in legend
    assert legend.count('class="swatch"') == 6 + 4  # six MLIT ranks, four landslide classes
    assert 'href="/shelters"' in html and 'class="skip-map" href="#check-place"' in html
    for key in ("flood", "landslide", "shelters"):
        assert re.search(rf'id="layer-{key}"[^>]*checked', html)


def test_url_state_is_checked(client) -> None:
    assert client.get("/map/hazard?lat=34.1&lon=131.5&z=16&layers=flood").status_code == 200
    html = client.get("/map/hazard?lat=34.1&lon=131.5&layers=flood").get_data(as_text=True)
    assert re.search(r'id="layer-flood"[^>]*checked', html)
    assert not re.search(r'id="layer-shelters"[^>]*checked', html)
    for bad in ("lat=north&lon=131.5", "lat=34&lon=999", "z=40", "z=x", "layers=moon", "c=1"):
        response = client.get(f"/map/hazard?{bad}")
        assert response.status_code == 400, bad
        assert response.mimetype == "application/problem+json"


def test_linked_from_landing_page_and_nav(client) -> None:
    for path in ("/", "/layers", "/shelters"):
        assert 'href="/map/hazard"' in client.get(path).get_data(as_text=True), path


def test_basemap_credit_when_configured(settings) -> None:
    from webmap import close, create_app

    app = create_app(settings.model_copy(update={"basemap_url": GSI_STD_TILES}))
    try:
        response = app.test_client().get("/map/hazard")
        html = response.get_data(as_text=True)
        assert GSI_STD_TILES in html  # the credit (JSON-escaped in the script) links to GSI
        assert "maps.gsi.go.jp/development/ichiran.html" in html and "GSI tiles" in html
        assert "https://cyberjapandata.gsi.go.jp" in response.headers["Content-Security-Policy"]
    finally:
        close(app)


def test_markers_are_the_shelters_in_the_bbox_with_live_status(client) -> None:
    frame = demo_frames()["shelters"]
    bbox = (131.40, 34.05, 131.55, 34.20)
    inside = frame[frame.intersects(shapely.box(*bbox))]
    response = client.get("/api/shelters/map?bbox=" + ",".join(map(str, bbox)))
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["truncated"] is False
    assert sorted(f["id"] for f in body["features"]) == sorted(inside["shelter_id"])
    one = inside.iloc[0]
    feature = next(f for f in body["features"] if f["id"] == one["shelter_id"])
    assert feature["properties"]["name"] == one["name"]
    assert feature["geometry"]["coordinates"] == pytest.approx([one.geometry.x, one.geometry.y])


@pytest.mark.parametrize("bbox", ["", "1,2,3", "131.5,34,131.4,34.2", "a,b,c,d"])
def test_markers_bad_bbox_is_400(client, bbox) -> None:
    assert client.get(f"/api/shelters/map?bbox={bbox}").status_code == 400
