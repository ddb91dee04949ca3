"""This process's layer catalogue, re-read when layer files change (gis.layerstore.layer_files).

Every process (each gunicorn worker) keeps its own :class:`LayerFiles`; the ``kasane layers
reload`` notification reaches each through its layer-version listener, and a change of the
files is noticed by each on its own within seconds. When the catalogue is replaced, what was
made from it (the public catalogue) is dropped so that it is made again.
"""

from __future__ import annotations

from flask import Flask

from gis.layerstore.layer_files import LayerFiles
from gis.layerstore.registry import LayerRegistry
from webmap import served_versions

KEY = "kasane.layer_files"


def init_app(app: Flask, registry: LayerRegistry) -> None:
    """Keep ``registry`` (read strictly at start-up) in step with the layer directory."""
    app.extensions[KEY] = LayerFiles(app.extensions["kasane.settings"].layers_dir, registry)


def registry_of(app: Flask) -> LayerRegistry:
    """The current catalogue of ``app`` (no app context needed: the tile fast path)."""
    files: LayerFiles = app.extensions[KEY]
    tracker = served_versions.running_tracker(app)
    generation = files.generation
    registry = files.current(tracker.files_epoch if tracker is not None else None)
    if files.generation != generation:
        app.extensions["kasane.registry"] = registry
        app.extensions.pop("kasane.public_registry", None)
    return registry


def errors_of(app: Flask) -> list[str]:
    """The layer files refused at the last re-read (file, key and why)."""
    files: LayerFiles = app.extensions[KEY]
    return list(files.errors)
