"""The JSON documents of the API: landing page, conformance, collections (from the catalogue)."""

from __future__ import annotations

from typing import Any

from flask import request

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.served_versions import Served
from gis.ogc import styles
from gis.ogc.output_crs import CRS84, offered_uris
from webmap.i18n import current_lang

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
GEOJSON = "application/geo+json"
JSON = "application/json"


def base() -> str:
    """The server's root URL as the client sees it, without a trailing slash."""
    return request.host_url.rstrip("/")


def link(href: str, rel: str, mime: str, title: str | None = None) -> dict[str, str]:
    """One OGC link object."""
    out = {"href": href, "rel": rel, "type": mime}
    if title:
        out["title"] = title
    return out


def landing() -> dict[str, Any]:
    """The OGC API landing page."""
    b = base()
    return {
        "title": "Kasane",
        "description": "Shared prefecture GIS: OGC API - Features and Tiles",
        "links": [
            link(f"{b}/?f=json", "self", JSON, "this document"),
            link(f"{b}/?f=html", "alternate", "text/html", "this document as HTML"),
            link(
                f"{b}/api",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.0",
                "the API definition",
            ),
            link(f"{b}/api.html", "service-doc", "text/html", "the API documentation"),
            link(f"{b}/conformance", "conformance", JSON, "conformance classes"),
            link(f"{b}/conformance?f=html", "conformance", "text/html", "conformance as HTML"),
            link(f"{b}/collections", "data", JSON, "collections"),
            link(f"{b}/collections?f=html", "data", "text/html", "collections as HTML"),
        ],
    }


def collection(spec: LayerSpec, served: Served) -> dict[str, Any]:
    """The description of one collection (a public, loaded layer)."""
    b = f"{base()}/collections/{spec.id}"
    lang = current_lang()
    extent = {"crs": CRS84, "bbox": [list(served.bbox)]} if served.bbox else None
    doc: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title.get(lang),
        "description": spec.description.get(lang),
        "itemType": "feature",
        "crs": offered_uris(),
        "storageCrs": CRS84,
        "attribution": spec.license.attribution.get(lang),
        "kasane:version": served.version,
        "kasane:features": served.rows,
        "links": [
            link(b, "self", JSON),
            link(f"{b}?f=html", "alternate", "text/html", "this collection as HTML"),
            link(f"{b}/items", "items", GEOJSON, "features"),
            link(f"{b}/items?f=html", "items", "text/html", "features as HTML"),
            link(f"{b}/items?f=csv", "items", "text/csv", "features as CSV"),
            link(
                f"{b}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                "what a filter may name",
            ),
            link(
                f"{b}/tiles",
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                JSON,
                "vector tiles",
            ),
            link(spec.license.url or "", "license", "text/html", spec.license.name),
            link(f"{b}/styles", "http://www.opengis.net/def/rel/ogc/1.0/styles", JSON, "styles"),
            *(
                link(f"{b}/styles/default?f={f}", "describedby", mime, f"style ({f})")
                for f, mime in styles.FORMATS.items()
            ),
        ],
    }
    if extent:
        doc["extent"] = {"spatial": extent}
    return doc
