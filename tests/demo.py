"""The raw demo frames (what the `demo_loaded` fixture loads), built once per test process,
for computing expectations independently of the code under test."""

from __future__ import annotations

from functools import cache

import geopandas as gpd

from etl.demo_data import demo_layers
from gis.layerstore.registry import LayerRegistry
from gis.platform.settings import load_settings


@cache
def demo_frames() -> dict[str, gpd.GeoDataFrame]:
    """Every demo layer frame, keyed by layer id (do not modify the frames)."""
    return demo_layers(LayerRegistry.from_dir(load_settings().layers_dir))
