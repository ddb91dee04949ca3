"""Prefectural planners: dead-zone tracker, 5G mesh rate, area statistics, open data, usage."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the planners' blueprints."""
    from webmap.planners import api, datasets, pages, stats, usage

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(datasets.bp)
    app.register_blueprint(stats.bp)
    usage.init_app(app)
