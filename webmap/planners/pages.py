"""The planners' pages: the dead-zone and 5G tracker at ``/map/deadzones``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webmap.planners import api

bp = Blueprint("planners", __name__)


@bp.get("/map/deadzones")
def deadzones_page() -> Any:
    """Year slider, trend chart, per-municipality table and the 5G rate per year.

    Works without JavaScript (the slider sits in a GET form); ``static/js/deadzones.js``
    updates the figures in place from ``/api/deadzones/summary``.
    """
    return render_template(
        "planners/deadzones.html",
        summary=api.dead_zone_summary(by="municipality"),
        rates=api.rates(),
        scope=api.scope(),
    )
