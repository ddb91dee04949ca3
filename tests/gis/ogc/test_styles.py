"""Every layer has a MapLibre style, a QML and an SLD, and each matches the layer file's classes
(values, colours, labels, in legend order) with ``style.color`` for everything else."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.registry import LayerRegistry
from gis.layerstore.served_versions import Served
from gis.ogc import styles
from gis.ogc.styles import OGC, SLD
from tests.conftest import ROOT

LAYERS = list(LayerRegistry.from_dir(ROOT / "layers"))


def expected(spec: LayerSpec, lang: str) -> list[tuple[str, str, str]]:
    """(value, colour, label) of every class, as the layer file says."""
    if not spec.style.property:
        return []
    return [
        (styles._value_text(c.value), c.color.lower(), c.label.ja if lang == "ja" else c.label.en)
        for c in spec.style.classes
    ]


def test_some_layers_have_classes() -> None:
    """The test below would prove little if no layer file had classes."""
    assert sum(1 for spec in LAYERS if spec.style.classes) >= 3


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.id)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_maplibre_style_matches_the_layer_file(spec: LayerSpec, lang: str) -> None:
    doc = styles.maplibre(spec, "http://kasane.example/tiles/x.json", lang)
    assert doc["version"] == 8 and doc["sources"][spec.id]["url"].endswith("/x.json")
    first = doc["layers"][0]
    assert first["source-layer"] == spec.id
    colour = next(v for k, v in first["paint"].items() if k.endswith("-color"))
    if expected(spec, lang):
        assert colour[:2] == ["match", ["get", spec.style.property]]
        pairs = colour[2:-1]
        got = [
            (styles._value_text(pairs[i]), pairs[i + 1].lower()) for i in range(0, len(pairs), 2)
        ]
        assert got == [(v, c) for v, c, _ in expected(spec, lang)]
        assert colour[-1] == spec.style.color
        legend = doc["metadata"]["kasane:legend"]
        assert [e["label"] for e in legend] == [label for _, _, label in expected(spec, lang)]
    else:
        assert colour == spec.style.color
    json.dumps(doc)  # serialisable as it is served


def _rgb(qgis: str) -> str:
    r, g, b, _ = (int(part) for part in qgis.split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.id)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_qml_matches_the_layer_file(spec: LayerSpec, lang: str) -> None:
    root = ET.fromstring(styles.qml(spec, lang).split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None
    colours = {
        s.get("name"): _rgb(
            next(p.get("v") or "" for p in s.iter("prop") if p.get("k") in ("color", "line_color"))
        )
        for s in renderer.iter("symbol")
    }
    if expected(spec, lang):
        assert renderer.get("type") == "categorizedSymbol"
        assert renderer.get("attr") == spec.style.property
        cats = renderer.findall("categories/category")
        got = [(c.get("value"), colours[c.get("symbol")], c.get("label")) for c in cats[:-1]]
        assert got == expected(spec, lang)
        assert (
            cats[-1].get("value") == ""
            and colours[cats[-1].get("symbol")] == spec.style.color.lower()
        )
    else:
        assert renderer.get("type") == "singleSymbol"
        assert list(colours.values()) == [spec.style.color.lower()]


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.id)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sld_matches_the_layer_file(spec: LayerSpec, lang: str) -> None:
    root = ET.fromstring(styles.sld(spec, lang).encode())
    assert root.tag == f"{{{SLD}}}StyledLayerDescriptor"
    rules = root.findall(f".//{{{SLD}}}Rule")

    def colour(rule: Any) -> str:
        for param in rule.iter(f"{{{SLD}}}CssParameter"):
            if param.get("name") in ("fill", "stroke"):
                return str(param.text).lower()
        raise AssertionError("no colour")

    got = [
        (
            rule.findtext(f"{{{OGC}}}Filter/{{{OGC}}}PropertyIsEqualTo/{{{OGC}}}Literal"),
            colour(rule),
            rule.findtext(f"{{{SLD}}}Title"),
        )
        for rule in rules[:-1]
    ]
    for rule in rules[:-1]:
        name = rule.findtext(f"{{{OGC}}}Filter/{{{OGC}}}PropertyIsEqualTo/{{{OGC}}}PropertyName")
        assert name == spec.style.property
    assert got == expected(spec, lang)
    assert colour(rules[-1]) == spec.style.color.lower()
    has_else = rules[-1].find(f"{{{SLD}}}ElseFilter") is not None
    assert has_else == bool(expected(spec, lang))


def test_the_collection_links_its_styles(app: Any, client: Any) -> None:
    from webmap.ogc.documents import collection

    spec = next(s for s in LAYERS if s.id == "flood_depth")
    with app.test_request_context("/collections/flood_depth"):
        doc = collection(spec, Served(version=1, rows=1, bbox=None))
    described = [ln["href"] for ln in doc["links"] if ln["rel"] == "describedby"]
    assert len(described) == 3
    for href in described:
        path = href.split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path)
        assert response.status_code == 200, path
        fmt = path.rsplit("=", 1)[1]
        assert response.headers["Content-Type"].startswith(styles.FORMATS[fmt].split(";")[0])
        assert "0.5m未満" in response.get_data(as_text=True)  # Japanese labels by default
    english = client.get("/collections/flood_depth/styles/default?f=qml&lang=en")
    assert 'label="under 0.5 m"' in english.get_data(as_text=True)
    listed = client.get("/collections/flood_depth/styles").get_json()
    assert listed["default"] == "default" and len(listed["styles"][0]["links"]) == 3


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/collections/flood_depth/styles/night", 404),
        ("/collections/flood_depth/styles/default?f=svg", 400),
        ("/collections/no_such_layer/styles/default", 404),
    ],
)
def test_bad_style_requests_get_a_clear_error(client: Any, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)
