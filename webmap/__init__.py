"""Kasane web map server: a Flask app factory; blueprints publish the API and pages."""

from __future__ import annotations

from flask import Flask

from gis.layerstore.registry import LayerRegistry
from gis.layerstore.uploads import UploadLoader
from gis.platform.settings import Settings, load_settings


def create_app(settings: Settings | None = None, *, loader: UploadLoader | None = None) -> Flask:
    """Build the app. Settings are read here, once, and stored on ``app.extensions``.

    ``loader`` loads layer uploads (``kasane serve`` passes ``etl.upload.load_upload``).
    """
    settings = settings or load_settings()
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["kasane.settings"] = settings
    app.extensions["kasane.registry"] = registry = LayerRegistry.from_dir(settings.layers_dir)
    app.extensions["kasane.loader"] = loader

    from webmap import (
        access,
        auth,
        basemap,
        db,
        errors,
        fastpath,
        i18n,
        input_guard,
        integrated_map,
        layer_files,
        metrics,
        ogc,
        openapi,
        pages,
        planners,
        ratelimit,
        residents,
        search,
        security,
        staff,
        transit,
        uploads,
        vendor,
    )
    from webmap.residents import point_lookup as residents_memory

    vendor.use(settings.node_modules)
    db.init_app(app, settings)
    layer_files.init_app(app, registry)
    errors.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    access.init_app(app)
    ratelimit.init_app(app)
    input_guard.init_app(app)
    auth.authenticate_writes_first(app)
    security.init_app(app, settings)
    app.register_blueprint(pages.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(basemap.bp)
    app.register_blueprint(integrated_map.bp)
    app.register_blueprint(openapi.bp)
    ogc.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(residents.bp)
    app.register_blueprint(search.bp)
    planners.init_app(app)
    transit.init_app(app)
    app.register_blueprint(uploads.bp)
    staff.init_app(app, settings)
    residents_memory.init_app(app, settings.point_index_mb)
    fastpath.install(app, settings)
    if settings.proxy_hops:  # outermost: every layer below sees the client's own address
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    return app


def close(app: Flask) -> None:
    """Release what ``app`` holds in this process: usage counts (written now), the layer
    version listener and the connection pool (tests, worker exit)."""
    from webmap import db
    from webmap import served_versions as served
    from webmap import usage_counting as usage

    usage.close(app)
    served.close(app)
    db.close(app)
