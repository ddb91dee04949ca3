"""Request parsing and response helpers shared by the planners' endpoints."""

from __future__ import annotations

from flask import Response, request

from gis.errors import BadRequest


def int_arg(name: str) -> int | None:
    """An optional integer query parameter; BadRequest when it is not a whole number."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None


def output_format(*allowed: str) -> str:
    """``?f=`` when given (must be one of ``allowed``), else the first of ``allowed``."""
    fmt = request.args.get("f", "").strip().lower() or allowed[0]
    if fmt not in allowed:
        raise BadRequest(f"f must be one of {', '.join(allowed)}, not {fmt!r}")
    return fmt


def csv_response(body: bytes, filename: str) -> Response:
    """A CSV download (UTF-8 with BOM, as built by ``gis.opendata.csv_bytes``)."""
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def svg_response(svg: str) -> Response:
    """An SVG image that browsers may cache briefly."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
