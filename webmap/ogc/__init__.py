"""OGC API - Features and Tiles, and XYZ vector tiles with TileJSON."""

from __future__ import annotations

from flask import Flask, Response, request

API_PREFIXES = ("/collections", "/tiles", "/conformance", "/api")
CORS_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Content-Crs, Link"),
)


def init_app(app: Flask) -> None:
    """Register the API blueprints and CORS for GET."""
    from webmap.ogc import collections, styles, tiles

    app.register_blueprint(collections.bp)
    app.register_blueprint(tiles.bp)
    app.register_blueprint(styles.bp)

    @app.after_request
    def _cors(response: Response) -> Response:
        if request.path == "/" or request.path.startswith(API_PREFIXES):
            response.headers.update(CORS_HEADERS)
        return response
