"""Vector tiles: OGC API - Tiles (WebMercatorQuad) per collection, XYZ for several layers at
once, and TileJSON 3.0.0. Tiles are cached per process, keyed by the served layer versions."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.served_versions import Served
from gis.ogc import tiles
from gis.ogc.cql2_parse import parse_filter
from gis.ogc.output_crs import DEFAULT, OutputCrs, parse_crs
from gis.platform.errors import BadRequest
from webmap import context, stale
from webmap import served_versions as served
from webmap.ogc.collections import public_layer, version_connection
from webmap.ogc.documents import JSON, base, link
from webmap.ogc.html import html_alternate, map_pages, negotiated, wants_html
from webmap.responses import cached, etag_for, not_modified

bp = Blueprint("tiles", __name__)
MVT = "application/vnd.mapbox-vector-tile"
MAX_LAYERS = 16
WEB_MERCATOR_QUAD = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
XYZ_RULE = "/tiles/<names>/<int:z>/<int:x>/<int:y>.mvt"
OGC_RULE = "/collections/<layer_id>/tiles/WebMercatorQuad/<int:z>/<int:y>/<int:x>"


def layer_ids(names: str) -> list[str]:
    """The layer ids of a ``/tiles/{a,b}/…`` path; BadRequest unless 1-16 different ones."""
    ids = [n for n in names.split(",") if n]
    if not ids or len(ids) > MAX_LAYERS or len(set(ids)) != len(ids):
        raise BadRequest(f"name 1-{MAX_LAYERS} different layers, separated by commas")
    return ids


def tile_address(
    versions: tuple[tuple[str, int], ...], z: int, x: int, y: int, cql_key: str = ""
) -> tuple[tuple[object, ...], str]:
    """The response-cache key and strong ETag of tile ``z/x/y`` of these layer versions
    (and of a filter, by its normalised form, so that spellings of one filter share a tile)."""
    address: tuple[object, ...] = ("mvt", versions, z, x, y)
    if cql_key:
        address = (*address, cql_key)
    return address, etag_for(*address)


def _tile_filter() -> tuple[dict[str, Any] | None, OutputCrs, str]:
    """The ``filter``/``filter-lang``/``filter-crs`` of a tile request: parsed, CRS, cache key."""
    text = request.args.get("filter")
    if text is None:
        return None, DEFAULT, ""
    crs = parse_crs(request.args.get("filter-crs"), parameter="filter-crs")
    expr = parse_filter(text, request.args.get("filter-lang"))
    return expr, crs, json.dumps([expr, crs.uri], sort_keys=True, ensure_ascii=False)


def _layers(names: str) -> tuple[list[tuple[LayerSpec, Served]], float | None]:
    """The named layers with their served versions, and None; or the versions last known
    current and when, while the database cannot be reached (:mod:`webmap.stale`)."""
    return _served([public_layer(i) for i in layer_ids(names)])


def _served(specs: list[LayerSpec]) -> tuple[list[tuple[LayerSpec, Served]], float | None]:
    known, as_of = served.state_or_stale()
    return [(spec, served.served_in(known, spec)) for spec in specs], as_of


def _tile(
    layers: list[tuple[LayerSpec, Served]], as_of: float | None, z: int, x: int, y: int
) -> Response:
    tiles.check_address(z, x, y)
    versions = tuple((spec.id, s.version) for spec, s in layers)
    cql, cql_crs, cql_key = _tile_filter()
    address, etag = tile_address(versions, z, x, y, cql_key)
    if as_of is not None:
        return stale.cached_only(address, etag, MVT, as_of)
    cap = context.settings().tile_feature_cap

    def make() -> bytes:
        with version_connection() as conn:
            pairs = [(spec, s.version) for spec, s in layers]
            return tiles.tile(conn, pairs, z, x, y, feature_cap=cap, cql=cql, cql_crs=cql_crs)

    return cached(address, etag, MVT, make, status_empty=204)


@bp.get(XYZ_RULE)
def xyz(names: str, z: int, x: int, y: int) -> Response:
    """An XYZ tile holding one MVT layer per named layer (``/tiles/a,b/z/x/y.mvt``)."""
    return _tile(*_layers(names), z, x, y)


@bp.get(OGC_RULE)
def ogc_tile(layer_id: str, z: int, y: int, x: int) -> Response:
    """An OGC API - Tiles tile (note the order: matrix, row, column)."""
    return _tile(*_served([public_layer(layer_id)]), z, x, y)


def _union_bbox(layers: list[tuple[LayerSpec, Served]]) -> list[float]:
    boxes = [s.bbox for _, s in layers if s.bbox]
    if not boxes:
        return [-180.0, -85.0511, 180.0, 85.0511]
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


@bp.get("/tiles/<names>.json")
def tilejson(names: str) -> Response:
    """TileJSON 3.0.0 for the named layers."""
    layers, as_of = _layers(names)
    html = wants_html()
    etag = etag_for("tilejson", names, tuple(s.version for _, s in layers), base(), html)
    early = not_modified(etag)
    if early is not None:
        return early
    doc = {
        "tilejson": "3.0.0",
        "name": names,
        "tiles": [f"{base()}/tiles/{names}/{{z}}/{{x}}/{{y}}.mvt"],
        "vector_layers": [tiles.vector_layer(spec) for spec, _ in layers],
        "bounds": _union_bbox(layers),
        "minzoom": min(spec.min_zoom for spec, _ in layers),
        "maxzoom": max(spec.max_zoom for spec, _ in layers),
        "attribution": " / ".join(spec.license.attribution.ja for spec, _ in layers),
        "scheme": "xyz",
        "version": ".".join(str(s.version) for _, s in layers),
    }
    response = negotiated(doc, "pages/tilejson.html", specs=[spec for spec, _ in layers])
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = context.settings().cache_control
    return response if as_of is None else stale.mark(response, as_of, hit=False)


@bp.get("/collections/<layer_id>/tiles")
def tilesets(layer_id: str) -> Response:
    """The list of tilesets of a collection (one: WebMercatorQuad vector tiles)."""
    spec = public_layer(layer_id)
    served.served(spec)
    b = f"{base()}/collections/{spec.id}/tiles"
    doc = {"tilesets": [_tileset(spec, b)], "links": [link(b, "self", JSON), html_alternate(b)]}
    return negotiated(doc, "pages/tilesets.html", spec=spec)


def _tileset(spec: LayerSpec, b: str) -> dict[str, Any]:
    return {
        "title": spec.title.en,
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": WEB_MERCATOR_QUAD,
        "links": [
            link(f"{b}/WebMercatorQuad", "self", JSON),
            link(WEB_MERCATOR_QUAD, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", JSON),
        ],
    }


@bp.get("/collections/<layer_id>/tiles/WebMercatorQuad")
def tileset(layer_id: str) -> Response:
    """Tileset metadata: tiling scheme, zoom limits, layers and the tile URL template."""
    spec = public_layer(layer_id)
    current = served.served(spec)
    b = f"{base()}/collections/{spec.id}/tiles"
    doc = _tileset(spec, b)
    doc["links"].append(
        {
            "href": f"{b}/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}",
            "rel": "item",
            "type": MVT,
            "templated": True,
        }
    )
    doc["tileMatrixSetLimits"] = [
        {"tileMatrix": str(z), "minTileRow": 0, "maxTileRow": 2**z - 1, "minTileCol": 0,
         "maxTileCol": 2**z - 1}
        for z in range(spec.min_zoom, spec.max_zoom + 1)
    ]  # fmt: skip
    doc["layers"] = [{**tiles.vector_layer(spec), "geometryType": spec.geometry.value.lower()}]
    if current.bbox:
        doc["boundingBox"] = {
            "lowerLeft": list(current.bbox[:2]),
            "upperRight": list(current.bbox[2:]),
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        }
    doc["links"].append(html_alternate(f"{b}/WebMercatorQuad"))
    return negotiated(doc, "pages/tileset.html", spec=spec, maps=map_pages(spec))
