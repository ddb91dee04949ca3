"""``/map``: the integrated map (統合型GIS): every layer the caller may see, on one map.

The layer panel is built from the catalogue, grouped by each layer file's ``theme``, with the
legend from its style classes, an opacity control, its attribution and a "zoom in" note outside
its zoom range; it is rendered here, so it reads without JavaScript. ``static/js/integrated-map.js``
draws the layers from our vector tiles, shows a feature's attributes under the layer file's
field titles (click/tap, or the "features here" list for the map centre), keeps a table of the
features in view (with CSV links) as the text alternative, and keeps the URL
(``layers``, ``opacity``, ``c``, ``z``) in step so a view can be shared.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from gis.layerstore.layerspec import GeometryType, LayerSpec, Theme
from gis.platform.errors import BadRequest
from gis.residents.hazards import LonLat
from webmap import access, context
from webmap import served_versions as served
from webmap.i18n import current_lang
from webmap.integrated_map_text import TEXT, THEMES
from webmap.maps import build_map, map_parts, union_bbox
from webmap.search_words import SEARCH_WORDS

bp = Blueprint("integrated_map", __name__)
MIN_ZOOM, MAX_ZOOM = 5, 18
# what /map shows when the URL names no layers: the disaster theme (the reason the map exists)
DEFAULT_THEMES = (Theme.DISASTER,)
POINTS = {GeometryType.POINT, GeometryType.MULTIPOINT}
LINES = {GeometryType.LINESTRING, GeometryType.MULTILINESTRING}


def shape_of(spec: LayerSpec) -> str:
    """``point``, ``line`` or ``polygon``: how the legend draws the layer's swatches."""
    if spec.geometry in POINTS:
        return "point"
    return "line" if spec.geometry in LINES else "polygon"


def layer_config(spec: LayerSpec, lang: str, loaded: bool) -> dict[str, Any]:
    """One layer as the panel and the script use it."""
    return {
        "id": spec.id,
        "theme": spec.theme.value,
        "title": spec.title.get(lang),
        "description": spec.description.get(lang),
        "shape": shape_of(spec),
        "loaded": loaded,
        "tiles": f"/tiles/{spec.id}/{{z}}/{{x}}/{{y}}.mvt",
        "items": f"/collections/{spec.id}/items",
        "property": spec.style.property,
        "color": spec.style.color,
        "opacity": spec.style.opacity,
        "min_zoom": spec.min_zoom,
        "max_zoom": spec.max_zoom,
        "attribution": spec.license.attribution.get(lang),
        "classes": [
            {
                "value": c.value,
                "color": c.color,
                "outline": c.outline,
                "label": c.label.get(lang),
            }
            for c in spec.style.classes
        ],
        "fields": [
            {"name": f.name, "title": f.title.get(lang), "in_tiles": f.in_tiles}
            for f in spec.fields
        ],
    }


def parse_layers(text: str | None, known: list[str], default: list[str]) -> list[str]:
    """The ``layers`` of the URL (comma-separated ids), checked against ``known``."""
    if text is None:
        return default
    ids = [k for k in text.split(",") if k]
    unknown = [k for k in ids if k not in known]
    if unknown:
        raise BadRequest(f"layers: unknown layer {unknown[0]!r}; use any of {', '.join(known)}")
    return list(dict.fromkeys(ids))


def parse_opacity(text: str | None, known: list[str]) -> dict[str, float]:
    """``opacity=id:0.5,id2:0.8`` -> {id: 0.5, ...}; each value from 0 to 1."""
    out: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part:
            continue
        layer_id, sep, value = part.partition(":")
        if not sep or layer_id not in known:
            raise BadRequest(f"opacity: {part!r} must be LAYER:VALUE with a layer of this map")
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not 0 <= number <= 1:
            raise BadRequest(f"opacity of {layer_id}: {value!r} must be a number from 0 to 1")
        out[layer_id] = number
    return out


def parse_view(args: Any) -> tuple[LonLat | None, int | None]:
    """``c=lat,lon`` and ``z`` of the URL (both optional)."""
    centre = None
    if args.get("c"):
        lat, _, lon = str(args["c"]).partition(",")
        centre = LonLat.parse(lat, lon)
    zoom = None
    if args.get("z"):
        text = str(args["z"])
        if not text.isdigit() or not MIN_ZOOM <= int(text) <= MAX_ZOOM:
            raise BadRequest(f"z={text!r} must be a whole number from {MIN_ZOOM} to {MAX_ZOOM}")
        zoom = int(text)
    return centre, zoom


def data_bounds(layer_ids: list[str]) -> tuple[float, float, float, float] | None:
    """The box around the loaded data of ``layer_ids`` (the prefecture view)."""
    loaded = served.state()
    return union_bbox(loaded[i].bbox for i in layer_ids if i in loaded)


@bp.get("/map")
def integrated_map() -> str:
    """The integrated map page."""
    lang = current_lang()
    loaded = served.state()
    specs = list(access.registry())
    layers = [layer_config(s, lang, s.id in loaded) for s in specs]
    known = [s.id for s in specs]
    default = [s.id for s in specs if s.theme in DEFAULT_THEMES and s.id in loaded]
    enabled = parse_layers(request.args.get("layers"), known, default)
    opacity = parse_opacity(request.args.get("opacity"), known)
    centre, zoom = parse_view(request.args)
    fmap = build_map(
        context.settings(),
        location=(centre.lat, centre.lon) if centre else None,
        zoom_start=zoom or 10,
        bounds=None if centre else data_bounds([s.id for s in specs if s.id in loaded]),
        aria_label=TEXT["map_label"][lang],
        zoom_control=False,
        control_scale=True,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
    )
    groups = [
        {"theme": theme.value, "title": THEMES[theme][lang], "layers": members}
        for theme in Theme
        if (members := [c for c in layers if c["theme"] == theme.value])
    ]
    config = {
        "map": fmap.get_name(),
        "lang": lang,
        "layers": layers,
        "enabled": enabled,
        "opacity": opacity,
        "text": {k: v[lang] for k, v in TEXT.items()},
        "search_words": {k: v[lang] for k, v in SEARCH_WORDS.items()},
    }
    return render_template(
        "pages/map.html",
        map=map_parts(fmap),
        config=config,
        groups=groups,
        enabled=enabled,
        opacity=opacity,
    )
