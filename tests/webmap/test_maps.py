"""folium maps built by webmap.maps load every asset from Kasane itself (the basemap aside),
and webmap.vendor serves exactly the allow-listed npm files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import folium
import pytest
from folium.plugins import MarkerCluster

from gis.platform.settings import GSI_STD_TILES
from webmap.maps import OffsiteAsset, build_map, localize, map_parts

ROOT = Path(__file__).resolve().parents[2]
URL_RE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|(https?://[^\s"'<>)\\]+)""")


def _rendered(settings, **kwargs) -> str:
    fmap = build_map(settings, **kwargs)
    folium.Marker([34.18, 131.47], icon=folium.Icon(icon="house", prefix="fa")).add_to(fmap)
    folium.GeoJson({"type": "Point", "coordinates": [131.4, 34.1]}).add_to(fmap)
    parts = map_parts(fmap)
    return f"{parts.head}\n{parts.body}\n<script>{parts.script}</script>"


def _urls(html: str) -> list[str]:
    return [a or b for a, b in URL_RE.findall(html)]


def test_rendered_map_names_no_host_but_the_basemap(settings) -> None:
    html = _rendered(settings.model_copy(update={"basemap_url": GSI_STD_TILES}))
    hosts = {urlparse(u).netloc for u in _urls(html)} - {""}
    basemap_host = urlparse(GSI_STD_TILES).netloc
    # the GSI credit links to the GSI site: the attribution is part of the basemap
    assert hosts <= {basemap_host, "maps.gsi.go.jp"}
    assert basemap_host in hosts
    assert "cdn" not in html.lower()
    assert "user-scalable=no" not in html


def test_map_without_basemap_names_no_host_at_all(settings) -> None:
    html = _rendered(settings.model_copy(update={"basemap_url": ""}))
    assert {urlparse(u).netloc for u in _urls(html)} - {""} == set()
    assert "L.tileLayer" not in html


def test_every_referenced_asset_is_served_immutable(settings, client) -> None:
    html = _rendered(settings)
    assets = [u for u in _urls(html) if u.startswith("/vendor/")]
    assert any(u.endswith("leaflet.js") for u in assets)
    assert any(u.endswith("leaflet.css") for u in assets)
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"]
        assert len(response.data) > 100


def test_asset_versions_are_those_installed_by_npm(settings) -> None:
    html = _rendered(settings)
    lock = json.loads((ROOT / "package-lock.json").read_text())
    leaflet = lock["packages"]["node_modules/leaflet"]["version"]
    assert f"/vendor/leaflet@{leaflet}/dist/leaflet.js" in html


def test_leaflet_default_marker_image_resolves(client) -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/leaflet"]["version"]
    response = client.get(f"/vendor/leaflet@{version}/dist/images/marker-icon.png")
    assert response.status_code == 200
    assert response.data[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/leaflet@1.9.4/package.json",  # not an allowed type
        "/vendor/leaflet@0.0.1/dist/leaflet.js",  # not the installed version
        "/vendor/commander@1.0.0/index.js",  # a package outside the allow-list
        "/vendor/leaflet@1.9.4/dist/../../commander/index.js",
        "/vendor/leaflet@1.9.4/src/Leaflet.js",  # outside the allowed folders
        "/vendor/leaflet.vectorgrid@1.3.0/dist/vectorgrid-api-docs.html",
    ],
)
def test_vendor_serves_only_the_allow_list(client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_unknown_plugin_assets_are_refused_not_loaded_from_a_cdn(settings) -> None:
    fmap = build_map(settings)
    MarkerCluster().add_to(fmap)
    with pytest.raises(OffsiteAsset, match="markercluster"):
        localize(fmap)


def test_folium_class_defaults_are_left_alone(settings) -> None:
    before = list(folium.Map.default_js)
    map_parts(build_map(settings))
    assert folium.Map.default_js == before
