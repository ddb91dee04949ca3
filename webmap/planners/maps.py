"""The maps of the dead-zone page: districts by status, 5G mesh cells, area-statistics
choropleth. Python places empty folium maps (local assets, basemap, extent, accessible names);
``static/js/deadzones-map.js`` fills them from the GeoJSON endpoints and follows the controls."""

from __future__ import annotations

from typing import Any

from gis.layerstore import loaded_layers as catalog
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.registry import LayerRegistry
from gis.planning.areastats import UNITS
from webmap import context, db
from webmap.i18n import current_lang
from webmap.map_group import GroupParts, group_parts
from webmap.maps import build_map

# extent preference: the prefecture's boundaries, else the districts themselves
EXTENT_LAYERS = ("admin_boundaries", "dead_zones", "mesh_coverage")
MAP_LABELS = {
    "districts": (
        "携帯電話不感地区の地図（状況別）",
        "Map of mobile dead-zone districts by status",
    ),
    "mesh": ("第2次地域区画ごとの5G基盤展開の地図", "Map of 5G deployment per 2nd-level mesh cell"),
    "stats": ("集計結果の階級区分図", "Choropleth map of the area statistics"),
}


def _extent(status: dict[str, dict[str, Any]]) -> tuple[float, float, float, float] | None:
    for layer in EXTENT_LAYERS:
        bbox = status.get(layer, {}).get("bbox")
        if bbox:
            return (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]))
    return None


def stats_layers(registry: LayerRegistry, status: dict[str, dict[str, Any]]) -> list[LayerSpec]:
    """Public layers that are loaded: the choices of the area-statistics form."""
    return [spec for spec in registry.public() if spec.id in status]


def class_styles(spec: LayerSpec) -> dict[str, dict[str, str]]:
    """A layer's legend classes (value -> colour, outline, label in this language), for JS."""
    lang = current_lang()
    return {
        str(c.value).lower(): {
            "color": c.color,
            "outline": c.outline or c.color,
            "label": c.label.get(lang),
        }
        for c in spec.style.classes
    }


def deadzone_maps() -> tuple[GroupParts, list[LayerSpec], tuple[str, ...]]:
    """The page's three maps, the layers offered for area statistics and its units."""
    with db.connection() as conn:
        status = catalog.layer_status(conn)
    bounds = _extent(status)
    ja = current_lang() != "en"
    maps = {
        key: build_map(
            context.settings(), bounds=bounds, height=420, aria_label=label[0 if ja else 1]
        )
        for key, label in MAP_LABELS.items()
    }
    return group_parts(maps), stats_layers(context.registry(), status), UNITS
