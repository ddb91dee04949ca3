"""The OpenAPI description of ``GET /api/search`` (see :mod:`webmap.search`)."""

from __future__ import annotations

from typing import Any

from gis.search.engine import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY

_PROBLEM = {"description": "problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": {"type": "object"}}}}  # fmt: skip
_POINT = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2},
    },
}
_RESULT = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "geometry": _POINT,
        "properties": {
            "type": "object",
            "properties": {
                "label": {"type": "string", "description": "the address or name written out"},
                "kind": {"type": "string", "enum": ["address", "place"]},
                "precision": {"type": "string",
                              "enum": ["block", "town", "municipality", "place"]},
                "precision_label": {"type": "string", "description": "precision in words (ja/en)"},
                "layer": {"type": "string", "description": "the layer the result comes from"},
                "layer_title": {"type": "string"},
                "score": {"type": "number", "description": "match quality, 0-104"},
                "distance_m": {"type": "integer", "description": "from ?near= (when given)"},
            },
        },
    },
}  # fmt: skip


def _param(name: str, schema: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": text, **extra}


PATHS: dict[str, Any] = {
    "/api/search": {
        "get": {
            "summary": "Search addresses (位置参照情報) and place names of the loaded layers",
            "description": (
                "Works offline. Addresses are normalised (widths, kanji numerals, 丁目/番/号 or "
                "hyphens, ケ/ヶ/が, 大字/字, old kanji) and answered at block, town or "
                "municipality precision; names match anywhere, kana readings too. Best "
                "first; `best` is the first result and `ambiguous` tells when others "
                "score the same."
            ),
            "operationId": "search",
            "tags": ["search"],
            "parameters": [
                _param("q", {"type": "string", "minLength": 1, "maxLength": MAX_QUERY},
                       "an address or a place name, e.g. 下関市竹崎町4-1", required=True),
                _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                 "default": DEFAULT_LIMIT}, "most results"),
                _param("near", {"type": "string", "pattern": r"^-?[0-9.]+,-?[0-9.]+$"},
                       "lon,lat: among equally good results, the nearest first"),
                _param("lang", {"type": "string", "enum": ["ja", "en"]}, "language of labels"),
            ],
            "responses": {
                "200": {
                    "description": "GeoJSON FeatureCollection of results, best first",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string", "enum": ["FeatureCollection"]},
                            "query": {"type": "string"},
                            "normalised": {"type": "string"},
                            "best": {"oneOf": [_RESULT], "nullable": True},
                            "ambiguous": {"type": "boolean"},
                            "numberReturned": {"type": "integer"},
                            "features": {"type": "array", "items": _RESULT},
                        },
                    }}},
                },
                "400": _PROBLEM,
            },
        }
    }
}  # fmt: skip
