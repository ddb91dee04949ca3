"""Run the app under gunicorn (or Flask's dev server with ``--dev``)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from gis.layerstore.uploads import UploadLoader
from gis.platform.settings import Settings
from webmap import create_app


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn configured from our settings rather than its own command line."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run(settings: Settings, *, dev: bool = False, loader: UploadLoader | None = None) -> None:
    """Serve until Ctrl-C. The app is built before forking, so a bad layer file fails fast."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    if not dev:  # before the metrics module is imported: /metrics then adds up all workers
        metrics_dir = Path(tempfile.mkdtemp(prefix="kasane-metrics-"))
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    app = create_app(settings, loader=loader)
    url = f"http://{settings.host}:{settings.port}/"
    print(f"Kasane is serving at {url}  (Ctrl-C stops it)", flush=True)
    if dev:
        app.run(host=settings.host, port=settings.port, debug=True, use_reloader=False)
        return
    options = {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 5,
        "accesslog": None,  # webmap.metrics logs requests without raw client addresses
        "errorlog": "-",
        "loglevel": "warning",
    }
    _Gunicorn(app, options).run()
