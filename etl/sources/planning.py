"""Planning inputs that have no public file, so Kasane defines them (see README, "Load formats").

- Dead-zone districts: CSV with ``lg_code, district_name, households, status, surveyed_year,
  resolved_year, carrier`` and ``lat, lon`` (a representative point), or GeoJSON/GeoPackage
  polygons or points with the same properties. Japanese headers are accepted too.
- Mesh coverage: CSV ``mesh_code, year, has_advanced_station[, stations]``, 6-digit JIS X 0410
  2nd-mesh codes; the polygons are generated from the codes.
- Population mesh: e-Stat style ``KEY_CODE, population[, households]`` (8-digit 3rd mesh or
  9-digit half mesh); ``--set survey_year=2020`` when the file has no year column.
"""

from __future__ import annotations

import numpy as np

from etl.cell_values import clean, lg_code_or_none, parse_flag, parse_int, text_or_none
from etl.readers import Table
from etl.sources import Context, Mapped, Source, has, points_from, values
from gis.geo.mesh import mesh_level, mesh_polygon
from gis.layerstore.layerspec import LayerKind

STATUS = {
    "未解消": "unresolved",
    "整備中": "in_progress",
    "対策中": "in_progress",
    "解消": "resolved",
    "解消済": "resolved",
    "解消済み": "resolved",
}


def _status(value: object) -> str | None:
    text = clean(value)
    return STATUS.get(text, text.lower().replace(" ", "_") or None)


def _recognise_dead_zone(table: Table) -> bool:
    return has(table, "district_name|地区名", "status|状況")


def _map_dead_zone(table: Table, ctx: Context) -> Mapped:
    codes = []
    for row, raw in zip(table.rows, values(table, "lg_code", "市区町村コード"), strict=True):
        code, problem = lg_code_or_none(raw)
        if problem:
            ctx.report.add(int(row), "lg_code", problem, "rejected")
        codes.append(code)
    columns: dict[str, list[object]] = {
        "lg_code": list(codes),
        "district_name": [text_or_none(v) for v in values(table, "district_name", "地区名")],
        "households": [parse_int(v) for v in values(table, "households", "世帯数")],
        "status": [_status(v) for v in values(table, "status", "状況")],
        "surveyed_year": [parse_int(v) for v in values(table, "surveyed_year", "調査年")],
        "resolved_year": [parse_int(v) for v in values(table, "resolved_year", "解消年")],
        "carrier": [text_or_none(v) for v in values(table, "carrier", "事業者")],
    }
    if table.geometry is not None:
        geometry = table.geometry
    else:
        geometry = points_from(table, ctx, ["lat", "緯度"], ["lon", "経度"])
    return Mapped(columns, geometry, table.rows)


def _mesh_polygons(
    table: Table, ctx: Context, codes: list[object], levels: tuple[int, ...]
) -> np.ndarray:
    out = []
    for row, raw in zip(table.rows, codes, strict=True):
        code = clean(raw)
        try:
            if mesh_level(code) not in levels:
                raise ValueError(f"mesh level {mesh_level(code)}, expected {levels}")
            out.append(mesh_polygon(code))
        except ValueError as err:
            ctx.report.add(
                int(row), "mesh_code", f"{code!r} is not a usable mesh code ({err})", "rejected"
            )
            out.append(None)
    return np.array(out, dtype=object)


def _recognise_mesh(table: Table) -> bool:
    return table.geometry is None and has(table, "mesh_code|メッシュコード", "has_advanced_station")


def _map_mesh(table: Table, ctx: Context) -> Mapped:
    codes = values(table, "mesh_code", "メッシュコード")
    columns: dict[str, list[object]] = {
        "mesh_code": [clean(c) or None for c in codes],
        "year": [parse_int(v) for v in values(table, "year", "年度")],
        "has_advanced_station": [parse_flag(v)[0] for v in values(table, "has_advanced_station")],
        "stations": [parse_int(v) for v in values(table, "stations", "基地局数")],
    }
    return Mapped(columns, _mesh_polygons(table, ctx, codes, (2,)), table.rows)


def _recognise_population(table: Table) -> bool:
    return table.geometry is None and has(table, "KEY_CODE", "population|人口総数|T000876001")


def _map_population(table: Table, ctx: Context) -> Mapped:
    codes = values(table, "KEY_CODE")
    year = parse_int(ctx.options.get("survey_year"))
    years = values(table, "survey_year", "調査年")
    columns: dict[str, list[object]] = {
        "mesh_code": [clean(c) or None for c in codes],
        "population": [parse_int(v) for v in values(table, "population", "人口総数", "T000876001")],
        "households": [parse_int(v) for v in values(table, "households", "世帯総数")],
        "survey_year": [parse_int(v) or year for v in years],
    }
    return Mapped(columns, _mesh_polygons(table, ctx, codes, (3, 4)), table.rows)


PLANNING_SOURCES = (
    Source(
        "dead-zone districts (district_name, status, …)",
        (LayerKind.DEAD_ZONE,),
        _recognise_dead_zone,
        _map_dead_zone,
    ),
    Source(
        "mesh coverage CSV (mesh_code, year, has_advanced_station)",
        (LayerKind.MESH_COVERAGE,),
        _recognise_mesh,
        _map_mesh,
    ),
    Source(
        "population mesh CSV (KEY_CODE, population)",
        (LayerKind.POPULATION_MESH,),
        _recognise_population,
        _map_population,
    ),
)
