"""The queryables of a collection (OGC API - Features Part 3): a JSON Schema of what a
``filter`` may name, from the layer file: its filterable fields with their titles in the
request's language, types, allowed values and ranges, and the geometry."""

from __future__ import annotations

from typing import Any

from gis.layerstore.layerspec import FieldSpec, GeometryType, LayerSpec

SCHEMA_MIME = "application/schema+json"
_TYPES: dict[str, dict[str, str]] = {
    "text": {"type": "string"},
    "integer": {"type": "integer"},
    "bigint": {"type": "integer"},
    "real": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "timestamptz": {"type": "string", "format": "date-time"},
}
_GEOMETRY_FORMATS = {
    GeometryType.POINT: "geometry-point",
    GeometryType.MULTIPOINT: "geometry-multipoint",
    GeometryType.LINESTRING: "geometry-linestring",
    GeometryType.MULTILINESTRING: "geometry-multilinestring",
    GeometryType.POLYGON: "geometry-polygon",
    GeometryType.MULTIPOLYGON: "geometry-multipolygon",
    GeometryType.GEOMETRY: "geometry-any",
}


def queryable_fields(layer: LayerSpec) -> list[FieldSpec]:
    """The fields a filter may name (declared filterable; JSON documents are not)."""
    return [f for f in layer.fields if f.filterable and f.type in _TYPES]


def _field_schema(spec: FieldSpec, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"title": spec.title.get(lang), **_TYPES[spec.type]}
    if spec.values:
        out["enum"] = list(spec.values)
    if spec.minimum is not None:
        out["minimum"] = spec.minimum
    if spec.maximum is not None:
        out["maximum"] = spec.maximum
    if spec.index:
        out["x-kasane-indexed"] = True
    return out


def queryables(layer: LayerSpec, lang: str, url: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``layer``'s queryables; ``url`` is its own URL."""
    geometry_title = {"ja": "形状", "en": "Geometry"}
    properties: dict[str, Any] = {
        "geometry": {
            "title": geometry_title["en" if lang == "en" else "ja"],
            "format": _GEOMETRY_FORMATS[layer.geometry],
            "x-ogc-role": "primary-geometry",
        }
    }
    for spec in queryable_fields(layer):
        properties[spec.name] = _field_schema(spec, lang)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": layer.title.get(lang),
        "description": layer.description.get(lang),
        "properties": properties,
        "additionalProperties": False,
    }
