"""``/shelters``: every shelter with its live status as an accessible, filterable, sortable
table (server-rendered, works without JavaScript), so no one depends on the map."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request, url_for

from gis.platform.errors import BadRequest
from gis.residents import shelter_list, shelter_status
from gis.residents import shelters as shelter_search
from webmap import access, db

bp = Blueprint("residents_pages", __name__)
SORT_LABELS = {
    "name": ("名称", "Name"),
    "municipality": ("市町村", "Municipality"),
    "kind": ("種別", "Kind"),
    "capacity": ("収容人数", "Capacity"),
    "status": ("開設状況", "Status"),
    "updated": ("更新日時", "Updated"),
}


def _filter() -> shelter_list.ShelterFilter:
    args = request.args
    try:
        page = int(args.get("page") or 1)
    except ValueError:
        raise BadRequest("page must be a whole number") from None
    return shelter_list.ShelterFilter(
        lg_code=args.get("lg_code") or None,
        hazard=shelter_search.parse_hazard(args.get("hazard")),
        open_only=shelter_search.parse_bool("open", args.get("open")),
        sort=args.get("sort") or "name",
        descending=args.get("dir") == "desc",
        page=page,
    )


def _link(flt: shelter_list.ShelterFilter, **changes: Any) -> str:
    params: dict[str, Any] = {
        "lg_code": flt.lg_code,
        "hazard": flt.hazard,
        "open": "true" if flt.open_only else None,
        "sort": flt.sort,
        "dir": "desc" if flt.descending else None,
        "page": flt.page if flt.page > 1 else None,
    }
    params.update(changes)
    return url_for("residents.residents_pages.shelters", **{k: v for k, v in params.items() if v})


@bp.get("/shelters")
def shelters() -> Any:
    """The shelter table (``?f=json`` for the same rows as JSON)."""
    access.require("shelters")
    flt = _filter()
    with db.read_connection() as conn:
        rows, total = shelter_list.list_shelters(conn, flt)
        munis = shelter_list.municipalities(conn)
    if request.args.get("f") == "json":
        return jsonify({"total": total, "page": flt.page, "shelters": [r.to_json() for r in rows]})
    pages = max(1, -(-total // shelter_list.PAGE_SIZE))
    sort_links = {
        key: _link(
            flt, sort=key, dir="desc" if key == flt.sort and not flt.descending else None, page=None
        )
        for key in SORT_LABELS
    }
    return render_template(
        "residents/shelters.html",
        flt=flt,
        rows=rows,
        total=total,
        pages=pages,
        municipalities=munis,
        hazards=shelter_search.HAZARDS,
        kinds=shelter_search.KINDS,
        statuses=shelter_status.STATUSES,
        crowding=shelter_status.CROWDING,
        sort_labels=SORT_LABELS,
        sort_links=sort_links,
        prev_link=_link(flt, page=flt.page - 1) if flt.page > 1 else None,
        next_link=_link(flt, page=flt.page + 1) if flt.page < pages else None,
    )
