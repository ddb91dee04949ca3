"""HTML encodings of the API's resources (OGC API - Features recommends one for each): the
format is picked by ``?f=`` or, without it, by the ``Accept`` header, as for items. A browser
names ``text/html`` and gets a page in the site's layout; an API client (``*/*``,
``application/json`` or no ``Accept`` at all) gets JSON as before."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request

from gis.layerstore.layerspec import LayerKind, LayerSpec
from gis.platform.errors import BadRequest

FORMATS = ("json", "html")

# The site's pages where a layer of each kind is shown (endpoint names, ja and en labels).
HAZARD_MAP = ("residents.residents_hazard_map.hazard_map", "ハザードマップ", "Hazard map")
SHELTER_TABLE = (
    "residents.residents_pages.shelters",
    "避難所の一覧と開設状況",
    "Shelters and status",
)
TRANSIT = ("transit.transit_page", "公共交通の計画", "Transit planning")
DEADZONES = ("planners.deadzones_page", "不感地区・5G・地域統計", "Dead zones, 5G, area statistics")
MAP_PAGES: dict[LayerKind, tuple[tuple[str, str, str], ...]] = {
    LayerKind.FLOOD_DEPTH: (HAZARD_MAP,),
    LayerKind.LANDSLIDE_ZONE: (HAZARD_MAP,),
    LayerKind.SHELTER: (HAZARD_MAP, SHELTER_TABLE),
    LayerKind.TRANSIT: (TRANSIT,),
    LayerKind.POPULATION_MESH: (TRANSIT, DEADZONES),
    LayerKind.ADMIN_BOUNDARY: (DEADZONES,),
    LayerKind.DEAD_ZONE: (DEADZONES,),
    LayerKind.MESH_COVERAGE: (DEADZONES,),
}


def wants_html() -> bool:
    """Whether this request asks for the HTML encoding (``f=html``, or a browser's Accept)."""
    fmt = request.args.get("f")
    if fmt is not None:
        if fmt not in FORMATS:
            raise BadRequest(f"f={fmt!r} is not offered; use one of {', '.join(FORMATS)}")
        return fmt == "html"
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def negotiated(doc: dict[str, Any], template: str, **context: Any) -> Response:
    """``doc`` as JSON, or ``template`` rendered with ``doc`` (and ``context``) as HTML."""
    if wants_html():
        response = Response(render_template(template, doc=doc, **context), mimetype="text/html")
    else:
        response = jsonify(doc)
    response.headers["Vary"] = "Accept"
    return response


def html_alternate(href: str) -> dict[str, str]:
    """The ``alternate`` link to the HTML encoding of the resource at ``href``."""
    joiner = "&" if "?" in href else "?"
    return {"href": f"{href}{joiner}f=html", "rel": "alternate", "type": "text/html"}


def map_pages(spec: LayerSpec) -> tuple[tuple[str, str, str], ...]:
    """The site's map pages that show ``spec``'s kind of layer."""
    return MAP_PAGES.get(spec.kind, ())
