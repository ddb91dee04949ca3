"""``/feeds/shelters.xml`` (CAP 1.2 alerts in Atom), ``/feeds/shelters/<id>.xml`` (one CAP
alert) and ``/feeds/shelters.json``: the shelters open now."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request

from gis.platform.errors import NotFound
from gis.residents import cap, shelter_list
from webmap import access, db

bp = Blueprint("residents_feeds", __name__, url_prefix="/feeds")
access.guard(bp, "shelters")


def _cached(response: Response) -> Response:
    """Readers may keep a copy but must revalidate: a status change shows at once."""
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/shelters.xml")
def shelters_xml() -> Response:
    """Open shelters as an Atom feed of CAP 1.2 alerts."""
    with db.read_connection() as conn:
        rows = shelter_list.open_shelters(conn)
    body = cap.atom_feed(rows, base_url=request.host_url.rstrip("/"))
    return _cached(Response(body, mimetype="application/atom+xml"))


@bp.get("/shelters/<shelter_id>.xml")
def shelter_cap(shelter_id: str) -> Response:
    """The CAP 1.2 alert of one open shelter."""
    with db.read_connection() as conn:
        rows = shelter_list.open_shelters(conn, shelter_id)
    if not rows:
        raise NotFound(f"shelter {shelter_id!r} is not open, or does not exist")
    web = f"{request.host_url.rstrip('/')}/shelters?lg_code={rows[0].lg_code}"
    return _cached(Response(cap.alert_document(rows[0], web=web), mimetype="application/cap+xml"))


@bp.get("/shelters.json")
def shelters_json() -> Response:
    """Open shelters as JSON, with status, crowding and times."""
    with db.read_connection() as conn:
        rows = shelter_list.open_shelters(conn)
    newest = max((r.updated_at for r in rows if r.updated_at), default=None)
    return _cached(
        jsonify(
            {
                "generated_at": datetime.now(UTC).isoformat(),
                "updated_at": newest.isoformat() if newest else None,
                "count": len(rows),
                "shelters": [{**r.to_json(), "text": cap.texts_by_language(r)} for r in rows],
            }
        )
    )
