"""Municipal transit planning: ``/map/transit`` and ``/api/transit/...``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the transit blueprints."""
    from webmap.transit import api, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
