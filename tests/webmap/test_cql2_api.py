"""CQL2 beyond items: filtered vector tiles (decoded independently, compared with items and
the demo frames), their cache key and ETag, queryables, conformance and OpenAPI."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlencode

import mapbox_vector_tile
import pytest

from tests.demo import demo_frames


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _tiles_over(frame: Any, z: int) -> set[tuple[int, int]]:
    return {_tile_of(p.x, p.y, z) for p in frame.geometry}


def _tile_ids(client: Any, layer: str, z: int, x: int, y: int, **args: str) -> set[int]:
    query = f"?{urlencode(args)}" if args else ""
    response = client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt{query}")
    assert response.status_code in (200, 204), response.data[:300]
    if response.status_code == 204:
        return set()
    decoded = mapbox_vector_tile.decode(response.data)
    return {int(f["id"]) for f in decoded.get(layer, {"features": []})["features"]}


FILTERS = [
    "capacity > 300 AND hz_flood = true",
    "kind IN ('welfare', 'shelter')",
    "S_INTERSECTS(geometry, BBOX(131.30, 34.10, 131.50, 34.30)) AND capacity IS NOT NULL",
    "phone LIKE '083%'",  # filterable=false: refused
]


@pytest.mark.parametrize("text", FILTERS[:3])
def test_filtered_tiles_hold_exactly_the_filtered_items(
    client: Any, demo_loaded: Any, text: str
) -> None:
    frame = demo_frames()["shelters"]
    z = 11  # shelters start at zoom 10; the demo's shelters fall in a few tiles
    items = client.get("/collections/shelters/items?" + urlencode({"filter": text, "limit": 1000}))
    wanted = {f["id"] for f in json.loads(items.data)["features"]}
    everything = set().union(
        *(_tile_ids(client, "shelters", z, x, y) for x, y in _tiles_over(frame, z))
    )
    got = set().union(
        *(_tile_ids(client, "shelters", z, x, y, filter=text) for x, y in _tiles_over(frame, z))
    )
    assert got == wanted
    assert 0 < len(got) < len(everything) == len(frame)


def test_a_spatial_filter_on_tiles_reads_the_stored_geometry(client: Any, demo_loaded: Any) -> None:
    """Spatial conditions pick fids from the version table, not from the tile's copy."""
    frame = demo_frames()["shelters"]
    text = "S_WITHIN(geometry, POLYGON((131.40 34.00, 131.60 34.00, 131.50 34.20, 131.40 34.00)))"
    items = client.get("/collections/shelters/items?" + urlencode({"filter": text, "limit": 1000}))
    wanted = {f["id"] for f in json.loads(items.data)["features"]}
    got = set().union(
        *(_tile_ids(client, "shelters", 12, x, y, filter=text) for x, y in _tiles_over(frame, 12))
    )
    assert got == wanted and wanted


def test_the_filter_is_in_the_cache_key_and_the_etag(client: Any, demo_loaded: Any) -> None:
    frame = demo_frames()["shelters"]
    x, y = _tile_of(frame.geometry.iloc[0].x, frame.geometry.iloc[0].y, 12)
    url = f"/tiles/shelters/12/{x}/{y}.mvt"
    plain = client.get(url)
    one = client.get(url + "?" + urlencode({"filter": "capacity>500"}))
    same = client.get(url + "?" + urlencode({"filter": "  capacity  >  500 "}))
    other = client.get(url + "?" + urlencode({"filter": "capacity > 501"}))
    etags = {r.headers.get("ETag") for r in (plain, one, other)}
    assert len(etags) == 3 and None not in etags
    assert one.headers["ETag"] == same.headers["ETag"]  # one filter, two spellings
    assert plain.data != one.data
    revalidated = client.get(
        url + "?" + urlencode({"filter": "capacity>500"}),
        headers={"If-None-Match": one.headers["ETag"]},
    )
    assert revalidated.status_code == 304
    ogc = client.get(f"/collections/shelters/tiles/WebMercatorQuad/12/{y}/{x}?filter=capacity>500")
    assert ogc.status_code == 200 and ogc.data == one.data


def test_tiles_refuse_what_items_refuse(client: Any, demo_loaded: Any) -> None:
    response = client.get("/tiles/shelters/12/3543/1625.mvt?" + urlencode({"filter": FILTERS[3]}))
    assert response.status_code == 400
    assert "phone" in response.get_data(as_text=True)


def test_queryables_in_both_languages(client: Any, demo_loaded: Any, registry: Any) -> None:
    spec = registry.get("shelters")
    ja = client.get("/collections/shelters/queryables")
    en = client.get("/collections/shelters/queryables?lang=en")
    assert ja.status_code == en.status_code == 200
    assert ja.mimetype == "application/schema+json"
    doc_ja, doc_en = json.loads(ja.data), json.loads(en.data)
    assert doc_ja["$schema"].startswith("https://json-schema.org/")
    assert doc_ja["properties"]["geometry"]["format"] == "geometry-point"
    names = {f.name for f in spec.fields if f.filterable}
    assert set(doc_ja["properties"]) == names | {"geometry"}
    assert "phone" not in doc_ja["properties"] and "address" not in doc_ja["properties"]
    assert doc_ja["properties"]["capacity"] == {
        "title": "想定収容人数", "type": "integer", "minimum": 0, "x-kasane-indexed": True,
    }  # fmt: skip
    assert "x-kasane-indexed" not in doc_ja["properties"]["name"]
    assert doc_en["properties"]["capacity"]["title"] == "Capacity (persons)"
    assert doc_ja["properties"]["kind"]["enum"] == list(spec.field("kind").values)
    assert doc_ja["properties"]["hz_flood"]["type"] == "boolean"
    landslide = json.loads(client.get("/collections/landslide_zones/queryables").data)
    assert landslide["properties"]["designated_on"]["format"] == "date"
    collection = json.loads(client.get("/collections/shelters").data)
    rels = {link["rel"]: link["href"] for link in collection["links"]}
    assert rels["http://www.opengis.net/def/rel/ogc/1.0/queryables"].endswith(
        "/collections/shelters/queryables"
    )
    assert client.get("/collections/no_such_layer/queryables").status_code == 404


def test_every_queryable_can_be_filtered(client: Any, demo_loaded: Any, registry: Any) -> None:
    """Each queryable of each collection is accepted by filter (IS NULL works on any type)."""
    for spec in registry.public():
        doc = client.get(f"/collections/{spec.id}/queryables")
        if doc.status_code == 404:  # not loaded (derived layers)
            continue
        for name in json.loads(doc.data)["properties"]:
            text = (
                "S_INTERSECTS(geometry, BBOX(131, 34, 132, 35))"
                if name == "geometry"
                else f"{name} IS NULL"
            )
            url = f"/collections/{spec.id}/items?" + urlencode({"filter": text, "limit": 1})
            response = client.get(url)
            assert response.status_code == 200, (spec.id, name, response.data[:200])


def test_conformance_and_openapi_declare_the_filter(client: Any, demo_loaded: Any) -> None:
    conforms = set(json.loads(client.get("/conformance").data)["conformsTo"])
    for cls in (
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    ):
        assert cls in conforms
    doc = json.loads(client.get("/api").data)
    items = doc["paths"]["/collections/shelters/items"]["get"]["parameters"]
    names = {p["name"] for p in items}
    assert {"filter", "filter-lang", "filter-crs"} <= names
    lang = next(p for p in items if p["name"] == "filter-lang")
    assert lang["schema"]["enum"][:2] == ["cql2-text", "cql2-json"]
    assert "/collections/shelters/queryables" in doc["paths"]
    tile = doc["paths"]["/tiles/{layers}/{z}/{x}/{y}.mvt"]["get"]["parameters"]
    assert "filter" in {p["name"] for p in tile}
