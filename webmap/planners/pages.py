"""The planners' pages: the dead-zone and 5G tracker at ``/map/deadzones``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webmap import access, context
from webmap.planners import api, maps

bp = Blueprint("planners", __name__)


@bp.get("/map/deadzones")
def deadzones_page() -> Any:
    """Year slider, trend chart, per-municipality table and the 5G rate per year.

    Works without JavaScript (the slider sits in a GET form); ``static/js/deadzones.js``
    updates the figures in place from ``/api/deadzones/summary``; ``static/js/deadzones-map.js``
    draws the district, mesh and area-statistics maps.
    """
    access.require(*api.DEADZONE_LAYERS, *api.MESH_LAYERS)
    parts, layers, units = maps.deadzone_maps()
    registry = context.registry()
    return render_template(
        "planners/deadzones.html",
        maps=parts,
        stats_layers=layers,
        stats_units=units,
        district_styles=maps.class_styles(registry.get("dead_zones")),
        mesh_styles=maps.class_styles(registry.get("mesh_coverage")),
        summary=api.dead_zone_summary(by="municipality"),
        rates=api.rates(),
        scope=api.scope(),
    )
