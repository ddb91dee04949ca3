"""``/layers/<id>/parts``: who publishes what in a shared layer (for staff and planners).

Each municipality's part (version, features, last update, source files, publisher), parts
older than ``KASANE_PART_MAX_AGE_DAYS`` marked stale, and the municipalities with no part yet;
HTML (ja/en) or ``?f=json``. A layer the caller may not see is a 404 like an unknown one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template

from gis.layerstore.part_status import layer_parts
from gis.platform.errors import NotFound
from webmap import access, context, db
from webmap.responses import output_format

bp = Blueprint("parts", __name__)


@bp.get("/layers/<layer_id>/parts")
def parts_page(layer_id: str) -> Any:
    """The parts of a shared layer."""
    spec = access.layer(layer_id)
    if not spec.parts:
        raise NotFound(f"layer {layer_id!r} is not shared by municipalities: it has no parts")
    fmt = output_format("html", "json")
    max_age = context.settings().part_max_age_days
    with db.connection() as conn:
        state = layer_parts(conn, spec, max_age)
    if fmt == "json":
        return jsonify({
            "layer": spec.id,
            "max_age_days": max_age,
            "parts": [{"lg_code": p.code, "name": p.name, "version": p.version,
                       "features": p.features, "loaded_at": p.loaded_at.isoformat(),
                       "loaded_by": p.loaded_by, "files": p.files, "stale": p.stale}
                      for p in state.parts],
            "missing": [{"lg_code": code, "name": name} for code, name in state.missing],
        })  # fmt: skip
    return render_template("planners/parts.html", spec=spec, state=state, max_age=max_age)
