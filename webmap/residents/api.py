"""``/api/hazards/at``, ``/api/shelters/nearest`` and shelter status (read and change)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from gis.platform.errors import BadRequest
from gis.residents import hazards, shelter_status, shelters
from webmap import access, db
from webmap import served_versions as served
from webmap.auth import require_principal
from webmap.residents import point_lookup as memory

bp = Blueprint("residents_api", __name__, url_prefix="/api")


def point_of(args: Mapping[str, str]) -> hazards.LonLat:
    """The ``lat``/``lon`` of a question (:class:`BadRequest` says what is wrong)."""
    return hazards.LonLat.parse(args.get("lat"), args.get("lon"))


def nearest_query(args: Mapping[str, str]) -> shelters.NearestQuery:
    """The nearest-shelter question in ``args`` (:class:`BadRequest` says what is wrong)."""
    return shelters.NearestQuery(
        point=point_of(args),
        hazard=shelters.parse_hazard(args.get("hazard")),
        open_only=shelters.parse_bool("open", args.get("open")),
        n=shelters.parse_count(args.get("n")),
    )


@bp.get("/hazards/at")
def hazards_at() -> Response:
    """Every hazard layer at ?lat=&lon=, the municipality, and a summary in words."""
    point = point_of(request.args)
    registry, loaded = access.registry(), memory.loaded()
    with memory.feature_finder(registry, loaded) as find:
        body = hazards.hazards_at(find, registry, point, loaded)
    return jsonify(body)


@bp.get("/shelters/nearest")
def nearest() -> Response:
    """The n nearest shelters suitable for ?hazard= (and open now with ?open=true)."""
    access.require("shelters")
    query = nearest_query(request.args)
    with memory.nearest_rows() as rows:
        body = shelters.nearest(rows, access.registry(), query, memory.loaded())
    return jsonify(body)


@bp.get("/shelters/<shelter_id>/status")
def get_status(shelter_id: str) -> Response:
    """The current status of a shelter and its full history (public)."""
    access.require("shelters")
    with db.read_connection() as conn:
        lg_code = shelter_status.shelter_owner(conn, shelter_id)
        state = shelter_status.current(conn, shelter_id)
        changes = shelter_status.history(conn, shelter_id)
    body: dict[str, Any] = (
        state.to_json()
        if state
        else {
            "shelter_id": shelter_id,
            "lg_code": lg_code,
            "status": shelter_status.DEFAULT_STATUS,
            "status_label": shelter_status.STATUSES[shelter_status.DEFAULT_STATUS],
            "revision": 0,
        }
    )
    return jsonify({**body, "history": [c.to_json() for c in changes]})


@bp.put("/shelters/<shelter_id>/status")
def put_status(shelter_id: str) -> Response:
    """Change a shelter's status (editor of its municipality, or a prefecture admin)."""
    with db.connection() as conn:
        principal = require_principal(conn)
        body = request.get_json(silent=True)
        if body is None:
            raise BadRequest('send a JSON body, e.g. {"status": "open", "crowding": "vacant"}')
        change = shelter_status.StatusChange.from_json(body)
        state = shelter_status.change_and_record(conn, principal, shelter_id, change)
    served.tracker_for(current_app).status_changed()  # this process's remembered answers are stale
    return jsonify(state.to_json())
