"""The OpenAPI 3.0 document of the API, generated from the layer catalogue (so it cannot
drift from what is served), and a readable HTML page of it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from gis.layerstore.layerspec import LayerSpec
from gis.ogc.items_query import DEFAULT_LIMIT, MAX_LIMIT
from gis.ogc.output_crs import offered_uris
from gis.ogc.styles import FORMATS
from webmap import access, openapi_search, openapi_writes
from webmap.ogc.documents import base

bp = Blueprint("openapi", __name__)
OPENAPI_MIME = "application/vnd.oai.openapi+json;version=3.0"
_TYPES = {"integer": "integer", "bigint": "integer", "real": "number", "boolean": "boolean"}
_PROBLEM = {"description": "problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": {"type": "object"}}}}  # fmt: skip


def _param(name: str, where: str, schema: dict[str, Any], text: str, **extra: Any) -> Any:
    return {"name": name, "in": where, "schema": schema, "description": text, **extra}


def _common_params() -> list[Any]:
    crs = {"type": "string", "enum": offered_uris()}
    return [
        _param(
            "bbox",
            "query",
            {"type": "array", "items": {"type": "number"}},
            "minx,miny,maxx,maxy",
            style="form",
            explode=False,
        ),
        _param("bbox-crs", "query", crs, "CRS of bbox (default CRS84)"),
        _param("crs", "query", crs, "CRS of the output geometries (default CRS84)"),
        _param(
            "limit",
            "query",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            "page size",
        ),
        _param("offset", "query", {"type": "integer", "minimum": 0, "default": 0}, "first item"),
        _param("sortby", "query", {"type": "string"}, "fields, '-' for descending: -name,fid"),
        _param("f", "query", {"type": "string", "enum": ["json", "html", "csv"]}, "format"),
    ]


def filter_params() -> list[Any]:
    """``filter``, ``filter-lang`` and ``filter-crs`` (OGC API - Features Part 3, CQL2)."""
    return [
        _param("filter", "query", {"type": "string"},
               "CQL2 filter on the queryables, e.g. capacity > 300 AND hz_flood = true;"
               " S_INTERSECTS(geometry, POLYGON((…))); name LIKE '%小学校%'"),
        _param("filter-lang", "query",
               {"type": "string", "enum": ["cql2-text", "cql2-json", "cql-text"],
                "default": "cql2-text"},
               "language of filter (cql-text: the drafts' name of cql2-text, as GDAL 3.6 sends)"),
        _param("filter-crs", "query", {"type": "string", "enum": offered_uris()},
               "CRS of the geometries in filter (default CRS84)"),
    ]  # fmt: skip


def _items_path(spec: LayerSpec) -> dict[str, Any]:
    filters = [
        _param(f.name, "query", {"type": _TYPES.get(f.type, "string")}, f"{f.title.en} equals")
        for f in spec.fields
        if f.filterable and f.type not in ("jsonb", "timestamptz")
    ]
    return {
        "get": {
            "summary": f"Features of {spec.title.en}",
            "operationId": f"items_{spec.id}",
            "tags": [spec.id],
            "parameters": _common_params() + filter_params() + filters,
            "responses": {
                "200": {"description": "GeoJSON FeatureCollection",
                        "content": {"application/geo+json": {"schema": {"type": "object"}}}},
                "400": _PROBLEM, "404": _PROBLEM, "503": _PROBLEM,
            },
        }
    }  # fmt: skip


def _simple(summary: str, mime: str = "application/json", **params: Any) -> dict[str, Any]:
    parameters = [_param(n, "path", {"type": t}, n, required=True) for n, t in params.items()]
    if mime == "application/vnd.mapbox-vector-tile":
        parameters += filter_params()
    return {"get": {"summary": summary, "parameters": parameters,
                    "responses": {"200": {"description": summary, "content": {mime: {}}},
                                  "400": _PROBLEM, "404": _PROBLEM}}}  # fmt: skip


def _style_path(spec: LayerSpec) -> dict[str, Any]:
    path = _simple(f"{spec.title.en}: style from the layer file", styleId="string")
    path["get"]["parameters"].append(
        _param("f", "query", {"type": "string", "enum": list(FORMATS), "default": "mapbox"},
               "MapLibre style JSON, SLD 1.0 or QGIS QML")
    )  # fmt: skip
    return path


def document() -> dict[str, Any]:
    """The OpenAPI 3.0 document for the public layers of the catalogue."""
    paths: dict[str, Any] = {
        "/": _simple("landing page"),
        "/conformance": _simple("conformance classes"),
        "/collections": _simple("collections"),
        "/tiles/{layers}/{z}/{x}/{y}.mvt": _simple(
            "XYZ vector tile of comma-separated layers",
            "application/vnd.mapbox-vector-tile",
            layers="string",
            z="integer",
            x="integer",
            y="integer",
        ),
        "/tiles/{layers}.json": _simple("TileJSON 3.0.0", layers="string"),
    }
    for spec in access.registry():
        c = f"/collections/{spec.id}"
        paths[c] = _simple(f"{spec.title.en}: description")
        paths[f"{c}/items"] = _items_path(spec)
        paths[f"{c}/queryables"] = _simple(
            f"{spec.title.en}: queryables (JSON Schema)", "application/schema+json"
        )
        paths[f"{c}/items/{{featureId}}"] = _simple(
            f"{spec.title.en}: one feature", "application/geo+json", featureId="integer"
        )
        paths[f"{c}/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"] = _simple(
            f"{spec.title.en}: vector tile", "application/vnd.mapbox-vector-tile",
            tileMatrix="integer", tileRow="integer", tileCol="integer",
        )  # fmt: skip
        paths[f"{c}/styles"] = _simple(f"{spec.title.en}: styles (one, 'default')")
        paths[f"{c}/styles/{{styleId}}"] = _style_path(spec)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Kasane API", "version": "1.0.0",
                 "description": "OGC API - Features and Tiles of a shared prefecture GIS"},
        "servers": [{"url": base()}],
        "paths": {**paths, **openapi_search.PATHS,
                  **openapi_writes.paths([spec.id for spec in access.registry()])},
        "components": {"securitySchemes": openapi_writes.SECURITY_SCHEMES},
    }  # fmt: skip


@bp.get("/api")
def api() -> Response:
    """The OpenAPI document."""
    response = jsonify(document())
    response.mimetype = OPENAPI_MIME
    return response


@bp.get("/api.html")
def api_page() -> str:
    """A readable list of the API's operations."""
    doc = document()
    operations = [
        (f"{method.upper()} {path}" if method != "get" else path, op["summary"],
         [p["name"] for p in op["parameters"]])
        for path, item in doc["paths"].items()
        for method, op in item.items()
    ]  # fmt: skip
    return render_template("pages/api.html", operations=operations, layers=access.registry())
