"""A mapped table as rows of a layer: defaults, geometry and field rules, Python types.

Each row that breaks a rule is left out and reported with its reason; what remains is a frame
of the layer's declared columns (EPSG:4326) plus ``_row`` and ``_file``, to say where a row
came from in later checks and in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS

from etl.options import LoadOptions
from etl.report import FileReport
from etl.sources import Mapped
from etl.validate import check_fields, check_geometries
from gis.layerspec import LayerSpec

WGS84 = CRS.from_epsg(4326)


def canonical_frame(
    spec: LayerSpec, mapped: Mapped, report: FileReport, options: LoadOptions
) -> gpd.GeoDataFrame:
    """The rows of ``mapped`` that pass every rule, as the layer's columns (see above)."""
    rows = mapped.rows
    columns: dict[str, list[object]] = {}
    for f in spec.fields:
        column = mapped.columns.get(f.name)
        default = options.values.get(f.name)
        if column is None:
            column = [default] * len(rows) if default is not None else None
        elif default is not None:
            column = [default if v is None else v for v in column]
        if column is not None:
            columns[f.name] = column
    keep = np.array([g is not None for g in mapped.geometry], dtype=bool)
    _reject_missing(rows[~keep], report)
    geoms, valid = check_geometries(mapped.geometry[keep], rows[keep], spec, report)
    full = np.empty(len(rows), dtype=object)
    full[keep] = geoms
    keep[keep] = valid
    rejected = {i.row for i in report.issues if i.action == "rejected"}
    if rejected:
        keep &= ~np.isin(rows, np.array(sorted(r for r in rejected if r is not None)))
    ok_fields = check_fields(columns, rows, spec, report)
    keep &= ok_fields
    every = bool(keep.all())
    data = {
        f.name: gpd.pd.Series(
            _typed_column(
                f.type,
                columns[f.name]
                if every
                else [v for v, k in zip(columns[f.name], keep, strict=True) if k],
            )
            if f.name in columns
            else [None] * int(keep.sum()),
            dtype=object,
        )
        for f in spec.fields
    }
    # built in one go, with the CRS object made once: per chunk, parsing "EPSG:4326" and adding
    # columns to a GeoDataFrame one by one cost more than the rest of the frame
    data["geometry"] = gpd.GeoSeries(gpd.array.from_shapely(full[keep], crs=WGS84))
    data["_row"] = rows[keep]
    data["_file"] = np.full(int(keep.sum()), report.name, dtype=object)
    return gpd.GeoDataFrame(data, geometry="geometry", crs=WGS84)


def _reject_missing(rows: np.ndarray, report: FileReport) -> None:
    """Report rows without a geometry (a feature whose geometry is null) that no rule has
    rejected already (coordinate rules reject a CSV row's unusable point with their reason)."""
    if not len(rows):
        return
    done = {i.row for i in report.issues if i.action == "rejected"}
    for row in rows:
        if int(row) not in done:
            report.add(int(row), "geometry", "no geometry (null)", "rejected")


_CASTS: dict[str, Callable[[Any], Any]] = {"integer": int, "bigint": int, "real": float,
                                           "text": str, "boolean": bool}  # fmt: skip


def _typed_column(kind: str, values: list[Any]) -> list[Any]:
    """Values cast to the field's Python type (None for missing), skipped when already right."""
    cast = _CASTS.get(kind)
    if cast is None:
        return values
    wanted = int if cast is int else cast
    if set(map(type, values)) <= {wanted}:  # one C-level pass
        return values
    return [None if v is None or (isinstance(v, float) and v != v) else cast(v) for v in values]
