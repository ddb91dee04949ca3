"""Styles for clients, generated from a layer file's ``[style]``: MapLibre / Mapbox GL style
JSON, QGIS QML and OGC SLD 1.0, so QGIS and other map clients draw a layer with the same classes,
colours and legend labels as Kasane's own maps.

The layer file is the only source: one class per ``[[style.classes]]`` entry (matched by
equality on ``style.property``), in legend order, and ``style.color`` for everything else.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from gis.layerstore.layerspec import LayerSpec, StyleClass

FORMATS = {
    "mapbox": "application/vnd.mapbox.style+json",
    "sld10": "application/vnd.ogc.sld+xml;version=1.0",
    "qml": "application/vnd.qgis.qml",
}
OUTLINE = "#333333"
SLD = "http://www.opengis.net/sld"
OGC = "http://www.opengis.net/ogc"


def kind(spec: LayerSpec) -> str:
    """``point``, ``line`` or ``polygon`` from the layer's geometry type."""
    geometry = str(spec.geometry.value if hasattr(spec.geometry, "value") else spec.geometry)
    if "Polygon" in geometry:
        return "polygon"
    return "line" if "Line" in geometry else "point"


def _label(entry: StyleClass, lang: str) -> str:
    return str(entry.label.ja if lang == "ja" else entry.label.en)


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- MapLibre / Mapbox GL --------------------------------------------------------------------


def maplibre(spec: LayerSpec, tilejson_url: str, lang: str = "ja") -> dict[str, Any]:
    """A complete style document (version 8) drawing the layer's vector tiles."""
    style = spec.style
    colour: Any = style.color
    if style.property and style.classes:
        colour = ["match", ["get", style.property]]
        for entry in style.classes:
            colour += [entry.value, entry.color]
        colour.append(style.color)
    base = {"id": spec.id, "source": spec.id, "source-layer": spec.id}
    shape = kind(spec)
    layers: list[dict[str, Any]]
    if shape == "polygon":
        layers = [
            {
                **base,
                "type": "fill",
                "paint": {"fill-color": colour, "fill-opacity": style.opacity},
            },
            {
                **base,
                "id": f"{spec.id}-outline",
                "type": "line",
                "paint": {"line-color": colour, "line-width": 0.5},
            },
        ]
    elif shape == "line":
        layers = [
            {
                **base,
                "type": "line",
                "paint": {"line-color": colour, "line-width": 2, "line-opacity": style.opacity},
            }
        ]
    else:
        layers = [
            {
                **base,
                "type": "circle",
                "paint": {
                    "circle-color": colour,
                    "circle-radius": 5,
                    "circle-opacity": style.opacity,
                    "circle-stroke-color": OUTLINE,
                    "circle-stroke-width": 1,
                },
            }
        ]
    return {
        "version": 8,
        "name": spec.title.ja if lang == "ja" else spec.title.en,
        "metadata": {
            "kasane:legend": [
                {"value": e.value, "color": e.color, "label": _label(e, lang)}
                for e in style.classes
            ],
            "kasane:property": style.property,
        },
        "sources": {
            spec.id: {
                "type": "vector",
                "url": tilejson_url,
                "minzoom": spec.min_zoom,
                "maxzoom": spec.max_zoom,
            }
        },
        "layers": layers,
    }


# --- QGIS QML --------------------------------------------------------------------------------


def _qgis_rgba(hex_colour: str, opacity: float = 1.0) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(opacity * 255)}"


def _qml_symbol(parent: ET.Element, name: str, spec: LayerSpec, colour: str) -> None:
    shape = kind(spec)
    symbol_type = {"polygon": "fill", "line": "line", "point": "marker"}[shape]
    layer_class = {"polygon": "SimpleFill", "line": "SimpleLine", "point": "SimpleMarker"}[shape]
    symbol = ET.SubElement(
        parent, "symbol", name=name, type=symbol_type, alpha=str(spec.style.opacity)
    )
    layer = ET.SubElement(symbol, "layer", {"class": layer_class, "enabled": "1"})
    props = {
        "polygon": {
            "color": _qgis_rgba(colour),
            "outline_color": _qgis_rgba(colour),
            "outline_width": "0.2",
            "style": "solid",
        },
        "line": {"line_color": _qgis_rgba(colour), "line_width": "0.6"},
        "point": {
            "color": _qgis_rgba(colour),
            "outline_color": _qgis_rgba(OUTLINE),
            "size": "2.6",
            "name": "circle",
        },
    }[shape]
    for key, value in props.items():
        ET.SubElement(layer, "prop", k=key, v=value)


def qml(spec: LayerSpec, lang: str = "ja") -> str:
    """A QGIS layer style file (Layer Properties → Style → Load Style…)."""
    root = ET.Element("qgis", version="3.28", styleCategories="Symbology")
    style = spec.style
    if style.property and style.classes:
        renderer = ET.SubElement(
            root,
            "renderer-v2",
            type="categorizedSymbol",
            attr=style.property,
            enableorderby="0",
            forceraster="0",
            symbollevels="0",
        )
        categories = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for index, entry in enumerate(style.classes):
            ET.SubElement(
                categories,
                "category",
                render="true",
                symbol=str(index),
                value=_value_text(entry.value),
                label=_label(entry, lang),
            )
            _qml_symbol(symbols, str(index), spec, entry.color)
        ET.SubElement(
            categories,
            "category",
            render="true",
            symbol=str(len(style.classes)),
            value="",
            label="",
        )
        _qml_symbol(symbols, str(len(style.classes)), spec, style.color)
    else:
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", forceraster="0")
        _qml_symbol(ET.SubElement(renderer, "symbols"), "0", spec, style.color)
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


# --- OGC SLD 1.0 -----------------------------------------------------------------------------


def _sld_symbolizer(rule: ET.Element, spec: LayerSpec, colour: str) -> None:
    shape = kind(spec)
    opacity = str(spec.style.opacity)

    def param(parent: ET.Element, name: str, value: str) -> None:
        ET.SubElement(parent, f"{{{SLD}}}CssParameter", name=name).text = value

    if shape == "polygon":
        sym = ET.SubElement(rule, f"{{{SLD}}}PolygonSymbolizer")
        fill = ET.SubElement(sym, f"{{{SLD}}}Fill")
        param(fill, "fill", colour)
        param(fill, "fill-opacity", opacity)
        stroke = ET.SubElement(sym, f"{{{SLD}}}Stroke")
        param(stroke, "stroke", colour)
        param(stroke, "stroke-width", "0.5")
    elif shape == "line":
        stroke = ET.SubElement(ET.SubElement(rule, f"{{{SLD}}}LineSymbolizer"), f"{{{SLD}}}Stroke")
        param(stroke, "stroke", colour)
        param(stroke, "stroke-width", "2")
        param(stroke, "stroke-opacity", opacity)
    else:
        graphic = ET.SubElement(
            ET.SubElement(rule, f"{{{SLD}}}PointSymbolizer"), f"{{{SLD}}}Graphic"
        )
        mark = ET.SubElement(graphic, f"{{{SLD}}}Mark")
        ET.SubElement(mark, f"{{{SLD}}}WellKnownName").text = "circle"
        fill = ET.SubElement(mark, f"{{{SLD}}}Fill")
        param(fill, "fill", colour)
        param(fill, "fill-opacity", opacity)
        stroke = ET.SubElement(mark, f"{{{SLD}}}Stroke")
        param(stroke, "stroke", OUTLINE)
        ET.SubElement(graphic, f"{{{SLD}}}Size").text = "10"


def sld(spec: LayerSpec, lang: str = "ja") -> str:
    """An OGC Styled Layer Descriptor 1.0 (GeoServer, QGIS, ArcGIS)."""
    ET.register_namespace("sld", SLD)
    ET.register_namespace("ogc", OGC)
    root = ET.Element(f"{{{SLD}}}StyledLayerDescriptor", version="1.0.0")
    named = ET.SubElement(root, f"{{{SLD}}}NamedLayer")
    ET.SubElement(named, f"{{{SLD}}}Name").text = spec.id
    user = ET.SubElement(named, f"{{{SLD}}}UserStyle")
    ET.SubElement(user, f"{{{SLD}}}Title").text = spec.title.ja if lang == "ja" else spec.title.en
    feature_style = ET.SubElement(user, f"{{{SLD}}}FeatureTypeStyle")
    style = spec.style
    for entry in style.classes if style.property else ():
        rule = ET.SubElement(feature_style, f"{{{SLD}}}Rule")
        ET.SubElement(rule, f"{{{SLD}}}Name").text = _value_text(entry.value)
        ET.SubElement(rule, f"{{{SLD}}}Title").text = _label(entry, lang)
        equal = ET.SubElement(
            ET.SubElement(rule, f"{{{OGC}}}Filter"), f"{{{OGC}}}PropertyIsEqualTo"
        )
        ET.SubElement(equal, f"{{{OGC}}}PropertyName").text = style.property
        ET.SubElement(equal, f"{{{OGC}}}Literal").text = _value_text(entry.value)
        _sld_symbolizer(rule, spec, entry.color)
    rest = ET.SubElement(feature_style, f"{{{SLD}}}Rule")
    ET.SubElement(rest, f"{{{SLD}}}Name").text = "other"
    if style.property and style.classes:
        ET.SubElement(rest, f"{{{SLD}}}ElseFilter")
    _sld_symbolizer(rest, spec, style.color)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
