"""Files that already use a layer's own field names (exports, hand-made inputs, benchmarks).

Tried when no source family recognises a table: every required field must be present under its
canonical name; the geometry comes from the file, or from ``lat``/``lon`` columns in a CSV.
"""

from __future__ import annotations

from etl.readers import Table
from etl.sources import Context, Mapped, points_from
from gis.layerstore.layerspec import LayerSpec


def fits(spec: LayerSpec, table: Table) -> bool:
    """True when the table has every required field of ``spec`` under its own name."""
    names = set(table.columns)
    required = {f.name for f in spec.fields if f.required}
    has_geometry = table.geometry is not None or {"lat", "lon"} <= names
    return has_geometry and required <= names and bool(names & set(spec.field_names))


def map_canonical(spec: LayerSpec, table: Table, ctx: Context) -> Mapped:
    """Columns taken as they are (types are cast when written)."""
    columns: dict[str, list[object]] = {
        f.name: list(table.columns[f.name]) for f in spec.fields if f.name in table.columns
    }
    if table.geometry is not None:
        return Mapped(columns, table.geometry, table.rows, table.wkb)
    return Mapped(columns, points_from(table, ctx, ["lat"], ["lon"]), table.rows)
