"""Restricted layers are invisible to anonymous users and other organisations everywhere, and
visible to the owning organisation and the prefecture's admins."""

from __future__ import annotations

import html
import math
from typing import Any

import pytest

HIDDEN = ("staff_wifi", "staff_flood")


def _tile(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def _headers(staff_tokens: dict[str, str], who: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff_tokens[who]}"} if who else {}


def _listings(client: Any, headers: dict[str, str], point: tuple[float, float]) -> dict[str, str]:
    """The text of every listing that could name a layer."""
    lon, lat = point
    urls = {
        "landing": "/?lang=en",
        "layers": "/layers?f=json",
        "collections": "/collections",
        "datasets": "/datasets?f=json",
        "openapi": "/api",
        "api page": "/api.html",
        "hazards at": f"/api/hazards/at?lat={lat}&lon={lon}",
        "stats": "/stats?f=json",
        "unknown layer": "/collections/no_such_layer",
    }
    out = {}
    for name, url in urls.items():
        response = client.get(url, headers={**headers, "Accept": "text/html"}
                              if name in ("landing", "api page") else headers)  # fmt: skip
        assert response.status_code in (200, 404), (name, response.status_code)
        out[name] = response.get_data(as_text=True)
    return out


def _direct(layer: str, point: tuple[float, float]) -> list[str]:
    z, x, y = _tile(*point, 14)
    c = f"/collections/{layer}"
    return [
        c, f"{c}/items", f"{c}/items?f=csv", f"{c}/items?f=html", f"{c}/items/1", f"{c}/tiles",
        f"{c}/tiles/WebMercatorQuad", f"{c}/tiles/WebMercatorQuad/{z}/{y}/{x}",
        f"/tiles/{layer}.json", f"/tiles/{layer}/{z}/{x}/{y}.mvt",
        f"/tiles/wifi_spots,{layer}/{z}/{x}/{y}.mvt", f"/datasets/{layer}.geojson",
        f"/datasets/{layer}.csv", f"/api/areastats/{layer}",
    ]  # fmt: skip


@pytest.mark.parametrize("who", [None, "hofu_editor"])
def test_hidden_from_anonymous_and_other_municipalities(
    restricted_app: Any, staff_tokens: dict[str, str], restricted_loaded: dict[str, Any], who: Any
) -> None:
    client = restricted_app.test_client()
    headers = _headers(staff_tokens, who)
    point = restricted_loaded["point"]
    for name, text in _listings(client, headers, point).items():
        for layer in HIDDEN:
            assert layer not in text, f"{name} names {layer}"
        assert "Staff-only" not in text, name
    for layer in HIDDEN:
        for url in _direct(layer, point):
            response = client.get(url, headers=headers)
            assert response.status_code == 404, url
            # the error may repeat the id the caller typed (as for any unknown id), nothing more
            shown = html.unescape(response.get_data(as_text=True)).replace(f"'{layer}'", "")
            assert layer not in shown, url


@pytest.mark.parametrize("who", ["yamaguchi_viewer", "yamaguchi_editor", "pref_admin"])
def test_visible_to_owner_and_prefecture_admin(
    restricted_app: Any, staff_tokens: dict[str, str], restricted_loaded: dict[str, Any], who: str
) -> None:
    client = restricted_app.test_client()
    headers = _headers(staff_tokens, who)
    point = restricted_loaded["point"]
    listed = _listings(client, headers, point)
    for name in ("layers", "collections", "datasets", "openapi"):
        for layer in HIDDEN:
            assert layer in listed[name], f"{name} lacks {layer} for {who}"
    assert "Staff-only Wi-Fi" in listed["landing"]
    assert '"layer": "staff_flood"' in listed["hazards at"].replace('"layer":"', '"layer": "')
    for layer in HIDDEN:
        for url in _direct(layer, point):
            response = client.get(url, headers=headers)
            assert response.status_code in (200, 204), (url, response.status_code)
            assert response.headers["Cache-Control"] == "private, no-store", url
    items = client.get("/collections/staff_wifi/items", headers=headers).get_json()
    assert [f["properties"]["ssid"] for f in items["features"]] == ["staff-net"]
    lon, lat = point
    assert items["features"][0]["geometry"]["coordinates"] == pytest.approx([lon, lat])


def test_prefecture_editor_does_not_see_municipal_restricted_layers(
    restricted_app: Any, staff_tokens: dict[str, str]
) -> None:
    client = restricted_app.test_client()
    response = client.get("/collections/staff_wifi", headers=_headers(staff_tokens, "pref_editor"))
    assert response.status_code == 404


def test_bad_token_is_refused_not_treated_as_anonymous(restricted_app: Any) -> None:
    client = restricted_app.test_client()
    response = client.get("/collections", headers={"Authorization": "Bearer ksn_guessed"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json"
