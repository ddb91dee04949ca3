"""Several folium maps on one page: one set of asset links, one container per map slot.

:func:`webmap.maps.map_parts` renders a single map with its own ``<head>`` links; a page with
three maps would load Leaflet three times. :func:`group_parts` puts the maps in one figure
(folium keys asset links by name, so each is linked once) and keeps each map's container
apart, so a template can place every map in its own slot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import folium
from branca.element import Figure
from markupsafe import Markup

from webmap.maps import localize


@dataclass(frozen=True)
class GroupParts:
    """``head`` (links and styles of all maps), ``bodies`` (each map's container, by the key
    it was given) and ``script`` (the code that draws them all, to place before ``</body>``);
    ``names`` gives each map's JavaScript variable (``window[name]`` is the Leaflet map)."""

    head: Markup
    bodies: dict[str, Markup]
    names: dict[str, str]
    script: Markup


def group_parts(maps: Mapping[str, folium.Map]) -> GroupParts:
    """Render ``maps`` (key -> map) into one :class:`GroupParts`."""
    figure = Figure()
    for fmap in maps.values():
        figure.add_child(fmap)
    localize(figure)
    figure.render()
    figure.header._children.pop("meta_http", None)  # the page declares its own charset
    return GroupParts(
        head=Markup(figure.header.render()),
        bodies={
            key: Markup(figure.html._children[fmap.get_name()].render())
            for key, fmap in maps.items()
        },
        names={key: fmap.get_name() for key, fmap in maps.items()},
        script=Markup(figure.script.render()),
    )
