"""The transit page's map: an empty folium map (local assets, basemap) with Leaflet-Geoman's
drawing tools for a draft route (a line and stop markers). ``static/js/transit-map.js`` draws
the network, coverage, blank areas and population mesh and sends drafts for evaluation."""

from __future__ import annotations

from folium.plugins import GeoMan

from webmap import context
from webmap.i18n import current_lang
from webmap.maps import MapParts, build_map, map_parts

# only what a draft route needs: one line and its stops (markers); editing and removal
DRAWING_TOOLS = {
    "drawMarker": True,
    "drawPolyline": True,
    "drawPolygon": False,
    "drawRectangle": False,
    "drawCircle": False,
    "drawCircleMarker": False,
    "drawText": False,
    "cutPolygon": False,
    "rotateMode": False,
    "dragMode": False,
}


def transit_map() -> MapParts:
    """The map with drawing tools, named for screen readers in the page's language."""
    label = (
        "バス路線網・停留所・交通空白地域の地図（路線案を描けます）"
        if current_lang() != "en"
        else "Map of the bus network, stops and transit-blank areas (draft routes can be drawn)"
    )
    fmap = build_map(context.settings(), height=520, aria_label=label)
    GeoMan(position="topleft", **DRAWING_TOOLS).add_to(fmap)  # type: ignore[no-untyped-call]
    return map_parts(fmap)
