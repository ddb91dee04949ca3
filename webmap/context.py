"""Typed access to what the app factory stored: settings and the layer registry."""

from __future__ import annotations

from flask import current_app

from gis.layerstore.registry import LayerRegistry
from gis.platform.settings import Settings


def settings() -> Settings:
    """The settings the app was created with."""
    value: Settings = current_app.extensions["kasane.settings"]
    return value


def registry() -> LayerRegistry:
    """The layer catalogue: read at start-up, re-read when layer files change
    (:mod:`webmap.layer_files`)."""
    from webmap import layer_files

    return layer_files.registry_of(current_app)
