"""Prefectural planners: dead-zone tracker, 5G mesh rate, area statistics, open data, usage.

Usage is counted for every page and layer (:mod:`webmap.usage_counting`); it starts here because
the planners' statistics page is where the counts are read.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the planners' blueprints."""
    from webmap import usage_counting
    from webmap.planners import api, datasets, pages, parts, stats

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(datasets.bp)
    app.register_blueprint(stats.bp)
    app.register_blueprint(parts.bp)
    usage_counting.init_app(app)
