"""Styles of a collection for other clients (OGC API - Styles, the cheap part): the list at
``/collections/{id}/styles`` and the one style, ``default``, as MapLibre JSON, SLD 1.0 or QML."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request

from gis.ogc import styles
from gis.platform.errors import NotFound
from webmap.i18n import current_lang
from webmap.ogc.collections import public_layer
from webmap.ogc.documents import JSON, base, link

bp = Blueprint("ogc_styles", __name__)
STYLE_ID = "default"
SUFFIX = {"mapbox": "json", "sld10": "sld", "qml": "qml"}


@bp.get("/collections/<layer_id>/styles")
def style_list(layer_id: str) -> Response:
    """The styles of a collection: one, ``default``, from the layer file."""
    spec = public_layer(layer_id)
    b = f"{base()}/collections/{spec.id}/styles"
    return jsonify(
        {
            "default": STYLE_ID,
            "styles": [
                {
                    "id": STYLE_ID,
                    "title": spec.title.get(current_lang()),
                    "links": [
                        link(f"{b}/{STYLE_ID}?f={f}", "stylesheet", mime)
                        for f, mime in styles.FORMATS.items()
                    ],
                }
            ],
            "links": [link(b, "self", JSON)],
        }
    )


@bp.get("/collections/<layer_id>/styles/<style_id>")
def style(layer_id: str, style_id: str) -> Response:
    """The style as ``f=mapbox`` (default), ``f=sld10`` or ``f=qml``."""
    spec = public_layer(layer_id)
    if style_id != STYLE_ID:
        raise NotFound(f"collection {layer_id!r} has no style {style_id!r}; it has 'default'")
    fmt = request.args.get("f", "mapbox")
    if fmt not in styles.FORMATS:
        # problem+json even for f=html: a style has no HTML view (see webmap.errors)
        detail = f"f={fmt!r} is not offered; use one of {', '.join(styles.FORMATS)}"
        problem = jsonify({"type": "about:blank", "title": "Bad Request", "status": 400,
                        "detail": detail, "code": "bad_request"})  # fmt: skip
        problem.status_code = 400
        problem.mimetype = "application/problem+json"
        return problem
    lang = current_lang()
    if fmt == "mapbox":
        doc = styles.maplibre(spec, f"{base()}/tiles/{spec.id}.json", lang)
        body = json.dumps(doc, ensure_ascii=False)
    elif fmt == "sld10":
        body = styles.sld(spec, lang)
    else:
        body = styles.qml(spec, lang)
    response = Response(body, mimetype=styles.FORMATS[fmt].split(";")[0])
    response.headers["Content-Type"] = f"{styles.FORMATS[fmt]}; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{spec.id}.{SUFFIX[fmt]}"'
    return response
