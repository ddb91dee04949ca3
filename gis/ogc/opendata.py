"""Open-data downloads of a layer's served version: GeoJSON, CSV (for Excel) and GeoPackage.

- GeoJSON (RFC 7946): lon/lat in EPSG:4326, 7 decimals (≈1 cm), ``id`` = ``fid``, the declared
  fields as properties; built in one SQL statement.
- CSV: UTF-8 with BOM and CRLF (Excel opens it with Japanese intact), ``fid``, the declared
  fields, then ``lon`` and ``lat``. For point layers these are the point itself. For lines,
  polygons and mixed layers they are a representative point that lies on the feature
  (``ST_PointOnSurface``), and a last ``wkt`` column holds the full geometry (WKT, 7 decimals).
  Empty cells mean NULL; booleans are ``true``/``false``; dates ISO 8601; JSON as JSON text.
- GeoPackage: one table named after the layer, CRS EPSG:4326, the declared fields with their
  types (dates as ISO text), written by GDAL (pyogrio) to a temporary file that is unlinked
  before it is streamed, so nothing is left behind even if the client disconnects.

Only public layers are downloadable; a restricted layer is reported as not found.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from psycopg import sql

from gis.layerstore.layerspec import GeometryType, LayerSpec
from gis.layerstore.loaded_layers import require_loaded
from gis.layerstore.registry import LayerRegistry
from gis.layerstore.storage import Conn, layer_view
from gis.platform.errors import NotFound


@dataclass(frozen=True)
class Format:
    """A download format."""

    key: str
    label: str
    media_type: str


FORMATS: dict[str, Format] = {
    "geojson": Format("geojson", "GeoJSON", "application/geo+json"),
    "csv": Format("csv", "CSV", "text/csv; charset=utf-8"),
    "gpkg": Format("gpkg", "GeoPackage", "application/geopackage+sqlite3"),
}
DECIMALS = 7
_PANDAS_TYPES = {"integer": "Int32", "bigint": "Int64", "real": "Float64", "boolean": "boolean"}


def public_layer(registry: LayerRegistry, layer_id: str) -> LayerSpec:
    """The public layer ``layer_id``; restricted and unknown layers are both NotFound."""
    if layer_id in registry and registry.get(layer_id).public:
        return registry.get(layer_id)
    raise NotFound(f"no public dataset {layer_id!r}")


def download_format(key: str) -> Format:
    """The format for a file extension; NotFound names the supported ones."""
    try:
        return FORMATS[key]
    except KeyError:
        raise NotFound(f"no download format {key!r}; formats: {', '.join(FORMATS)}") from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV that Excel opens correctly: UTF-8 with BOM, CRLF, a header row, minimal quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _fields(spec: LayerSpec) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(name) for name in spec.field_names)


def _rows(spec: LayerSpec, part: str | None) -> sql.Composable:
    """The served layer, or only one municipality's part of a shared layer."""
    if part is None or not spec.parts:
        return layer_view(spec.id)
    return sql.SQL("(SELECT * FROM {} WHERE {} = {}) AS part_rows").format(
        layer_view(spec.id), sql.Identifier(spec.parts), sql.Literal(part)
    )


def geojson_bytes(conn: Conn, spec: LayerSpec, part: str | None = None) -> bytes:
    """The whole layer (or one part of it) as a GeoJSON FeatureCollection (UTF-8)."""
    require_loaded(conn, spec.id)
    pairs = sql.SQL(", ").join(
        sql.SQL("{}, {}").format(sql.Literal(name), sql.Identifier(name))
        for name in spec.field_names
    )
    query = sql.SQL(
        "SELECT json_build_object('type', 'FeatureCollection', 'features',"
        " coalesce(json_agg(json_build_object('type', 'Feature', 'id', fid,"
        " 'geometry', ST_AsGeoJSON(geom, {digits})::json,"
        " 'properties', json_build_object({pairs})) ORDER BY fid), '[]'::json))::text"
        " FROM {view}"
    ).format(digits=sql.Literal(DECIMALS), pairs=pairs, view=_rows(spec, part))
    row = conn.execute(query).fetchone()
    return str(row[0] if row else "").encode("utf-8")


def is_point_layer(spec: LayerSpec) -> bool:
    """True when every feature is a single point, so lon/lat columns say everything."""
    return spec.geometry == GeometryType.POINT


def csv_columns(spec: LayerSpec) -> list[str]:
    """The CSV header of a layer."""
    extra = [] if is_point_layer(spec) else ["wkt"]
    return ["fid", *spec.field_names, "lon", "lat", *extra]


def csv_export(conn: Conn, spec: LayerSpec, part: str | None = None) -> bytes:
    """The whole layer (or one part) as CSV (see the module docstring for the columns)."""
    require_loaded(conn, spec.id)
    point = sql.SQL("geom" if is_point_layer(spec) else "ST_PointOnSurface(geom)")
    wkt = (
        sql.SQL("")
        if is_point_layer(spec)
        else sql.SQL(", ST_AsText(geom, {})").format(sql.Literal(DECIMALS))
    )
    query = sql.SQL(
        "SELECT fid, {fields}, round(ST_X({p})::numeric, {d}), round(ST_Y({p})::numeric, {d})"
        "{wkt} FROM {view} ORDER BY fid"
    ).format(
        fields=_fields(spec), p=point, d=sql.Literal(DECIMALS), wkt=wkt, view=_rows(spec, part)
    )
    return csv_bytes(csv_columns(spec), conn.execute(query).fetchall())


def layer_frame(conn: Conn, spec: LayerSpec, part: str | None = None) -> gpd.GeoDataFrame:
    """The served version (or one part) as a GeoDataFrame (EPSG:4326) with typed columns."""
    require_loaded(conn, spec.id)
    query = sql.SQL("SELECT fid, {fields}, ST_AsBinary(geom) FROM {view} ORDER BY fid").format(
        fields=_fields(spec), view=_rows(spec, part)
    )
    rows = conn.execute(query).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(spec.fields) + 2)
    data: dict[str, Any] = {"fid": pd.array(columns[0], dtype="Int64")}
    for index, field in enumerate(spec.fields, start=1):
        values = list(columns[index])
        if field.type in _PANDAS_TYPES:
            data[field.name] = pd.array(values, dtype=_PANDAS_TYPES[field.type])
        else:
            data[field.name] = [None if v is None else _cell(v) for v in values]
    geometry = shapely.from_wkb([bytes(g) for g in columns[-1]])
    return gpd.GeoDataFrame(data, geometry=list(geometry), crs="EPSG:4326")


def geopackage_file(conn: Conn, spec: LayerSpec, part: str | None = None) -> IO[bytes]:
    """An open, already-unlinked GeoPackage file of the layer (or one part), at its start."""
    frame = layer_frame(conn, spec, part)
    with tempfile.TemporaryDirectory(prefix="kasane-gpkg-") as directory:
        path = os.path.join(directory, f"{spec.id}.gpkg")
        pyogrio.write_dataframe(frame, path, layer=spec.id, driver="GPKG")
        handle = open(path, "rb")  # noqa: SIM115 - the caller streams and closes it
    return handle  # the directory is gone; the open handle keeps the data until closed
