"""The OpenAPI description of the residents' reads and of every write endpoint, with the
Bearer security scheme, so clients (and schemathesis) can call them."""

from __future__ import annotations

from typing import Any

from gis.residents.shelter_status import CROWDING, DISTRIBUTIONS, MAX_NOTE, STATUSES
from gis.residents.shelters import MAX_NEAREST

PROBLEM = {"description": "problem (RFC 9457)",
           "content": {"application/problem+json": {"schema": {"type": "object"}}}}  # fmt: skip
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "an API token from `kasane users add`",
    }
}


def _json(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {}}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): PROBLEM for c in codes}


def _query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "required": required}


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "schema": schema, "required": True}


def _write(summary: str, params: list[Any], body: dict[str, Any] | None,
           ok: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    op: dict[str, Any] = {
        "summary": summary,
        "security": BEARER,
        "parameters": params,
        "responses": {**ok, **_errors(400, 401, 403, 404, 413, 415, 422, 429, 503)},
    }
    if body is not None:
        op["requestBody"] = body
    return op


def paths(layer_ids: list[str]) -> dict[str, Any]:
    """Paths of the residents' reads and of the write endpoints (``layer_ids``: visible)."""
    lat = _query("lat", {"type": "number", "minimum": -90, "maximum": 90}, True)
    lon = _query("lon", {"type": "number", "minimum": -180, "maximum": 180}, True)
    shelter = _path("shelterId", {"type": "string", "maxLength": 100})
    status_body = {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string", "enum": list(STATUSES)},
        "crowding": {"type": "string", "enum": list(CROWDING)},
        "note": {"type": "string", "maxLength": MAX_NOTE},
        "distribution": {"type": "string", "enum": list(DISTRIBUTIONS)},
    }}  # fmt: skip
    upload = {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "dry_run": {"type": "boolean"}, "force": {"type": "boolean"},
        "encoding": {"type": "string"}, "crs": {"type": "string"},
    }}  # fmt: skip
    transit = [_query("municipality", {"type": "string", "pattern": "^[0-9]{6}$"}, True),
               _query("date", {"type": "string", "format": "date"}, True)]  # fmt: skip
    return {
        "/api/hazards/at": {"get": {"summary": "hazards at a point", "parameters": [lat, lon],
                                    "responses": {"200": _json("hazards"), **_errors(400, 404)}}},
        "/api/shelters/nearest": {"get": {
            "summary": "nearest shelters",
            "parameters": [lat, lon, _query("hazard", {"type": "string"}),
                           _query("open", {"type": "boolean"}),
                           _query("n", {"type": "integer", "minimum": 1, "maximum": MAX_NEAREST})],
            "responses": {"200": _json("shelters"), **_errors(400, 404)}}},
        "/api/shelters/{shelterId}/status": {
            "get": {"summary": "a shelter's status and history", "parameters": [shelter],
                    "responses": {"200": _json("status"), **_errors(404)}},
            "put": _write("change a shelter's status (editor of its municipality)", [shelter],
                          {"required": True,
                           "content": {"application/json": {"schema": status_body}}},
                          {"200": _json("the new status")}),
        },
        "/api/layers/{layerId}/versions": {"post": _write(
            "upload files as a new version of a layer (editor of its owner); of a shared"
            " layer, as a new version of the caller's part (or `part`; `parts`: prefecture admins)",
            [_path("layerId", {"type": "string", "enum": layer_ids or ["none"]}),
             _query("part", {"type": "string", "pattern": "^[0-9]{6}$"}),
             _query("parts", {"type": "string", "enum": ["present", "all"]})],
            {"required": True, "content": {"multipart/form-data": {"schema": upload}}},
            {"201": _json("load report, new version"), "200": _json("dry run or unchanged")},
        )},
        "/api/transit/drafts": {"post": _write(
            "evaluate and save a draft route for the caller's organisation", transit,
            {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            {"201": _json("the saved draft")},
        )},
        "/api/transit/drafts/{draftId}": {"delete": _write(
            "delete a draft of the caller's organisation",
            [_path("draftId", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1})], None,
            {"204": {"description": "deleted"}},
        )},
    }  # fmt: skip
