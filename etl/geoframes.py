"""GeoDataFrames (the demo data, derived layers) as :class:`~etl.row_rules.Chunk` for the writer.

Kept apart from the load path, which has no data frames: importing this imports pandas.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from etl.row_rules import Chunk, plain
from gis.layerstore.layerspec import LayerSpec


def chunk_of_frame(frame: gpd.GeoDataFrame, spec: LayerSpec) -> Chunk:
    """``frame``'s declared columns as plain Python values (None for missing) with its
    geometries; the frame must be in EPSG:4326."""
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ValueError(f"frame for layer {spec.id!r} must be in EPSG:4326, not {frame.crs}")
    columns = {name: python_column(frame[name]) for name in spec.field_names}
    geometry = np.asarray(frame.geometry.values, dtype=object)
    return Chunk(columns, geometry, np.arange(1, len(frame) + 1, dtype=np.int64))


def python_column(series: pd.Series) -> list[Any]:
    """A column as plain Python values with None for missing ones, converted in bulk."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":
        # plain numpy ints and bools cannot be missing (nullable Int64/boolean can: slow path)
        return series.tolist()  # type: ignore[no-any-return]
    values = series.tolist()
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=False) == "string":
        return values  # type: ignore[no-any-return]  # every value a str, none missing
    if series.dtype.kind == "f":
        return [None if v != v else v for v in values]
    return [plain(v) for v in values]
