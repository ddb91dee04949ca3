"""``/map/hazard``: the residents' hazard map (flood depth, landslide zones, shelters with their
live status), and ``/api/shelters/map``, the shelter markers of a bounding box.

The page is a folium base map (``webmap.maps``) plus ``static/js/hazardmap.js``: flood and
landslide come from our own vector tiles, shelters from our API (fetched fresh, never
cached, so a status change shows at once). Clicking the map, the lat/lon form, "use the map
centre" and "my location" all open the same text panel (hazards at the point and the
nearest suitable open shelters), and the URL (``lat``, ``lon``, ``z``, ``c``, ``layers``)
restores it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, render_template, request, url_for

from gis.layerstore.layerspec import LayerKind, LayerSpec
from gis.layerstore.served_versions import Served
from gis.ogc.items_query import parse_bbox
from gis.ogc.output_crs import DEFAULT
from gis.platform.errors import BadRequest, NotFound
from gis.platform.languages import fallbacks
from gis.residents import shelter_list, shelter_status
from gis.residents.hazards import LonLat
from gis.residents.shelters import DIRECTIONS, HAZARDS, KINDS
from webmap import access, context, db, stale
from webmap import served_versions as served
from webmap.i18n import current_lang
from webmap.maps import build_map, map_parts, union_bbox
from webmap.residents.hazard_map_text import STATUS_BADGES, TEXT
from webmap.search_words import SEARCH_WORDS

bp = Blueprint("residents_hazard_map", __name__)
# switchable layers: key in the URL -> layer kind (shelters are markers from our API)
OVERLAYS = {"flood": LayerKind.FLOOD_DEPTH, "landslide": LayerKind.LANDSLIDE_ZONE}
LAYER_KEYS = (*OVERLAYS, "shelters")
MIN_ZOOM, MAX_ZOOM, POINT_ZOOM = 5, 18, 15


def _first_loaded(kind: LayerKind, loaded: dict[str, Served] | None = None) -> LayerSpec | None:
    loaded = served.state() if loaded is None else loaded
    return next((s for s in access.registry().of_kind(kind) if s.id in loaded), None)


def _overlay(key: str, spec: LayerSpec, lang: str) -> dict[str, Any]:
    return {
        "key": key,
        "layer": spec.id,
        "title": spec.title.get(lang),
        "tiles": f"/tiles/{spec.id}/{{z}}/{{x}}/{{y}}.mvt",
        "property": spec.style.property,
        "color": spec.style.color,
        "opacity": spec.style.opacity,
        "min_zoom": spec.min_zoom,
        "max_zoom": spec.max_zoom,
        "attribution": spec.license.attribution.get(lang),
        "classes": [
            {"value": c.value, "color": c.color, "outline": c.outline, "label": c.label.get(lang)}
            for c in spec.style.classes
        ],
    }


def _zoom(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not MIN_ZOOM <= int(text) <= MAX_ZOOM:
        raise BadRequest(f"z={text!r} must be a whole number from {MIN_ZOOM} to {MAX_ZOOM}")
    return int(text)


def _layers(text: str | None) -> list[str]:
    if text is None:
        return list(LAYER_KEYS)
    keys = [k for k in text.split(",") if k]
    unknown = [k for k in keys if k not in LAYER_KEYS]
    if unknown:
        raise BadRequest(f"unknown layer {unknown[0]!r}; use {', '.join(LAYER_KEYS)}")
    return keys


def _centre(text: str | None) -> LonLat | None:
    if not text:
        return None
    lat, _, lon = text.partition(",")
    return LonLat.parse(lat, lon)


@bp.get("/map/hazard")
def hazard_map() -> Response:
    """The hazard map page; ``?lat=&lon=`` opens the panel for that point."""
    args, lang = request.args, current_lang()
    point = LonLat.parse(args["lat"], args.get("lon")) if args.get("lat") else None
    centre = _centre(args.get("c")) or point
    zoom = _zoom(args.get("z"))
    enabled = _layers(args.get("layers"))
    known, as_of = served.state_or_stale()  # no query needed: renders while the DB is down
    overlays = {key: _first_loaded(kind, known) for key, kind in OVERLAYS.items()}
    shelters = _first_loaded(LayerKind.SHELTER, known)
    loaded = [s for s in (*overlays.values(), shelters) if s is not None]
    fmap = build_map(
        context.settings(),
        location=(centre.lat, centre.lon) if centre else None,
        zoom_start=zoom or (POINT_ZOOM if centre else 9),
        bounds=None if centre else union_bbox(known[s.id].bbox for s in loaded),
        aria_label=TEXT["map_label"][lang],
        zoom_control=False,
        control_scale=True,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
    )
    config = {
        "map": fmap.get_name(),
        "lang": lang,
        "point": {"lat": point.lat, "lon": point.lon} if point else None,
        "layers": enabled,
        "overlays": [_overlay(k, s, lang) for k, s in overlays.items() if s is not None],
        "shelters": {"min_zoom": shelters.min_zoom} if shelters else None,
        "kinds": {k: v[lang] for k, v in KINDS.items()},
        "hazards": {k: v[lang] for k, v in HAZARDS.items()},
        "statuses": {k: v[lang] for k, v in shelter_status.STATUSES.items()},
        "badges": {k: v[lang] for k, v in STATUS_BADGES.items()},
        "crowding": {k: v[lang] for k, v in shelter_status.CROWDING.items()},
        "text": {k: v[lang] for k, v in TEXT.items()},
        "search_words": {k: v[lang] for k, v in SEARCH_WORDS.items()},
        "directions": {d.en: d[lang] for d in DIRECTIONS},
        "fallbacks": list(fallbacks(lang)),
        "locale": "ja" if lang == "ja-x-easy" else lang,
    }
    edition = g.get("static_edition")  # set while `kasane export static` renders the page
    if edition is not None:
        config = edition.adapt(config)
    page = render_template(
        "residents/hazard_map.html",
        stale_as_of=None if as_of is None else stale.as_of_text(as_of, lang),
        stale_iso=None if as_of is None else stale.iso(as_of),
        map=map_parts(fmap),
        integrated_link=url_for(
            "integrated_map.integrated_map",
            layers=",".join(s.id for s in loaded),
            lang=lang,
        ),
        config=config,
        edition=edition,
        overlays=config["overlays"],
        has_shelters=shelters is not None,
        enabled=enabled,
        point=point,
        kinds=KINDS,
        statuses=shelter_status.STATUSES,
        badges=STATUS_BADGES,
    )
    if as_of is None:
        return Response(page, mimetype="text/html")
    return stale.mark(Response(page, mimetype="text/html"), as_of, hit=False)


@bp.get("/api/shelters/map")
def shelter_markers() -> Response:
    """Shelters in ``?bbox=minlon,minlat,maxlon,maxlat`` with their live status, as GeoJSON
    (``truncated`` is true when there were more than the marker limit)."""
    text = request.args.get("bbox")
    if not text:
        raise BadRequest("bbox is required: minlon,minlat,maxlon,maxlat")
    bbox = parse_bbox(text, DEFAULT)
    access.require("shelters")
    if _first_loaded(LayerKind.SHELTER) is None:
        raise NotFound("the shelters layer is not loaded")
    with db.read_connection() as conn:
        rows, truncated = shelter_list.in_bbox(conn, bbox)
    features = [
        {
            "type": "Feature",
            "id": r.shelter_id,
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                k: v
                for k, v in r.to_json().items()
                if k not in ("lat", "lon", "note", "distribution_status")
            },
        }
        for r in rows
    ]
    response = jsonify({"type": "FeatureCollection", "features": features, "truncated": truncated})
    response.headers["Cache-Control"] = "no-store"  # a status change must show at once
    return response
