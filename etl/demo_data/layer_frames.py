"""Build a layer's demo frame from its declaration in the layer catalogue (``layers/*.toml``).

The catalogue is the one source of the columns and their types: the generators hand over plain
rows, and a row that does not carry exactly the declared fields stops the build, so the demo data
can never drift from the layer files unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from etl.demo_data.places import CRS
from gis.layerstore.layerspec import FieldSpec, LayerSpec
from gis.platform.errors import ConfigError


def _column(layer_id: str, field: FieldSpec, values: list[Any]) -> Any:
    """A column of the pandas dtype that fits the field's declared type."""
    if field.type == "text":
        return pd.Series(values, dtype="str")
    if field.type in ("integer", "bigint"):
        return pd.array(values, dtype="Int64")
    if field.type == "real":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if field.type == "boolean":
        return np.asarray(values, dtype=bool)
    if field.type == "date":
        return pd.Series(values, dtype=object)
    raise ConfigError(
        f"layer {layer_id!r}: field {field.name!r} is of type {field.type!r},"
        " for which the demo data has no column type"
    )


def _check_fields(spec: LayerSpec, rows: Sequence[Mapping[str, Any]]) -> None:
    """Fail unless every row carries exactly the fields the layer declares."""
    declared = set(spec.field_names)
    for number, row in enumerate(rows, start=1):
        if row.keys() != declared:
            missing = sorted(declared - set(row))
            undeclared = sorted(set(row) - declared)
            raise ConfigError(
                f"layer {spec.id!r}: demo row {number} does not match the declared fields"
                f" (declared but not generated: {missing}; generated but not declared:"
                f" {undeclared})",
                hint=f"make etl/demo_data generate exactly the fields of layers/{spec.id}.toml",
            )


def layer_frame(
    spec: LayerSpec, rows: Sequence[Mapping[str, Any]], geometry: Sequence[Any]
) -> gpd.GeoDataFrame:
    """The layer's frame: its declared fields, in order and typed, plus ``geometry`` (EPSG:4326).

    Raises ConfigError when a row lacks a declared field or has one the layer does not declare.
    """
    _check_fields(spec, rows)
    columns = {
        field.name: _column(spec.id, field, [row[field.name] for row in rows])
        for field in spec.fields
    }
    frame = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)
    return frame.reset_index(drop=True)
