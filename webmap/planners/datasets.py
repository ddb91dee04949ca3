"""The open-data catalogue (``/datasets``, HTML and DCAT JSON-LD) and stable downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, send_file

from gis.ogc import dcat, opendata
from gis.platform.errors import NotFound
from webmap import access, db
from webmap.responses import output_format

bp = Blueprint("datasets", __name__)


@bp.get("/datasets")
def catalogue() -> Any:
    """Every published public layer with its metadata and download links."""
    fmt = output_format("html", "json")
    base = request.host_url
    with db.connection() as conn:
        data = dcat.catalogue(conn, list(access.registry()), base)
    if fmt == "json":
        response = jsonify(data)
        response.mimetype = "application/ld+json"
        return response
    return render_template(
        "planners/datasets.html", catalogue=data, formats=opendata.FORMATS.values()
    )


@bp.get("/datasets/<layer_id>.<ext>")
def download(layer_id: str, ext: str) -> Response:
    """One layer in one format; cached by version (ETag, Last-Modified). A shared layer's
    ``?part=CODE`` is one municipality's part only, cached by that part's version."""
    spec = access.layer(layer_id)
    fmt = opendata.download_format(ext)
    part = request.args.get("part")
    with db.connection() as conn:
        published = dcat.published_layers(conn, [spec])
        if not published:
            raise NotFound(f"dataset {layer_id!r} is not loaded yet")
        item = published[0]
        tag = f"{layer_id}.v{item.version}"
        if part is not None:
            served = dcat.served_part(conn, spec, part)
            if served is None:
                raise NotFound(f"dataset {layer_id!r} has no part {part}")
            tag = f"{layer_id}.{part}.v{served.version}"
            item = served
        etag = f"{tag}.{int(item.loaded_at.timestamp())}.{fmt.key}"
        if request.if_none_match.contains(etag):
            body: Any = b""
        elif fmt.key == "geojson":
            body = opendata.geojson_bytes(conn, spec, part)
        elif fmt.key == "csv":
            body = opendata.csv_export(conn, spec, part)
        else:
            body = opendata.geopackage_file(conn, spec, part)
    filename = f"{layer_id}{f'-{part}' if part else ''}.{fmt.key}"
    if isinstance(body, bytes):
        response = Response(body, content_type=fmt.media_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = send_file(
            body, mimetype=fmt.media_type, as_attachment=True, download_name=filename
        )
    response.set_etag(etag)
    response.last_modified = item.loaded_at
    response.cache_control.no_cache = None
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.make_conditional(request)
    return response
