"""OGC API - Features: conformance, collections, items and single features."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import psycopg
from flask import Blueprint, Response, jsonify, request

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.storage import Conn
from gis.ogc import features
from gis.ogc.items_query import ItemsQuery, parse_items_query
from gis.ogc.output_crs import parse_crs
from gis.ogc.queryables import SCHEMA_MIME, queryables
from gis.platform.errors import BadRequest, DatabaseUnavailable, NotFound
from webmap import access, db
from webmap import served_versions as served
from webmap.i18n import current_lang
from webmap.ogc import documents
from webmap.ogc.documents import GEOJSON, JSON, link
from webmap.ogc.html import html_alternate, map_pages, negotiated
from webmap.responses import cached, etag_for

bp = Blueprint("ogc", __name__)
FORMATS = ("json", "html", "csv")


def public_layer(layer_id: str) -> LayerSpec:
    """A layer the caller may see; NotFound for unknown and restricted ones alike."""
    return access.layer(layer_id)


@contextmanager
def version_connection() -> Iterator[Conn]:
    """A pooled read connection (a replica when one has the served versions); a version
    table dropped under us (a racing prune) is a 503."""
    try:
        with db.read_connection() as conn:
            yield conn
    except psycopg.errors.UndefinedTable as exc:
        raise DatabaseUnavailable("the layer was replaced during the request; retry") from exc


def _format() -> str:
    fmt = request.args.get("f")
    if fmt is None:
        best = request.accept_mimetypes.best_match([GEOJSON, JSON, "text/html", "text/csv"])
        return {"text/html": "html", "text/csv": "csv"}.get(best or "", "json")
    if fmt not in FORMATS:
        raise BadRequest(f"f={fmt!r} is not offered; use one of {', '.join(FORMATS)}")
    return fmt


@bp.get("/conformance")
def conformance() -> Response:
    """The conformance classes Kasane implements (JSON or HTML)."""
    b = f"{documents.base()}/conformance"
    doc = {
        "links": [link(b, "self", JSON), html_alternate(b)],
        "conformsTo": documents.CONFORMANCE,
    }
    return negotiated(doc, "pages/conformance.html")


@bp.get("/collections")
def collections() -> Response:
    """Every public layer that has data loaded (JSON or HTML)."""
    state = served.state()
    specs = [spec for spec in access.registry() if spec.id in state]
    docs = [documents.collection(spec, state[spec.id]) for spec in specs]
    b = f"{documents.base()}/collections"
    doc = {
        "links": [link(b, "self", JSON), html_alternate(b)],
        "collections": docs,
        "crs": docs[0]["crs"] if docs else [],
    }
    return negotiated(doc, "pages/collections.html", specs={s.id: s for s in specs})


@bp.get("/collections/<layer_id>")
def collection(layer_id: str) -> Response:
    """One collection's description (JSON or HTML)."""
    spec = public_layer(layer_id)
    doc = documents.collection(spec, served.served(spec))
    return negotiated(doc, "pages/collection.html", spec=spec, maps=map_pages(spec))


@bp.get("/collections/<layer_id>/queryables")
def collection_queryables(layer_id: str) -> Response:
    """What a ``filter`` may name: a JSON Schema with titles in the request's language."""
    spec = public_layer(layer_id)
    served.served(spec)
    url = f"{documents.base()}/collections/{spec.id}/queryables"
    response = jsonify(queryables(spec, current_lang(), url))
    response.mimetype = SCHEMA_MIME
    response.headers["Content-Language"] = current_lang()
    return response


def _page_links(spec: LayerSpec, query: ItemsQuery, returned: int, fmt: str) -> list[Any]:
    b = f"{documents.base()}/collections/{spec.id}/items"
    args = {k: v for k, v in request.args.items() if k not in ("offset", "f")}

    def href(offset: int, f: str = "json") -> str:
        return f"{b}?{urlencode({**args, 'offset': offset, 'f': f})}"

    mime = GEOJSON if fmt == "json" else "text/html"
    links = [
        link(href(query.offset, fmt), "self", mime),
        link(href(query.offset, "html"), "alternate", "text/html"),
        link(f"{documents.base()}/collections/{spec.id}", "collection", JSON),
        link(f"{documents.base()}/collections/{spec.id}?f=html", "collection", "text/html"),
    ]
    if returned == query.limit:
        links.append(link(href(query.offset + query.limit, fmt), "next", mime))
    if query.offset > 0:
        links.append(link(href(max(query.offset - query.limit, 0), fmt), "prev", mime))
    return links


@bp.get("/collections/<layer_id>/items")
def items(layer_id: str) -> Response:
    """Features with bbox, crs, limit/offset, property filters and sortby; JSON, HTML or CSV."""
    spec = public_layer(layer_id)
    query = parse_items_query(spec, request.args)
    fmt = _format()
    current = served.served(spec)
    if fmt == "html":
        return _items_html(spec, query, current.version, current.rows)
    if fmt == "csv":
        return _items_csv(spec, query, current.version)
    args = tuple(sorted(request.args.items(multi=True)))
    address = ("items", spec.id, current.version, request.host_url, args)

    def make() -> bytes:
        with version_connection() as conn:
            page = features.items(conn, spec, current.version, query, current.rows)
        head: dict[str, Any] = {"type": "FeatureCollection", "numberReturned": page.returned}
        if page.matched is not None:
            head["numberMatched"] = page.matched
        head["links"] = _page_links(spec, query, page.returned, "json")
        text = json.dumps(head, ensure_ascii=False)[:-1]
        return f'{text}, "features": [{page.features}]}}'.encode()

    response = cached(address, etag_for(*address), GEOJSON, make)
    response.headers["Content-Crs"] = f"<{query.crs.uri}>"
    return response


def _items_csv(spec: LayerSpec, query: ItemsQuery, version: int) -> Response:
    with version_connection() as conn:
        rows = features.csv_rows(conn, spec, version, query)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fid", *spec.field_names, "geometry_wkt"])
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{spec.id}.csv"'
    response.headers["Content-Crs"] = f"<{query.crs.uri}>"
    return response


def _items_html(spec: LayerSpec, query: ItemsQuery, version: int, rows: int) -> Response:
    from webmap.ogc.items_page import render_items_page

    with version_connection() as conn:
        page = features.items(conn, spec, version, query, rows)
    collection_doc = json.loads(f'{{"type": "FeatureCollection", "features": [{page.features}]}}')
    links = _page_links(spec, query, page.returned, "html")
    return Response(render_items_page(spec, query, collection_doc, links, page.matched))


@bp.get("/collections/<layer_id>/items/<feature_id>")
def item(layer_id: str, feature_id: str) -> Response:
    """One feature by its id (``fid``)."""
    spec = public_layer(layer_id)
    if not feature_id.isdigit() or len(feature_id) > 9:
        raise NotFound(f"layer {layer_id!r} has no feature {feature_id!r}")
    crs = parse_crs(request.args.get("crs"))
    current = served.served(spec)
    address = ("item", spec.id, current.version, int(feature_id), crs.uri, request.host_url)

    def make() -> bytes:
        with version_connection() as conn:
            text = features.feature(conn, spec, current.version, int(feature_id), crs)
        doc = json.loads(text)
        b = f"{documents.base()}/collections/{spec.id}"
        doc["links"] = [
            link(f"{b}/items/{feature_id}", "self", GEOJSON),
            link(b, "collection", JSON),
        ]
        return json.dumps(doc, ensure_ascii=False).encode()

    response = cached(address, etag_for(*address), GEOJSON, make)
    response.headers["Content-Crs"] = f"<{crs.uri}>"
    return response
