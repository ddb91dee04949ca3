"""The HTML view of a page of items: a table of the features and a map of them."""

from __future__ import annotations

from typing import Any, cast

import folium
from flask import render_template

from gis.layerstore.layerspec import LayerSpec
from gis.ogc.items_query import ItemsQuery
from webmap.context import settings
from webmap.i18n import current_lang
from webmap.maps import build_map, map_parts


def render_items_page(
    spec: LayerSpec,
    query: ItemsQuery,
    collection: dict[str, Any],
    links: list[dict[str, str]],
    matched: int | None,
) -> str:
    """The page: heading, map (when the CRS is lon/lat), table, paging links."""
    lang = current_lang()
    title = spec.title.get(lang)
    parts = None
    if query.crs.srid == 4326 and not query.crs.north_first and collection["features"]:
        label = f"{title}: " + ("地図" if lang == "ja" else "map")
        fmap = build_map(settings(), height=420, aria_label=label)
        layer = folium.GeoJson(collection, name=spec.id, color=spec.style.color)
        layer.add_to(fmap)
        fmap.fit_bounds(cast(list[list[float]], layer.get_bounds()))
        parts = map_parts(fmap)
    return render_template(
        "pages/items.html",
        spec=spec,
        title=title,
        features=collection["features"],
        fields=[(f.name, f.title.get(lang)) for f in spec.fields],
        links={item["rel"]: item["href"] for item in links},
        matched=matched,
        map=parts,
        attribution=spec.license.attribution.get(lang),
    )
