"""/datasets: DCAT metadata, and every download format round-trips against the raw demo data."""

from __future__ import annotations

import io
import json
import shutil

import pandas as pd
import pyogrio
import pytest
import shapely

from gis.layerstore.registry import LayerRegistry
from gis.platform.settings import PROJECT_ROOT
from tests.demo import demo_frames as demo_layer_frames

# every layer the demo loads (derived layers such as transit_blank_areas are computed, not loaded)
# layers whose demo data is a generated frame (the gazetteer is loaded from MLIT-format files)
LAYERS = [
    s.id
    for s in LayerRegistry.from_dir(PROJECT_ROOT / "layers")
    if not s.derived
    and s.id in demo_layer_frames()
    and s.id not in {"transit_stops", "transit_routes"}  # rebuilt from the demo's GTFS feeds
]


def _single(geom):
    """The loader wraps single parts in the declared multi type; undo that for comparison."""
    if geom.geom_type.startswith("Multi") and len(geom.geoms) == 1:
        return geom.geoms[0]
    return geom


def _same_geometries(got, expected) -> None:
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        a, b = shapely.normalize(_single(a)), shapely.normalize(_single(b))
        assert shapely.equals_exact(a, b, 1e-6), (a.wkt[:80], b.wkt[:80])


def _expected(demo_frames, layer: str):
    return demo_frames[layer].reset_index(drop=True)  # the loader numbers features 1..n


@pytest.mark.parametrize("layer", LAYERS)
def test_geojson_round_trip(client, demo_loaded, demo_frames, layer: str) -> None:
    response = client.get(f"/datasets/{layer}.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    data = json.loads(response.data)
    frame = _expected(demo_frames, layer)
    assert [f["id"] for f in data["features"]] == list(range(1, len(frame) + 1))
    got = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
    _same_geometries(got, frame.geometry.values)
    first = data["features"][0]["properties"]
    assert list(first) == [c for c in frame.columns if c != "geometry"]


@pytest.mark.parametrize("layer", LAYERS)
def test_csv_round_trip(client, demo_loaded, demo_frames, registry, layer: str) -> None:
    response = client.get(f"/datasets/{layer}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    table = pd.read_csv(
        io.BytesIO(response.data), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    frame = _expected(demo_frames, layer)
    spec = registry.get(layer)
    assert len(table) == len(frame)
    assert list(table.columns[1 : 1 + len(spec.fields)]) == spec.field_names
    lon, lat = table["lon"].astype(float), table["lat"].astype(float)
    if spec.geometry.value == "Point":
        assert "wkt" not in table.columns
        assert (lon - frame.geometry.x).abs().max() < 1e-6
        assert (lat - frame.geometry.y).abs().max() < 1e-6
    else:
        got = shapely.from_wkt(table["wkt"].tolist())
        _same_geometries(got, frame.geometry.values)
        points = shapely.points(lon, lat)
        assert all(shapely.dwithin(got, points, 1e-6))  # the lon/lat point lies on the feature
    text_fields = [f.name for f in spec.fields if f.type == "text"]
    for name in text_fields:
        assert table[name].tolist() == frame[name].fillna("").astype(str).tolist()


@pytest.mark.parametrize("layer", LAYERS)
def test_geopackage_round_trip(
    client, demo_loaded, demo_frames, registry, tmp_path, layer: str
) -> None:
    response = client.get(f"/datasets/{layer}.gpkg")
    assert response.status_code == 200
    path = tmp_path / f"{layer}.gpkg"
    path.write_bytes(response.data)
    info = pyogrio.read_info(path)
    frame = _expected(demo_frames, layer)
    assert info["features"] == len(frame)
    assert info["crs"] == "EPSG:4326"
    assert list(info["fields"]) == registry.get(layer).field_names
    read = pyogrio.read_dataframe(path)
    _same_geometries(read.geometry.values, frame.geometry.values)


def test_geopackage_temp_files_are_removed(client, demo_loaded, tmp_path, monkeypatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert client.get("/datasets/population_mesh.gpkg").status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_download_caching(client, demo_loaded) -> None:
    first = client.get("/datasets/shelters.csv")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get("/datasets/shelters.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert "no-cache" not in client.get("/datasets/shelters.gpkg").headers["Cache-Control"]


def test_unknown_layer_or_format_is_404(client, demo_loaded) -> None:
    assert client.get("/datasets/nothing.csv").status_code == 404
    assert client.get("/datasets/shelters.xlsx").status_code == 404


def test_dcat_catalogue(client, demo_loaded, registry) -> None:
    response = client.get("/datasets?f=json")
    assert response.mimetype == "application/ld+json"
    data = response.get_json()
    assert data["@type"] == "dcat:Catalog"
    by_id = {d["dct:identifier"]: d for d in data["dcat:dataset"]}
    assert set(by_id) == {s.id for s in registry.public() if not s.derived or s.id in by_id}
    assert {"shelters", "dead_zones"} <= set(by_id)
    dz = by_id["dead_zones"]
    assert dz["@type"] == "dcat:Dataset"
    assert {"@language": "en", "@value": "Mobile-phone dead zones"} in dz["dct:title"]
    assert dz["dct:publisher"]["dct:identifier"] == "350001"
    assert dz["dct:publisher"]["foaf:name"] == "山口県"
    assert dz["dct:license"]["dct:title"] == "CC BY 4.0"
    urls = {d["dcat:mediaType"]: d["dcat:downloadURL"]["@id"] for d in dz["dcat:distribution"]}
    assert urls == {
        "application/geo+json": "http://localhost/datasets/dead_zones.geojson",
        "text/csv": "http://localhost/datasets/dead_zones.csv",
        "application/geopackage+sqlite3": "http://localhost/datasets/dead_zones.gpkg",
    }
    west, south, east, north = dz["dct:spatial"]["kasane:bbox"]
    assert 131 < west < east < 132 and 33 < south < north < 35


def test_restricted_layer_is_not_published(settings, demo_loaded, tmp_path) -> None:
    from webmap import close, create_app

    layers = tmp_path / "layers"
    shutil.copytree(settings.layers_dir, layers)
    wifi = layers / "wifi_spots.toml"
    wifi.write_text(
        wifi.read_text(encoding="utf-8").replace("public = true", "public = false", 1),
        encoding="utf-8",
    )
    app = create_app(settings.model_copy(update={"layers_dir": layers}))
    try:
        client = app.test_client()
        assert client.get("/datasets/wifi_spots.geojson").status_code == 404
        assert client.get("/datasets/wifi_spots.gpkg").status_code == 404
        ids = [
            d["dct:identifier"] for d in client.get("/datasets?f=json").get_json()["dcat:dataset"]
        ]
        assert "wifi_spots" not in ids and "shelters" in ids
    finally:
        close(app)
