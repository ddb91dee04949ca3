"""The basemap under every map, served by Kasane itself so that maps work in a closed network.

Three sources, chosen by ``KASANE_BASEMAP`` (:func:`choice`):

- the **archive** imported with ``kasane basemap import`` (:mod:`gis.platform.basemap`): tiles by
  ``/basemap/tiles/{z}/{x}/{y}`` (ETag, Cache-Control) and the whole PMTiles file at
  ``/basemap/basemap.pmtiles`` (HTTP Range requests, ETag) for PMTiles-aware clients;
- an **online** XYZ URL (``KASANE_BASEMAP_URL``, GSI standard tiles by default);
- the **local** basemap, drawn from data Kasane already has: land and municipal borders from
  the ``admin_boundaries`` layer's vector tiles and the municipalities' names
  (``/basemap/labels.json``). It is drawn beneath the other two (unless ``none``), so a map is
  never blank when the online tiles cannot be reached.

``static/js/basemap.js`` draws what :func:`config` describes; :func:`webmap.maps.build_map`
adds it to every folium map.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, send_file
from psycopg import sql

from gis.layerstore.layerspec import LayerKind
from gis.layerstore.storage import version_table
from gis.ogc.tiles import check_address
from gis.platform import basemap
from gis.platform.settings import Settings
from webmap import access, context, db
from webmap import served_versions as served

bp = Blueprint("basemap", __name__)
ONE_DAY_S = 86_400
LOCAL_ATTRIBUTION = {
    "ja": "背景: 行政区域 (国土数値情報) から重ねが描画",
    "en": "Background drawn by Kasane from municipal boundaries (MLIT N03)",
}


def choice(settings: Settings) -> tuple[str, basemap.BasemapInfo | None]:
    """What the maps draw on top of the local basemap: ``archive`` (with its description),
    ``online``, ``local`` (nothing on top) or ``none`` (no basemap at all)."""
    info = basemap.current(settings.home)
    mode = settings.basemap
    if mode in ("auto", "archive") and info is not None:
        return "archive", info
    if mode in ("auto", "online") and settings.basemap_url:
        return "online", None
    return ("none" if mode == "none" else "local"), None


def config(settings: Settings) -> dict[str, Any]:
    """What ``basemap.js`` needs (no database call: the labels are fetched by the page)."""
    mode, info = choice(settings)
    out: dict[str, Any] = {"mode": mode, "local": mode != "none", "labels": "/basemap/labels.json"}
    if mode == "archive" and info is not None:
        out["archive"] = {
            "tiles": f"/basemap/tiles/{{z}}/{{x}}/{{y}}?v={info.etag[:12]}",
            "vector": info.vector,
            "layers": list(info.vector_layers),
            "min_zoom": info.min_zoom,
            "max_zoom": info.max_zoom,
            "attribution": info.attribution,
        }
    return out


def _admin_layer() -> str | None:
    loaded = served.state()
    visible = access.registry()
    found = (s.id for s in visible.of_kind(LayerKind.ADMIN_BOUNDARY) if s.id in loaded)
    return next(found, None)


@bp.get("/basemap/labels.json")
def labels() -> Response:
    """The local basemap: the boundary layer's tile URL and each municipality's name at a
    point inside it, largest first (the page shows small ones only when zoomed in)."""
    layer_id = _admin_layer()
    if layer_id is None:
        return jsonify({"tiles": None, "layer": None, "labels": []})
    version = served.state()[layer_id].version
    query = sql.SQL(
        "SELECT name, ST_Y(p), ST_X(p), area FROM ("
        " SELECT coalesce(name, '') || coalesce(ward_name, '') AS name,"
        " ST_PointOnSurface(geom) AS p, ST_Area(geom::geography) / 1e6 AS area FROM {}"
        ") AS t WHERE name <> '' ORDER BY area DESC"
    ).format(version_table(layer_id, version))
    with db.connection() as conn:
        rows = conn.execute(query).fetchall()
    body = {
        "tiles": f"/tiles/{layer_id}/{{z}}/{{x}}/{{y}}.mvt",
        "layer": layer_id,
        "labels": [
            {"name": n, "lat": round(lat, 6), "lon": round(lon, 6), "km2": round(a, 1)}
            for n, lat, lon, a in rows
        ],
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = context.settings().cache_control
    return response


def _archive() -> basemap.BasemapInfo:
    info = basemap.current(context.settings().home)
    if info is None:
        abort(404)
    return info


@bp.get("/basemap/tiles/<int:z>/<int:x>/<int:y>")
def tile(z: int, x: int, y: int) -> Response:
    """One tile of the imported archive (204 where the archive has none)."""
    info = _archive()
    check_address(z, x, y)
    etag = f"{info.etag}-{z}-{x}-{y}"
    headers = {"ETag": f'"{etag}"', "Cache-Control": f"public, max-age={ONE_DAY_S}"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    data = basemap.open_archive(context.settings().home, info.etag).tile(z, x, y)
    if data is None:
        return Response(status=204, headers=headers)
    response = Response(data, mimetype=info.media_type, headers=headers)
    if info.gzip and data[:2] == b"\x1f\x8b":
        response.headers["Content-Encoding"] = "gzip"
    return response


@bp.get("/basemap/basemap.pmtiles")
def archive_file() -> Response:
    """The whole archive, for PMTiles clients: Range requests (206), ETag, If-None-Match."""
    info = _archive()
    path = basemap.basemap_dir(context.settings().home) / basemap.ARCHIVE
    response = send_file(
        path, mimetype="application/vnd.pmtiles", conditional=True, etag=info.etag, max_age=0
    )
    response.headers["Cache-Control"] = f"public, max-age={ONE_DAY_S}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
