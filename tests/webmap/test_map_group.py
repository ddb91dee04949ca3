"""Several folium maps on one page: Leaflet is linked once, each map keeps its container."""

from __future__ import annotations

from typing import Any

from webmap.map_group import group_parts
from webmap.maps import build_map


def test_group_links_assets_once_and_keeps_each_container(app: Any, settings: Any) -> None:
    with app.test_request_context():
        maps = {k: build_map(settings, aria_label=k, height=300) for k in ("a", "b", "c")}
        parts = group_parts(maps)
    assert str(parts.head).count("leaflet.js") == 1
    assert str(parts.head).count("leaflet.css") == 1
    for key, fmap in maps.items():
        body = str(parts.bodies[key])
        assert f'id="{fmap.get_name()}"' in body and f'aria-label="{key}"' in body
        assert parts.names[key] == fmap.get_name()
        assert f"var {fmap.get_name()} = L.map(" in str(parts.script)
        assert f"#{fmap.get_name()}" in str(parts.head)  # each map's own size
