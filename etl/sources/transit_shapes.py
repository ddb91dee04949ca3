"""Bus maps published as shapefiles (e.g. 周南市・下松市公共交通マップ): stops and routes.

They are not GTFS, so each file becomes its own feed (``feed_id`` = file stem): stops from
points with ``name``/``ID``, routes from lines with ``ID`` and 路線名/運行会社.
"""

from __future__ import annotations

from etl.cell_values import text_or_none
from etl.readers import Table
from etl.sources import Context, Mapped, Source, has, values
from gis.layerstore.layerspec import LayerKind


def _recognise(table: Table) -> bool:
    return table.geometry is not None and has(table, "ID") and not has(table, "stop_id|route_id")


def _map(table: Table, ctx: Context) -> Mapped:
    assert table.geometry is not None
    feed = ctx.options.get("feed_id") or ctx.path.stem
    ids: list[object] = [text_or_none(v) for v in values(table, "ID")]
    names: list[object] = [text_or_none(v) for v in values(table, "路線名", "name", "名称")]
    columns: dict[str, list[object]] = {
        "feed_id": [feed] * len(table),
        "stop_id": ids,
        "route_id": ids,
        "name": names,
        "long_name": names,
        "agency_name": [text_or_none(v) for v in values(table, "運行会社", "事業者")],
    }
    return Mapped(columns, table.geometry, table.rows)


TRANSIT_SHAPE_SOURCES = (
    Source("bus-map shapefile (ID, name; stops or routes)", (LayerKind.TRANSIT,), _recognise, _map),
)
