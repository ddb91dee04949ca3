"""A layer file's own source mapping (``source`` on its fields and its ``[source]`` table).

The declared way for any dataset to become a layer: each field names its source columns
(aliases, matched as the Python mappers match theirs: NFKC, width, blanks and punctuation
ignored) and how its cells are parsed; the ``[source]`` table says where the geometry comes
from. A cell that cannot be parsed rejects its row when the field is required, and is left
empty (flagged) otherwise; coordinates go through the same rules as every point file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import shapely

from etl.cell_parsers import PARSERS, Parsed, enum_parser
from etl.cell_values import clean
from etl.readers import Table
from etl.report import Action
from etl.sources import Context, Mapped, column, points_from, values
from etl.validate import RawPoint, parse_coordinates, resolve_points
from gis.geo.mesh import mesh_polygon
from gis.layerstore.layerspec import FieldSpec, GeometryType, LayerSpec
from gis.platform.errors import LoadError

_POINTS = {GeometryType.POINT, GeometryType.MULTIPOINT}
_PAIR = re.compile(r"\s*[,、，/;]\s*|\s+")


def missing_columns(spec: LayerSpec, table: Table) -> list[str]:
    """What the table lacks: each required field or geometry cell none of whose aliases
    names a column, as ``'name (名称 | 施設名)'``."""
    assert spec.source is not None
    lacking = [
        f"{f.name} ({' | '.join(f.source.columns)})"
        for f in spec.fields
        if f.required and f.source is not None and column(table, *f.source.columns) is None
    ]
    if spec.source.geometry == "file":
        if table.geometry is None:
            lacking.append("geometry (the file has none: give source.geometry of a column)")
        return lacking
    for aliases in spec.source.needed:
        if column(table, *aliases) is None:
            lacking.append(f"geometry ({' | '.join(aliases)})")
    return lacking


def check_fits(spec: LayerSpec, table: Table) -> None:
    """LoadError naming the columns the layer file asks for and the table lacks."""
    lacking = missing_columns(spec, table)
    if lacking:
        shown = ", ".join(map(str, list(table.columns)[:15]))
        raise LoadError(
            f"columns ({shown}) lack what layers/{spec.id}.toml declares: {'; '.join(lacking)}",
            hint="add the file's column names to source.columns in the layer file",
        )


def _parser(field: FieldSpec) -> Callable[[object], Parsed]:
    assert field.source is not None
    parse = field.source.parse_for(field.type)
    return enum_parser(field.source.map) if parse == "enum" else PARSERS[parse]


def _field_values(field: FieldSpec, table: Table, ctx: Context) -> list[object] | None:
    """The field's parsed values (None when no column feeds it); each unreadable cell is
    reported: the row is rejected for a required field, the value left empty otherwise."""
    assert field.source is not None
    name = column(table, *field.source.columns)
    default = field.source.default
    if name is None:
        return None if default is None else [default] * len(table)
    parse = _parser(field)
    action: Action = "rejected" if field.required else "flagged"
    out: list[object] = []
    for row, raw in zip(table.rows, table.columns[name], strict=True):
        value, problem = parse(raw)
        if problem:
            ctx.report.add(int(row), field.name, f"{name}: {problem}", action)
        out.append(default if value is None and not problem else value)
    return out


def map_declared(spec: LayerSpec, table: Table, ctx: Context) -> Mapped:
    """The table as the layer's fields and geometries, as the layer file declares."""
    assert spec.source is not None
    columns = {
        f.name: found
        for f in spec.fields
        if f.source is not None and (found := _field_values(f, table, ctx)) is not None
    }
    source = spec.source
    if source.geometry == "file":
        return Mapped(columns, table.geometry, table.rows, table.wkb)  # type: ignore[arg-type]
    if source.geometry == "latlon":
        return Mapped(columns, points_from(table, ctx, source.lat, source.lon), table.rows)
    cells = values(table, *source.columns)
    geometry: np.ndarray
    if source.geometry == "latlon_cell":
        geometry = _cell_points(table, ctx, cells)
    elif source.geometry == "wkt":
        geometry = _from_wkt(table, ctx, cells)
    elif source.geometry == "mesh":
        geometry = _from_mesh(spec, table, ctx, cells)
    else:
        geometry = _from_lg_code(spec, table, ctx, cells)
    return Mapped(columns, geometry, table.rows)


def _cell_points(table: Table, ctx: Context, cells: list[object]) -> np.ndarray:
    """Points from one cell holding ``lat,lon`` (or ``lat lon``, either order: the swap rule
    puts a lon,lat pair right)."""
    raw: list[RawPoint] = []
    for row, cell in zip(table.rows, cells, strict=True):
        parts = [p for p in _PAIR.split(clean(cell)) if p] if clean(cell) else []
        if len(parts) == 2:
            raw.append(parse_coordinates(int(row), parts[0], parts[1]))
        elif not parts:
            raw.append(RawPoint(int(row), None, None, "no coordinates (the cell is empty)"))
        else:
            raw.append(RawPoint(int(row), None, None, f"{clean(cell)!r} is not 'lat,lon'"))
    resolved = resolve_points(raw, ctx.report)
    return np.array([shapely.Point(p) if p else None for p in resolved], dtype=object)


def _from_wkt(table: Table, ctx: Context, cells: list[object]) -> np.ndarray:
    out = np.empty(len(cells), dtype=object)
    for i, (row, cell) in enumerate(zip(table.rows, cells, strict=True)):
        text = clean(cell)
        try:
            out[i] = shapely.from_wkt(text) if text else None
        except shapely.errors.GEOSException as err:
            ctx.report.add(int(row), "geometry", f"unreadable WKT: {err}", "rejected")
        if not text:
            ctx.report.add(int(row), "geometry", "no geometry (the WKT cell is empty)", "rejected")
    return out


def _from_mesh(spec: LayerSpec, table: Table, ctx: Context, cells: list[object]) -> np.ndarray:
    out = np.empty(len(cells), dtype=object)
    for i, (row, cell) in enumerate(zip(table.rows, cells, strict=True)):
        code = clean(cell).split(".")[0]
        try:
            cell_polygon = mesh_polygon(code)
        except ValueError as err:
            ctx.report.add(int(row), "geometry", f"mesh code {code!r}: {err}", "rejected")
            continue
        out[i] = cell_polygon.centroid if spec.geometry in _POINTS else cell_polygon
    return out


def _from_lg_code(spec: LayerSpec, table: Table, ctx: Context, cells: list[object]) -> np.ndarray:
    if not ctx.areas:
        raise LoadError(
            "the geometry comes from local-government codes, but no municipality boundaries"
            " are loaded",
            hint="load the admin_boundaries layer first",
        )
    out = np.empty(len(cells), dtype=object)
    for i, (row, cell) in enumerate(zip(table.rows, cells, strict=True)):
        code, problem = PARSERS["lg_code"](cell)
        area = ctx.areas.get(str(code)) if code else None
        if area is None:
            reason = problem or f"no municipality with code {clean(cell)!r} is loaded"
            ctx.report.add(int(row), "geometry", reason, "rejected")
            continue
        outline = area[1]
        out[i] = outline.point_on_surface() if spec.geometry in _POINTS else outline
    return out
